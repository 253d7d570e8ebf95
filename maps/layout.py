"""The layout side of the map: its id scheme, the `dl.Map` every screen draws, the layers most
screens share, the panel around it and its legend. No data source here: callbacks fill the
layers with what maps.shapes and maps.features build.

Ids: the map itself is `main-map` on every screen (CONTRACT.md), so no callback listens to
`main-map` (it would fire on every page); each page's layers, base and panel are named after
the page (`MapIds("consult-map")` → `consult-map-districts`, ...). Several callbacks, of
several pages, move the map: each sets `viewport()`, which allows the duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash_leaflet as dl
from dash import Output, html

MAIN_MAP = "main-map"

# Bounds of Suzhou's nine districts (WGS-84), so the whole city fills the panel.
BOUNDS = [[30.76, 119.91], [32.04, 121.36]]


@dataclass(frozen=True)
class MapIds:
    """The ids of one page's map, all named after `prefix` but the map's own."""

    prefix: str
    map: str = MAIN_MAP

    def layer(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    @property
    def panel(self) -> str:
        return self.layer("panel")

    @property
    def base(self) -> str:
        """The tile layers' group; also what a page's once-per-load map callback listens to."""
        return self.layer("base")

    @property
    def districts(self) -> str:
        return self.layer("districts")

    @property
    def incidents(self) -> str:
        return self.layer("incidents")

    @property
    def alarms(self) -> str:
        return self.layer("alarms")

    @property
    def as_of(self) -> str:
        return self.layer("as-of")


def viewport() -> Output:
    """The map's viewport as a callback output (every setter allows the duplicate)."""
    return Output(MAIN_MAP, "viewport", allow_duplicate=True)


def tiles(
    tile_url: str | None,
    basemap: tuple[dict, dict] | None = None,
    max_native_zoom: int | None = None,
) -> list:
    """The base group's layers: tiles from `tile_url` (TILE_URL, or TILE_FILE's route), else
    the offline base map (`maps.shapes.basemap`: water, rivers, place names) when given."""
    if tile_url:
        native = {"maxNativeZoom": max_native_zoom} if max_native_zoom is not None else {}
        return [dl.TileLayer(url=tile_url, maxZoom=18, **native)]
    if basemap is None:
        return []
    shapes, places = basemap
    return [
        dl.GeoJSON(data=shapes, style={"variable": "seMap.basemapStyle"}, interactive=False),
        # Names are markers (above the district fill) that hide where they would overlap.
        dl.GeoJSON(data=places, pointToLayer={"variable": "seMap.placeLabel"}, interactive=False),
    ]


def city_map(
    ids: MapIds,
    layers: list,
    *,
    tile_url: str | None = None,
    bounds: list | None = None,
    css: str = "",
    **props: Any,
) -> dl.Map:
    """The map: the base group (tiles, filled here or by a callback), then `layers`."""
    return dl.Map(
        [dl.LayerGroup(tiles(tile_url), id=ids.base), *layers],
        id=ids.map,
        bounds=bounds or BOUNDS,
        # Nothing listens for the view, and tracking it breaks without a `center`.
        trackViewport=False,
        zoomSnap=0.25,
        attributionControl=False,
        className=" ".join(["main-map", *css.split()]),
        **props,
    )


def districts_layer(ids: MapIds, interactive: bool = False) -> dl.GeoJSON:
    """The district outlines, shaded by `hideout.levels` (adcode → alarm level)."""
    extra = {} if interactive else {"interactive": False}
    return dl.GeoJSON(
        id=ids.districts,
        style={"variable": "seMap.districtStyle"},
        hideout={"levels": {}},
        **extra,
    )


def risk_points(layer_id: str, **hideout: Any) -> dl.GeoJSON:
    """Points coloured by `hideout.risk[id]` and sized by `grade` (`seMap.riskPoint`): one
    GeoJSON layer, not a component per point, cheap in an alarm flood."""
    return dl.GeoJSON(
        id=layer_id, pointToLayer={"variable": "seMap.riskPoint"}, hideout={"risk": {}, **hideout}
    )


def registry_points(layer_id: str) -> dl.GeoJSON:
    """Registry points by layer key (`seMap.registryPoint`); teams by `hideout.teams` status."""
    return dl.GeoJSON(
        id=layer_id, pointToLayer={"variable": "seMap.registryPoint"}, hideout={"teams": {}}
    )


def legend(items: list[tuple[str, str]], css: str = "", **props: Any) -> html.Div:
    """(swatch CSS class, label) pairs in the map's corner."""
    rows = [html.Li([html.I(className=f"sw {sw}"), label]) for sw, label in items]
    return html.Div(html.Ul(rows), className=" ".join(["map-legend", *css.split()]), **props)


def map_panel(
    ids: MapIds, body: list, source: str, title: str | None = None, css: str = ""
) -> html.Section:
    """The map's panel: titled like every panel, or (on the wall, in incident and hazchem
    command views) untitled with the age stamp over the map."""
    if title is not None:
        # Imported here: importing `layouts` imports every page, and the pages import this.
        from layouts.common import panel

        return panel(title, body, panel_id=ids.panel, as_of_id=ids.as_of, source=source)
    stamp = html.Span(
        "…", id=ids.as_of, className="as-of map-as-of", **{"data-as-of": "", "data-source": source}
    )
    return html.Section(
        [*body, stamp],
        id=ids.panel,
        className=" ".join(["panel", "map-panel", *css.split()]),
        **{"data-source": source},
    )
