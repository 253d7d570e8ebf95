"""The duty room in the warehouse: the duty log (值班日志), shift handovers (交接班), the
week's roster and the contact directory. The roll call (点名) is `data_sources.rollcall`.
Times in and out are UTC.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from data_sources.warehouse import Warehouse, utc
from vocabulary import LOG_CATEGORIES

log = logging.getLogger(__name__)

CITY = "city"
MAX_TEXT = 2000


class Duty:
    """The duty log and the handovers of one warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.wh = warehouse

    def log_entries(
        self, unit: str = CITY, limit: int = 200, *, primary: bool = False
    ) -> pd.DataFrame:
        """The newest entries first. Columns: id, unit, at (UTC), account (who wrote it: the
        signed-in account), author (that account's display name where one is known), category,
        text. `primary`: read the primary, to show an entry the caller has just written."""
        frame = self.wh.query(
            'SELECT d.id, d.unit, d."at", d.author AS account, '
            "COALESCE(NULLIF(u.display_name, ''), d.author) AS author, d.category, d.\"text\" "
            "FROM duty_log d LEFT JOIN users u ON u.username = d.author WHERE d.unit = :unit "
            'ORDER BY d."at" DESC, d.id DESC LIMIT :limit',
            {"unit": unit, "limit": int(limit)},
            primary=primary,
        )
        return utc(frame, "at")

    def append_log(
        self,
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
        self.wh.execute(
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

    def record_handover(
        self,
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
        summary = handover_line(from_name, to_name, notes)
        self.wh.execute_all(
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
                    {
                        "unit": unit,
                        "at": at,
                        "author": recorded_by or to_name,
                        "text": summary + "。",
                    },
                ),
            ]
        )

    def handovers(
        self, unit: str = CITY, limit: int = 20, *, primary: bool = False
    ) -> pd.DataFrame:
        """Newest first. Columns: id, unit, at (UTC), from_name, to_name, notes (dict), recorded_by."""
        frame = self.wh.query(
            'SELECT id, unit, "at", from_name, to_name, notes, recorded_by FROM duty_handover '
            'WHERE unit = :unit ORDER BY "at" DESC, id DESC LIMIT :limit',
            {"unit": unit, "limit": int(limit)},
            primary=primary,
        )
        frame["notes"] = [json.loads(n or "{}") for n in frame["notes"]]
        return utc(frame, "at")


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


def handover_line(from_name: str, to_name: str, notes: dict[str, Any]) -> str:
    """The duty-log line of a handover (the daily report reads a handover back from it)."""
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
    return summary
