"""The roll call (点名) of the district duty rooms: start one with a deadline, watch who has
answered. Each room answers itself (`POST /api/v1/rollcall/answer`) or the duty officer
records an answer taken by phone. Every room carries `data-unit` and `data-state`
(`answered`, `late`, `waiting`, `not-answered`)."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import local_time, panel
from layouts.gate import gated_tick
from vocabulary import ROLLCALL_DEADLINE_S as DEFAULT_DEADLINE_S

STATE_NAMES = {
    "answered": "已应答",
    "late": "超时应答",
    "waiting": "等待应答",
    "not-answered": "超时未应答",
}


class Ids(StrEnum):
    PANEL = "rollcall-panel"
    AS_OF = "rollcall-as-of"
    MINUTES = "rollcall-minutes"
    START = "rollcall-start"
    # Starting a roll call and recording an answer need "duty_log" (declared with them).
    MESSAGE = "duty-log-rollcall-message"
    STATUS = "rollcall-status"
    ROOMS = "rollcall-rooms"
    TICK = "rollcall-tick"
    SHOWN = "rollcall-shown"
    HISTORY = "rollcall-history"
    ANSWER = "rollcall-answer"  # type of the per-room buttons' pattern-matching ids
    PRESSED = "rollcall-pressed"  # Store: the last phone-answer button tapped {id, at}


def layout() -> html.Section:
    controls = html.Div(
        [
            html.Label(
                [
                    "应答时限",
                    dcc.Input(
                        id=Ids.MINUTES,
                        type="number",
                        min=1,
                        max=60,
                        step=1,
                        value=DEFAULT_DEADLINE_S // 60,
                        className="minutes",
                    ),
                    "分钟",
                ]
            ),
            html.Button("开始点名", id=Ids.START, className="btn primary", n_clicks=0),
        ],
        className="duty-form rollcall-controls",
    )
    body = [
        controls,
        html.Div(id=Ids.MESSAGE, className="form-message", role="status"),
        html.Div(id=Ids.STATUS, className="rollcall-status"),
        html.Ul(id=Ids.ROOMS, className="rollcall-rooms"),
        html.H3("最近点名记录", className="sub"),
        html.Ol(id=Ids.HISTORY, className="rollcall-history"),
        # The countdown's tick, gated: a tick asks only when the last ask was answered.
        *gated_tick(Ids.TICK, 1000, disabled=True),
        dcc.Store(id=Ids.SHOWN),
        dcc.Store(id=Ids.PRESSED),
    ]
    return panel("区县值班室点名", body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="redis")


def status_line(summary: dict | None) -> list:
    """'started … deadline … remaining …, answered n/m' of the latest roll call."""
    if summary is None:
        return [html.Span("尚未点名。点击「开始点名」呼叫各区县值班室。", className="muted")]
    parts = [
        html.Span(f"{summary['started']} 发起", className="started"),
        html.Span(f"截止 {summary['deadline']}", className="deadline"),
    ]
    if summary["remaining"] is not None:
        parts.append(html.Span(f"剩余 {summary['remaining']}", className="remaining"))
    else:
        parts.append(html.Span("已截止", className="closed"))
    parts.append(
        html.Span(
            f"已应答 {summary['answered']}/{summary['total']}",
            className="count" + (" warn" if summary["missing"] else ""),
        )
    )
    return parts


def room_items(rooms: list[tuple[str, str, str, str]]) -> list:
    """(unit, district name, state, answered-at text) per room, with a phone-answer button
    while it has not answered."""
    items = []
    for unit, name, state, at in rooms:
        children = [
            html.Span(name, className="room-name"),
            html.Span(STATE_NAMES[state], className="room-state"),
            html.Span(at, className="room-last"),
        ]
        if state in ("waiting", "not-answered"):
            children.append(
                html.Button(
                    "电话应答",
                    id={"type": Ids.ANSWER, "unit": unit},
                    className="btn small",
                    n_clicks=0,
                    title=f"{name}值班室通过电话应答，由本席位代为登记",
                )
            )
        items.append(
            html.Li(
                children,
                className=f"room rc-{state}",
                **{"data-unit": unit, "data-state": state},
            )
        )
    return items


def history_items(calls: list[dict], districts: dict[str, str]) -> list:
    """One line per past roll call: when, by whom, answered on time, late, missing."""
    items = []
    for call in calls:
        missing = "、".join(districts.get(u, u) for u in call["missing"])
        late = "、".join(districts.get(u, u) for u in call["late"])
        parts = [
            html.Span(local_time(call["started_at"], "%m-%d %H:%M"), className="at"),
            html.Span(call["started_by"], className="by"),
            html.Span(f"按时 {len(call['on_time'])}/{len(call['units'])}", className="count"),
        ]
        if late:
            parts.append(html.Span(f"超时：{late}", className="late"))
        if missing:
            parts.append(html.Span(f"未应答：{missing}", className="missing"))
        items.append(html.Li(parts))
    return items or [html.Li("暂无点名记录", className="empty")]
