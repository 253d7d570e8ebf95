"""The datum decision, made once: our positions are WGS-84 (CGCS2000); tiles from Amap are
GCJ-02, so over them everything drawn is shifted to line up (TILE_CRS=gcj02). Offline (no
tiles) and over Tianditu or OSM tiles nothing moves."""

from __future__ import annotations

from typing import Any

import numpy as np

from geo.gcj02 import wgs84_geometry_to_gcj02, wgs84_to_gcj02


def gcj02_tiles(settings: Any) -> bool:
    """True when the screens draw over GCJ-02 (Amap) tiles."""
    return settings.TILE_CRS == "gcj02"


def display_xy(lon: Any, lat: Any, gcj02: bool) -> tuple[Any, Any]:
    """(lon, lat) as the map draws them; scalars or arrays."""
    return wgs84_to_gcj02(lon, lat) if gcj02 else (lon, lat)


def latlon(lon: float, lat: float, gcj02: bool) -> list[float]:
    """[lat, lon] of a WGS-84 position as the map draws it (Leaflet's order)."""
    x, y = display_xy(float(lon), float(lat), gcj02)
    return [float(y), float(x)]


def display_bounds(
    west: float, south: float, east: float, north: float, gcj02: bool
) -> list[list[float]]:
    """Leaflet bounds [[south, west], [north, east]] of a WGS-84 box as the map draws it."""
    (w, e), (s, n) = display_xy(np.array([west, east]), np.array([south, north]), gcj02)
    return [[float(s), float(w)], [float(n), float(e)]]


def display_geometry(geometry: Any, gcj02: bool) -> Any:
    """A shapely geometry as the map draws it."""
    return wgs84_geometry_to_gcj02(geometry) if gcj02 else geometry
