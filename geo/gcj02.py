"""WGS-84 <-> GCJ-02 conversion.

GCJ-02 ("Mars coordinates") is the obfuscated datum that Chinese web maps must publish:
a smooth, non-linear offset of a few hundred metres applied to WGS-84. Our district
boundaries come from Amap (高德), which publishes GCJ-02, so they must be converted
before they are drawn over or joined with WGS-84 / CGCS2000 data.

The forward formula is the widely published one (as in github.com/googollee/eviltransform);
the inverse is computed by fixed-point iteration of the forward transform.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

# Krasovsky 1940 ellipsoid, which the GCJ-02 formula is defined on.
_A = 6378245.0
_EE = 0.00669342162296594323

# The inverse converges by roughly three orders of magnitude per step (the offset's
# gradient is ~1e-3), so a handful of iterations reaches float precision.
_INVERSE_TOL = 1e-12
_INVERSE_MAX_ITER = 30

ArrayLike = npt.ArrayLike
G = TypeVar("G", bound=BaseGeometry)


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray | bool:
    """True where the point lies outside the rough China rectangle (no offset applied)."""
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    # Written as "not inside" so that NaN counts as outside and passes through unchanged.
    inside = (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)
    result = ~inside
    return bool(result) if result.ndim == 0 else result


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (dlon, dlat) in degrees at a WGS-84 point; no range check."""
    x = lon - 105.0
    y = lat - 35.0
    x_pi = x * np.pi
    y_pi = y * np.pi
    # Grouping mirrors the reference implementation so results agree to the last bit.
    common = 20.0 * np.sin(6.0 * x_pi) + 20.0 * np.sin(2.0 * x_pi)

    d_lat = common + (20.0 * np.sin(y_pi) + 40.0 * np.sin(y_pi / 3.0))
    d_lon = common + (20.0 * np.sin(x_pi) + 40.0 * np.sin(x_pi / 3.0))
    d_lat = d_lat + (160.0 * np.sin(y_pi / 12.0) + 320.0 * np.sin(y_pi / 30.0))
    d_lon = d_lon + (150.0 * np.sin(x_pi / 12.0) + 300.0 * np.sin(x_pi / 30.0))
    d_lat = d_lat * (2.0 / 3.0)
    d_lon = d_lon * (2.0 / 3.0)
    abs_x = np.sqrt(np.abs(x))
    d_lat = d_lat + (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs_x)
    d_lon = d_lon + (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs_x)

    rad_lat = lat / 180.0 * np.pi
    magic = np.sin(rad_lat)
    magic = 1.0 - _EE * magic * magic
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    lon_a = np.asarray(lon, dtype=float)
    lat_a = np.asarray(lat, dtype=float)
    if lon_a.shape != lat_a.shape:
        raise ValueError(f"lon and lat shapes differ: {lon_a.shape} vs {lat_a.shape}")
    return lon_a, lat_a, lon_a.ndim == 0


def _wrap(lon: np.ndarray, lat: np.ndarray, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]: ...


def wgs84_to_gcj02(lon, lat):
    """Convert WGS-84 (lon, lat) to GCJ-02. Floats in, floats out; arrays in, arrays out.

    Points outside China are returned unchanged.
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    d_lon, d_lat = _delta(lon_a, lat_a)
    outside = np.asarray(out_of_china(lon_a, lat_a))
    out_lon = np.where(outside, lon_a, lon_a + d_lon)
    out_lat = np.where(outside, lat_a, lat_a + d_lat)
    return _wrap(out_lon, out_lat, scalar)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]: ...


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 (lon, lat) to WGS-84, exact to ~1e-12 degrees.

    Solves wgs84_to_gcj02(w) == g by fixed-point iteration w <- w - (f(w) - g); the usual
    one-step inverse (g - delta(g)) is only good to a metre or two. Points whose GCJ-02
    coordinates are outside China are returned unchanged.
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    outside = np.asarray(out_of_china(lon_a, lat_a))
    active = ~outside

    w_lon = lon_a.copy()
    w_lat = lat_a.copy()
    for _ in range(_INVERSE_MAX_ITER):
        if not active.any():
            break
        # Only the in-China points are iterated; the rest are final already.
        d_lon, d_lat = _delta(w_lon[active], w_lat[active])
        err_lon = w_lon[active] + d_lon - lon_a[active]
        err_lat = w_lat[active] + d_lat - lat_a[active]
        w_lon[active] -= err_lon
        w_lat[active] -= err_lat
        done = (np.abs(err_lon) < _INVERSE_TOL) & (np.abs(err_lat) < _INVERSE_TOL)
        idx = np.flatnonzero(active)
        active.flat[idx[done]] = False
    return _wrap(w_lon, w_lat, scalar)


def transform_geometry(
    geom: G, fn: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
) -> G:
    """Apply a vectorised (lon, lat) -> (lon, lat) function to every vertex of a geometry.

    Works for any shapely geometry type (and for arrays of geometries); Z is dropped.
    """

    def _coords(xy: np.ndarray) -> np.ndarray:
        new_lon, new_lat = fn(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(new_lon, dtype=float), np.asarray(new_lat, dtype=float)])

    return shapely.transform(geom, _coords)


def gcj02_geometry_to_wgs84(geom: G) -> G:
    """Convert a geometry with GCJ-02 coordinates to WGS-84."""
    return transform_geometry(geom, gcj02_to_wgs84)


def wgs84_geometry_to_gcj02(geom: G) -> G:
    """Convert a geometry with WGS-84 coordinates to GCJ-02 (e.g. for an Amap base map)."""
    return transform_geometry(geom, wgs84_to_gcj02)
