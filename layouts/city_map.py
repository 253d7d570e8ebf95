"""The city map (`#main-map`): districts shaded by alarm severity, alarms, incidents and the
registry layers (hazard sources, hazchem enterprises clustered, teams, depots, shelters,
schools and hospitals), with a legend. Offline base map unless TILE_URL or TILE_FILE is set."""

from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from layouts.i18n import level_name, t
from maps.layout import MapIds, city_map, districts_layer, map_panel, registry_points
from maps.layout import legend as map_legend

MAP = MapIds("map")  # map-panel, map-districts, map-alarms, map-as-of, ...
ENTERPRISES = MAP.layer("enterprises")
REGISTRY = MAP.layer("registry")
ALARMS_FULL = MAP.layer("alarms-full")  # the last full read of the alarm layer (a store)
LEGEND = MAP.layer("legend")

# Layer keys of the legend (their labels: the catalogue's `wall.legend.<key>`), styled by the
# CSS class lg-<key>. The same keys style the points in map.js.
LAYERS = ("hazard", "enterprise", "team", "depot", "shelter", "school", "hospital")


def legend(lang: str = "zh") -> html.Div:
    levels = [("level-red", t("wall.legend.red", lang))]
    levels += [(f"level-{lv}", level_name(lv, lang)) for lv in ("orange", "yellow", "blue")]
    items = [*levels, ("lg-incident", t("wall.legend.incident", lang))]
    items += [(f"lg-{key}", t(f"wall.legend.{key}", lang)) for key in LAYERS]
    return map_legend(items, id=LEGEND)


def layout(
    tile_url: str | None = None, tile_file: str | None = None, lang: str = "zh"
) -> html.Section:
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
    body = [city_map(MAP, layers, css="offline" if offline else ""), legend(lang), *stores]
    return map_panel(MAP, body, source="redis")
