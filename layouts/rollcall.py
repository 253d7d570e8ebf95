"""The roll call (点名) of the district duty rooms: start one with a deadline, watch who has
answered. Each room answers itself (`POST /api/v1/rollcall/answer`) or the duty officer
records an answer taken by phone. Every room carries `data-unit` and `data-state`
(`answered`, `late`, `waiting`, `not-answered`)."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import panel
from layouts.gate import gated_tick
from layouts.i18n import moment, names_list, t
from vocabulary import ROLLCALL_DEADLINE_S as DEFAULT_DEADLINE_S

STATES = ("answered", "late", "waiting", "not-answered")  # named `rollcall.<state>`


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


def layout(lang: str = "zh") -> html.Section:
    controls = html.Div(
        [
            html.Label(
                [
                    t("rollcall.limit", lang),
                    dcc.Input(
                        id=Ids.MINUTES,
                        type="number",
                        min=1,
                        max=60,
                        step=1,
                        value=DEFAULT_DEADLINE_S // 60,
                        className="minutes",
                    ),
                    t("rollcall.minutes", lang),
                ]
            ),
            html.Button(
                t("rollcall.start", lang), id=Ids.START, className="btn primary", n_clicks=0
            ),
        ],
        className="duty-form rollcall-controls",
    )
    body = [
        controls,
        html.Div(id=Ids.MESSAGE, className="form-message", role="status"),
        html.Div(id=Ids.STATUS, className="rollcall-status"),
        html.Ul(id=Ids.ROOMS, className="rollcall-rooms"),
        html.H3(t("rollcall.history", lang), className="sub"),
        html.Ol(id=Ids.HISTORY, className="rollcall-history"),
        # The countdown's tick, gated: a tick asks only when the last ask was answered.
        *gated_tick(Ids.TICK, 1000, disabled=True),
        dcc.Store(id=Ids.SHOWN),
        dcc.Store(id=Ids.PRESSED),
    ]
    return panel(
        t("rollcall.title", lang), body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="redis"
    )


def status_line(summary: dict | None, lang: str = "zh") -> list:
    """'started … deadline … remaining …, answered n/m' of the latest roll call."""
    if summary is None:
        return [html.Span(t("rollcall.none", lang), className="muted")]
    parts = [
        html.Span(t("rollcall.started", lang, time=summary["started"]), className="started"),
        html.Span(t("rollcall.deadline", lang, time=summary["deadline"]), className="deadline"),
    ]
    if summary["remaining"] is not None:
        left = t("rollcall.remaining", lang, left=summary["remaining"])
        parts.append(html.Span(left, className="remaining"))
    else:
        parts.append(html.Span(t("rollcall.closed", lang), className="closed"))
    parts.append(
        html.Span(
            t("rollcall.count", lang, answered=summary["answered"], total=summary["total"]),
            className="count" + (" warn" if summary["missing"] else ""),
        )
    )
    return parts


def room_items(rooms: list[tuple[str, str, str, str]], lang: str = "zh") -> list:
    """(unit, district name, state, answered-at text) per room, with a phone-answer button
    while it has not answered."""
    items = []
    for unit, name, state, at in rooms:
        children = [
            html.Span(name, className="room-name"),
            html.Span(t(f"rollcall.{state}", lang), className="room-state"),
            html.Span(at, className="room-last"),
        ]
        if state in ("waiting", "not-answered"):
            children.append(
                html.Button(
                    t("rollcall.phone", lang),
                    id={"type": Ids.ANSWER, "unit": unit},
                    className="btn small",
                    n_clicks=0,
                    title=t("rollcall.phone_hint", lang, name=name),
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


def history_items(calls: list[dict], districts: dict[str, str], lang: str = "zh") -> list:
    """One line per past roll call: when, by whom, answered on time, late, missing."""
    items = []
    for call in calls:
        missing = names_list([districts.get(u, u) for u in call["missing"]], lang)
        late = names_list([districts.get(u, u) for u in call["late"]], lang)
        on_time = t("rollcall.on_time", lang, n=len(call["on_time"]), total=len(call["units"]))
        parts = [
            html.Span(moment(call["started_at"], lang), className="at"),
            html.Span(call["started_by"], className="by"),
            html.Span(on_time, className="count"),
        ]
        if late:
            parts.append(html.Span(t("rollcall.late_list", lang, names=late), className="late"))
        if missing:
            text = t("rollcall.missing_list", lang, names=missing)
            parts.append(html.Span(text, className="missing"))
        items.append(html.Li(parts))
    return items or [html.Li(t("rollcall.no_history", lang), className="empty")]
