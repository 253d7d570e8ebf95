"""`/governance`: how the upstream systems deliver — the integration rate (业务系统整合率) in
large type, a table of every registered system (state, last heartbeat, messages per hour over
24 h, lateness, duplicates, rejects), and what the quarantine rejected, with the last payloads.

Everything an upstream system sent is shown as text (Dash escapes it); nothing here is HTML.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from data_sources.governance import HOURS, Governance, SystemHealth
from layouts import pulse
from layouts.common import local_time, panel
from layouts.frame import frame

REFRESH_MS = 5000


class Ids(StrEnum):
    TICK = "gov-tick"
    RATE_PANEL = "gov-rate-panel"
    RATE = "gov-rate"
    RATE_AS_OF = "gov-rate-as-of"
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


def rate_block(report: Governance) -> list:
    rate = report.rate
    return [
        html.Div("—" if rate is None else f"{rate:.0%}", className="gov-rate-figure"),
        html.Div(
            f"{report.integrated} / {report.registered} 个系统在约定周期内报送",
            className="gov-rate-detail",
        ),
    ]


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
