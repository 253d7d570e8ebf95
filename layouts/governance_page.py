"""`/governance`: how the upstream systems deliver — the integration rate (业务系统整合率) in
large type, a table of every registered system (state, last heartbeat, messages per hour over
24 h, lateness, duplicates, rejects), and what the quarantine rejected, with the last payloads.

Everything an upstream system sent is shown as text (Dash escapes it); nothing here is HTML.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts import i18n, pulse
from layouts.common import panel
from layouts.frame import frame
from layouts.i18n import MESSAGES, moment, t
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


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    rate = panel(
        t("gov.rate", lang),
        html.Div(id=Ids.RATE, className="gov-rate"),
        panel_id=Ids.RATE_PANEL,
        as_of_id=Ids.RATE_AS_OF,
        source="warehouse",
    )
    systems = panel(
        t("gov.systems", lang),
        html.Table(id=Ids.SYSTEMS, className="gov-table"),
        panel_id=Ids.SYSTEMS_PANEL,
        as_of_id=Ids.SYSTEMS_AS_OF,
        source="warehouse",
    )
    rejects = panel(
        t("gov.rejects", lang),
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
    page = frame(t("gov.title", lang), children, "governance", active="/governance", lang=lang)
    i18n.with_switch(page, lang, explicit)
    return html.Div(page, lang="en" if lang == "en" else "zh-CN")


# --- pieces the callbacks fill in ------------------------------------------------------


def age_text(seconds: float | None, lang: str = "zh") -> str:
    """'12 秒前', '5 分钟前', '3 小时前', '2 天前' (12 s ago, 5 min ago…); '—' for never."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return t("gov.ago.s", lang, n=int(seconds))
    if seconds < 3600:
        return t("gov.ago.min", lang, n=int(seconds // 60))
    if seconds < 86400:
        return t("gov.ago.h", lang, n=int(seconds // 3600))
    return t("gov.ago.d", lang, n=int(seconds // 86400))


def seconds_text(value: float | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    if abs(value) < 60:
        return t("gov.seconds", lang, n=value)
    return t("gov.minutes", lang, n=value / 60)


def rate_block(report: Governance, usage: HallUsage | None = None, lang: str = "zh") -> list:
    rate = report.rate
    return [
        html.Div("—" if rate is None else f"{rate:.0%}", className="gov-rate-figure"),
        html.Div(
            t("systems.rate", lang, integrated=report.integrated, registered=report.registered),
            className="gov-rate-detail",
        ),
        usage_block(usage, lang),
    ]


def usage_block(usage: HallUsage | None, lang: str = "zh") -> html.Div:
    """指挥大厅使用天数: this year's days against the target, and what counts as a day."""
    if usage is None:
        figure, detail = "—", t("gov.usage.none", lang)
    else:
        figure = t("gov.usage.days", lang, n=usage.days)
        detail = t(
            "gov.usage.detail",
            lang,
            year=usage.year,
            target=usage.target,
            hours=usage.hours,
            today=usage.today_hours,
        )
    met = usage is not None and usage.days >= usage.target
    return html.Div(
        [
            html.Div(t("gov.usage", lang), className="gov-usage-label"),
            html.Div(figure, className="gov-usage-figure" + (" met" if met else "")),
            html.Div(detail, className="gov-usage-detail"),
        ],
        id=Ids.USAGE,
        className="gov-usage",
        **({"data-days": str(usage.days)} if usage is not None else {}),
    )


def lag_text(lag: Lag, lang: str = "zh") -> str:
    """'MQTT · 已连接 · 3 秒前处理' / '库表 · 落后 120 行 · 水位 5 分钟前'."""
    if lag.connector == "mqtt":
        state = t("gov.mqtt.on" if lag.connected else "gov.mqtt.off", lang)
        if lag.seconds is None:
            last = t("gov.mqtt.none", lang)
        else:
            last = t("gov.mqtt.last", lang, age=age_text(lag.seconds, lang))
        return f"MQTT · {state} · {last}"
    parts = [t("gov.pull", lang)]
    if lag.behind is not None:
        more = "+" if lag.behind >= BEHIND_CAP else ""
        parts.append(t("gov.pull.behind", lang, n=lag.behind, more=more))
    if lag.behind == 0:
        parts.append(t("gov.pull.even", lang))
    elif lag.seconds is not None:
        parts.append(t("gov.pull.mark", lang, age=age_text(lag.seconds, lang)))
    return " · ".join(parts)


def sparkline(hourly: list[int], lang: str = "zh") -> html.Span:
    """Messages per hour as 24 small bars, oldest first; each bar's title is its count."""
    top = max(hourly) or 1
    bars = [
        html.Span(
            className="bar some" if n else "bar",
            style={"height": f"{max(2, round(18 * n / top))}px"},
            title=t("gov.bar", lang, h=HOURS - i, n=n),
        )
        for i, n in enumerate(hourly)
    ]
    return html.Span(bars, className="sparkline", **{"aria-hidden": "true"})


HEAD = (
    "system",
    "state",
    "heartbeat",
    "data",
    "hourly",
    "messages",
    "duplicates",
    "p50",
    "p95",
    "rejects",
    "lag",
)


def system_name(s: SystemHealth, lang: str, names: dict[str, str] | None) -> str:
    """The system's name in `lang`: its registered English name, else its name as recorded."""
    return ((names or {}).get(s.code) if lang == "en" else None) or s.name


def system_row(s: SystemHealth, lang: str = "zh", names: dict[str, str] | None = None) -> html.Tr:
    name = system_name(s, lang, names)
    return html.Tr(
        [
            html.Th(
                [html.Span(name, className="name"), html.Span(s.code, className="code")],
                scope="row",
            ),
            html.Td(html.Span(t(f"state.{s.state}", lang), className=f"state state-{s.state}")),
            html.Td(age_text(s.heartbeat_age_s, lang), className="num"),
            html.Td(age_text(s.last_message_age_s, lang), className="num"),
            html.Td(sparkline(s.hourly, lang), className="sparkline-cell"),
            html.Td(str(s.messages_24h), className="num"),
            html.Td(str(s.duplicates_24h), className="num"),
            html.Td(seconds_text(s.lateness_p50_s, lang), className="num"),
            html.Td(seconds_text(s.lateness_p95_s, lang), className="num"),
            html.Td(str(s.rejects_24h), className="num" + (" warn" if s.rejects_24h else "")),
            html.Td(
                [html.Div(lag_text(lag, lang), className="lag") for lag in s.lags] or "HTTP",
                className="lag-cell",
            ),
        ],
        className="disabled" if not s.enabled else None,
        **{"data-system": s.code, "data-state": s.state},
    )


def systems_table(
    report: Governance, lang: str = "zh", names: dict[str, str] | None = None
) -> list:
    return [
        html.Thead(html.Tr([html.Th(t(f"gov.head.{h}", lang)) for h in HEAD])),
        html.Tbody([system_row(s, lang, names) for s in report.systems]),
    ]


def reason_text(reason: str, lang: str) -> str:
    """A reject's reason as the intake path gave it (upstream's data), or the catalogue's
    word when it gave none."""
    unstated = MESSAGES["gov.reject.unstated"][0]
    return t("gov.reject.unstated", lang) if reason == unstated else reason


def rejects_block(
    report: Governance, lang: str = "zh", names: dict[str, str] | None = None
) -> list:
    blocks = []
    for s in report.systems:
        if not s.rejects_24h:
            continue
        reasons = html.Ul(
            [
                html.Li(
                    [
                        html.Span(str(n), className="n"),
                        html.Span(reason_text(r, lang), className="reason"),
                    ]
                )
                for r, n in s.reasons
            ],
            className="reasons",
        )
        payloads = html.Details(
            [
                html.Summary(t("gov.reject.last", lang, n=len(s.last_rejects))),
                *(
                    html.Div(
                        [
                            html.Div(
                                f"{moment(p['at'], lang, seconds=True)} · "
                                f"{reason_text(p['error'], lang)}",
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
                [
                    html.H3(
                        t(
                            "gov.reject.system",
                            lang,
                            name=system_name(s, lang, names),
                            n=s.rejects_24h,
                        )
                    ),
                    reasons,
                    payloads,
                ],
                className="gov-reject-system",
                **{"data-system": s.code},
            )
        )
    return blocks or [html.P(t("gov.reject.none", lang), className="muted")]
