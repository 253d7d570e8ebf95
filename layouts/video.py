"""Camera tiles: a panel of live video beside the incident, the enterprise, the consult detail.

Each tile is a <figure class="video-tile"> carrying the camera's stream kind and address as
data attributes (text, never HTML); assets/video.js plays it (hls.js into the <video>, MJPEG
read picture by picture into the <img>), shows 信号中断 over a tile whose stream stops or whose
picture stands still and retries with backoff, and plays at most `data-max-streams` tiles of a
screen at once (the rest show 点击播放). A camera that may not be played here says why instead.
"""

from __future__ import annotations

from enum import StrEnum

from dash import html

from layouts.common import panel
from layouts.i18n import t

# Why a tile has no stream (the callback decides, the catalogue's `video.no.<why>` words it).
UNAVAILABLE = ("origin", "demo-off", "demo-missing")
# What assets/video.js writes over a tile (`video.<state>`), and on a tile whose picture it
# cannot check is live (`video.unchecked`), handed to it in the page's language as the grid's
# `data-text-<key>`.
OVERLAY_STATES = ("connecting", "down", "held", "unchecked")
KIND_NAMES = {"hls": "HLS", "mjpeg": "MJPEG"}


class Ids(StrEnum):
    INCIDENT = "incident-video"
    INCIDENT_PANEL = "incident-video-panel"
    INCIDENT_AS_OF = "incident-video-as-of"
    HAZCHEM = "hazchem-video"
    HAZCHEM_SITE = "hazchem-video-site"  # the enterprise the drill-down shows
    HAZCHEM_PANEL = "hazchem-video-panel"
    HAZCHEM_AS_OF = "hazchem-video-as-of"
    CONSULT = "consult-video"
    CONSULT_PANEL = "consult-video-panel"
    CONSULT_AS_OF = "consult-video-as-of"


def video_panel(title: str, body_id: str, panel_id: str, as_of_id: str) -> html.Section:
    """An empty panel of tiles, filled by callbacks/video.py."""
    return panel(
        title,
        html.Div(id=body_id, className="video-tiles"),
        panel_id=panel_id,
        as_of_id=as_of_id,
        source="warehouse",
    )


def tile(camera: dict, why_not: str | None = None, lang: str = "zh") -> html.Figure:
    """One camera: its picture (or why there is none) and its caption."""
    kind = camera["kind"]
    caption = [html.Span(camera["name"], className="video-name")]
    meta = f"{camera['owner']} · {KIND_NAMES.get(kind, kind)}"
    if camera.get("distance_m") is not None:
        meta += f" · {camera['distance_m'] / 1000:.1f} km"
    caption.append(html.Span(meta, className="video-meta"))
    if why_not:
        screen = html.Div(t(f"video.no.{why_not}", lang), className="video-none")
        attrs = {"data-state": "unavailable"}
    else:
        media = (
            html.Video(muted=True, autoPlay=False, className="video-media")
            if kind == "hls"
            else html.Img(alt=camera["name"], className="video-media")
        )
        screen = html.Div([media, html.Div(className="video-overlay")], className="video-screen")
        attrs = {"data-src": camera["url"], "data-state": "idle"}
    return html.Figure(
        [screen, html.Figcaption(caption)],
        className="video-tile",
        **{"data-camera": camera["id"], "data-kind": kind, **attrs},
    )


def tiles(
    cameras: list[tuple[dict, str | None]], max_streams: int, empty: str, lang: str = "zh"
) -> html.Div:
    """The tiles of one screen's panel; `max_streams` is how many may play at once."""
    if not cameras:
        return html.Div(html.P(empty, className="empty"), className="video-grid")
    texts = {f"data-text-{state}": t(f"video.{state}", lang) for state in OVERLAY_STATES}
    return html.Div(
        [tile(camera, why_not, lang) for camera, why_not in cameras],
        className="video-grid",
        **{"data-max-streams": str(max_streams), **texts},
    )
