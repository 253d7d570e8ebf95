"""`/governance`: how the upstream systems deliver — the integration rate (业务系统整合率) in
large type, a table of every registered system (state, last heartbeat, messages per hour over
24 h, lateness, duplicates, rejects), and what the quarantine rejected, with the last payloads.

Everything an upstream system sent is shown as text (Dash escapes it); nothing here is HTML.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts import pulse
from layouts.common import local_time, panel
from layouts.frame import frame
from system_health import BEHIND_CAP, HOURS, Governance, HallUsage, Lag, SystemHealth

REFRESH_MS = 5000


class Ids(StrEnum):
    TICK = "gov-tick"
    RATE_PANEL = "gov-rate-panel"
    RATE = "gov-rate"
    RATE_AS_OF = "gov-rate-as-of"
    USAGE = "gov-usage"
    SYSTEMS_PANEL = "gov-systems-panel"
    SYSTEMS = "gov-systems"
    SYSTEMS_AS_OF = "gov-systems-as-of"
    REJECTS_PANEL = "gov-rejects-panel"
    REJECTS = "gov-rejects"
    REJECTS_AS_OF = "gov-rejects-as-of"


def layout(refresh_ms: int = 1000, stale_after_s: float = 15.0, **_query: str) -> html.Div:
    rate = panel(
        "业务系统整合率",
        html.Div(id=Ids.RATE, className="gov-rate"),
        panel_id=Ids.RATE_PANEL,
        as_of_id=Ids.RATE_AS_OF,
        source="warehouse",
    )
    systems = panel(
        "上游业务系统",
        html.Table(id=Ids.SYSTEMS, className="gov-table"),
        panel_id=Ids.SYSTEMS_PANEL,
        as_of_id=Ids.SYSTEMS_AS_OF,
        source="warehouse",
    )
    rejects = panel(
        "拒收记录（24 小时，隔离区）",
        html.Div(id=Ids.REJECTS, className="gov-rejects"),
        panel_id=Ids.REJECTS_PANEL,
        as_of_id=Ids.REJECTS_AS_OF,
        source="warehouse",
    )
    children = [
        pulse.layout("governance", refresh_ms, stale_after_s),
        # The figures move slowly (per hour, per cadence): a look every few seconds is plenty.
        dcc.Interval(id=Ids.TICK, interval=max(refresh_ms, REFRESH_MS)),
        html.Div([rate, systems, rejects], className="gov-grid"),
    ]
    return frame("系统接入治理", children, "governance", active="/governance")


# --- pieces the callbacks fill in ------------------------------------------------------


def age_text(seconds: float | None) -> str:
    """'12 秒前', '5 分钟前', '3 小时前', '2 天前'; '—' for never."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{int(seconds)} 秒前"
    if seconds < 3600:
        return f"{int(seconds // 60)} 分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)} 小时前"
    return f"{int(seconds // 86400)} 天前"


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} 秒" if abs(value) < 60 else f"{value / 60:.1f} 分钟"


def rate_block(report: Governance, usage: HallUsage | None = None) -> list:
    rate = report.rate
    return [
        html.Div("—" if rate is None else f"{rate:.0%}", className="gov-rate-figure"),
        html.Div(
            f"{report.integrated} / {report.registered} 个系统在约定周期内报送",
            className="gov-rate-detail",
        ),
        usage_block(usage),
    ]


def usage_block(usage: HallUsage | None) -> html.Div:
    """指挥大厅使用天数: this year's days against the target, and what counts as a day."""
    if usage is None:
        figure, detail = "—", "暂无法读取显示终端记录"
    else:
        figure = f"{usage.days} 天"
        detail = (
            f"{usage.year} 年目标 ≥ {usage.target} 天 · 已登记显示终端当日展示 ≥ "
            f"{usage.hours:g} 小时计 1 天 · 今日 {usage.today_hours:.1f} 小时"
        )
    met = usage is not None and usage.days >= usage.target
    return html.Div(
        [
            html.Div("指挥大厅使用天数", className="gov-usage-label"),
            html.Div(figure, className="gov-usage-figure" + (" met" if met else "")),
            html.Div(detail, className="gov-usage-detail"),
        ],
        id=Ids.USAGE,
        className="gov-usage",
        **({"data-days": str(usage.days)} if usage is not None else {}),
    )


def lag_text(lag: Lag) -> str:
    """'MQTT · 已连接 · 3 秒前处理' / '库表 · 落后 120 行 · 水位 5 分钟前'."""
    if lag.connector == "mqtt":
        state = "已连接" if lag.connected else "未连接"
        last = "尚未处理" if lag.seconds is None else f"{age_text(lag.seconds)}处理"
        return f"MQTT · {state} · {last}"
    parts = ["库表"]
    if lag.behind is not None:
        more = "+" if lag.behind >= BEHIND_CAP else ""
        parts.append(f"落后 {lag.behind}{more} 行")
    if lag.behind == 0:
        parts.append("已追平")
    elif lag.seconds is not None:
        parts.append(f"水位 {age_text(lag.seconds)}")
    return " · ".join(parts)


def sparkline(hourly: list[int]) -> html.Span:
    """Messages per hour as 24 small bars, oldest first; each bar's title is its count."""
    top = max(hourly) or 1
    bars = [
        html.Span(
            className="bar some" if n else "bar",
            style={"height": f"{max(2, round(18 * n / top))}px"},
            title=f"{HOURS - i} 小时前起：{n} 条",
        )
        for i, n in enumerate(hourly)
    ]
    return html.Span(bars, className="sparkline", **{"aria-hidden": "true"})


HEAD = (
    "系统",
    "状态",
    "最近心跳",
    "最近数据",
    "每小时消息（24 h）",
    "24 h 消息",
    "重复",
    "延迟 p50",
    "延迟 p95",
    "24 h 拒收",
    "接入延迟",
)


def system_row(s: SystemHealth) -> html.Tr:
    return html.Tr(
        [
            html.Th(
                [html.Span(s.name, className="name"), html.Span(s.code, className="code")],
                scope="row",
            ),
            html.Td(html.Span(s.state_name, className=f"state state-{s.state}")),
            html.Td(age_text(s.heartbeat_age_s), className="num"),
            html.Td(age_text(s.last_message_age_s), className="num"),
            html.Td(sparkline(s.hourly), className="sparkline-cell"),
            html.Td(str(s.messages_24h), className="num"),
            html.Td(str(s.duplicates_24h), className="num"),
            html.Td(seconds_text(s.lateness_p50_s), className="num"),
            html.Td(seconds_text(s.lateness_p95_s), className="num"),
            html.Td(str(s.rejects_24h), className="num" + (" warn" if s.rejects_24h else "")),
            html.Td(
                [html.Div(lag_text(lag), className="lag") for lag in s.lags] or "HTTP",
                className="lag-cell",
            ),
        ],
        className="disabled" if not s.enabled else None,
        **{"data-system": s.code, "data-state": s.state},
    )


def systems_table(report: Governance) -> list:
    return [
        html.Thead(html.Tr([html.Th(h) for h in HEAD])),
        html.Tbody([system_row(s) for s in report.systems]),
    ]


def rejects_block(report: Governance) -> list:
    blocks = []
    for s in report.systems:
        if not s.rejects_24h:
            continue
        reasons = html.Ul(
            [
                html.Li([html.Span(str(n), className="n"), html.Span(r, className="reason")])
                for r, n in s.reasons
            ],
            className="reasons",
        )
        payloads = html.Details(
            [
                html.Summary(f"最近 {len(s.last_rejects)} 条被拒报文"),
                *(
                    html.Div(
                        [
                            html.Div(
                                f"{local_time(p['at'], '%m-%d %H:%M:%S')} · {p['error']}",
                                className="meta",
                            ),
                            html.Pre(p["payload"], className="payload"),
                        ],
                        className="reject",
                    )
                    for p in s.last_rejects
                ),
            ],
            open=True,
        )
        blocks.append(
            html.Section(
                [html.H3(f"{s.name} · {s.rejects_24h} 条"), reasons, payloads],
                className="gov-reject-system",
                **{"data-system": s.code},
            )
        )
    return blocks or [html.P("24 小时内无拒收。", className="muted")]
