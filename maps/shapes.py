"""District outlines and the offline base map as the map draws them (shifted over GCJ-02
tiles), built once per datum."""

from __future__ import annotations

import json
from functools import lru_cache

from shapely.geometry import Point, mapping, shape

from data_sources.basemap import PLACE_KINDS, basemap_geojson
from data_sources.boundaries import districts_geojson
from maps.datum import display_geometry


@lru_cache(maxsize=2)
def _districts_text(gcj02: bool) -> str:
    data = districts_geojson()
    if gcj02:
        for feature in data["features"]:
            feature["geometry"] = mapping(display_geometry(shape(feature["geometry"]), True))
    return json.dumps(data, ensure_ascii=False)


def districts(gcj02: bool, only: list[str] | None = None) -> dict:
    """The nine districts as a FeatureCollection (properties adcode, name, name_en); `only`
    keeps those adcodes. A new dict each call: callers may change it."""
    data = json.loads(_districts_text(gcj02))
    if only is not None:
        data["features"] = [f for f in data["features"] if f["properties"]["adcode"] in only]
    return data


# The English names of the large waters the base map names (scripts/build_basemap.py).
WATER_EN = {
    "changjiang": "Yangtze",
    "taihu": "Lake Taihu",
    "yangchenghu": "Yangcheng Lake",
    "dianshanhu": "Dianshan Lake",
    "gehu": "Ge Lake",
}


@lru_cache(maxsize=2)
def _basemap_text(gcj02: bool) -> str:
    shapes, places = [], []
    for f in basemap_geojson()["features"]:
        p = f["properties"]
        if gcj02:
            f["geometry"] = mapping(display_geometry(shape(f["geometry"]), True))
        if p["kind"] in PLACE_KINDS:
            places.append(f)
            continue
        shapes.append(f)
        if p.get("label"):
            at = display_geometry(Point(p["label"]), gcj02)
            label = {
                "kind": "water",
                "ref": p["ref"],
                "name": p["name"],
                "name_en": WATER_EN.get(p["ref"], p["name"]),
                "rank": -1,
            }
            places.append({"type": "Feature", "properties": label, "geometry": mapping(at)})
    return json.dumps([_collection(shapes), _collection(places)], ensure_ascii=False)


def _collection(features: list) -> dict:
    return {"type": "FeatureCollection", "features": features}


def basemap(gcj02: bool) -> tuple[dict, dict]:
    """The offline base map as the map draws it: (water, rivers and canals; place names:
    towns, cities and the names of the large waters, each with a `rank`, lower first)."""
    shapes, places = json.loads(_basemap_text(gcj02))
    return shapes, places
