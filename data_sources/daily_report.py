"""The daily duty report (值班日报): one Asia/Shanghai calendar day of the duty room, read from
the warehouse.

`daily_report(warehouse, day, now)` returns a `DailyReport` of plain data (no Flask, no Dash):
the day's alarms by level, status and district, the red alarms, escalations (alarm_events
`op = 'escalate'`), incidents opened or closed that day, handovers, roll calls, the duty log
and who was on duty. The window is [00:00, 24:00) Asia/Shanghai of `day`, as UTC; every time
in the result is tz-aware UTC. A day still running (today) is cut at `now`.

`parse_day(raw, today)` checks the `date` of the URL and says what is wrong (`BadDay`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from data_sources.rosters import Rosters
from data_sources.warehouse import Warehouse
from vocabulary import CHECKIN_WINDOW_S, LEVELS, incident_level

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUSES = ("new", "acknowledged", "closed")
UNLOCATED = ""  # district key of alarms the warehouse could not place in a district
FIRST_DAY = date(2000, 1, 1)
MAX_ROWS = 2000  # per list section: a day that has more is cut, and says so
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_HANDOVER_LINE = re.compile(
    r"交接班：(?P<from_name>[^，。与]{1,40})与(?P<to_name>[^，。]{1,40})完成交接(?P<rest>.*)", re.S
)


class BadDay(ValueError):
    """The requested day cannot be reported. `reason` names the message for the person who
    asked (layouts/i18n.py's "report.bad_day.<reason>", in Chinese and English); `fields`
    fill it in."""

    def __init__(self, reason: str, **fields: str) -> None:
        super().__init__(reason, fields)
        self.reason, self.fields = reason, fields


def day_window(day: date) -> tuple[datetime, datetime]:
    """[start, end) of the Asia/Shanghai calendar day `day`, in UTC."""
    start = datetime.combine(day, time(0), SHANGHAI)
    end = datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def default_day(now: datetime) -> date:
    """The day a report asked for without a date covers: yesterday (Asia/Shanghai), the last
    whole day, which is what the morning shift prints and files."""
    return local_today(now) - timedelta(days=1)


def parse_day(raw: str | None, today: date) -> date:
    """The day of `raw` (YYYY-MM-DD), or BadDay saying what is wrong with it."""
    text = (raw or "").strip()
    if not text:
        raise BadDay("empty")
    if len(text) > 10 or not _DATE.fullmatch(text):
        raise BadDay("format")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadDay("no_such_day", day=text) from None
    if day > today:
        raise BadDay("future", day=text, today=today.isoformat())
    if day < FIRST_DAY:
        raise BadDay("too_early", first=FIRST_DAY.isoformat())
    return day


@dataclass
class DailyReport:
    """One day of the duty room. Times tz-aware UTC; levels red/orange/yellow/blue.

    - `alarms_by_level`: level → alarms that occurred that day; `alarms_by_status` the same
      by status now (new/acknowledged/closed); `alarm_total`.
    - `alarms_by_district`: one dict per district (every district of the warehouse, then
      alarms outside any, adcode ""): adcode, name, red, orange, yellow, blue, total.
    - `red_alarms`: id, occurred_at, title, category, source, source_name, district (name), status,
      ack_by, ack_at, closed_at — oldest first.
    - `escalations`: at, alarm_id, stage (1, 2), title, level, district, ack_by, ack_at.
    - `incidents`: id, title, category, level (1-4), colour, district, status, opened_at,
      closed_at, casualties, opened_today, closed_today; `incidents_open_at_end`.
    - `handovers`: at, unit, from_name, to_name, text, open_alarms, open_incidents (None when
      not recorded); a handover kept only as its duty-log line is listed from that line.
    - `rollcalls`: id, started_at, started_by, deadline_s, units, on_time, late, missing
      (lists of unit names).
    - `rooms`: one dict per district duty room (every district of the warehouse): unit
      (adcode), name, checkins (kept that day), first, last (None: none), silent_s (seconds
      of the day, up to `end`, the room stood 未应答: more than CHECKIN_WINDOW_S after its
      last check-in, or with none; counted from `rooms_from`, the first check-in ever kept
      when that came later in the day), longest_silent_s; `rooms_kept` False when no check-in of
      any room was kept that day (no archiver ran, or before they were kept): not known,
      which is not every room silent.
    - `duty_log`: at, unit, author, category, text — oldest first.
    - `on_duty`: the city's roster of the day: role, shift, name, phone.
    - `cut`: names of sections cut at MAX_ROWS.
    - `names_en`: the English name of each district and source-system name above (an English
      report shows those; people's names and upstream text stay as recorded).
    """

    day: date
    start: datetime
    end: datetime
    complete: bool  # False: the day is still running; the figures are up to `end`
    alarm_total: int = 0
    alarms_by_level: dict[str, int] = field(default_factory=dict)
    alarms_by_status: dict[str, int] = field(default_factory=dict)
    alarms_by_district: list[dict[str, Any]] = field(default_factory=list)
    red_alarms: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    incidents_open_at_end: int = 0
    handovers: list[dict[str, Any]] = field(default_factory=list)
    rollcalls: list[dict[str, Any]] = field(default_factory=list)
    rooms: list[dict[str, Any]] = field(default_factory=list)
    rooms_kept: bool = False
    rooms_from: datetime | None = None  # the start, or the first check-in ever kept if later
    duty_log: list[dict[str, Any]] = field(default_factory=list)
    on_duty: list[dict[str, Any]] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    names_en: dict[str, str] = field(default_factory=dict)

    @property
    def incidents_opened(self) -> int:
        return sum(1 for i in self.incidents if i["opened_today"])

    @property
    def incidents_closed(self) -> int:
        return sum(1 for i in self.incidents if i["closed_today"])


def _utc(value: Any) -> datetime | None:
    at = pd.to_datetime(value, utc=True, format="mixed")
    return None if pd.isna(at) else at.to_pydatetime()


def _records(frame: pd.DataFrame, times: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict("records"):
        for column in times:
            row[column] = _utc(row[column])
        rows.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return rows


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def daily_report(warehouse: Warehouse, day: date, now: datetime) -> DailyReport:
    """The report of `day` as the warehouse holds it at `now` (UTC-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    start, end = day_window(day)
    complete = now >= end
    end = min(end, now) if now > start else end
    report = DailyReport(day=day, start=start, end=end, complete=complete)
    window = {"start": start, "end": end}
    districts = warehouse.query("SELECT adcode, name, name_en FROM districts ORDER BY adcode")
    names = dict(zip(districts["adcode"], districts["name"]))
    report.names_en = {n: e for n, e in zip(districts["name"], districts["name_en"]) if e}
    unit_names = {"city": "市局", **names}

    _alarms(warehouse, report, window, names)
    _escalations(warehouse, report, window, names)
    _incidents(warehouse, report, window, names)

    frame = warehouse.query(
        'SELECT "at", unit, from_name, to_name, notes FROM duty_handover '
        'WHERE "at" >= :start AND "at" < :end ORDER BY "at", id LIMIT :limit',
        {**window, "limit": MAX_ROWS + 1},
    )
    for row in _records(frame, ("at",)):
        notes = _json_object(row.pop("notes"))
        row["unit"] = unit_names.get(row["unit"], row["unit"])
        row["text"] = str(notes.get("text") or "")
        row["open_alarms"] = notes.get("open_alarms")
        row["open_incidents"] = notes.get("open_incidents")
        report.handovers.append(row)

    recorded = {(h["unit"], h["at"]) for h in report.handovers}
    _rollcalls(warehouse, report, window, unit_names)
    _rooms(warehouse, report, window, names)

    frame = warehouse.query(
        'SELECT "at", unit, author, category, "text" FROM duty_log '
        'WHERE "at" >= :start AND "at" < :end ORDER BY "at", id LIMIT :limit',
        {**window, "limit": MAX_ROWS + 1},
    )
    report.duty_log = _records(frame, ("at",))
    for row in report.duty_log:
        row["unit"] = unit_names.get(row["unit"], row["unit"])
        # A handover kept only as its duty-log line (the log of an older release, or of the
        # reference data) still counts: its line has the words `record_handover` writes.
        match = _HANDOVER_LINE.match(row["text"] or "")
        if row["category"] == "handover" and match and (row["unit"], row["at"]) not in recorded:
            report.handovers.append(
                {
                    "at": row["at"],
                    "unit": row["unit"],
                    "from_name": match["from_name"],
                    "to_name": match["to_name"],
                    "text": match["rest"].strip("，。 "),
                    "open_alarms": None,
                    "open_incidents": None,
                }
            )
    report.handovers.sort(key=lambda h: h["at"])

    roster = Rosters(warehouse).between(day, day)
    roster = roster[roster["unit"] == "city"]
    order = {"leader": 0, "chief": 1, "officer": 2}
    report.on_duty = sorted(
        (
            {"role": r.role, "shift": r.shift, "name": r.name, "phone": r.phone}
            for r in roster.itertuples(index=False)
        ),
        key=lambda p: (order.get(p["role"], 9), p["shift"] != "day"),
    )
    for name in ("red_alarms", "escalations", "handovers", "duty_log"):
        rows = getattr(report, name)
        if len(rows) > MAX_ROWS:
            del rows[MAX_ROWS:]
            report.cut.append(name)
    return report


def _alarms(warehouse: Warehouse, report: DailyReport, window: dict, names: dict[str, str]) -> None:
    counts = warehouse.query(
        "SELECT level, status, district, count(*) AS n FROM alarm_history "
        "WHERE occurred_at >= :start AND occurred_at < :end GROUP BY level, status, district",
        window,
    )
    counts["district"] = counts["district"].fillna(UNLOCATED)
    counts.loc[~counts["district"].isin(list(names)), "district"] = UNLOCATED
    counts["n"] = counts["n"].astype(int)
    report.alarm_total = int(counts["n"].sum())
    by_level = counts.groupby("level")["n"].sum()
    report.alarms_by_level = {lv: int(by_level.get(lv, 0)) for lv in LEVELS}
    by_status = counts.groupby("status")["n"].sum()
    report.alarms_by_status = {st: int(by_status.get(st, 0)) for st in STATUSES}
    table = (
        counts.pivot_table(index="district", columns="level", values="n", aggfunc="sum")
        if len(counts)
        else pd.DataFrame()
    )
    keys = list(names) + ([UNLOCATED] if UNLOCATED in table.index else [])
    for adcode in keys:
        row = {"adcode": adcode, "name": names.get(adcode, "未定位")}
        for level in LEVELS:
            value = table.at[adcode, level] if adcode in table.index and level in table else 0
            row[level] = 0 if pd.isna(value) else int(value)
        row["total"] = sum(row[level] for level in LEVELS)
        report.alarms_by_district.append(row)

    frame = warehouse.query(
        "SELECT id, occurred_at, title, category, source, district, status, ack_by, ack_at, "
        "closed_at FROM alarm_history WHERE level = 'red' AND occurred_at >= :start "
        "AND occurred_at < :end ORDER BY occurred_at, id LIMIT :limit",
        {**window, "limit": MAX_ROWS + 1},
    )
    report.red_alarms = _records(frame, ("occurred_at", "ack_at", "closed_at"))
    systems = warehouse.query(
        "SELECT s.code, s.name, u.name_en FROM source_systems s "
        "LEFT JOIN upstream_systems u ON u.code = s.code"
    )
    system_names = dict(zip(systems["code"], systems["name"]))
    report.names_en |= {
        n: e for n, e in zip(systems["name"], systems["name_en"]) if isinstance(e, str) and e
    }
    for row in report.red_alarms:
        row["district"] = names.get(row["district"] or "", "未定位")
        row["source_name"] = system_names.get(row["source"], row["source"])


def _escalations(
    warehouse: Warehouse, report: DailyReport, window: dict, names: dict[str, str]
) -> None:
    frame = warehouse.query(
        'SELECT e."at", e.alarm_id, e.state, h.title, h.level, h.district, h.ack_by, h.ack_at '
        "FROM alarm_events e LEFT JOIN alarm_history h ON h.id = e.alarm_id "
        'WHERE e.op = \'escalate\' AND e."at" >= :start AND e."at" < :end '
        'ORDER BY e."at", e.id LIMIT :limit',
        {**window, "limit": MAX_ROWS + 1},
    )
    for row in _records(frame, ("at", "ack_at")):
        state = _json_object(row.pop("state"))
        body = state.get("body") if isinstance(state.get("body"), dict) else {}
        try:
            row["stage"] = int(state.get("escalation") or 0)
        except (TypeError, ValueError):
            row["stage"] = 0
        # The alarm's archived row may lag its event: the event's own copy fills the gaps.
        row["title"] = row["title"] or str(body.get("title") or row["alarm_id"])
        row["level"] = row["level"] or str(body.get("level") or "")
        district = row["district"] or body.get("district") or ""
        row["district"] = names.get(district, "未定位")
        report.escalations.append(row)


def _incidents(
    warehouse: Warehouse, report: DailyReport, window: dict, names: dict[str, str]
) -> None:
    frame = warehouse.query(
        "SELECT id, title, category, level, district, status, opened_at, closed_at, casualties "
        "FROM incidents WHERE (opened_at >= :start AND opened_at < :end) "
        "OR (closed_at >= :start AND closed_at < :end) ORDER BY opened_at, id",
        window,
    )
    for row in _records(frame, ("opened_at", "closed_at")):
        row["level"] = int(row["level"])
        row["colour"] = incident_level(row["level"])[2]
        row["district"] = names.get(row["district"], row["district"])
        row["casualties"] = int(row["casualties"] or 0)
        row["opened_today"] = report.start <= row["opened_at"] < report.end
        closed = row["closed_at"]
        row["closed_today"] = closed is not None and report.start <= closed < report.end
        report.incidents.append(row)
    still_open = warehouse.query(
        "SELECT count(*) AS n FROM incidents WHERE opened_at < :end "
        "AND (closed_at IS NULL OR closed_at >= :end)",
        {"end": report.end},
    )
    report.incidents_open_at_end = int(still_open["n"].iloc[0])


def _rollcalls(
    warehouse: Warehouse, report: DailyReport, window: dict, unit_names: dict[str, str]
) -> None:
    frame = warehouse.query(
        "SELECT r.id, r.started_at, r.started_by, r.deadline_s, r.units, a.unit, a.answered_at "
        "FROM rollcall r LEFT JOIN rollcall_answers a ON a.rollcall_id = r.id "
        "WHERE r.started_at >= :start AND r.started_at < :end ORDER BY r.started_at, r.id",
        window,
    )
    calls: dict[str, dict[str, Any]] = {}
    for row in _records(frame, ("started_at", "answered_at")):
        call = calls.get(row["id"])
        if call is None:
            called = json.loads(row["units"]) if row["units"] else []
            called = [str(u) for u in called] if isinstance(called, list) else []
            call = calls[row["id"]] = {
                "id": row["id"],
                "started_at": row["started_at"],
                "started_by": row["started_by"],
                "deadline_s": int(row["deadline_s"]),
                "units": called,
                "answers": {},
            }
        if row["unit"] is not None and row["answered_at"] is not None:
            call["answers"][row["unit"]] = row["answered_at"]
    for call in calls.values():
        deadline = call["started_at"] + timedelta(seconds=call["deadline_s"])
        answers = call.pop("answers")
        call["on_time"] = [u for u in call["units"] if u in answers and answers[u] <= deadline]
        call["late"] = [u for u in call["units"] if u in answers and answers[u] > deadline]
        call["missing"] = [u for u in call["units"] if u not in answers]
        for key in ("units", "on_time", "late", "missing"):
            call[key] = [unit_names.get(u, u) for u in call[key]]
        report.rollcalls.append(call)


def _rooms(warehouse: Warehouse, report: DailyReport, window: dict, names: dict[str, str]) -> None:
    """How each district duty room answered through the day, from its kept check-ins (one a
    minute at most, `duty_checkin_history`) and the last one before the day began."""
    frame = warehouse.query(
        "SELECT unit, at FROM duty_checkin_history WHERE at >= :since AND at < :end "
        "ORDER BY unit, at",
        {"since": window["start"] - timedelta(seconds=CHECKIN_WINDOW_S), "end": window["end"]},
    )
    times: dict[str, list[datetime]] = {}
    for row in _records(frame, ("at",)):
        times.setdefault(str(row["unit"]), []).append(row["at"])
    start, end = window["start"], window["end"]
    report.rooms_kept = any(at >= start for kept in times.values() for at in kept)
    # Before the first check-in ever kept (the day keeping began, or purged since) nothing
    # is known: the silence is counted from there, not from midnight.
    first = _utc(
        warehouse.query("SELECT MIN(at) AS first FROM duty_checkin_history")["first"].iloc[0]
    )
    report.rooms_from = max(start, first) if first is not None else start
    answer = timedelta(seconds=CHECKIN_WINDOW_S)
    for unit, name in names.items():
        kept = times.get(unit, [])
        today = [at for at in kept if at >= start]
        silent, longest, covered = 0.0, 0.0, report.rooms_from  # covered: answering up to here
        for at in [*kept, end]:
            gap = (min(at, end) - covered).total_seconds()
            if gap > 0:
                silent += gap
                longest = max(longest, gap)
            covered = max(covered, min(at + answer, end))
        report.rooms.append(
            {
                "unit": unit,
                "name": name,
                "checkins": len(today),
                "first": today[0] if today else None,
                "last": today[-1] if today else None,
                "silent_s": silent,
                "longest_silent_s": longest,
            }
        )
