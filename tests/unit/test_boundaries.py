"""Suzhou district boundaries (data_sources/boundaries.py), converted from GCJ-02."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from data_sources.boundaries import (
    BOUNDARIES_PATH,
    district_of,
    districts_geojson,
    load_city,
    load_districts,
)
from geo.projection import METRIC_CRS, WGS84, to_metric

EXPECTED = [
    ("320505", "虎丘区", "Huqiu"),
    ("320506", "吴中区", "Wuzhong"),
    ("320507", "相城区", "Xiangcheng"),
    ("320508", "姑苏区", "Gusu"),
    ("320509", "吴江区", "Wujiang"),
    ("320581", "常熟市", "Changshu"),
    ("320582", "张家港市", "Zhangjiagang"),
    ("320583", "昆山市", "Kunshan"),
    ("320585", "太仓市", "Taicang"),
]


def raw_districts() -> gpd.GeoDataFrame:
    """The file as stored (GCJ-02), labelled 4326 only so that it can be projected."""
    raw = gpd.read_file(BOUNDARIES_PATH)
    raw = raw[raw["level"] == "district"].sort_values("adcode").reset_index(drop=True)
    return raw.set_crs(WGS84, allow_override=True)


def test_reference_file_exists():
    assert BOUNDARIES_PATH.is_file()
    assert BOUNDARIES_PATH.name == "suzhou_boundaries.gcj02.geojson"


def test_nine_districts_with_codes_and_names():
    districts = load_districts()
    assert list(districts.columns) == ["adcode", "name", "name_en", "geometry"]
    assert list(districts.itertuples(index=False, name=None)) == [
        (*row, geom) for row, geom in zip(EXPECTED, districts.geometry)
    ]
    assert all(isinstance(v, str) for col in ("adcode", "name", "name_en") for v in districts[col])
    assert list(districts.index) == list(range(9))


def test_crs_is_wgs84():
    assert load_districts().crs.to_epsg() == 4326


def test_polygons_valid_and_inside_suzhou():
    districts = load_districts()
    assert districts.geometry.is_valid.all()
    assert set(districts.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = districts.total_bounds
    assert 119.8 < minx < maxx < 121.5
    assert 30.7 < miny < maxy < 32.1


def test_districts_tile_the_city():
    districts = to_metric(load_districts())
    city = to_metric(gpd.GeoDataFrame(geometry=[load_city()], crs=WGS84)).geometry.iloc[0]
    assert load_city().is_valid
    # Suzhou is about 8 657 km^2 officially; the Amap outline gives ~8 630 km^2.
    assert 8_400e6 < city.area < 8_900e6
    assert city.symmetric_difference(districts.union_all()).area < 1e6  # < 1 km^2
    overlap = districts.area.sum() - districts.union_all().area
    assert overlap < 1e6


def test_converted_polygons_shift_a_few_hundred_metres():
    converted = to_metric(load_districts()).centroid
    raw = to_metric(raw_districts()).centroid
    dx = (converted.x - raw.x).to_numpy()
    dy = (converted.y - raw.y).to_numpy()
    dist = np.hypot(dx, dy)
    assert ((dist > 100) & (dist < 1000)).all(), dist
    # GCJ-02 is offset to the east and south around Suzhou, so WGS-84 lies west and north.
    assert (dx < 0).all()
    assert (dy > 0).all()


def test_to_metric_uses_gauss_kruger_120e():
    metric = to_metric(load_districts())
    assert metric.crs.to_epsg() == 4549
    assert METRIC_CRS == "EPSG:4549"
    # Central meridian 120E is at x = 500 km; Suzhou (120.0-121.4E) is east of it.
    minx, miny, maxx, maxy = metric.total_bounds
    assert 490_000 < minx < maxx < 650_000
    assert 3_400_000 < miny < maxy < 3_560_000


def test_load_districts_returns_a_copy():
    first = load_districts()
    first.loc[0, "name"] = "changed"
    first["adcode"] = "000000"
    first.loc[1, "geometry"] = shapely.Point(0, 0)
    again = load_districts()
    assert again.loc[0, "name"] == "虎丘区"
    assert again.loc[0, "adcode"] == "320505"
    assert again.loc[1, "geometry"].geom_type == "MultiPolygon"


def test_path_argument_accepts_str():
    by_str = load_districts(str(BOUNDARIES_PATH))
    assert by_str.equals(load_districts())


LANDMARKS = [
    pytest.param(120.6105, 31.3312, "320508", id="suzhou-railway-station-gusu"),
    # The Suzhou Industrial Park (苏州工业园区) is not a feature of the file. In this Amap
    # data most of it, including Jinji Lake, lies in 吴中区; the exception is a ~71 km^2
    # exclave of 虎丘区 around Dushu Lake (独墅湖), tested below.
    pytest.param(120.690, 31.310, "320506", id="jinji-lake-wuzhong"),
    pytest.param(120.735, 31.268, "320505", id="dushu-lake-huqiu-exclave"),
    pytest.param(120.555, 31.875, "320582", id="zhangjiagang"),
    pytest.param(120.98, 31.385, "320583", id="kunshan"),
    pytest.param(121.13, 31.457, "320585", id="taicang"),
    pytest.param(120.752, 31.654, "320581", id="changshu"),
    pytest.param(120.645, 31.139, "320509", id="wujiang"),
    pytest.param(120.625, 31.310, "320508", id="guanqian-street-gusu"),
    pytest.param(120.41, 31.08, "320506", id="dongshan-wuzhong"),
    pytest.param(121.47, 31.23, None, id="shanghai-outside"),
]


@pytest.mark.parametrize(("lon", "lat", "adcode"), LANDMARKS)
def test_landmarks_scalar(lon, lat, adcode):
    assert district_of(lon, lat) == adcode


def test_landmarks_clear_of_borders():
    # Each landmark is at least 1 km from its district's edge, so the datum shift
    # (~0.5 km) cannot flip the answer; a landmark near a border would test nothing.
    districts = to_metric(load_districts()).set_index("adcode")
    city = to_metric(gpd.GeoDataFrame(geometry=[load_city()], crs=WGS84)).geometry.iloc[0]
    for p in LANDMARKS:
        lon, lat, adcode = p.values
        point = to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs=WGS84))
        point = point.geometry.iloc[0]
        edge = districts.geometry[adcode].boundary if adcode else city
        assert edge.distance(point) > 1000, p.id


def test_district_of_arrays():
    lon = np.array([p.values[0] for p in LANDMARKS])
    lat = np.array([p.values[1] for p in LANDMARKS])
    result = district_of(lon, lat)
    assert isinstance(result, np.ndarray)
    assert result.dtype == object
    assert result.shape == lon.shape
    assert list(result) == [p.values[2] for p in LANDMARKS]
    # Shape is kept for 2-D input, and lists work too.
    assert district_of(lon[:10].reshape(2, 5), lat[:10].reshape(2, 5)).shape == (2, 5)
    assert list(district_of([120.6105, 0.0], [31.3312, 0.0])) == ["320508", None]


def test_district_of_scalar_types():
    assert isinstance(district_of(120.6105, 31.3312), str)
    assert district_of(np.float64(121.47), np.float64(31.23)) is None


def test_district_of_empty_and_nan():
    empty = district_of(np.array([]), np.array([]))
    assert empty.shape == (0,)
    assert list(district_of(np.array([np.nan, 120.6105]), np.array([31.3, 31.3312]))) == [
        None,
        "320508",
    ]


def test_district_of_agrees_with_contains_on_a_grid():
    lon, lat = np.meshgrid(np.linspace(119.9, 121.4, 60), np.linspace(30.75, 32.05, 60))
    got = district_of(lon.ravel(), lat.ravel())
    districts = load_districts()
    points = shapely.points(lon.ravel(), lat.ravel())
    expected = np.full(points.size, None, dtype=object)
    for adcode, geom in zip(districts["adcode"], districts.geometry):
        expected[shapely.within(points, geom)] = adcode
    assert list(got) == list(expected)
    assert sum(v is not None for v in got) > 1000


def test_districts_geojson_shape():
    fc = districts_geojson()
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"] for f in fc["features"]] == [
        {"adcode": code, "name": name, "name_en": en} for code, name, en in EXPECTED
    ]
    assert [f["id"] for f in fc["features"]] == [code for code, _, _ in EXPECTED]
    text = json.dumps(fc, ensure_ascii=False)
    assert len(text.encode()) < 200_000  # small enough to send to every screen


def test_districts_geojson_rounded_to_5_decimals():
    text = json.dumps(districts_geojson())
    numbers = re.findall(r"-?\d+\.\d+", text)
    assert numbers
    assert max(len(n.split(".")[1]) for n in numbers) <= 5


def test_districts_geojson_matches_districts():
    fc = districts_geojson()
    districts = load_districts()
    for feature, geom in zip(fc["features"], districts.geometry):
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.is_valid
        # Rounding moves vertices by at most ~1 m; compare in degrees (1e-4 deg ~ 10 m).
        assert shapely.hausdorff_distance(shape, geom) < 1e-4
        assert abs(shape.area - geom.area) / geom.area < 1e-3


def test_districts_geojson_returns_fresh_dict():
    first = districts_geojson()
    first["features"].clear()
    first["type"] = "changed"
    again = districts_geojson()
    assert again["type"] == "FeatureCollection"
    assert len(again["features"]) == 9
