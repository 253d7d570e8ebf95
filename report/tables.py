"""The daily report as titled tables of text and numbers, in Chinese and Asia/Shanghai time:
one list of `Section`s that the page, the PDF and the workbook all print the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from data_sources.daily_report import SHANGHAI, STATUSES, DailyReport
from data_sources.rosters import ROLE_LABELS, SHIFT_LABELS
from vocabulary import LEVEL_NAMES, LEVELS, LOG_CATEGORIES, incident_level

STATUS_NAMES = {"new": "未确认", "acknowledged": "已确认", "closed": "已关闭"}
STAGES = {1: "一级（超10分钟，报分管领导）", 2: "二级（超30分钟，报主要领导）"}
WEEKDAYS = "一二三四五六日"
EMPTY = "当日无记录"

Value = str | int


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
    """A UTC time as Asia/Shanghai text ("—" for none); another day's time shows its date."""
    if at is None:
        return "—"
    return at.astimezone(SHANGHAI).strftime(fmt)


def _time(at: datetime | None, report: DailyReport) -> str:
    if at is not None and at.astimezone(SHANGHAI).date() != report.day:
        return local(at, "%m-%d %H:%M")
    return local(at)


def day_title(report: DailyReport) -> str:
    d = report.day
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS[d.weekday()]}）"


def coverage(report: DailyReport) -> str:
    """What the figures cover: the whole day, or up to now."""
    if report.complete:
        return "统计时段：当日 00:00—24:00（北京时间）"
    return f"统计时段：当日 00:00—{local(report.end)}（北京时间，当日尚未结束）"


def figures(report: DailyReport) -> list[tuple[str, int, str]]:
    """The headline numbers: (label, value, css class)."""
    level = report.alarms_by_level
    return [
        ("警情总数", report.alarm_total, "total"),
        *((f"{LEVEL_NAMES[lv]}警情", level.get(lv, 0), f"lvl-{lv}") for lv in LEVELS),
        ("未确认", report.alarms_by_status.get("new", 0), ""),
        ("警情升级", len(report.escalations), "lvl-red" if report.escalations else ""),
        ("新增事件", report.incidents_opened, ""),
        ("办结事件", report.incidents_closed, ""),
        ("日终在办事件", report.incidents_open_at_end, ""),
        ("交接班", len(report.handovers), ""),
        ("点名", len(report.rollcalls), ""),
        ("值班日志", len(report.duty_log), ""),
    ]


def _cut_note(report: DailyReport, key: str) -> str:
    return "（记录过多，仅列前 2000 条）" if key in report.cut else ""


def sections(report: DailyReport) -> list[Section]:
    """Every table of the report, in reading order."""
    return [
        _summary(report),
        _on_duty(report),
        _districts(report),
        _red_alarms(report),
        _escalations(report),
        _incidents(report),
        _handovers(report),
        _rollcalls(report),
        _duty_log(report),
    ]


def _summary(report: DailyReport) -> Section:
    rows: list[list[Value]] = [[label, value] for label, value, _ in figures(report)]
    rows[6:6] = [[f"{STATUS_NAMES[st]}警情", report.alarms_by_status[st]] for st in STATUSES[1:]]
    return Section("summary", "概况", ["项目", "数量"], rows)


def _on_duty(report: DailyReport) -> Section:
    rows: list[list[Value]] = [
        [
            ROLE_LABELS.get(p["role"], p["role"]),
            "全天" if p["role"] == "leader" else SHIFT_LABELS.get(p["shift"], p["shift"]),
            p["name"],
            p["phone"],
        ]
        for p in report.on_duty
    ]
    return Section("on_duty", "值班人员（市局）", ["岗位", "班次", "姓名", "电话"], rows)


def _districts(report: DailyReport) -> Section:
    columns = ["区县", *(LEVEL_NAMES[lv] for lv in LEVELS), "合计"]
    rows: list[list[Value]] = [
        [d["name"], *(d[lv] for lv in LEVELS), d["total"]] for d in report.alarms_by_district
    ]
    total = ["全市", *(report.alarms_by_level[lv] for lv in LEVELS), report.alarm_total]
    return Section("districts", "警情分区统计", columns, rows, total=total)


def _red_alarms(report: DailyReport) -> Section:
    rows: list[list[Value]] = [
        [
            _time(a["occurred_at"], report),
            a["district"],
            a["title"],
            a["source_name"],
            STATUS_NAMES.get(a["status"], a["status"]),
            a["ack_by"] or "—",
            _time(a["ack_at"], report),
        ]
        for a in report.red_alarms
    ]
    columns = ["发生时间", "区县", "警情", "来源", "状态", "确认人", "确认时间"]
    return Section(
        "red_alarms",
        "红色警情",
        columns,
        rows,
        row_classes=["lvl-red"] * len(rows),
        note=_cut_note(report, "red_alarms"),
    )


def _escalations(report: DailyReport) -> Section:
    rows: list[list[Value]] = [
        [
            _time(e["at"], report),
            STAGES.get(e["stage"], str(e["stage"])),
            e["title"],
            LEVEL_NAMES.get(e["level"], e["level"]),
            e["district"],
            e["ack_by"] or "未确认",
            _time(e["ack_at"], report),
        ]
        for e in report.escalations
    ]
    columns = ["升级时间", "升级", "警情", "等级", "区县", "确认人", "确认时间"]
    return Section(
        "escalations",
        "警情升级",
        columns,
        rows,
        row_classes=[f"lvl-{e['level']}" for e in report.escalations],
        note=_cut_note(report, "escalations"),
    )


def _incidents(report: DailyReport) -> Section:
    rows: list[list[Value]] = []
    for i in report.incidents:
        what = "新增并办结" if i["opened_today"] and i["closed_today"] else None
        what = what or ("新增" if i["opened_today"] else "办结")
        rows.append(
            [
                i["id"],
                i["title"],
                i["category"],
                _incident_level(i["level"]),
                i["district"],
                _time(i["opened_at"], report),
                _time(i["closed_at"], report),
                what,
                i["casualties"],
            ]
        )
    columns = ["编号", "事件", "类别", "等级", "区县", "接报", "办结", "当日", "伤亡"]
    return Section(
        "incidents",
        "突发事件",
        columns,
        rows,
        row_classes=[f"lvl-{i['colour']}" for i in report.incidents],
    )


def _handovers(report: DailyReport) -> Section:
    rows: list[list[Value]] = []
    for h in report.handovers:
        counts = []
        if h["open_alarms"] is not None:
            counts.append(f"未结警情{h['open_alarms']}起")
        if h["open_incidents"] is not None:
            counts.append(f"在办事件{h['open_incidents']}起")
        text = "；".join(filter(None, ["、".join(counts), h["text"]])) or "—"
        rows.append([_time(h["at"], report), h["unit"], h["from_name"], h["to_name"], text])
    columns = ["时间", "单位", "交班人", "接班人", "交接事项"]
    return Section("handovers", "交接班", columns, rows, note=_cut_note(report, "handovers"))


def _rollcalls(report: DailyReport) -> Section:
    rows: list[list[Value]] = [
        [
            _time(c["started_at"], report),
            c["started_by"],
            f"{c['deadline_s'] // 60}分{c['deadline_s'] % 60:02d}秒",
            len(c["units"]),
            len(c["on_time"]),
            "、".join(c["late"]) or "—",
            "、".join(c["missing"]) or "—",
        ]
        for c in report.rollcalls
    ]
    columns = ["时间", "发起人", "时限", "点名单位", "按时应答", "超时应答", "未应答"]
    return Section("rollcalls", "视频点名", columns, rows)


def _duty_log(report: DailyReport) -> Section:
    rows: list[list[Value]] = [
        [
            _time(e["at"], report),
            e["unit"],
            LOG_CATEGORIES.get(e["category"], e["category"]),
            e["author"],
            e["text"],
        ]
        for e in report.duty_log
    ]
    columns = ["时间", "单位", "类别", "记录人", "内容"]
    return Section("duty_log", "值班日志", columns, rows, note=_cut_note(report, "duty_log"))


def _incident_level(level: int) -> str:
    """Ⅰ级（红） … Ⅳ级（蓝）."""
    numeral, _, colour, colour_zh = incident_level(level)
    return f"{numeral}（{colour_zh}）" if colour != "none" else str(level)
