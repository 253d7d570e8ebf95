"""WGS-84 <-> GCJ-02 conversion (geo/gcj02.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geo.gcj02 import (
    gcj02_geometry_to_wgs84,
    gcj02_to_wgs84,
    out_of_china,
    transform_geometry,
    wgs84_geometry_to_gcj02,
    wgs84_to_gcj02,
)

# Public test vectors of github.com/googollee/eviltransform (go/transform_test.go and the
# other ports), there written as (lat, lng); here as ((wgs lon, lat), (gcj lon, lat)).
VECTORS = [
    pytest.param((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597), id="shanghai"),
    pytest.param((113.912316, 22.543847), (113.9171764808363, 22.540796131694766), id="shenzhen"),
    pytest.param((116.377817, 39.911954), (116.38404722455657, 39.91334545536069), id="beijing"),
]

# Suzhou's extent (a little wider than the city's bounding box).
SUZHOU_LON = (119.8, 121.5)
SUZHOU_LAT = (30.7, 32.1)

GEOD = Geod(ellps="WGS84")


def suzhou_grid(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(*SUZHOU_LON, n), np.linspace(*SUZHOU_LAT, n))
    return lon.ravel(), lat.ravel()


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_forward_matches_reference_vectors(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_inverse_recovers_reference_vectors(wgs, gcj):
    lon, lat = gcj02_to_wgs84(*gcj)
    assert lon == pytest.approx(wgs[0], abs=1e-9)
    assert lat == pytest.approx(wgs[1], abs=1e-9)


def test_vectors_as_arrays_match_scalars():
    wgs = np.array([v.values[0] for v in VECTORS])
    gcj = np.array([v.values[1] for v in VECTORS])
    lon, lat = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
    np.testing.assert_allclose(lon, gcj[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(lat, gcj[:, 1], rtol=0, atol=1e-9)
    back_lon, back_lat = gcj02_to_wgs84(lon, lat)
    np.testing.assert_allclose(back_lon, wgs[:, 0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(back_lat, wgs[:, 1], rtol=0, atol=1e-9)


def test_round_trip_over_suzhou_grid_is_exact():
    lon, lat = suzhou_grid()
    # WGS -> GCJ -> WGS
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert np.max(np.abs(back_lon - lon)) < 1e-7
    assert np.max(np.abs(back_lat - lat)) < 1e-7
    # GCJ -> WGS -> GCJ (the direction the boundary file needs)
    again_lon, again_lat = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert np.max(np.abs(again_lon - lon)) < 1e-7
    assert np.max(np.abs(again_lat - lat)) < 1e-7


def test_exact_inverse_beats_the_one_step_inverse():
    # The crude inverse (g - delta(g)) is off by up to a couple of metres (~1e-5 deg);
    # make sure we are not silently doing that.
    lon, lat = suzhou_grid(40)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    crude_lon = g_lon - (wgs84_to_gcj02(g_lon, g_lat)[0] - g_lon)
    assert np.max(np.abs(crude_lon - lon)) > 1e-7
    exact_lon, _ = gcj02_to_wgs84(g_lon, g_lat)
    assert np.max(np.abs(exact_lon - lon)) < 1e-9


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=SUZHOU_LON[0], max_value=SUZHOU_LON[1]),
    lat=st.floats(min_value=SUZHOU_LAT[0], max_value=SUZHOU_LAT[1]),
)
def test_round_trip_property_suzhou(lon, lat):
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back_lon - lon) < 1e-7
    assert abs(back_lat - lat) < 1e-7


@settings(max_examples=200, deadline=None)
@given(
    # Mainland China, well inside the out_of_china rectangle so both ends are converted.
    lon=st.floats(min_value=74.0, max_value=134.0),
    lat=st.floats(min_value=18.0, max_value=53.0),
)
def test_round_trip_property_china(lon, lat):
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back_lon - lon) < 1e-7
    assert abs(back_lat - lat) < 1e-7


def test_offset_around_suzhou_is_a_few_hundred_metres():
    lon, lat = suzhou_grid(60)
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    _, _, dist = GEOD.inv(lon, lat, g_lon, g_lat)
    assert dist.min() > 100
    assert dist.max() < 1000


def test_offset_direction_at_suzhou():
    # GCJ-02 lies east and south of WGS-84 around Suzhou (about 420 m E, 230 m S).
    lon, lat = wgs84_to_gcj02(120.62, 31.30)
    assert lon > 120.62
    assert lat < 31.30


OUTSIDE = [
    (-0.1276, 51.5072),  # London
    (-74.006, 40.7128),  # New York
    (151.2093, -33.8688),  # Sydney
    (-43.1729, -22.9068),  # Rio de Janeiro
    (0.0, 0.0),
    (139.69, 35.69),  # Tokyo: east of the rectangle
    (100.0, 60.0),  # Siberia: north of the rectangle
]


@pytest.mark.parametrize("point", OUTSIDE)
def test_points_outside_china_unchanged(point):
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_mixed_array_only_converts_points_in_china():
    lon = np.array([p[0] for p in OUTSIDE] + [120.62])
    lat = np.array([p[1] for p in OUTSIDE] + [31.30])
    for fn in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = fn(lon, lat)
        np.testing.assert_array_equal(out_lon[:-1], lon[:-1])
        np.testing.assert_array_equal(out_lat[:-1], lat[:-1])
        assert out_lon[-1] != lon[-1]
        assert out_lat[-1] != lat[-1]


@pytest.mark.parametrize("fn", [wgs84_to_gcj02, gcj02_to_wgs84])
def test_scalars_give_floats(fn):
    lon, lat = fn(120.62, 31.30)
    assert type(lon) is float
    assert type(lat) is float
    lon_np, lat_np = fn(np.float64(120.62), np.float64(31.30))
    assert (lon_np, lat_np) == (lon, lat)


@pytest.mark.parametrize("fn", [wgs84_to_gcj02, gcj02_to_wgs84])
def test_arrays_give_arrays_of_same_shape(fn):
    lon, lat = suzhou_grid(6)
    lon2, lat2 = lon.reshape(4, 9), lat.reshape(4, 9)
    out_lon, out_lat = fn(lon2, lat2)
    assert isinstance(out_lon, np.ndarray)
    assert out_lon.shape == out_lat.shape == (4, 9)
    flat_lon, flat_lat = fn(lon, lat)
    np.testing.assert_array_equal(out_lon.ravel(), flat_lon)
    np.testing.assert_array_equal(out_lat.ravel(), flat_lat)
    # Element-wise equal to the scalar path.
    one_lon, one_lat = fn(float(lon[7]), float(lat[7]))
    assert (flat_lon[7], flat_lat[7]) == (one_lon, one_lat)


@pytest.mark.parametrize("fn", [wgs84_to_gcj02, gcj02_to_wgs84])
def test_lists_empty_and_nan(fn):
    out_lon, _ = fn([120.62, 120.7], [31.30, 31.31])
    assert isinstance(out_lon, np.ndarray)
    assert out_lon.shape == (2,)
    empty_lon, empty_lat = fn(np.array([]), np.array([]))
    assert empty_lon.shape == empty_lat.shape == (0,)
    nan_lon, nan_lat = fn(np.array([math.nan, 120.62]), np.array([31.3, 31.30]))
    assert math.isnan(nan_lon[0])
    assert nan_lat[0] == 31.3
    assert not math.isnan(nan_lon[1])


def test_shape_mismatch_rejected():
    with pytest.raises(ValueError):
        wgs84_to_gcj02(np.zeros(3), np.zeros(2))


def test_transform_geometry_applies_fn_to_every_vertex():
    poly = shapely.Polygon(
        [(120.5, 31.2), (120.8, 31.2), (120.8, 31.4), (120.5, 31.4)],
        holes=[[(120.6, 31.25), (120.7, 31.25), (120.7, 31.3)]],
    )
    geoms = [
        shapely.Point(120.62, 31.30),
        shapely.LineString([(120.5, 31.2), (120.9, 31.5)]),
        poly,
        shapely.MultiPolygon([poly, shapely.box(121.0, 31.5, 121.1, 31.6)]),
        shapely.GeometryCollection([shapely.Point(120.62, 31.30), poly]),
    ]
    for geom in geoms:
        out = transform_geometry(geom, wgs84_to_gcj02)
        assert out.geom_type == geom.geom_type
        src = shapely.get_coordinates(geom)
        dst = shapely.get_coordinates(out)
        exp_lon, exp_lat = wgs84_to_gcj02(src[:, 0], src[:, 1])
        np.testing.assert_array_equal(dst, np.column_stack([exp_lon, exp_lat]))


def test_transform_geometry_accepts_arrays_of_geometries():
    arr = np.array([shapely.Point(120.62, 31.30), shapely.box(120.5, 31.2, 120.6, 31.3)])
    out = transform_geometry(arr, wgs84_to_gcj02)
    assert isinstance(out, np.ndarray)
    assert out.shape == (2,)
    assert out[0].equals(transform_geometry(arr[0], wgs84_to_gcj02))


def test_geometry_round_trip():
    poly = shapely.box(120.5, 31.2, 120.8, 31.4)
    gcj = wgs84_geometry_to_gcj02(poly)
    assert not gcj.equals_exact(poly, tolerance=1e-3)
    back = gcj02_geometry_to_wgs84(gcj)
    assert back.equals_exact(poly, tolerance=1e-9)
