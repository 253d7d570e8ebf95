"""The wall's top bar: title, Asia/Shanghai date and clock, upstream system health."""

from __future__ import annotations

from enum import StrEnum

from dash import html


class Ids(StrEnum):
    CLOCK = "topbar-clock"
    DATE = "topbar-date"
    SYSTEMS = "topbar-systems"
    RATE = "topbar-rate"
    AS_OF = "topbar-as-of"


def layout() -> html.Header:
    return html.Header(
        [
            html.Div(
                [html.Span("苏州市应急管理局", className="org"), html.H1("综合态势一张图")],
                className="topbar-title",
            ),
            # 业务系统整合率: systems delivering within their cadence ÷ systems registered.
            html.Div(
                [
                    html.Span("业务系统整合率", className="label"),
                    html.Span("—", className="figure"),
                    html.Span("", className="detail"),
                ],
                id=Ids.RATE,
                className="integration-rate",
                title="在约定周期内报送的系统 / 已登记系统",
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
