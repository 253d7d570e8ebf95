"""The city map (`#main-map`): districts shaded by alarm severity, alarms, incidents and the
registry layers (hazard sources, hazchem enterprises clustered, teams, depots, shelters,
schools and hospitals), with a legend. Offline base map unless TILE_URL or TILE_FILE is set."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from maps.layout import MapIds, city_map, districts_layer, map_panel, registry_points
from maps.layout import legend as map_legend

MAP = MapIds("map")  # map-panel, map-districts, map-alarms, map-as-of, ...
ENTERPRISES = MAP.layer("enterprises")
REGISTRY = MAP.layer("registry")
ALARMS_FULL = MAP.layer("alarms-full")  # the last full read of the alarm layer (a store)
LEGEND = MAP.layer("legend")

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
LEVELS = (("red", "红色警情"), ("orange", "橙色"), ("yellow", "黄色"), ("blue", "蓝色"))


def legend() -> html.Div:
    items = [(f"level-{lv}", text) for lv, text in LEVELS] + [("lg-incident", "在办事件")]
    items += [(css, label) for label, css in LAYERS.values()]
    return map_legend(items, id=LEGEND)


def layout(tile_url: str | None = None, tile_file: str | None = None) -> html.Section:
    layers = [
        districts_layer(MAP),
        registry_points(REGISTRY),
        dl.GeoJSON(
            id=ENTERPRISES,
            cluster=True,
            clusterToLayer={"variable": "seMap.cluster"},
            pointToLayer={"variable": "seMap.registryPoint"},
            superClusterOptions={"radius": 60, "maxZoom": 13},
            zoomToBoundsOnClick=True,
        ),
        dl.LayerGroup(id=MAP.incidents),
        dl.GeoJSON(id=MAP.alarms, pointToLayer={"variable": "seMap.alarmPoint"}),
    ]
    # The base group (tiles or the offline base map) is filled by callbacks/city_map.py.
    offline = not (tile_url or tile_file)
    stores = [dcc.Store(id=ALARMS_FULL)]
    body = [city_map(MAP, layers, css="offline" if offline else ""), legend(), *stores]
    return map_panel(MAP, body, source="redis")
