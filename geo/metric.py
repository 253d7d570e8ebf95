"""Between WGS-84 and METRIC_CRS (EPSG:4549, metres), and true north on its grid.

The grid of EPSG:4549 is turned against true north by the meridian convergence (about 0.3°
in the old town, 0.7° at Taicang), which `convergence_deg` measures at the incident so a
downwind sector points where the wind really blows.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from shapely.geometry import Point

from geo.projection import METRIC_CRS, WGS84

_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def to_metric_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` (WGS-84 points) in METRIC_CRS, with a fresh 0..n-1 index."""
    return frame.to_crs(METRIC_CRS).reset_index(drop=True)


def metric_point(lon: float, lat: float) -> Point:
    """The WGS-84 point (lon, lat) in METRIC_CRS."""
    x, y = _TO_METRIC.transform(lon, lat)
    return Point(x, y)


def to_lonlat(x: np.ndarray | float, y: np.ndarray | float) -> tuple:
    """METRIC_CRS coordinates back to WGS-84 (lon, lat)."""
    return _TO_WGS84.transform(x, y)


def convergence_deg(lon: float, lat: float) -> float:
    """Grid bearing of true north at (lon, lat), degrees: negative east of 120°E, where
    true north lies west of grid north. A true bearing T is the grid bearing T + this."""
    x0, y0 = _TO_METRIC.transform(lon, lat)
    x1, y1 = _TO_METRIC.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(x1 - x0, y1 - y0))
