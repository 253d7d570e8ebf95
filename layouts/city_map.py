"""The city map (`#main-map`): districts shaded by alarm severity, alarms, incidents and the
registry layers (hazard sources, hazchem enterprises clustered, teams, depots, shelters,
schools and hospitals), with a legend. Offline base map unless TILE_URL is set."""

from __future__ import annotations

from enum import StrEnum

import dash_leaflet as dl
from dash import html

# Bounds of Suzhou's nine districts (WGS-84), so the whole city fills the panel.
BOUNDS = [[30.76, 119.91], [32.04, 121.36]]

# Layer key → (legend label, CSS colour class). The same keys style the points in map.js.
LAYERS = {
    "hazard": ("重大危险源", "lg-hazard"),
    "enterprise": ("危化企业(聚合)", "lg-enterprise"),
    "team": ("救援队伍 在岗/出动", "lg-team"),
    "depot": ("物资储备库", "lg-depot"),
    "shelter": ("避难场所", "lg-shelter"),
    "school": ("学校", "lg-school"),
    "hospital": ("医院", "lg-hospital"),
}


class Ids(StrEnum):
    PANEL = "map-panel"
    MAP = "main-map"
    DISTRICTS = "map-districts"
    ALARMS = "map-alarms"
    INCIDENTS = "map-incidents"
    REGISTRY = "map-registry"
    ENTERPRISES = "map-enterprises"
    AS_OF = "map-as-of"
    LEGEND = "map-legend"


def legend() -> html.Div:
    levels = [
        html.Li([html.I(className=f"sw level-{lv}"), text])
        for lv, text in (
            ("red", "红色警情"),
            ("orange", "橙色"),
            ("yellow", "黄色"),
            ("blue", "蓝色"),
        )
    ]
    layers = [html.Li([html.I(className=f"sw {css}"), label]) for label, css in LAYERS.values()]
    incident = [html.Li([html.I(className="sw lg-incident"), "在办事件"])]
    return html.Div(html.Ul(levels + incident + layers), id=Ids.LEGEND, className="map-legend")


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
                    dl.GeoJSON(
                        id=Ids.REGISTRY,
                        pointToLayer={"variable": "seMap.registryPoint"},
                        hideout={"teams": {}},
                    ),
                    dl.GeoJSON(
                        id=Ids.ENTERPRISES,
                        cluster=True,
                        clusterToLayer={"variable": "seMap.cluster"},
                        pointToLayer={"variable": "seMap.registryPoint"},
                        superClusterOptions={"radius": 60, "maxZoom": 13},
                        zoomToBoundsOnClick=True,
                    ),
                    dl.LayerGroup(id=Ids.INCIDENTS),
                    # One GeoJSON layer, not a component per alarm: cheap in an alarm flood.
                    dl.GeoJSON(id=Ids.ALARMS, pointToLayer={"variable": "seMap.alarmPoint"}),
                ],
                id=Ids.MAP,
                bounds=BOUNDS,
                # Nothing listens for the view, and tracking it breaks without a `center`.
                trackViewport=False,
                zoomSnap=0.25,
                attributionControl=False,
                className="main-map" + ("" if tile_url else " offline"),
            ),
            legend(),
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
