"""The daily report as titled tables of text and numbers, in Chinese or English (the words
from the catalogue, catalogue.py) and Asia/Shanghai time: one list of `Section`s that the
page, the PDF and the workbook all print the same way. Data (alarm titles, people's names,
duty-log text) stays as recorded; district and source-system names are the warehouse's own,
in English where it has them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from catalogue import (
    category_name,
    incident_level_name,
    level_name,
    long_date,
    moment,
    status_name,
    t,
    word,
)
from data_sources.daily_report import MAX_ROWS, SHANGHAI, STATUSES, DailyReport
from vocabulary import CHECKIN_WINDOW_S, LEVELS, incident_level

Value = str | int
CITY_UNIT, UNLOCATED = "市局", "未定位"  # the data source's names of the bureau and of no district


@dataclass
class Section:
    """One table: `key` (stable, for tests and sheet order), title, header, rows; a css class
    per row (levels) and a note under the table (e.g. the list was cut)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Value]] = field(default_factory=list)
    row_classes: list[str] = field(default_factory=list)
    total: list[Value] | None = None  # a last, bold row of sums
    note: str = ""


def local(at: datetime | None, fmt: str = "%H:%M") -> str:
    """A UTC time as Asia/Shanghai text ("—" for none)."""
    if at is None:
        return "—"
    return at.astimezone(SHANGHAI).strftime(fmt)


def _time(at: datetime | None, report: DailyReport, lang: str) -> str:
    """The time of day; a time on another day says which day too."""
    if at is not None and at.astimezone(SHANGHAI).date() != report.day:
        return moment(at, lang)
    return local(at)


def place(name: str | None, report: DailyReport, lang: str) -> str:
    """A district, unit or source-system name the data source gave, in `lang`."""
    text = name or ""
    if lang != "en":
        return text
    if text == CITY_UNIT:
        return t("report.city_unit", lang)
    if text == UNLOCATED:
        return t("report.unlocated", lang)
    return report.names_en.get(text, text)


def _join(names: list[str], report: DailyReport, lang: str) -> str:
    return t("list.join", lang).join(place(n, report, lang) for n in names) or "—"


def day_title(report: DailyReport, lang: str = "zh") -> str:
    return long_date(report.day, lang)


def generated(now: datetime, lang: str = "zh") -> str:
    """When the report was made: 2026-12-02 08:30 / Wed 2 Dec 2026 08:30."""
    if lang != "en":
        return local(now, "%Y-%m-%d %H:%M")
    return f"{long_date(now.astimezone(SHANGHAI).date(), lang)} {local(now)}"


def coverage(report: DailyReport, lang: str = "zh") -> str:
    """What the figures cover: the whole day, or up to now."""
    if report.complete:
        return t("report.coverage.day", lang)
    return t("report.coverage.part", lang, end=local(report.end))


def figures(report: DailyReport, lang: str = "zh") -> list[tuple[str, int, str]]:
    """The headline numbers: (label, value, css class)."""
    level = report.alarms_by_level
    return [
        (t("report.fig.total", lang), report.alarm_total, "total"),
        *(
            (t("report.fig.level", lang, level=level_name(lv, lang)), level.get(lv, 0), f"lvl-{lv}")
            for lv in LEVELS
        ),
        (t("report.fig.new", lang), report.alarms_by_status.get("new", 0), ""),
        (
            t("report.fig.escalations", lang),
            len(report.escalations),
            "lvl-red" if report.escalations else "",
        ),
        (t("report.fig.opened", lang), report.incidents_opened, ""),
        (t("report.fig.closed", lang), report.incidents_closed, ""),
        (t("report.fig.open_at_end", lang), report.incidents_open_at_end, ""),
        (t("report.fig.handovers", lang), len(report.handovers), ""),
        (t("report.fig.rollcalls", lang), len(report.rollcalls), ""),
        (t("report.fig.duty_log", lang), len(report.duty_log), ""),
    ]


def count_label(n: int, lang: str = "zh") -> str:
    """ "3 条" / "3 rows" under a section's title."""
    return t("report.row" if n == 1 else "report.rows", lang, n=n)


def _cut_note(report: DailyReport, key: str, lang: str) -> str:
    return t("report.cut", lang, n=MAX_ROWS) if key in report.cut else ""


def _columns(lang: str, *keys: str) -> list[str]:
    return [t(f"report.col.{k}", lang) for k in keys]


def _listed(
    report: DailyReport,
    key: str,
    lang: str,
    columns: tuple[str, ...],
    rows: list[list[Value]],
    row_classes: list[str] | None = None,
) -> Section:
    """One of the day's lists: titled `report.<key>`, headed `report.col.<column>`, with the
    note under it when the list was cut at MAX_ROWS."""
    return Section(
        key,
        t(f"report.{key}", lang),
        _columns(lang, *columns),
        rows,
        row_classes=row_classes or [],
        note=_cut_note(report, key, lang),
    )


def sections(report: DailyReport, lang: str = "zh") -> list[Section]:
    """Every table of the report, in reading order."""
    return [
        make(report, lang)
        for make in (
            _summary,
            _on_duty,
            _districts,
            _red_alarms,
            _escalations,
            _incidents,
            _handovers,
            _rollcalls,
            _rooms,
            _duty_log,
        )
    ]


def _summary(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [[label, value] for label, value, _ in figures(report, lang)]
    rows[6:6] = [
        [t("report.fig.status", lang, status=status_name(st, lang)), report.alarms_by_status[st]]
        for st in STATUSES[1:]
    ]
    return Section("summary", t("report.summary", lang), _columns(lang, "item", "count"), rows)


def _on_duty(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [
        [
            word("role", p["role"], lang),
            t("shift.all_day", lang) if p["role"] == "leader" else word("shift", p["shift"], lang),
            p["name"],
            p["phone"],
        ]
        for p in report.on_duty
    ]
    return _listed(report, "on_duty", lang, ("post", "shift", "name", "phone"), rows)


def _districts(report: DailyReport, lang: str) -> Section:
    columns = [
        t("report.col.district", lang),
        *(level_name(lv, lang) for lv in LEVELS),
        t("report.col.total", lang),
    ]
    rows: list[list[Value]] = [
        [place(d["name"], report, lang), *(d[lv] for lv in LEVELS), d["total"]]
        for d in report.alarms_by_district
    ]
    total = [
        t("report.city", lang),
        *(report.alarms_by_level[lv] for lv in LEVELS),
        report.alarm_total,
    ]
    return Section("districts", t("report.districts", lang), columns, rows, total=total)


def _red_alarms(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [
        [
            _time(a["occurred_at"], report, lang),
            place(a["district"], report, lang),
            a["title"],
            place(a["source_name"], report, lang),
            word("status", a["status"], lang),
            a["ack_by"] or "—",
            _time(a["ack_at"], report, lang),
        ]
        for a in report.red_alarms
    ]
    columns = ("occurred", "district", "alarm", "source", "status", "ack_by", "ack_at")
    return _listed(report, "red_alarms", lang, columns, rows, ["lvl-red"] * len(rows))


def _escalations(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [
        [
            _time(e["at"], report, lang),
            word("report.stage", e["stage"], lang),
            e["title"],
            word("level", e["level"], lang),
            place(e["district"], report, lang),
            e["ack_by"] or t("report.not_acked", lang),
            _time(e["ack_at"], report, lang),
        ]
        for e in report.escalations
    ]
    columns = ("escalated", "stage", "alarm", "level", "district", "ack_by", "ack_at")
    classes = [f"lvl-{e['level']}" for e in report.escalations]
    return _listed(report, "escalations", lang, columns, rows, classes)


def _incidents(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = []
    for i in report.incidents:
        what = "both" if i["opened_today"] and i["closed_today"] else None
        what = what or ("opened" if i["opened_today"] else "closed")
        rows.append(
            [
                i["id"],
                i["title"],
                category_name(i["category"], lang),
                _incident_level(i["level"], lang),
                place(i["district"], report, lang),
                _time(i["opened_at"], report, lang),
                _time(i["closed_at"], report, lang),
                t(f"report.inc.{what}", lang),
                i["casualties"],
            ]
        )
    columns = (
        "id", "incident", "category", "level", "district", "opened", "closed", "that_day",
        "casualties",
    )  # fmt: skip
    classes = [f"lvl-{i['colour']}" for i in report.incidents]
    return _listed(report, "incidents", lang, columns, rows, classes)


def _handovers(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = []
    for h in report.handovers:
        counts = []
        if h["open_alarms"] is not None:
            counts.append(t("report.open_alarms", lang, n=h["open_alarms"]))
        if h["open_incidents"] is not None:
            counts.append(t("report.open_incidents", lang, n=h["open_incidents"]))
        parts = [t("list.join", lang).join(counts), h["text"]]
        text = t("list.parts", lang).join(filter(None, parts)) or "—"
        rows.append(
            [
                _time(h["at"], report, lang),
                place(h["unit"], report, lang),
                h["from_name"],
                h["to_name"],
                text,
            ]
        )
    return _listed(report, "handovers", lang, ("time", "unit", "from", "to", "notes"), rows)


def _rollcalls(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [
        [
            _time(c["started_at"], report, lang),
            c["started_by"],
            t("report.deadline", lang, m=c["deadline_s"] // 60, s=c["deadline_s"] % 60),
            len(c["units"]),
            len(c["on_time"]),
            _join(c["late"], report, lang),
            _join(c["missing"], report, lang),
        ]
        for c in report.rollcalls
    ]
    columns = ("time", "called_by", "limit", "units", "on_time", "late", "missing")
    return _listed(report, "rollcalls", lang, columns, rows)


def _rooms(report: DailyReport, lang: str) -> Section:
    """Each district duty room's day: check-ins kept, the first and last, how long it stood
    未应答 in all and at a stretch; where none was kept that day, says so instead."""
    if not report.rooms_kept:
        columns = _columns(lang, "district", "checkins", "first", "last", "silent", "longest")
        return Section(
            "rooms", t("report.rooms", lang), columns, note=t("report.rooms.unknown", lang)
        )
    rows: list[list[Value]] = [
        [
            place(r["name"], report, lang),
            r["checkins"],
            _time(r["first"], report, lang) if r["first"] else "—",
            _time(r["last"], report, lang) if r["last"] else "—",
            _duration(r["silent_s"], lang),
            _duration(r["longest_silent_s"], lang),
        ]
        for r in report.rooms
    ]
    classes = ["silent" if r["longest_silent_s"] >= 3600 else "" for r in report.rooms]
    section = _listed(
        report, "rooms", lang, ("district", "checkins", "first", "last", "silent", "longest"), rows
    )
    section.row_classes = classes
    section.note = t("report.rooms.rule", lang, m=CHECKIN_WINDOW_S // 60)
    if report.rooms_from and report.rooms_from > report.start:
        since = _time(report.rooms_from, report, lang)
        section.note += " " + t("report.rooms.since", lang, time=since)
    return section


def _duration(seconds: float, lang: str) -> str:
    """Whole minutes as 'H 小时 M 分' / 'H h M min'; 0 as '0'."""
    minutes = round(seconds / 60)
    if not minutes:
        return "0"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return t("report.minutes", lang, m=minutes)
    return t("report.hours_minutes", lang, h=hours, m=minutes)


def _duty_log(report: DailyReport, lang: str) -> Section:
    rows: list[list[Value]] = [
        [
            _time(e["at"], report, lang),
            place(e["unit"], report, lang),
            word("log", e["category"], lang),
            e["author"],
            e["text"],
        ]
        for e in report.duty_log
    ]
    columns = ("time", "unit", "category", "author", "text")
    return _listed(report, "duty_log", lang, columns, rows)


def _incident_level(level: int, lang: str) -> str:
    """Ⅰ级（红） … Ⅳ级（蓝） / Level Ⅰ (Red) … Level Ⅳ (Blue)."""
    _, _, colour, colour_zh = incident_level(level)
    if colour == "none":
        return str(level)
    colour_word = level_name(colour, lang) if lang == "en" else colour_zh
    return t(
        "report.incident_level", lang, level=incident_level_name(level, lang), colour=colour_word
    )
