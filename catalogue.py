"""The one message catalogue: every word a person reads on a screen, a page or an export, in
Chinese (the default) and English. Keys are grouped by where they are read (`auth.*` the
sign-in and admin pages, `action.*` the audit trail, `roster.err.*` a roster file's problems,
`wall.*` the wall, ...). Data (alarm titles, enterprise names) is not in it: it stays as
recorded.

This module knows nothing of Dash or Flask, so a data source may word its refusals from it
too; `layouts.i18n` adds the pages' language switch and `auth.i18n` a request's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from vocabulary import incident_level

LANGS = ("zh", "en")
DEFAULT = "zh"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# key: (Chinese, English). Values may hold str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # pages
    "consult.title": ("会商研判", "Consultation"),
    "tablet.title": ("领导移动端", "Leadership"),
    "lang.switch": ("English", "中文"),
    "page.not_found": ("未找到该页面", "Page not found"),
    # the landing page (layouts/home_page.py)
    "home.title": ("智慧应急 · 综合指挥", "Smart emergency command"),
    "home.pick": ("选择您的屏幕", "Pick your screen"),
    "home.state": ("系统状态", "System state"),
    "home.systems": ("上游业务系统", "Upstream systems"),
    "home.none": ("当前账号没有可打开的屏幕", "This account may open no screen"),
    "ready.redis": ("实时库 Redis", "Live state (Redis)"),
    "ready.warehouse": ("数据仓库", "Warehouse"),
    "ready.live_state": ("实时态势恢复", "Live state restored"),
    "ready.ok": ("正常", "ready"),
    "ready.restoring": ("恢复中", "restoring"),
    "ready.down": ("不可用", "not ready"),
    "ready.all": ("系统就绪", "Ready"),
    "ready.not": ("系统未就绪", "Not ready"),
    "systems.rate": (
        "{integrated} / {registered} 个系统在约定周期内报送",
        "{integrated} of {registered} systems delivering on time",
    ),
    "systems.none": ("暂无法读取系统登记表", "The registry of systems cannot be read"),
    "state.integrated": ("已接入", "integrated"),
    "state.silent": ("无数据", "silent"),
    "state.failing": ("异常", "failing"),
    "state.not_connected": ("未接入", "not connected"),
    "state.age": ("{age}前", "{age} ago"),
    # levels, statuses
    "level.red": ("红色", "Red"),
    "level.orange": ("橙色", "Orange"),
    "level.yellow": ("黄色", "Yellow"),
    "level.blue": ("蓝色", "Blue"),
    "status.new": ("未确认", "New"),
    "status.acknowledged": ("已确认", "Acknowledged"),
    "status.closed": ("已关闭", "Closed"),
    "incident.level": ("{}级", "Level {}"),
    # filters
    "filter.window": ("时间", "Time"),
    "window.1h": ("1小时", "1 h"),
    "window.6h": ("6小时", "6 h"),
    "window.24h": ("24小时", "24 h"),
    "window.7d": ("7天", "7 d"),
    "window.custom": ("自定义", "Custom"),
    "filter.start": ("开始日期", "Start date"),
    "filter.end": ("结束日期", "End date"),
    "filter.district": ("全部区县", "All districts"),
    "filter.source": ("全部来源系统", "All source systems"),
    "filter.category": ("全部类别", "All categories"),
    "filter.level": ("全部等级", "All levels"),
    "filter.reset": ("重置筛选", "Reset filters"),
    "export.csv": ("导出CSV", "Export CSV"),
    "replay.label": ("回放", "Replay"),
    "replay.time": ("回放时刻", "Replay moment"),
    "replay.open": ("在大屏回放此刻", "Replay the wall at this moment"),
    # the replayed wall's banner and refusals (layouts/replay.py)
    "replay.note": ("非实时画面 · 北京时间", "Not live · Beijing time"),
    "replay.pause": ("暂停", "Pause"),
    "replay.live": ("返回实时", "Back to live"),
    "replay.cannot": ("无法回放", "Cannot replay"),
    "replay.live_wall": ("返回实时大屏", "Back to the live wall"),
    "replay.consult": ("会商研判", "Consultation"),
    "replay.bad.format": (
        "回放时间“{shown}”无法识别：请使用 RFC 3339 时间，例如 2026-12-01T14:05:00+08:00",
        "“{shown}” is not a time: write it as RFC 3339, e.g. 2026-12-01T14:05:00+08:00",
    ),
    "replay.bad.zone": (
        "回放时间“{shown}”缺少时区：请写明偏移，例如 +08:00",
        "“{shown}” has no time zone: give its offset, e.g. +08:00",
    ),
    "replay.bad.future": (
        "回放时间 {at} 尚未到来：只能回放已经发生的时刻",
        "{at} has not come yet: only what has happened can be replayed",
    ),
    # the CSV export's columns
    "csv.id": ("警情编号", "ID"),
    "csv.level": ("等级", "Level"),
    "csv.occurred_at": ("发生时间", "Occurred at"),
    "csv.district": ("区县", "District"),
    "csv.source": ("来源系统", "Source system"),
    "csv.category": ("类别", "Category"),
    "csv.title": ("警情", "Alarm"),
    "csv.status": ("状态", "Status"),
    "csv.count": ("次数", "Count"),
    "csv.ack_by": ("确认人", "Acknowledged by"),
    "csv.closed_by": ("关闭人", "Closed by"),
    "dropdown.search": ("搜索", "Search"),
    "dropdown.clear": ("清除", "Clear"),
    "dropdown.none": ("无匹配项", "No match"),
    "dropdown.selected": ("已选 {num_selected} 项", "{num_selected} selected"),
    "dropdown.all": ("全选", "Select all"),
    "dropdown.none_all": ("全不选", "Deselect all"),
    # consult panels
    "panel.kpi": ("筛选结果", "In this view"),
    "panel.map": ("态势地图", "Map"),
    "panel.trend": ("警情趋势", "Alarm trend"),
    "panel.districts": ("各区县警情", "Alarms by district"),
    "panel.categories": ("警情类别", "Alarms by category"),
    "panel.sources": ("来源系统", "Source systems"),
    "panel.alarms": ("警情列表", "Alarms"),
    "panel.enterprises": ("警情最多的企业", "Enterprises with most alarms"),
    "panel.detail": ("详情", "Detail"),
    "panel.video": ("现场视频", "Live video"),
    "kpi.total": ("警情总数", "Alarms"),
    "kpi.open": ("未关闭", "Not closed"),
    "kpi.districts": ("涉及区县", "Districts"),
    "col.time": ("时间", "Time"),
    "col.level": ("等级", "Level"),
    "col.title": ("警情", "Alarm"),
    "col.status": ("状态", "Status"),
    "chart.hint": ("点击图形筛选", "Click a bar to filter"),
    "alarms.shown": ("共 {n} 条，显示最新 {shown} 条", "{n} alarms, newest {shown} shown"),
    "alarms.none": ("没有符合条件的警情", "No alarms match the filters"),
    "detail.hint": (
        "点击地图上的警情、列表中的警情或企业查看详情",
        "Click an alarm on the map or in a list, or an enterprise, to see its detail",
    ),
    "detail.missing": ("未找到该记录", "Record not found"),
    "detail.lifecycle": ("处置过程", "Lifecycle"),
    "detail.history": ("变更记录", "Change history"),
    "detail.title_level": (
        "注意：标题写“{said}”，但来源系统报送的等级为{level}",
        "Note: the title says “{said}” but the source system sent the level {level}",
    ),
    "detail.fields": ("详细数据", "Details"),
    "detail.enterprise": ("查看企业", "Enterprise"),
    "detail.hazards": ("重大危险源", "Major hazard sources"),
    "detail.ent_alarms": ("当前筛选内该企业警情", "This enterprise's alarms in view"),
    "detail.open_incident": ("进入事件指挥", "Open incident command"),
    "detail.timeline": ("事件进展", "Incident timeline"),
    "life.occurred": ("发生", "Occurred"),
    "life.received": ("接收", "Received"),
    "life.acknowledged": ("确认", "Acknowledged"),
    "life.closed": ("关闭", "Closed"),
    "life.repeats": ("重复 {n} 次", "repeated {n} times"),
    "op.new": ("新警情", "new"),
    "op.repeat": ("重复", "repeat"),
    "op.acknowledged": ("确认", "acknowledged"),
    "op.closed": ("关闭", "closed"),
    "op.escalate": ("升级", "escalated"),
    "field.source": ("来源系统", "Source system"),
    "field.category": ("类别", "Category"),
    "field.district": ("区县", "District"),
    "field.site": ("点位", "Site"),
    "field.industry": ("行业", "Industry"),
    "field.risk": ("风险等级", "Risk"),
    "field.employees": ("从业人员", "Employees"),
    "field.contact": ("联系人", "Contact"),
    "field.opened": ("接报时间", "Opened"),
    "field.casualties": ("伤亡", "Casualties"),
    "field.grade": ("{}级", "grade {}"),
    # tablet
    "panel.overview": ("态势概览", "Situation"),
    "panel.urgent": ("红色 / 橙色警情", "Red and orange alarms"),
    "panel.incidents": ("在办事件", "Open incidents"),
    "stat.incidents": ("在办事件", "Open incidents"),
    "stat.teams": ("在岗队伍", "Teams ready"),
    "stat.leader": ("带班领导", "Duty leader"),
    "stat.unrostered": ("未排班", "Not rostered"),
    "urgent.none": ("当前无红色、橙色警情", "No red or orange alarms"),
    "urgent.more": ("另有 {n} 条（见会商研判）", "{n} more (see Consultation)"),
    "incidents.none": ("当前无在办事件", "No open incidents"),
    "ack.button": ("确认警情", "Acknowledge"),
    "ack.ask": ("确认以下警情？", "Acknowledge this alarm?"),
    "ack.yes": ("确认", "Acknowledge"),
    "ack.no": ("取消", "Cancel"),
    "ack.done": ("已确认：{title}", "Acknowledged: {title}"),
    "ack.already": ("该警情已被确认", "This alarm was already acknowledged"),
    "ack.gone": ("该警情已关闭或不存在", "This alarm is closed or gone"),
    "ack.denied": ("无权限确认警情（需值班员或领导账号）", "Not allowed to acknowledge alarms"),
    # presenter control
    "presenter.title": ("会商投屏", "Presenter control"),
    "presenter.kind": ("投屏对象", "Show"),
    "presenter.incident": ("事件", "Incident"),
    "presenter.district": ("区县", "District"),
    "presenter.pick": ("选择事件或区县", "Pick an incident or a district"),
    "presenter.project": ("投屏到大屏", "Show on the wall"),
    "presenter.release": ("释放", "Release"),
    "presenter.ask_set": (
        "将「{label}」投屏到大屏与会商屏？",
        "Show “{label}” on the wall and consultation displays?",
    ),
    "presenter.ask_release": ("释放当前投屏「{label}」？", "Release the current focus “{label}”?"),
    "presenter.yes": ("确认", "Confirm"),
    "presenter.no": ("取消", "Cancel"),
    "presenter.none": ("大屏未投屏（按轮播显示）", "No focus: the wall rotates its views"),
    "presenter.now": (
        "正在投屏：{label}（{kind}）· {by} · {time}",
        "Showing: {label} ({kind}) · {by} · {time}",
    ),
    "presenter.set": ("已投屏：{label}", "Now showing: {label}"),
    "presenter.released": ("已释放投屏", "Focus released"),
    "presenter.nothing": ("当前没有投屏", "Nothing is being shown"),
    "presenter.need_target": ("请先选择投屏对象", "Pick what to show first"),
    "presenter.denied": (
        "无权限投屏（需领导或值班员账号）",
        "Not allowed to change the wall's focus",
    ),
    # search (layouts/site_search.py)
    "search.label": ("搜索", "Search"),
    "search.placeholder": (
        "搜索警情、事件、企业、队伍、联系人（回车）",
        "Alarms, incidents, enterprises, teams, contacts (Enter)",
    ),
    "search.none": ("没有找到“{q}”", "Nothing found for “{q}”"),
    "search.kind.alarm": ("警情", "Alarm"),
    "search.kind.incident": ("事件", "Incident"),
    "search.kind.enterprise": ("企业", "Enterprise"),
    "search.kind.team": ("队伍", "Team"),
    "search.kind.contact": ("联系人", "Contact"),
    # dates (long_date, day_name, moment)
    "date.long": ("{y}年{m}月{d}日（星期{weekday}）", "{weekday} {d} {month} {y}"),
    "date.day_time": ("{m:02d}-{d:02d} {time}", "{d} {month} {time}"),
    "date.weekdays": ("一 二 三 四 五 六 日", "Mon Tue Wed Thu Fri Sat Sun"),
    "date.months": (
        "1月 2月 3月 4月 5月 6月 7月 8月 9月 10月 11月 12月",
        "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    ),
    # duty words (rosters, the duty log)
    "role.leader": ("带班领导", "Duty leader"),
    "role.chief": ("值班长", "Duty chief"),
    "role.officer": ("值班员", "Duty officer"),
    "shift.day": ("白班", "Day"),
    "shift.night": ("夜班", "Night"),
    "shift.all_day": ("全天", "All day"),
    "log.report": ("接报", "Report received"),
    "log.inspection": ("检查", "Inspection"),
    "log.notice": ("通知", "Notice"),
    "log.handover": ("交接班", "Handover"),
    "log.other": ("其他", "Other"),
    # the daily duty report (report/): the page, the PDF and the workbook
    "report.title": ("值班日报", "Daily duty report"),
    "report.org": ("苏州市应急管理局", "Suzhou Emergency Management Bureau"),
    "report.sheet_head": (
        "苏州市应急管理局值班日报 · {title}",
        "Suzhou Emergency Management Bureau daily duty report · {title}",
    ),
    "report.bad_date": ("日期有误", "bad date"),
    "report.actions": ("日报操作", "Report actions"),
    "report.back": ("← 值班值守", "← Duty"),
    "report.date": ("日期", "Date"),
    "report.show": ("查看", "Show"),
    "report.previous": ("前一天", "Previous day"),
    "report.next": ("后一天", "Next day"),
    "report.pdf": ("下载 PDF", "Download PDF"),
    "report.xlsx": ("下载 Excel", "Download Excel"),
    "report.print": ("打印：Ctrl+P（A4 纵向）", "Print: Ctrl+P (A4 portrait)"),
    "report.example": ("示例：", "Example: "),
    "report.generated": ("生成于 {at}", "generated {at}"),
    "report.page_footer": (
        "苏州市应急管理局值班日报 · 第 {page} 页 / 共 {pages} 页",
        "Suzhou Emergency Management Bureau daily duty report · page {page} of {pages}",
    ),
    "report.bad_day.empty": (
        "请给出日期，格式为 YYYY-MM-DD，例如 2026-11-30。",
        "Give a date as YYYY-MM-DD, e.g. 2026-11-30.",
    ),
    "report.bad_day.format": (
        "日期格式不对：应为 YYYY-MM-DD，例如 2026-11-30。",
        "The date is not in the form YYYY-MM-DD (e.g. 2026-11-30).",
    ),
    "report.bad_day.no_such_day": ("没有这一天：{day}。", "There is no such day: {day}."),
    "report.bad_day.future": (
        "{day} 还没有到来：日报只能查看今天（{today}）及以前。",
        "{day} has not come yet: reports go up to today ({today}).",
    ),
    "report.bad_day.too_early": ("日报从 {first} 起可查。", "Reports start on {first}."),
    "report.day_line": ("{day}　{coverage}", "{day}  {coverage}"),
    "report.head_line": ("{coverage}　·　{generated}", "{coverage} · {generated}"),
    "report.bad_format": (
        "格式只能是 pdf 或 xlsx（不写则为网页）。",
        "The format is pdf or xlsx (none: the page).",
    ),
    "report.unavailable": (
        "数据仓库暂时无法读取，请稍后再试。",
        "The warehouse cannot be read at the moment: please try again shortly.",
    ),
    "report.no_pdf": (
        "PDF 暂不可用：服务器缺少 Pango 库（Debian：apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 fonts-noto-cjk）。网页版可直接打印。",
        "PDF unavailable: the server lacks the Pango library (Debian: apt-get install "
        "libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk). The page prints as it is.",
    ),
    "report.rows": ("{n} 条", "{n} rows"),
    "report.row": ("{n} 条", "{n} row"),
    "report.sign.officer": ("值班员：", "Duty officer:"),
    "report.sign.chief": ("值班长：", "Duty chief:"),
    "report.sign.leader": ("带班领导：", "Duty leader:"),
    "report.coverage.day": (
        "统计时段：当日 00:00—24:00（北京时间）",
        "Period: 00:00–24:00 (Asia/Shanghai time)",
    ),
    "report.coverage.part": (
        "统计时段：当日 00:00—{end}（北京时间，当日尚未结束）",
        "Period: 00:00–{end} (Asia/Shanghai time; the day is not over)",
    ),
    "report.empty": ("当日无记录", "No records this day"),
    "report.cut": ("（记录过多，仅列前 {n} 条）", "(Too many records: the first {n} are listed)"),
    "report.city_unit": ("市局", "City bureau"),
    "report.unlocated": ("未定位", "Not located"),
    "report.city": ("全市", "City"),
    "report.fig.total": ("警情总数", "Alarms"),
    "report.fig.level": ("{level}警情", "{level} alarms"),
    "report.fig.new": ("未确认", "Unacknowledged"),
    "report.fig.escalations": ("警情升级", "Escalations"),
    "report.fig.opened": ("新增事件", "Incidents opened"),
    "report.fig.closed": ("办结事件", "Incidents closed"),
    "report.fig.open_at_end": ("日终在办事件", "Incidents open at day end"),
    "report.fig.handovers": ("交接班", "Handovers"),
    "report.fig.rollcalls": ("点名", "Roll calls"),
    "report.fig.duty_log": ("值班日志", "Duty log entries"),
    "report.fig.status": ("{status}警情", "{status} alarms"),
    "report.summary": ("概况", "Summary"),
    "report.on_duty": ("值班人员（市局）", "On duty (city bureau)"),
    "report.districts": ("警情分区统计", "Alarms by district"),
    "report.red_alarms": ("红色警情", "Red alarms"),
    "report.escalations": ("警情升级", "Escalations"),
    "report.incidents": ("突发事件", "Incidents"),
    "report.handovers": ("交接班", "Handovers"),
    "report.rollcalls": ("视频点名", "Video roll calls"),
    "report.duty_log": ("值班日志", "Duty log"),
    "report.rooms": ("区县值班室在岗", "District duty rooms"),
    "report.rooms.rule": (
        "签到间隔超过 {m} 分钟即计为未应答（与大屏一致）；签到每分钟留存一次，时长精确到分钟。",
        "A room is counted as not answering once its last check-in is more than {m} minutes "
        "old, as the wall shows it; check-ins are kept a minute apart, so times are to the minute.",
    ),
    "report.rooms.unknown": (
        "当日未留存值班室签到记录（归档服务未运行，或早于签到留存功能上线），无法统计。",
        "No duty-room check-ins were kept that day (no archiver ran, or the day is older than "
        "their keeping): not known.",
    ),
    "report.rooms.since": (
        "签到留存自 {time} 起，此前的时段不计。",
        "Check-ins were kept from {time}; the time before is not counted.",
    ),
    "report.minutes": ("{m} 分", "{m} min"),
    "report.hours_minutes": ("{h} 小时 {m} 分", "{h} h {m} min"),
    "report.col.item": ("项目", "Item"),
    "report.col.count": ("数量", "Count"),
    "report.col.post": ("岗位", "Post"),
    "report.col.shift": ("班次", "Shift"),
    "report.col.name": ("姓名", "Name"),
    "report.col.phone": ("电话", "Phone"),
    "report.col.district": ("区县", "District"),
    "report.col.total": ("合计", "Total"),
    "report.col.occurred": ("发生时间", "Occurred"),
    "report.col.alarm": ("警情", "Alarm"),
    "report.col.source": ("来源", "Source"),
    "report.col.status": ("状态", "Status"),
    "report.col.ack_by": ("确认人", "Acknowledged by"),
    "report.col.ack_at": ("确认时间", "Acknowledged at"),
    "report.col.escalated": ("升级时间", "Escalated"),
    "report.col.stage": ("升级", "Stage"),
    "report.col.level": ("等级", "Level"),
    "report.col.id": ("编号", "ID"),
    "report.col.incident": ("事件", "Incident"),
    "report.col.category": ("类别", "Category"),
    "report.col.opened": ("接报", "Opened"),
    "report.col.closed": ("办结", "Closed"),
    "report.col.that_day": ("当日", "That day"),
    "report.col.casualties": ("伤亡", "Casualties"),
    "report.col.time": ("时间", "Time"),
    "report.col.unit": ("单位", "Unit"),
    "report.col.from": ("交班人", "Handed over by"),
    "report.col.to": ("接班人", "Taken over by"),
    "report.col.notes": ("交接事项", "Notes"),
    "report.col.called_by": ("发起人", "Called by"),
    "report.col.limit": ("时限", "Time limit"),
    "report.col.units": ("点名单位", "Units called"),
    "report.col.on_time": ("按时应答", "On time"),
    "report.col.late": ("超时应答", "Late"),
    "report.col.missing": ("未应答", "No answer"),
    "report.col.author": ("记录人", "Written by"),
    "report.col.checkins": ("签到留存", "Check-ins kept"),
    "report.col.first": ("首次签到", "First"),
    "report.col.last": ("末次签到", "Last"),
    "report.col.silent": ("未应答时长", "Not answering"),
    "report.col.longest": ("最长连续未应答", "Longest silence"),
    "report.col.text": ("内容", "Entry"),
    "report.stage.1": ("一级（超10分钟，报分管领导）", "Stage 1 (10 min: deputy director told)"),
    "report.stage.2": ("二级（超30分钟，报主要领导）", "Stage 2 (30 min: director told)"),
    "report.not_acked": ("未确认", "Not acknowledged"),
    "report.inc.both": ("新增并办结", "Opened and closed"),
    "report.inc.opened": ("新增", "Opened"),
    "report.inc.closed": ("办结", "Closed"),
    "report.incident_level": ("{level}（{colour}）", "{level} ({colour})"),
    "report.open_alarms": ("未结警情{n}起", "{n} open alarms"),
    "report.open_incidents": ("在办事件{n}起", "{n} open incidents"),
    "report.deadline": ("{m}分{s:02d}秒", "{m} min {s:02d} s"),
    "list.join": ("、", ", "),
    "list.parts": ("；", "; "),
    # the duty room's strip of alarms waiting (layouts/alert_strip.py)
    "strip.title": ("待确认警情", "Alarms to acknowledge"),
    "strip.none": ("当前没有待确认的红色、橙色警情", "No red or orange alarm waiting"),
    "strip.more": ("另有 {n} 条待确认", "{n} more waiting"),
    # the duty desk (layouts/duty_page.py, layouts/rollcall.py, layouts/roster_import.py)
    "duty.title": ("值班值守", "Duty desk"),
    "duty.today": ("今日值班 · 全市", "On duty today · city-wide"),
    "duty.week": ("本周值班表", "This week's roster"),
    "duty.log": ("值班日志", "Duty log"),
    "duty.handover": ("交接班", "Shift handover"),
    "duty.contacts": ("通讯录", "Contacts"),
    "duty.report": ("值班日报", "Daily report"),
    "duty.report_hint": (
        "昨日值班日报：网页打印、PDF、Excel",
        "Yesterday's duty report: print, PDF, Excel",
    ),
    "duty.author": ("记录人", "Recorded by"),
    "duty.text": ("记录内容：接报、检查、通知……", "Entry: a report, an inspection, a notice…"),
    "duty.add": ("记录", "Record"),
    "duty.recorded": ("已记录。", "Recorded."),
    "duty.empty_log": ("暂无记录", "No entries yet"),
    "duty.from": ("交班人", "Handing over"),
    "duty.to": ("接班人", "Taking over"),
    "duty.notes": (
        "交接事项：在办事项、待续报警情、上级指示、设备状况……",
        "Handed over: open matters, alarms to follow up, instructions, equipment…",
    ),
    "duty.confirm_handover": ("确认交接", "Confirm handover"),
    "duty.handed_over": ("交接完成，已记入值班日志。", "Handed over; written to the duty log."),
    "duty.no_notes": ("（无交接事项）", "(nothing handed over)"),
    "duty.no_handovers": ("暂无交接记录", "No handovers yet"),
    "duty.no_log_right": ("无权记录值班日志。", "Not allowed to write the duty log."),
    "duty.no_handover_right": ("无权登记交接班。", "Not allowed to record a handover."),
    "duty.search": ("搜索姓名、电话、单位、专业……", "Name, phone, unit, specialty…"),
    "duty.unit": ("单位", "Unit"),
    "duty.date": ("日期", "Date"),
    "duty.city": ("市局", "City bureau"),
    "duty.unrostered": ("未排班", "Not rostered"),
    "duty.day_now": ("值班日 {day} · 当前{shift}", "Duty day {day} · now on: {shift}"),
    "duty.shift.day": ("白班", "day shift"),
    "duty.shift.night": ("夜班", "night shift"),
    "slot.day.leader": ("带班领导", "Leader on duty"),
    "slot.day.chief": ("白班值班长", "Day chief"),
    "slot.day.officer": ("白班值班员", "Day officer"),
    "slot.night.chief": ("夜班值班长", "Night chief"),
    "slot.night.officer": ("夜班值班员", "Night officer"),
    "logcat.report": ("接报", "Report"),
    "logcat.inspection": ("检查", "Inspection"),
    "logcat.notice": ("通知", "Notice"),
    "logcat.handover": ("交接班", "Handover"),
    "logcat.other": ("其他", "Other"),
    # errors the duty log refuses an entry with (data_sources/duty.py says them in Chinese)
    "duty.err.empty": ("日志内容不能为空", "The entry is empty"),
    "duty.err.author": ("请填写记录人", "Who records it is missing"),
    "duty.err.names": ("请填写交班人和接班人", "Fill in who hands over and who takes over"),
    "duty.err.long": ("日志内容不能超过 {n} 字", "An entry holds at most {n} characters"),
    "duty.err.same": ("交班人与接班人不能是同一人", "One person cannot hand over to themselves"),
    "duty.err.other": ("未能记录：{error}", "Not recorded: {error}"),
    "contact.name": ("姓名", "Name"),
    "contact.phone": ("电话", "Phone"),
    "contact.group": ("类别", "Group"),
    "contact.unit": ("单位", "Unit"),
    "contact.detail": ("岗位/专业", "Role / specialty"),
    "contact.group.duty": ("值班人员", "Duty staff"),
    "contact.group.team": ("救援队伍", "Rescue team"),
    "contact.group.expert": ("专家", "Expert"),
    "contact.role.leader": ("带班领导", "Leader on duty"),
    "contact.role.chief": ("值班长", "Duty chief"),
    "contact.role.officer": ("值班员", "Duty officer"),
    "contact.role.team": ("队长", "Team leader"),
    "contact.expert": ("{specialty}专家 · {title}", "Expert: {specialty} · {title}"),
    "contact.bureau": ("市应急管理局", "City Emergency Management Bureau"),
    # the roll call
    "rollcall.title": ("区县值班室点名", "Roll call of the district duty rooms"),
    "rollcall.limit": ("应答时限", "Answer within"),
    "rollcall.minutes": ("分钟", "min"),
    "rollcall.start": ("开始点名", "Start roll call"),
    "rollcall.history": ("最近点名记录", "Latest roll calls"),
    "rollcall.none": (
        "尚未点名。点击「开始点名」呼叫各区县值班室。",
        "No roll call yet. Press “Start roll call” to call every district duty room.",
    ),
    "rollcall.started": ("{time} 发起", "started {time}"),
    "rollcall.deadline": ("截止 {time}", "deadline {time}"),
    "rollcall.remaining": ("剩余 {left}", "{left} left"),
    "rollcall.closed": ("已截止", "closed"),
    "rollcall.count": ("已应答 {answered}/{total}", "answered {answered}/{total}"),
    "rollcall.answered": ("已应答", "answered"),
    "rollcall.late": ("超时应答", "answered late"),
    "rollcall.waiting": ("等待应答", "waiting"),
    "rollcall.not-answered": ("超时未应答", "not answered"),
    "rollcall.phone": ("电话应答", "By phone"),
    "rollcall.phone_hint": (
        "{name}值班室通过电话应答，由本席位代为登记",
        "{name} answered by phone: record it from this desk",
    ),
    "rollcall.on_time": ("按时 {n}/{total}", "on time {n}/{total}"),
    "rollcall.late_list": ("超时：{names}", "late: {names}"),
    "rollcall.missing_list": ("未应答：{names}", "not answered: {names}"),
    "rollcall.no_history": ("暂无点名记录", "No roll calls yet"),
    "rollcall.denied": (
        "无权发起点名，请以值班人员身份登录。",
        "Not allowed: sign in as duty staff.",
    ),
    "rollcall.need_minutes": (
        "请填写应答时限（1-60 分钟）。",
        "Give the time to answer (1-60 min).",
    ),
    "rollcall.bad_minutes": (
        "应答时限应在 1 到 60 分钟之间。",
        "The time to answer is 1 to 60 min.",
    ),
    "rollcall.officer": ("值班员", "duty officer"),
    "rollcall.begun": (
        "已向 {n} 个区县值班室发起点名，时限 {minutes} 分钟。",
        "Roll call sent to {n} district duty rooms: answer within {minutes} min.",
    ),
    "rollcall.no_answer_right": ("无权登记应答。", "Not allowed to record an answer."),
    "rollcall.by_phone": ("已登记{name}电话应答。", "Recorded: {name} answered by phone."),
    "rollcall.by_phone_late": (
        "已登记{name}电话应答（超过时限）。",
        "Recorded: {name} answered by phone (late).",
    ),
    "rollcall.duplicate": ("{name}已应答过。", "{name} has already answered."),
    "rollcall.not_running": ("当前没有进行中的点名。", "No roll call is running."),
    # roster import and export
    "roster.title": ("值班表导入 / 导出", "Roster import / export"),
    "roster.import": ("导入", "Import"),
    "roster.export": ("导出", "Export"),
    "roster.drop": ("拖入值班表文件，或点击选择", "Drop a roster file here, or click to pick one"),
    "roster.formats": (
        "支持 .xlsx / .csv；列：日期、班次、岗位、姓名、电话、单位（也可用 date, shift, role, name, phone, unit）",
        ".xlsx or .csv; columns: date, shift, role, name, phone, unit (or their Chinese names)",
    ),
    "roster.xlsx": ("导出 Excel (.xlsx)", "Export Excel (.xlsx)"),
    "roster.csv": ("导出 CSV", "Export CSV"),
    "roster.same_format": (
        "导出文件与导入格式相同，修改后可直接导入。",
        "An exported file has the import's format: edit it and import it again.",
    ),
    "roster.confirm": ("确认导入", "Import it"),
    "roster.unreadable": ("「{file}」无法导入。", "“{file}” cannot be imported."),
    "roster.bad_rows": (
        "「{file}」共 {total} 行，其中 {bad} 行有错误（见下），未导入任何数据；请修改后重新上传。",
        "“{file}”: {bad} of {total} rows have errors (below); nothing was imported. "
        "Correct them and upload the file again.",
    ),
    "roster.no_rows": ("「{file}」没有值班数据。", "“{file}” holds no roster."),
    "roster.clean": (
        "「{file}」共 {total} 行，全部通过检查（{units} 个单位、{days} 天）。"
        "确认导入后将替换这些单位在这些日期的值班安排。",
        "“{file}”: all {total} rows pass ({units} units, {days} days). Importing replaces "
        "these units' rosters on these days.",
    ),
    "roster.no_file": ("无法读取上传的文件。", "The uploaded file cannot be read."),
    "roster.denied": ("无权导入值班表。", "Not allowed to import rosters."),
    "roster.not_clean": (
        "文件未通过检查，未导入任何数据。",
        "The file did not pass the checks: nothing was imported.",
    ),
    "roster.imported": (
        "已导入「{file}」：{rows} 条值班安排，替换了 {pairs} 个单位·日期（{first} 至 {last}）。",
        "Imported “{file}”: {rows} duty slots, replacing {pairs} unit-days ({first} to {last}).",
    ),
    "roster.file": ("值班表_{first}-{last}.{fmt}", "roster_{first}-{last}.{fmt}"),
    # click-to-call (layouts/call.py, callbacks/call.py, telephony/gateway.py)
    "call.label": ("本机分机", "Desk extension"),
    "call.placeholder": ("如 8001", "e.g. 8001"),
    "call.calling": ("呼叫中…", "Calling…"),
    "call.connected": ("已接通", "Connected"),
    "call.failed": ("呼叫失败：{why}", "Call failed: {why}"),
    "call.result": ("{said} · {target}（分机 {caller}）", "{said} · {target} (extension {caller})"),
    "call.why.refused": (
        "网关拒绝呼叫（HTTP {code}）",
        "the gateway refused the call (HTTP {code})",
    ),
    "call.why.timeout": ("网关无应答（{s} 秒超时）", "the gateway did not answer ({s} s)"),
    "call.why.unreachable": ("无法连接融合通信网关", "the call gateway cannot be reached"),
    "call.why.not_connected": ("网关未接通：{said}", "the gateway did not connect: {said}"),
    "call.why.unsaid": ("网关未接通：无说明", "the gateway did not connect, and said nothing"),
    "call.why.no_gateway": ("未配置融合通信网关", "no call gateway is configured"),
    "call.why.bad_number": (
        "号码无效（只能含数字、+、- 和空格）",
        "not a number (digits, +, - and spaces only)",
    ),
    "call.why.bad_extension": ("本机分机号无效", "the desk extension is not a number"),
    "call.why.no_extension": ("请先填写本机分机号", "type the desk's extension first"),
    # a roster file's problems (data_sources/roster_checks.py, roster_files.py)
    "roster.err.row": (
        "第 {row} 行 · {field}({code})：{message}",
        "Row {row} · {field} ({code}): {message}",
    ),
    "roster.err.file": ("文件：{message}", "File: {message}"),
    "roster.err.date_invalid": ("日期「{given}」不是有效日期", "Date “{given}” is not a real day"),
    "roster.err.date_format": (
        "日期「{given}」无法识别，应为 年-月-日(如 2027-01-04)",
        "Date “{given}” is not understood: write year-month-day (e.g. 2027-01-04)",
    ),
    "roster.err.shift": (
        "未知班次「{given}」，应为 白班 或 夜班",
        "Unknown shift “{given}”: write day or night (白班 or 夜班)",
    ),
    "roster.err.role": (
        "未知岗位「{given}」，应为 带班领导、值班长 或 值班员",
        "Unknown role “{given}”: write leader, chief or officer (带班领导, 值班长 or 值班员)",
    ),
    "roster.err.name": ("姓名为空", "The name is empty"),
    "roster.err.phone": (
        "电话「{given}」不是有效号码：手机为 1 开头的 11 位，座机为区号加号码(如 0512-65000001)",
        "Phone “{given}” is not a number that can be called: a mobile has 11 digits starting "
        "with 1, a landline an area code and a number (e.g. 0512-65000001)",
    ),
    "roster.err.unit": (
        "未知单位「{given}」，应为 市局 或 区县名称",
        "Unknown unit “{given}”: write city (市局) or a district's name or code",
    ),
    "roster.err.leader_twice": (
        "带班领导重复：同一单位同一天已有带班领导(第 {first} 行)，{name} 为第二位",
        "Two duty leaders: the unit has one that day already (row {first}); {name} would be a second",
    ),
    "roster.err.overlap": (
        "{name} 班次时间重叠：与{where}({day} {shift})冲突",
        "{name}'s shifts overlap: with {where} ({day}, {shift})",
    ),
    "roster.err.where_row": ("第 {row} 行", "row {row}"),
    "roster.err.where_kept": ("系统中已有的值班安排", "a duty already in the system"),
    "roster.err.leader_shift": ("带班(24小时)", "leader (24 h)"),
    "roster.err.file_type": (
        "不支持的文件类型「{file}」，请上传 .xlsx 或 .csv",
        "“{file}” is not a file type that can be read: upload .xlsx or .csv",
    ),
    "roster.err.empty": ("文件是空的", "The file is empty"),
    "roster.err.columns": (
        "第 {row} 行(表头)缺少列：{columns}",
        "Row {row} (the header) lacks columns: {columns}",
    ),
    "roster.err.too_many": ("行数超过 {n}，请分批导入", "More than {n} rows: import them in parts"),
    "roster.err.excel": ("无法读取 Excel 文件：{kind}", "The Excel file cannot be read: {kind}"),
    "roster.err.encoding": (
        "CSV 文件编码无法识别，请保存为 UTF-8",
        "The CSV file's encoding is not recognised: save it as UTF-8",
    ),
    "range.this_week": ("本周", "This week"),
    "range.next_week": ("下周", "Next week"),
    "range.last_week": ("上周", "Last week"),
    "range.this_month": ("本月", "This month"),
    "range.next_month": ("下月", "Next month"),
    "col.row": ("行", "Row"),
    "col.date": ("日期", "Date"),
    "col.unit": ("单位", "Unit"),
    "col.shift": ("班次", "Shift"),
    "col.role": ("岗位", "Role"),
    "col.name": ("姓名", "Name"),
    "col.phone": ("电话", "Phone"),
    # /governance (layouts/governance_page.py)
    "gov.title": ("系统接入治理", "System integration"),
    "gov.rate": ("业务系统整合率", "Integration rate"),
    "gov.systems": ("上游业务系统", "Upstream systems"),
    "gov.rejects": ("拒收记录（24 小时，隔离区）", "Rejected (24 h, quarantine)"),
    "gov.ago.s": ("{n} 秒前", "{n} s ago"),
    "gov.ago.min": ("{n} 分钟前", "{n} min ago"),
    "gov.ago.h": ("{n} 小时前", "{n} h ago"),
    "gov.ago.d": ("{n} 天前", "{n} d ago"),
    "gov.seconds": ("{n:.1f} 秒", "{n:.1f} s"),
    "gov.minutes": ("{n:.1f} 分钟", "{n:.1f} min"),
    "gov.usage": ("指挥大厅使用天数", "Command hall days in use"),
    "gov.usage.none": ("暂无法读取显示终端记录", "The displays' record cannot be read"),
    "gov.usage.days": ("{n} 天", "{n} days"),
    "gov.usage.detail": (
        "{year} 年目标 ≥ {target} 天 · 已登记显示终端当日展示 ≥ {hours:g} 小时计 1 天 · "
        "今日 {today:.1f} 小时",
        "{year} target ≥ {target} days · a day counts when an enrolled display shows "
        "≥ {hours:g} h · today {today:.1f} h",
    ),
    "gov.mqtt.on": ("已连接", "connected"),
    "gov.mqtt.off": ("未连接", "not connected"),
    "gov.mqtt.none": ("尚未处理", "nothing handled yet"),
    "gov.mqtt.last": ("{age}处理", "handled {age}"),
    "gov.pull": ("库表", "Table pull"),
    "gov.pull.behind": ("落后 {n}{more} 行", "{n}{more} rows behind"),
    "gov.pull.even": ("已追平", "caught up"),
    "gov.pull.mark": ("水位 {age}", "watermark {age}"),
    "gov.bar": ("{h} 小时前起：{n} 条", "from {h} h ago: {n}"),
    "gov.head.system": ("系统", "System"),
    "gov.head.state": ("状态", "State"),
    "gov.head.heartbeat": ("最近心跳", "Last heartbeat"),
    "gov.head.data": ("最近数据", "Last data"),
    "gov.head.hourly": ("每小时消息（24 h）", "Messages per hour (24 h)"),
    "gov.head.messages": ("24 h 消息", "Messages 24 h"),
    "gov.head.duplicates": ("重复", "Duplicates"),
    "gov.head.p50": ("延迟 p50", "Lateness p50"),
    "gov.head.p95": ("延迟 p95", "Lateness p95"),
    "gov.head.rejects": ("24 h 拒收", "Rejects 24 h"),
    "gov.head.lag": ("接入延迟", "Intake lag"),
    "gov.reject.unstated": ("未说明", "no reason given"),
    "gov.reject.last": ("最近 {n} 条被拒报文", "Last {n} rejected payloads"),
    "gov.reject.system": ("{name} · {n} 条", "{name} · {n}"),
    "gov.reject.none": ("24 小时内无拒收。", "Nothing rejected in 24 hours."),
    # the wall (layouts/wall.py and its panels; assets/wall.js and push.js take `wall.js.*`)
    "wall.org": ("苏州市应急管理局", "Suzhou Emergency Management Bureau"),
    "wall.title": ("综合态势一张图", "City situation"),
    "wall.rate": ("业务系统整合率", "Integration rate"),
    "wall.rate_hint": (
        "在约定周期内报送的系统 / 已登记系统",
        "Systems delivering on time / registered",
    ),
    "wall.counts": ("在办警情", "Open alarms"),
    "wall.feed": ("实时警情", "Live alarms"),
    "wall.feed.empty": ("当前无警情", "No alarms"),
    "wall.stats": ("今日统计", "Today"),
    "wall.stats.districts": ("各地区今日警情", "Alarms today by district"),
    "wall.stats.trend": ("24小时趋势", "Last 24 hours"),
    "wall.stats.sources": ("主要来源系统", "Main source systems"),
    "wall.forces": ("应急力量", "Emergency forces"),
    "wall.forces.short": (
        "项物资低于储备下限 ({n} 个库)",
        "supplies below their minimum ({n} depots)",
    ),
    "wall.forces.shelters": ("万人 · {n} 处避难场所", "×10,000 places · {n} shelters"),
    "wall.forces.open": (
        "开放 {open} 处 · 安置 {occupancy} 人 · 空余 {free}",
        "{open} open · {occupancy} sheltered · {free} free",
    ),
    "wall.forces.replay": (
        "回放：在岗状态为当时状态；物资、避难场所为当前登记数据",
        "Replay: readiness as it was then; supplies and shelters as registered now",
    ),
    "wall.duty": ("今日值班", "On duty today"),
    "wall.duty.rooms": ("区县值班室", "District duty rooms"),
    "wall.duty.none": ("未排班 — 请值班长核实", "Nobody rostered: duty chief to check"),
    "wall.duty.on": ("在岗", "on duty"),
    "wall.duty.silent": ("未应答", "not answering"),
    "wall.duty.no_checkin": ("无签到", "no check-in"),
    "wall.duty.checkin": ("签到 {time}", "checked in {time}"),
    "wall.duty.replay": (
        "该时刻前一天内无值班室签到记录",
        "No duty-room check-ins were kept in the day before this moment",
    ),
    "wall.legend.red": ("红色警情", "Red alarm"),
    "wall.legend.hazard": ("重大危险源", "Major hazard source"),
    "wall.legend.enterprise": ("危化企业(聚合)", "Hazchem enterprises (grouped)"),
    "wall.legend.team": ("救援队伍 在岗/出动", "Rescue teams ready/out"),
    "wall.legend.depot": ("物资储备库", "Supply depot"),
    "wall.legend.shelter": ("避难场所", "Shelter"),
    "wall.legend.school": ("学校", "School"),
    "wall.legend.hospital": ("医院", "Hospital"),
    "wall.legend.incident": ("在办事件", "Open incident"),
    "wall.view.overview": ("全市总览", "Whole city"),
    "wall.view.hazchem": ("危化品监测", "Hazchem monitoring"),
    "wall.view.forces": ("应急力量", "Emergency forces"),
    "wall.view.duty": ("值班值守", "Duty"),
    "wall.takeover.demo": ("【演示】", "[Demo] "),
    "wall.takeover.head": ("红色警情 {time} {title}", "Red alarm {time} {title}"),
    "wall.takeover.waited": ("未确认{m}分钟", "{m} min unacknowledged"),
    "wall.takeover.other": ("{title}（{m}分钟）", "{title} ({m} min)"),
    "wall.takeover.others": ("其他未确认红色警情：", "Other red alarms unacknowledged: "),
    "wall.takeover.join": ("；", "; "),
    "wall.takeover.more": (" 等{n}条", " ({n} in all)"),
    # the words assets/wall.js draws on the wall, handed to it in the page's language
    "wall.js.takeover": ("红色警情 · 待确认", "Red alarm · to acknowledge"),
    "wall.js.takeover_line": (
        "红色警情 {time} {title} — 未确认",
        "Red alarm {time} {title}: unacknowledged",
    ),
    "wall.js.takeover_more": (
        "（另有 {n} 条红色警情未确认）",
        " ({n} more red alarms unacknowledged)",
    ),
    "wall.js.presenter": ("会商投屏", "Shown from consultation"),
    "wall.js.presenter_line": (
        "会商投屏：{label}（{by}）",
        "Shown from consultation: {label} ({by})",
    ),
    "wall.js.no_beat": ("无心跳", "no heartbeat"),
    "wall.js.replayed": ("回放 ", "Replay "),
    "wall.js.last_beat": ("最后心跳 ", "last heartbeat "),
    # /resources (layouts/resources_page.py)
    "res.title": ("应急资源", "Emergency resources"),
    "res.district": ("区县", "District"),
    "res.city": ("全市", "Whole city"),
    "res.kinds": ("队伍类型", "Team kinds"),
    "res.search": ("搜索", "Search"),
    "res.search_hint": ("名称、装备、物资、专业…", "Name, equipment, supplies, specialty…"),
    "res.map": ("资源分布", "Resources on the map"),
    "res.lg.team": ("救援队伍 在岗", "Rescue team ready"),
    "res.lg.busy": ("出动/返回/休整", "Dispatched / returning / resting"),
    "res.lg.depot": ("物资储备库", "Supply depot"),
    "res.lg.short": ("储备不足", "Stock short"),
    "res.lg.shelter": ("避难场所", "Shelter"),
    "res.teams": ("救援队伍", "Rescue teams"),
    "res.stock": ("物资储备 · 低于下限者在前", "Supplies · those below minimum first"),
    "res.shelters": ("避难场所", "Shelters"),
    "res.experts": ("专家", "Experts"),
    "res.col.team": ("队伍", "Team"),
    "res.col.kind": ("类型", "Kind"),
    "res.col.district": ("区县", "District"),
    "res.col.personnel": ("人员", "Staff"),
    "res.col.vehicles": ("车辆", "Vehicles"),
    "res.col.equipment": ("主要装备", "Main equipment"),
    "res.col.status": ("状态", "Status"),
    "res.col.leader": ("队长", "Leader"),
    "res.col.phone": ("电话", "Phone"),
    "res.col.depot": ("储备库", "Depot"),
    "res.col.item": ("物资", "Item"),
    "res.col.quantity": ("库存", "In stock"),
    "res.col.min": ("下限", "Minimum"),
    "res.col.fill": ("达标", "Filled"),
    "res.col.shelter": ("避难场所", "Shelter"),
    "res.col.capacity": ("容量", "Capacity"),
    "res.col.occupancy": ("安置", "Sheltered"),
    "res.col.use": ("占用", "In use"),
    "res.col.name": ("姓名", "Name"),
    "res.col.specialty": ("专业", "Specialty"),
    "res.col.organisation": ("单位", "Organisation"),
    "res.enough": ("充足", "enough"),
    "res.open": ("开放", "open"),
    "res.shut": ("关闭", "closed"),
    "res.indoor": ("室内", "indoor"),
    "res.outdoor": ("室外", "outdoor"),
    "res.kpi.teams": ("支救援队伍在岗", "rescue teams ready"),
    "res.kpi.personnel": ("名在岗救援人员", "rescuers ready"),
    "res.kpi.vehicles": ("台在岗车辆", "vehicles ready"),
    "res.kpi.short": (
        "项物资低于下限 · {depots} 个储备库",
        "items below minimum · {depots} depots",
    ),
    "res.kpi.shelters": (
        "处避难场所开放 · 容纳 {capacity} 万人",
        "shelters open · room for {capacity}",
    ),
    "res.kpi.experts": ("名专家", "experts"),
    "res.depot_short": ("{name}：{n} 项物资低于储备下限", "{name}: {n} items below minimum"),
    "res.summary.kind": ("队伍类型", "Team kind"),
    "res.summary.ready": ("在岗/总数", "Ready / all"),
    "res.summary.personnel": ("人员", "Staff"),
    "res.summary.vehicles": ("车辆", "Vehicles"),
    "team.fire": ("消防救援", "Fire rescue"),
    "team.hazchem": ("危化救援", "Hazchem rescue"),
    "team.water": ("水上救援", "Water rescue"),
    "team.medical": ("医疗救护", "Medical"),
    "team.engineering": ("工程抢险", "Engineering"),
    "team.volunteer": ("社会力量", "Volunteers"),
    "team.ready": ("在岗待命", "Ready"),
    "team.dispatched": ("出动中", "Dispatched"),
    "team.returning": ("返回途中", "Returning"),
    "team.off": ("休整", "Resting"),
    # sensitive targets (incident command, the hazchem map)
    "target.school": ("学校", "School"),
    "target.hospital": ("医院", "Hospital"),
    "target.residential": ("居民区", "Residential area"),
    "target.elderly": ("养老机构", "Elderly care home"),
    "sensor.fault": ("传感器故障", "Sensor fault"),
    "sensor.none": ("无读数", "No reading"),
    "grade": ("{cn}级", "Grade {n}"),
    # /hazchem (layouts/hazchem_page.py)
    "hz.title": ("危化品重大危险源监测", "Major hazard sources of hazardous chemicals"),
    "hz.park": ("化工园区", "Chemical park"),
    "hz.outside": ("园区外", "Outside the parks"),
    "hz.distribution": ("四色分布", "Four-colour risk"),
    "hz.by_park": ("按化工园区", "By chemical park"),
    "hz.by_district": ("按行政区", "By district"),
    "hz.rule": (
        "风险四色判定：取三者中最高者——① 危险源等级底色（一级橙、二级黄、三/四级蓝）；"
        "② 该危险源、其传感器或所属企业的在办报警的最高级别；"
        "③ 实时读数越过报警限为黄、越过联锁(高高/低低)限为橙。",
        "Risk colour: the highest of ① the grade of the source (grade 1 orange, 2 yellow, "
        "3 and 4 blue); ② the highest level of an open alarm on the source, its sensors or "
        "its enterprise; ③ a live reading past an alarm limit yellow, past a trip "
        "(high-high / low-low) limit orange.",
    ),
    "hz.alarms": ("企业报警（24 小时，含在办）", "Enterprise alarms (24 h, open ones included)"),
    "hz.detail": ("危险源详情", "Hazard source"),
    "hz.video": ("企业视频", "Enterprise cameras"),
    "hz.col.risk": ("风险", "Risk"),
    "hz.col.source": ("危险源", "Hazard source"),
    "hz.col.grade": ("等级", "Grade"),
    "hz.col.place": ("所在", "Where"),
    "hz.col.active": ("在办报警", "Open alarms"),
    "hz.col.gauge": ("最接近报警限的读数", "Reading nearest its limit"),
    "hz.col.enterprise": ("企业", "Enterprise"),
    "hz.col.open": ("在办", "Open"),
    "hz.no_alarms": ("24 小时内无企业报警", "No enterprise alarms in 24 hours"),
    "hz.fact.grade": ("{grade}重大危险源", "{grade} major hazard source"),
    "hz.fact.chemicals": ("物料", "Chemicals"),
    "hz.fact.amount": ("{chemicals} · {t} 吨", "{chemicals} · {t} t"),
    "hz.no_open": ("无在办报警", "No open alarms"),
    "hz.why.grade": ("{grade}危险源", "{grade} source"),
    "hz.why.alarms": ("在办报警 {n} 条（最高{level}）", "{n} open alarms (highest {level})"),
    "hz.why.trip": ("{sensor}越过联锁限", "{sensor} past its trip limit"),
    "hz.why.alarm": ("{sensor}越过报警限", "{sensor} past its alarm limit"),
    "hz.why.fault": ("{sensors}传感器故障", "sensor fault: {sensors}"),
    # /incident/<id> (layouts/incident_page.py, layouts/incident_lists.py)
    "inc.title": ("事件指挥", "Incident command"),
    "inc.overview": ("事件概况", "Incident"),
    "inc.timeline": ("处置时间线", "Response timeline"),
    "inc.forces": ("已出动力量", "Forces sent"),
    "inc.hazards": ("危险源与企业（多米诺风险）", "Hazard sources and enterprises (domino risk)"),
    "inc.targets": ("敏感目标与人口", "Sensitive targets and population"),
    "inc.video": ("现场视频（最近摄像头）", "Live video (nearest cameras)"),
    "inc.teams": ("最近救援队伍", "Nearest rescue teams"),
    "inc.depots": ("应急物资", "Emergency supplies"),
    "inc.shelters": ("可用避难场所", "Shelters with room"),
    "inc.missing": ("未找到事件", "Incident not found"),
    "inc.missing.before": ("没有编号为 ", "There is no incident "),
    "inc.missing.after": (
        " 的事件，可能编号有误或已被删除。",
        ": the number may be wrong, or the incident was deleted.",
    ),
    "inc.back": ("返回综合态势", "Back to the city overview"),
    "inc.rings": ("警戒圈 (km)", "Rings (km)"),
    "inc.wind": ("风向", "Wind from"),
    "inc.wind_unknown": ("风向未知", "Wind unknown"),
    "inc.wind_speed": ("风速 (m/s)", "Wind speed (m/s)"),
    "inc.wind_about": ("约{direction} ({degrees}°)", "about {direction} ({degrees}°)"),
    "inc.lg.incident": ("事件位置", "Incident"),
    "inc.lg.enterprise": ("危化企业", "Hazchem enterprise"),
    "inc.lg.firm": ("其他企业", "Other enterprise"),
    "inc.lg.depot": ("物资库", "Supply depot"),
    "inc.lg.sector": ("下风向扇区", "Downwind sector"),
    "inc.severity.1": ("特别重大", "Extremely serious"),
    "inc.severity.2": ("重大", "Serious"),
    "inc.severity.3": ("较大", "Major"),
    "inc.severity.4": ("一般", "General"),
    "inc.severity_line": ("{severity}事件", "{severity} incident"),
    "inc.status.open": ("处置中", "Responding"),
    "inc.status.closed": ("已结束", "Closed"),
    "inc.place": ("地点", "Location"),
    "inc.opened": ("接报", "Reported"),
    "inc.opened_line": ("{opened} · 已 {age}", "{opened} · {age} ago"),
    "inc.people": ("{n} 人", "{n}"),
    "inc.age.hours": ("{h} 小时 {m} 分", "{h} h {m} min"),
    "inc.minutes": ("{n} 分钟", "{n} min"),
    "inc.more": ("另有 {n} 项未列出", "{n} more not listed"),
    "inc.ring.range": ("范围", "Within"),
    "inc.ring.hazard": ("危险源", "Hazard sources"),
    "inc.ring.enterprise": ("危化企业", "Hazchem firms"),
    "inc.ring.school": ("学校", "Schools"),
    "inc.ring.hospital": ("医院", "Hospitals"),
    "inc.ring.elderly": ("养老", "Elderly care"),
    "inc.ring.residential": ("居民区", "Residential"),
    "inc.ring.population": ("人口", "Population"),
    "inc.ring.within": ("{r} km 内", "{r} km"),
    "inc.ring.downwind": ("下风向", "Downwind"),
    "inc.col.distance": ("距离", "Distance"),
    "inc.col.hazard": ("危险源 / 企业", "Hazard source / enterprise"),
    "inc.col.what": ("危化品 / 人员", "Chemicals / staff"),
    "inc.col.name": ("名称", "Name"),
    "inc.col.km": ("直线 km", "km (straight)"),
    "inc.col.eta": ("预计到达", "Arrives in"),
    "inc.col.free": ("空余(人)", "Room (people)"),
    "inc.col.sent": ("派出", "Sent"),
    "inc.col.arrived": ("到场", "Arrived"),
    "inc.col.status_now": ("当前状态", "Status now"),
    "inc.employees": ("{n} 名员工", "{n} employees"),
    "inc.open": ("已开放", "open"),
    "inc.shut": ("未开放", "not open"),
    "inc.en_route": ("途中", "on the way"),
    "inc.eta": ("{km} km · 约 {m} 分钟", "{km} km · about {m} min"),
    "inc.none.hazards": (
        "警戒圈内无重大危险源和危化企业",
        "No major hazard source or hazchem enterprise within the rings",
    ),
    "inc.none.targets": (
        "警戒圈内无学校、医院、居民区和养老机构",
        "No school, hospital, residential area or elderly care home within the rings",
    ),
    "inc.none.teams": ("附近没有可调派的队伍", "No team nearby to send"),
    "inc.none.depots": ("没有储备所需物资的仓库", "No depot holds what is needed"),
    "inc.none.shelters": ("附近没有空余的避难场所", "No shelter with room nearby"),
    "inc.none.timeline": ("暂无处置记录", "Nothing recorded yet"),
    "inc.none.forces": ("尚未派出救援力量", "No forces sent yet"),
    "tl.report": ("接报", "Reported"),
    "tl.dispatch": ("派出", "Sent"),
    "tl.arrive": ("到场", "Arrived"),
    "tl.handle": ("处置", "Action"),
    "tl.close": ("结束", "Closed"),
    "tl.call": ("呼叫", "Call"),
    # camera tiles (layouts/video.py, assets/video.js)
    "video.connecting": ("连接中…", "Connecting…"),
    "video.down": ("信号中断", "Signal lost"),
    "video.held": ("▶ 点击播放", "▶ Click to play"),
    "video.unchecked": ("无法校验画面是否实时", "Cannot check the picture is live"),
    "video.no.origin": ("地址未获准（CAMERA_ORIGINS）", "Address not allowed (CAMERA_ORIGINS)"),
    "video.no.demo-off": ("演示视频未开启", "Demo video is off"),
    "video.no.demo-missing": ("演示视频未生成（需 ffmpeg）", "Demo video not made (needs ffmpeg)"),
    "video.none.incident": (
        "事件 {km} km 内无登记摄像头",
        "No registered camera within {km} km of the incident",
    ),
    "video.none.enterprise": ("该企业无登记摄像头", "This enterprise has no registered camera"),
    "video.none.pick": (
        "选择企业、事件或报警后显示现场视频",
        "Pick an enterprise, incident or alarm to see its cameras",
    ),
    "video.none.near": ("附近无登记摄像头", "No registered camera nearby"),
    # the sign-in, enrol and admin pages (auth/)
    "auth.org": ("苏州市应急管理局", "Suzhou Emergency Management Bureau"),
    "auth.system": ("智慧应急 · 综合指挥平台", "Smart Emergency · Command Platform"),
    "auth.login_title": ("用户登录", "Sign in"),
    "auth.username": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.login": ("登录", "Sign in"),
    "auth.bad_login": ("用户名或密码错误。", "Wrong user name or password."),
    "auth.throttled": (
        "尝试次数过多，请 {s} 秒后再试。",
        "Too many attempts: try again in {s} s.",
    ),
    "auth.expired_form": ("页面已过期，请重新提交。", "The form expired: please submit it again."),
    "auth.enrol_link": ("大屏 / 会商屏注册", "Enrol a wall or consultation display"),
    "auth.login_link": ("返回用户登录", "Back to sign in"),
    "auth.enrol_title": ("显示终端注册", "Enrol this display"),
    "auth.enrol_help": (
        "输入管理员提供的一次性注册码（24 小时内有效，只能使用一次）。注册后本终端保持只读登录，直至管理员撤销。",
        "Type the one-time enrolment code an administrator gave you (valid 24 h, once). The "
        "display then stays signed in, read-only, until an administrator revokes it.",
    ),
    "auth.token": ("注册码", "Enrolment code"),
    "auth.enrol": ("注册本终端", "Enrol"),
    "auth.bad_token": (
        "注册码无效、已使用或已过期。",
        "The code is wrong, used or expired.",
    ),
    "auth.no_token_in_url": (
        "注册码不能放在网址中，请在下方输入。",
        "An enrolment code must not be put in the address: type it below.",
    ),
    "auth.logged_out": ("您已退出登录。", "You are signed out."),
    "auth.session_ended": ("会话已结束，请重新登录。", "Your session ended: please sign in again."),
    "auth.forbidden_title": ("无权访问", "Not allowed"),
    "auth.forbidden": (
        "您当前的身份（{who}，{role}）无权打开此页面。",
        "Your identity ({who}, {role}) may not open this page.",
    ),
    "auth.home": ("返回首页", "Home"),
    "auth.logout": ("退出登录", "Sign out"),
    "auth.unavailable": (
        "身份认证服务暂时不可用，请稍后重试。",
        "Sign-in is unavailable for the moment: please try again shortly.",
    ),
    "auth.other_lang": ("English", "中文"),
    "auth.admin_title": ("用户与终端管理", "Users and displays"),
    "auth.users": ("用户", "Users"),
    "auth.displays": ("显示终端", "Displays"),
    "auth.audit": ("操作审计", "Audit trail"),
    "auth.audit_shown": ("最近 {n} 条（北京时间）", "Latest {n} (Asia/Shanghai time)"),
    "auth.audit_everyone": ("全部人员", "Everyone"),
    "auth.audit_all_actions": ("全部动作", "All actions"),
    "auth.audit_from": ("起", "From"),
    "auth.audit_to": ("止", "To"),
    "auth.audit_apply": ("筛选", "Filter"),
    "auth.audit_reset": ("清除筛选", "Clear"),
    "auth.audit_export": ("导出CSV", "Export CSV"),
    "auth.audit_none": ("没有符合条件的记录", "No records match"),
    "auth.new_user": ("新建用户", "New user"),
    "auth.name": ("姓名", "Name"),
    "auth.role": ("角色", "Role"),
    "auth.active": ("状态", "Status"),
    "auth.enabled": ("启用", "active"),
    "auth.disabled": ("停用", "disabled"),
    "auth.last_login": ("最近登录", "Last sign-in"),
    "auth.create": ("创建", "Create"),
    "auth.save_role": ("改角色", "Set role"),
    "auth.new_password": ("新密码", "New password"),
    "auth.reset": ("重置密码", "Reset password"),
    "auth.disable": ("停用", "Disable"),
    "auth.enable": ("启用", "Enable"),
    "auth.unblock": ("解除登录限制", "Lift sign-in wait"),
    "auth.display_name": ("终端名称（位置）", "Display name (where it hangs)"),
    "auth.issue": ("生成注册码", "Issue enrolment code"),
    "auth.revoke": ("撤销", "Revoke"),
    "auth.status": ("状态", "Status"),
    "auth.pending": ("待注册", "waiting"),
    "auth.enrolled": ("已注册", "enrolled"),
    "auth.revoked": ("已撤销", "revoked"),
    "auth.expired": ("已过期", "expired"),
    "auth.token_once": (
        "终端 {name} 的注册码（只显示这一次，{hours} 小时内有效）：",
        "Enrolment code of {name} (shown this once, valid {hours} h):",
    ),
    "auth.done": ("已完成。", "Done."),
    "auth.time": ("时间", "Time"),
    "auth.actor": ("操作者", "Who"),
    "auth.address": ("地址", "Address"),
    "auth.action": ("动作", "Action"),
    "auth.outcome": ("结果", "Outcome"),
    "auth.detail": ("详情", "Detail"),
    # the audit trail's actions and outcomes, as /admin shows them (auth/trail.py)
    "action.login": ("登录", "Sign in"),
    "action.logout": ("退出登录", "Sign out"),
    "action.session_end": ("会话结束", "Session ended"),
    "action.enrol": ("终端注册", "Display enrolled"),
    "action.display_issue": ("签发终端注册码", "Display code issued"),
    "action.display_revoke": ("撤销终端", "Display revoked"),
    "action.user_create": ("新建用户", "User created"),
    "action.user_password": ("重置密码", "Password reset"),
    "action.user_role": ("变更角色", "Role changed"),
    "action.user_active": ("启用/停用用户", "User enabled/disabled"),
    "action.login_unblock": ("解除登录限制", "Sign-in unblocked"),
    "action.forbidden": ("越权访问被拒", "Access refused"),
    "action.ack_alarm": ("确认警情", "Alarm acknowledged"),
    "action.close_alarm": ("关闭警情", "Alarm closed"),
    "action.focus": ("会商投屏", "Wall focus"),
    "action.export": ("导出数据", "Data exported"),
    "action.roster_import": ("导入值班表", "Roster imported"),
    "action.duty_log": ("值班日志", "Duty log"),
    "action.rollcall": ("点名", "Roll call"),
    "action.system_add": ("登记上游系统", "Upstream system registered"),
    "action.system_enable": ("启用/停用上游系统", "Upstream system enabled/disabled"),
    "action.token_issue": ("签发接入令牌", "Ingest token issued"),
    "action.token_revoke": ("撤销接入令牌", "Ingest token revoked"),
    "action.quarantine_redrive": ("重新投递隔离数据", "Quarantined data re-driven"),
    "action.call": ("融合通信呼叫", "Call placed"),
    "action.search_contacts": ("查询通讯录", "Contacts searched"),
    "outcome.ok": ("成功", "ok"),
    "outcome.failed": ("失败", "failed"),
    "outcome.denied": ("拒绝", "denied"),
    "outcome.throttled": ("已限流", "throttled"),
    # dates (long_date, day_name, moment)
    "date.day_name": ("{m:02d}-{d:02d} 周{weekday}", "{weekday} {d} {month}"),
}


# Alarm categories the city's systems and the threshold engine send, in English. A category
# is upstream text: one not listed here is shown as it came.
CATEGORIES_EN: dict[str, str] = {
    "设备离线": "Device offline",
    "视频智能分析告警": "Video analytics alert",
    "安全承诺未按时报送": "Safety pledge not filed",
    "隐患超期未整改": "Hazard not fixed in time",
    "液位超限": "Level out of range",
    "可燃气体报警": "Flammable gas",
    "温度超限": "Temperature out of range",
    "压力超限": "Pressure out of range",
    "气象预警": "Weather warning",
    "运输车辆超速": "Transport vehicle speeding",
    "特殊作业报备异常": "Special work filing anomaly",
    "危化品运输车辆偏离路线": "Hazchem vehicle off route",
    "有毒气体报警": "Toxic gas",
    "水位超警戒": "Water above warning level",
    "突发事件接报": "Emergency reported",
    "值班签到超时": "Duty check-in late",
    "执法检查发现重大隐患": "Major hazard found on inspection",
    "执法计划逾期": "Inspection plan overdue",
    "车辆进入禁行区域": "Vehicle in restricted area",
    "变化速率过快": "Rate of change too fast",
    "传感器离线": "Sensor offline",
    "数值停滞": "Value stuck",
    # incidents
    "交通事故": "Traffic accident",
    "危化品泄漏": "Hazchem leak",
    "火灾": "Fire",
    "特种设备": "Special equipment",
    "生产安全事故": "Work-safety accident",
    "防汛": "Flood control",
}
# The threshold engine's categories: a sensor kind's name and a rule (thresholds/alarms.py).
_KINDS_EN = {
    "液位": "Level",
    "温度": "Temperature",
    "压力": "Pressure",
    "可燃气体": "Flammable gas",
    "有毒气体": "Toxic gas",
    "氧含量": "Oxygen",
}
_RULES_EN = {
    "高高报警": "high-high",
    "高报警": "high",
    "低低报警": "low-low",
    "低报警": "low",
}


def category_name(category: str | None, lang: str) -> str:
    """An alarm category in `lang` (as it came when there is no English for it)."""
    text = category or ""
    if lang != "en":
        return text
    if text in CATEGORIES_EN:
        return CATEGORIES_EN[text]
    for zh_rule, en_rule in _RULES_EN.items():
        kind = text.removesuffix(zh_rule)
        if kind != text and kind in _KINDS_EN:
            return f"{_KINDS_EN[kind]} {en_rule}"
    return text


def pick(value: str | None) -> str:
    """The language of `?lang=`; unknown or missing values give Chinese."""
    return value if value in LANGS else DEFAULT


@dataclass(frozen=True)
class Phrase:
    """The catalogue's `key` with its values, worded once the reader's language is known: a
    message's value may itself be a Phrase (or a DayName), and `t` words it in the message's
    language. What is kept (an error, an answer) keeps keys, not one language's words."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    def said(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.values))


def phrase(key: str, **values: object) -> Phrase:
    return Phrase(key, tuple(values.items()))


@dataclass(frozen=True)
class DayName:
    """A day, said as `day_name` says it in the message's language."""

    day: date

    def said(self, lang: str) -> str:
        return day_name(self.day, lang)


def t(key: str, lang: str = DEFAULT, **fields: object) -> str:
    """The message `key` in `lang` (Chinese when unknown), with `fields` filled in (a Phrase
    or DayName among them worded in `lang` too)."""
    zh, en = MESSAGES.get(key, (key, key))
    text = en if lang == "en" else zh
    if not fields:
        return text
    return text.format(
        **{k: v.said(lang) if isinstance(v, Phrase | DayName) else v for k, v in fields.items()}
    )


def word(kind: str, code: object, lang: str) -> str:
    """The catalogue's name of `code` of a kind ("role", "shift", "log", "level", "status"),
    or the code itself when the catalogue has none (it came from upstream as it is)."""
    key = f"{kind}.{code}"
    return t(key, lang) if key in MESSAGES else str(code)


def _month(day: date, lang: str) -> str:
    return t("date.months", lang).split()[day.month - 1]


def _weekday(day: date, lang: str) -> str:
    return t("date.weekdays", lang).split()[day.weekday()]


def long_date(day: date, lang: str) -> str:
    """2026年12月1日（星期二） / Tue 1 Dec 2026."""
    return t(
        "date.long",
        lang,
        y=day.year,
        m=day.month,
        d=day.day,
        month=_month(day, lang),
        weekday=_weekday(day, lang),
    )


def day_name(day: date, lang: str) -> str:
    """A day with its weekday: '12-01 周二' / 'Tue 1 Dec' (no locale: the server's may be C)."""
    return t(
        "date.day_name",
        lang,
        m=day.month,
        d=day.day,
        month=_month(day, lang),
        weekday=_weekday(day, lang),
    )


def moment(ts: datetime | None, lang: str, seconds: bool = False) -> str:
    """A time as Asia/Shanghai day and minute (or second): '12-01 14:05' / '1 Dec 14:05'."""
    if ts is None or ts != ts:  # NaT compares unequal to itself
        return "—"
    local = ts.astimezone(SHANGHAI)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    return t(
        "date.day_time", lang, m=local.month, d=local.day, month=_month(local, lang), time=clock
    )


def names_list(names: list[str], lang: str) -> str:
    """Names joined as each language lists them."""
    return (", " if lang == "en" else "、").join(names)


def known_error(message: str, lang: str) -> str:
    """A Chinese message a data source refused something with, in `lang`: its catalogue entry
    when it has one, else the message as it came inside a sentence of `lang`."""
    if lang != "en":
        return message
    for zh, en in MESSAGES.values():
        # A template's fields match anything but a field's own braces: "不能超过 {n} 字".
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^{}]+)", re.escape(zh))
        found = re.fullmatch(pattern, message)
        if found:
            return en.format(**found.groupdict())
    return t("duty.err.other", lang, error=message)


def level_name(level: str, lang: str) -> str:
    return t(f"level.{level}", lang)


def incident_level_name(level: object, lang: str) -> str:
    """Ⅳ级 / Level Ⅳ: the numeral of vocabulary.incident_level in `lang`."""
    numeral = incident_level(level)[0].removesuffix("级")
    return t("incident.level", lang).format(numeral)


def grade_name(grade: object, lang: str) -> str:
    """一级 / Grade 1: a major hazard source's grade (1-4); '—' for anything else."""
    try:
        n = int(grade)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "—"
    return t("grade", lang, cn="一二三四"[n - 1], n=n) if 1 <= n <= 4 else "—"


def status_name(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)
