"""The wall's duty panel: who is on duty for the city now, and each district duty room."""

from __future__ import annotations

from enum import StrEnum

from dash import html

from layouts.call import number
from layouts.common import panel
from layouts.i18n import t, word

ROLE_NAMES = {"leader": "带班领导", "chief": "值班长", "officer": "值班员"}


class Ids(StrEnum):
    PANEL = "duty-panel"
    AS_OF = "duty-as-of"
    CITY = "duty-city"
    ROOMS = "duty-rooms"


def layout(lang: str = "zh") -> html.Section:
    body = [
        html.Div(id=Ids.CITY, className="duty-city"),
        html.H3(t("wall.duty.rooms", lang), className="sub"),
        html.Ul(id=Ids.ROOMS, className="duty-rooms"),
    ]
    return panel(t("wall.duty", lang), body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="redis")


def city_block(on_duty: list[tuple[str, str, str]], plain: bool = False, lang: str = "zh") -> list:
    """(role, name, phone) rows, in role order; the numbers as text when `plain` (kiosk)."""
    if not on_duty:
        return [html.Div(t("wall.duty.none", lang), className="warn")]
    return [
        html.Div(
            [
                html.Span(word("role", role, lang), className="role"),
                html.Span(name, className="name"),
                number(phone, name=name, plain=plain),
            ],
            className=f"duty-person role-{role}",
        )
        for role, name, phone in on_duty
    ]


def rooms_block(rooms: list[tuple[str, str, bool, str]], lang: str = "zh") -> list:
    """(unit code, district name, answering, last check-in text) per district duty room."""
    return [
        html.Li(
            [
                html.Span(name, className="room-name"),
                html.Span(
                    t("wall.duty.on" if ok else "wall.duty.silent", lang), className="room-state"
                ),
                html.Span(last, className="room-last"),
            ],
            className="room " + ("ok" if ok else "silent"),
            **{"data-unit": unit, "data-state": "on-duty" if ok else "not-answering"},
        )
        for unit, name, ok, last in rooms
    ]
