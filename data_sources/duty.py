"""The duty room in the warehouse and the live state: the duty log (值班日志), shift handovers
(交接班), the week's roster, the contact directory and the roll call (点名) of the district
duty rooms.

A roll call runs in Redis (`LiveState.start_rollcall` / `answer_rollcall`, so that every
screen sees answers within a pulse) and is recorded in the warehouse (`rollcall`,
`rollcall_answers`). Times in and out are UTC.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy.exc import IntegrityError

from data_sources.rosters import roster_between
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

CITY = "city"
LOG_CATEGORIES = {
    "report": "接报",
    "inspection": "检查",
    "notice": "通知",
    "handover": "交接班",
    "other": "其他",
}
MAX_TEXT = 2000
# A roll call's deadline: the bureau's rule is five minutes; the screen allows 1-60.
DEFAULT_DEADLINE_S = 300
WEEK_TTL = 60


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
    return frame


# --- duty log --------------------------------------------------------------------------


def log_entries(warehouse: Warehouse, unit: str = CITY, limit: int = 200) -> pd.DataFrame:
    """The newest entries first. Columns: id, unit, at (UTC), account (who wrote it: the
    signed-in account), author (that account's display name where one is known), category,
    text."""
    frame = warehouse.query(
        'SELECT d.id, d.unit, d."at", d.author AS account, '
        "COALESCE(NULLIF(u.display_name, ''), d.author) AS author, d.category, d.\"text\" "
        "FROM duty_log d LEFT JOIN users u ON u.username = d.author WHERE d.unit = :unit "
        'ORDER BY d."at" DESC, d.id DESC LIMIT :limit',
        {"unit": unit, "limit": int(limit)},
    )
    return _utc(frame, "at")


def append_log(
    warehouse: Warehouse,
    author: str,
    text: str,
    category: str = "other",
    unit: str = CITY,
    at: datetime | None = None,
) -> None:
    """Add one entry written by `author`, the signed-in account (screens never pass a typed
    name); refuses (ValueError) empty text or author and unknown categories."""
    text, author = (text or "").strip(), (author or "").strip()
    if not text:
        raise ValueError("日志内容不能为空")
    if not author:
        raise ValueError("请填写记录人")
    if len(text) > MAX_TEXT:
        raise ValueError(f"日志内容不能超过 {MAX_TEXT} 字")
    if category not in LOG_CATEGORIES:
        raise ValueError(f"未知日志类别 {category!r}")
    warehouse.execute(
        'INSERT INTO duty_log (unit, "at", author, category, "text") '
        "VALUES (:unit, :at, :author, :category, :text)",
        {
            "unit": unit,
            "at": at or datetime.now(UTC),
            "author": author,
            "category": category,
            "text": text,
        },
    )


# --- handover --------------------------------------------------------------------------


def record_handover(
    warehouse: Warehouse,
    from_name: str,
    to_name: str,
    notes: dict[str, Any],
    unit: str = CITY,
    recorded_by: str | None = None,
    at: datetime | None = None,
) -> None:
    """Record a handover and its duty-log line, in one transaction.

    `notes`: what was handed over — `text` (the officer's notes) and counts taken at that
    moment (`open_alarms`, `open_incidents`). `recorded_by` is the signed-in account that
    records it; the duty-log line carries it as its author (the names handed over between
    are what the officer entered)."""
    from_name, to_name = (from_name or "").strip(), (to_name or "").strip()
    if not from_name or not to_name:
        raise ValueError("请填写交班人和接班人")
    if from_name == to_name:
        raise ValueError("交班人与接班人不能是同一人")
    at = at or datetime.now(UTC)
    summary = f"交接班：{from_name}与{to_name}完成交接"
    counts = [
        f"{label}{notes[key]}{unit_word}"
        for key, label, unit_word in (
            ("open_alarms", "未结警情", "起"),
            ("open_incidents", "在办事件", "起"),
        )
        if key in notes
    ]
    if counts:
        summary += "，" + "、".join(counts) + "已逐项交接"
    if notes.get("text"):
        summary += f"。交接事项：{notes['text']}"
    warehouse.execute_all(
        [
            (
                'INSERT INTO duty_handover (unit, "at", from_name, to_name, notes, recorded_by) '
                "VALUES (:unit, :at, :from_name, :to_name, :notes, :by)",
                {
                    "unit": unit,
                    "at": at,
                    "from_name": from_name,
                    "to_name": to_name,
                    "notes": json.dumps(notes, ensure_ascii=False),
                    "by": recorded_by,
                },
            ),
            (
                'INSERT INTO duty_log (unit, "at", author, category, "text") '
                "VALUES (:unit, :at, :author, 'handover', :text)",
                {"unit": unit, "at": at, "author": recorded_by or to_name, "text": summary + "。"},
            ),
        ]
    )


def handovers(warehouse: Warehouse, unit: str = CITY, limit: int = 20) -> pd.DataFrame:
    """Newest first. Columns: id, unit, at (UTC), from_name, to_name, notes (dict), recorded_by."""
    frame = warehouse.query(
        'SELECT id, unit, "at", from_name, to_name, notes, recorded_by FROM duty_handover '
        'WHERE unit = :unit ORDER BY "at" DESC, id DESC LIMIT :limit',
        {"unit": unit, "limit": int(limit)},
    )
    frame["notes"] = [json.loads(n or "{}") for n in frame["notes"]]
    return _utc(frame, "at")


# --- roster and contacts ---------------------------------------------------------------


def week_roster(warehouse: Warehouse, cache: Any, first: date, last: date) -> pd.DataFrame:
    """`rosters.roster_between`, cached for a minute (an import drops the cache)."""
    key = f"duty:roster:{first.isoformat()}:{last.isoformat()}"
    frame = cache.get(key) if cache is not None else None
    if frame is None:
        frame = roster_between(warehouse, first, last)
        if cache is not None:
            cache.set(key, frame, timeout=WEEK_TTL)
    return frame


def forget_week(cache: Any, first: date, last: date) -> None:
    if cache is not None:
        cache.delete(f"duty:roster:{first.isoformat()}:{last.isoformat()}")


def contacts(
    roster: pd.DataFrame,
    teams: pd.DataFrame,
    experts: pd.DataFrame,
    districts: dict[str, str],
) -> pd.DataFrame:
    """Everyone the duty room may have to call. Columns: name, phone, group (值班人员 /
    救援队伍 / 专家), unit (where they belong), detail (role, team, specialty)."""
    unit_name = {CITY: "市应急管理局", **districts}
    role = {"leader": "带班领导", "chief": "值班长", "officer": "值班员"}
    people = roster.drop_duplicates(["name", "phone", "unit", "role"])
    frames = [
        pd.DataFrame(
            {
                "name": people["name"],
                "phone": people["phone"],
                "group": "值班人员",
                "unit": people["unit"].map(unit_name).fillna(people["unit"]),
                "detail": people["role"].map(role).fillna(people["role"]),
            }
        ),
        pd.DataFrame(
            {
                "name": teams["leader"],
                "phone": teams["phone"],
                "group": "救援队伍",
                "unit": teams["name"],
                "detail": "队长",
            }
        ),
        pd.DataFrame(
            {
                "name": experts["name"],
                "phone": experts["phone"],
                "group": "专家",
                "unit": experts["organisation"],
                "detail": experts["specialty"] + "专家 · " + experts["title"],
            }
        ),
    ]
    frame = pd.concat(frames, ignore_index=True)
    # One line per person and place: a duty officer with two roles this month shows both.
    frame = frame.groupby(["name", "phone", "group", "unit"], as_index=False, sort=False).agg(
        detail=("detail", lambda d: "、".join(dict.fromkeys(d)))
    )
    # The city's own duty staff first, then the districts', team leaders, experts.
    rank = frame["group"].map({"值班人员": 1, "救援队伍": 2, "专家": 3})
    rank = rank.where(frame["unit"] != unit_name[CITY], 0)
    return (
        frame.assign(rank=rank)
        .sort_values(["rank", "unit", "name"], kind="stable")
        .drop(columns="rank")
    )


def search_contacts(frame: pd.DataFrame, query: str | None) -> pd.DataFrame:
    """Rows where any word of `query` appears in name, phone, unit or detail."""
    words = (query or "").split()
    if not words:
        return frame
    haystack = frame["name"] + " " + frame["phone"] + " " + frame["unit"] + " " + frame["detail"]
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False, case=False)
    return frame[mask]


# --- roll call -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    outcome: str  # answered / duplicate / not-called / none
    rollcall_id: str | None
    late: bool = False


def start_rollcall(
    sources: Any, units: list[str], deadline_s: int, started_by: str, now: float | None = None
) -> str:
    """Start a roll call of `units`: recorded in the warehouse, then live in Redis."""
    now = time.time() if now is None else now
    started = datetime.fromtimestamp(now, UTC)
    rollcall_id = f"RC{started:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    sources.warehouse.execute(
        "INSERT INTO rollcall (id, started_at, started_by, deadline_s, units) "
        "VALUES (:id, :at, :by, :deadline_s, :units)",
        {
            "id": rollcall_id,
            "at": started,
            "by": started_by,
            "deadline_s": int(deadline_s),
            "units": json.dumps(units),
        },
    )
    sources.live.start_rollcall(rollcall_id, units, deadline_s, started_by, at=now)
    return rollcall_id


def answer_rollcall(
    sources: Any, unit: str, via: str, recorded_by: str | None = None, now: float | None = None
) -> Answer:
    """Record `unit`'s answer to the running roll call: live first (the screens), then the
    warehouse; a repeated answer fills in a record an earlier failure left out."""
    now = time.time() if now is None else now
    outcome, rollcall_id = sources.live.answer_rollcall(unit, at=now)
    if outcome not in ("answered", "duplicate"):
        return Answer(outcome, rollcall_id)
    state = sources.live.rollcall_state() or {}
    answered_at = state.get("answers", {}).get(unit, now)
    try:
        sources.warehouse.execute(
            "INSERT INTO rollcall_answers (rollcall_id, unit, answered_at, via, recorded_by) "
            "VALUES (:id, :unit, :at, :via, :by)",
            {
                "id": rollcall_id,
                "unit": unit,
                "at": datetime.fromtimestamp(answered_at, UTC),
                "via": via,
                "by": recorded_by,
            },
        )
    except IntegrityError:
        pass  # recorded before
    except Exception:  # noqa: BLE001 - the live answer stands; the record can be filled later
        log.exception("roll call %s: could not record the answer of %s", rollcall_id, unit)
    late = answered_at > state.get("deadline_at", float("inf"))
    return Answer(outcome, rollcall_id, late)


def rollcall_history(warehouse: Warehouse, limit: int = 5) -> list[dict[str, Any]]:
    """The latest roll calls, newest first: id, started_at (UTC), started_by, deadline_s,
    units (list), on_time, late, missing (lists of units)."""
    frame = warehouse.query(
        "SELECT r.id, r.started_at, r.started_by, r.deadline_s, r.units, a.unit, a.answered_at "
        "FROM (SELECT id, started_at, started_by, deadline_s, units FROM rollcall "
        "ORDER BY started_at DESC LIMIT :limit) r "
        "LEFT JOIN rollcall_answers a ON a.rollcall_id = r.id",
        {"limit": int(limit)},
    )
    frame = _utc(frame, "started_at", "answered_at")
    calls = []
    for (rid, started, by, deadline_s, units), group in frame.groupby(
        ["id", "started_at", "started_by", "deadline_s", "units"], sort=False
    ):
        deadline = started + pd.Timedelta(seconds=int(deadline_s))
        answered = group.dropna(subset=["unit"])
        on_time = list(answered.loc[answered["answered_at"] <= deadline, "unit"])
        late = list(answered.loc[answered["answered_at"] > deadline, "unit"])
        called = json.loads(units)
        calls.append(
            {
                "id": rid,
                "started_at": started,
                "started_by": by,
                "deadline_s": int(deadline_s),
                "units": called,
                "on_time": on_time,
                "late": late,
                "missing": [u for u in called if u not in set(on_time) | set(late)],
            }
        )
    return sorted(calls, key=lambda c: c["started_at"], reverse=True)


def answer_state(state: dict[str, Any], unit: str, now: float) -> str:
    """answered / late (answered after the deadline) / waiting / not-answered (deadline passed)."""
    at = state["answers"].get(unit)
    if at is not None:
        return "late" if at > state["deadline_at"] else "answered"
    return "not-answered" if now > state["deadline_at"] else "waiting"
