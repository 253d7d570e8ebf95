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

from layouts import alarm_feed, city_map, duty_panel, forces, pulse, stats, topbar

CANVASES = {"3840x2160", "1920x1080", "5760x3240", "7680x2160"}
DEFAULT_CANVAS = "3840x2160"

# Focus views of the rotation: the map's bounds and the panel the view highlights.
VIEWS = {
    "overview": {"name": "全市总览", "bounds": city_map.BOUNDS, "panel": None},
    "hazchem": {
        "name": "危化品监测",
        "bounds": [[31.52, 120.33], [32.03, 121.33]],
        "panel": "map-panel",
    },
    "forces": {"name": "应急力量", "bounds": city_map.BOUNDS, "panel": "forces-panel"},
    "duty": {"name": "值班值守", "bounds": city_map.BOUNDS, "panel": "duty-panel"},
}


class Ids(StrEnum):
    VIEWPORT = "wall-viewport"
    CANVAS = "wall-canvas"
    SIZE = "wall-size"
    FOCUS = "wall-focus"
    TAKEOVER = "wall-takeover"
    PRESENTER = "wall-presenter"
    VIEW_NAME = "wall-view-name"
    ROTATE_TICK = "wall-rotate-tick"
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


def layout(
    canvas: str | None = None,
    kiosk: str | None = None,
    tiles: str | None = None,
    tile: str | None = None,
    refresh_ms: int = 1000,
    tile_url: str | None = None,
    views: tuple[str, ...] = tuple(VIEWS),
    rotate_s: int = 60,
    reload_at: str = "04:00",
    stale_after_s: float = 15.0,
    **_query: str,
) -> html.Div:
    width, height = parse_canvas(canvas)
    cols, rows, k = parse_tiles(tiles, tile)
    u = height / 1080
    schedule = [{"key": v, **VIEWS[v]} for v in views]
    body = html.Div(
        [
            topbar.layout(),
            html.Div(
                [
                    html.Div(
                        [alarm_feed.counts_layout(), stats.layout()], className="wall-col wall-left"
                    ),
                    html.Div([city_map.layout(tile_url), forces.layout()], className="wall-centre"),
                    html.Div(
                        [alarm_feed.layout(), duty_panel.layout()], className="wall-col wall-right"
                    ),
                ],
                className="wall-grid",
            ),
            html.Div(id=Ids.VIEW_NAME, className="view-name"),
            html.Div(id=Ids.TAKEOVER, className="takeover", hidden=True),
            html.Div(id=Ids.PRESENTER, className="presenter-banner", hidden=True),
        ],
        id=Ids.CANVAS,
        className="wall-canvas",
        style={"width": f"{width}px", "height": f"{height}px", "--u": f"{u}px"},
    )
    return html.Div(
        [
            body,
            pulse.layout("wall", refresh_ms, stale_after_s),
            dcc.Interval(id=Ids.ROTATE_TICK, interval=1000),
            dcc.Store(id=Ids.FOCUS),
            dcc.Store(id=Ids.SIZE, data={"w": width, "h": height, "u": u}),
        ],
        id=Ids.VIEWPORT,
        className="wall-viewport" + (" kiosk" if kiosk == "1" else ""),
        **{
            "data-canvas": f"{width}x{height}",
            "data-tiles": f"{cols}x{rows}",
            "data-tile": str(k),
            "data-rotate-s": str(rotate_s),
            "data-reload-at": reload_at,
            "data-views": json.dumps(schedule, ensure_ascii=False),
        },
    )
