"""The wall's top bar: title, Asia/Shanghai date and clock, upstream system health."""

from __future__ import annotations

from enum import StrEnum

from dash import html

from layouts.i18n import t


class Ids(StrEnum):
    CLOCK = "topbar-clock"
    DATE = "topbar-date"
    SYSTEMS = "topbar-systems"
    RATE = "topbar-rate"
    AS_OF = "topbar-as-of"


def layout(lang: str = "zh") -> html.Header:
    return html.Header(
        [
            html.Div(
                [
                    html.Span(t("wall.org", lang), className="org"),
                    html.H1(t("wall.title", lang)),
                ],
                className="topbar-title",
            ),
            # 业务系统整合率: systems delivering within their cadence ÷ systems registered.
            html.Div(
                [
                    html.Span(t("wall.rate", lang), className="label"),
                    html.Span("—", className="figure"),
                    html.Span("", className="detail"),
                ],
                id=Ids.RATE,
                className="integration-rate",
                title=t("wall.rate_hint", lang),
            ),
            html.Ul(id=Ids.SYSTEMS, className="systems"),
            html.Div(
                [
                    html.Div("", id=Ids.DATE, className="date"),
                    html.Div("", id=Ids.CLOCK, className="clock"),
                ],
                className="topbar-time",
            ),
        ],
        className="topbar",
    )
