"""`/wall`: the command-hall video wall, the city's whole situation on one design canvas.

The canvas has a fixed design size (`?canvas=WxH`); assets/wall.js scales it to the real
viewport (letterboxed), or to one tile of it (`?tiles=CxR&tile=K`) for walls driven by
several browsers. Sizes inside the canvas are in `--u` units: 1u = canvas height / 1080.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum

from dash import dcc, html

import screens
from layouts import call, drawer, i18n, pulse, replay, topbar, with_settings
from layouts.i18n import MESSAGES, t
from maps.layout import BOUNDS

CANVASES = {"3840x2160", "1920x1080", "5760x3240", "7680x2160"}
DEFAULT_CANVAS = "3840x2160"


class Ids(StrEnum):
    VIEWPORT = "wall-viewport"
    CANVAS = "wall-canvas"
    SIZE = "wall-size"
    TAKEOVER = "wall-takeover"
    PRESENTER = "wall-presenter"
    VIEW_NAME = "wall-view-name"
    STATE = "wall-state"  # the wall state of the server: rotation slot and focus (push.js)
    VIEWPORT_STATE = "wall-map-viewport"


def parse_canvas(value: str | None) -> tuple[int, int]:
    """The design canvas of `?canvas=`; unknown values fall back to the default."""
    value = value if value in CANVASES else DEFAULT_CANVAS
    width, height = (int(v) for v in value.split("x"))
    return width, height


def parse_tiles(tiles: str | None, tile: str | None) -> tuple[int, int, int]:
    """(columns, rows, 1-based tile number) of `?tiles=CxR&tile=K`; (1, 1, 1) when absent or bad."""
    match = re.fullmatch(r"([1-9])x([1-9])", tiles or "")
    if not match:
        return 1, 1, 1
    cols, rows = int(match[1]), int(match[2])
    try:
        k = int(tile or 1)
    except ValueError:
        k = 1
    return cols, rows, k if 1 <= k <= cols * rows else 1


def schedule(views: tuple[str, ...], lang: str = "zh") -> list[dict]:
    """The focus views `views` for assets/wall.js: name, map bounds, the panel highlighted."""
    known = {v.key: v for v in screens.VIEWS}
    return [
        {
            "key": key,
            "name": i18n.word("wall.view", key, lang) if lang == "en" else known[key].name,
            "bounds": known[key].bounds or BOUNDS,
            "panel": screens.highlighted(key),
        }
        for key in views
    ]


def js_words(lang: str) -> dict[str, str]:
    """The catalogue's `wall.js.*` words in `lang`, for assets/wall.js (`data-words`)."""
    return {k.removeprefix("wall.js."): t(k, lang) for k in MESSAGES if k.startswith("wall.js.")}


def _panel(p: screens.Panel, lang: str):  # noqa: ANN202
    component = with_settings(drawer(p.layout), p.settings)(lang=lang)
    component.style = {**(getattr(component, "style", None) or {}), **p.style}
    return component


def grid(lang: str = "zh") -> html.Div:
    """The wall's three columns: the panels of screens.py, each in its area and its share."""
    columns = [
        html.Div(
            [_panel(p, lang) for p in screens.PANELS if p.area == area],
            className=f"wall-col wall-{area}",
        )
        for area in screens.AREAS
    ]
    return html.Div(columns, className="wall-grid")


def layout(
    canvas: str | None = None,
    kiosk: str | None = None,
    tiles: str | None = None,
    tile: str | None = None,
    refresh_ms: int = 1000,
    wall_views: tuple[str, ...] = screens.VIEW_KEYS,
    wall_rotate_s: int = 60,
    wall_reload_at: str = "04:00",
    stale_after_s: float = 15.0,
    at: str | None = None,
    speed: str | None = None,
    lang: str | None = None,
    **_query: str,
) -> html.Div:
    """The live wall; with `at`, the wall replayed at that moment (layouts/replay.py). In
    English with `?lang=en` only: a wall's address is its configuration (no remembered choice
    reloads it, which would drop its canvas and tiles)."""
    lang = i18n.pick(lang)
    moment = None
    if at is not None:
        try:
            moment = replay.parse_at(at)
        except replay.BadMoment as bad:
            return replay.refused(bad, lang)
    width, height = parse_canvas(canvas)
    cols, rows, k = parse_tiles(tiles, tile)
    u = height / 1080
    body = html.Div(
        [
            *([replay.banner(moment, replay.parse_speed(speed), lang)] if moment else []),
            topbar.layout(lang),
            grid(lang),
            html.Div(id=Ids.VIEW_NAME, className="view-name"),
            html.Div(id=Ids.TAKEOVER, className="takeover", hidden=True),
            html.Div(id=Ids.PRESENTER, className="presenter-banner", hidden=True),
        ],
        id=Ids.CANVAS,
        className="wall-canvas",
        style={"width": f"{width}px", "height": f"{height}px", "--u": f"{u}px"},
    )
    # A replayed wall has no pulse: nothing live (pushed or polled) ever reaches it.
    follows = (
        replay.stores(moment, replay.parse_speed(speed))
        if moment
        else [pulse.layout("wall", refresh_ms, stale_after_s, alarms=True)]
    )
    return html.Div(
        [
            body,
            *follows,
            dcc.Store(id=Ids.STATE),
            dcc.Store(id=Ids.SIZE, data={"w": width, "h": height, "u": u}),
            # The page's language for the panels' callbacks (as the desks' switch holds it).
            dcc.Store(id=i18n.Ids.PAGE, data={"lang": lang, "explicit": True}),
            # A kiosk wall shows numbers as text: nobody clicks a video wall.
            *([] if kiosk == "1" else [call.bar(lang)]),
        ],
        id=Ids.VIEWPORT,
        className="wall-viewport"
        + (" kiosk" if kiosk == "1" else "")
        + (" replaying" if moment else ""),
        **{
            **({"data-replay": moment.isoformat()} if moment else {}),
            "data-canvas": f"{width}x{height}",
            "data-tiles": f"{cols}x{rows}",
            "data-tile": str(k),
            "data-rotate-s": str(wall_rotate_s),
            "data-reload-at": wall_reload_at,
            "data-views": json.dumps(schedule(wall_views, lang), ensure_ascii=False),
            "data-words": json.dumps(js_words(lang), ensure_ascii=False),
        },
        lang="en" if lang == "en" else "zh-CN",
    )
