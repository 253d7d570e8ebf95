"""The city map (`#main-map`): districts, alarms and (later) registry layers, offline by default."""

from __future__ import annotations

from enum import StrEnum

import dash_leaflet as dl
from dash import html

# Suzhou's centre and a zoom that shows all nine districts on a wall panel.
CENTER = (31.38, 120.72)
ZOOM = 9


class Ids(StrEnum):
    PANEL = "map-panel"
    MAP = "main-map"
    DISTRICTS = "map-districts"
    ALARMS = "map-alarms"
    AS_OF = "map-as-of"


def layout(tile_url: str | None = None) -> html.Section:
    base = [dl.TileLayer(url=tile_url, maxZoom=18)] if tile_url else []
    return html.Section(
        [
            dl.Map(
                [
                    *base,
                    dl.GeoJSON(
                        id=Ids.DISTRICTS,
                        style={"variable": "seMap.districtStyle"},
                        hideout={"levels": {}},
                        interactive=False,
                    ),
                    dl.LayerGroup(id=Ids.ALARMS),
                ],
                id=Ids.MAP,
                center=CENTER,
                zoom=ZOOM,
                zoomSnap=0.25,
                attributionControl=False,
                className="main-map" + ("" if tile_url else " offline"),
            ),
            html.Span(
                "…",
                id=Ids.AS_OF,
                className="as-of map-as-of",
                **{"data-as-of": "", "data-source": "redis"},
            ),
        ],
        id=Ids.PANEL,
        className="panel map-panel",
        **{"data-source": "redis"},
    )
