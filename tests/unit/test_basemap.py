"""The offline base map's data as the map draws it, and which base layers a map gets."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import Point, shape

from geo.gcj02 import wgs84_to_gcj02
from maps import shapes
from maps.static import TILE_ROUTE, base_layers
from settings import Settings
from tests.helpers import write_mbtiles


def test_the_base_map_has_the_big_waters_and_chinese_town_names():
    water, places = shapes.basemap(False)
    kinds = {f["properties"]["kind"] for f in water["features"]}
    assert kinds == {"water", "river", "canal"}
    lakes = {
        f["properties"]["ref"]: shape(f["geometry"])
        for f in water["features"]
        if f["properties"]["kind"] == "water"
    }
    assert {"taihu", "changjiang", "yangchenghu", "dianshanhu"} <= set(lakes)
    assert lakes["taihu"].contains(Point(120.2, 31.2))
    assert lakes["taihu"].area > 0.2  # about 2,400 km²: the lake, not a pond
    assert not lakes["taihu"].contains(Point(120.62, 31.31))  # 姑苏 is dry land
    names = {f["properties"]["name"]: f for f in places["features"]}
    for town in ("苏州", "昆山", "常熟", "张家港", "太仓", "木渎", "周庄", "太湖"):
        assert town in names, town
    assert all(re.fullmatch("[\u4e00-\u9fff]+", n) for n in names)
    mudu = names["木渎"]["geometry"]["coordinates"]
    assert abs(mudu[0] - 120.52) < 0.02 and abs(mudu[1] - 31.26) < 0.02
    ranks = [f["properties"]["rank"] for f in places["features"] if f["properties"]["rank"] >= 0]
    assert len(ranks) == len(set(ranks))


def test_over_gcj02_tiles_the_base_map_moves_with_everything_else():
    _, wgs = shapes.basemap(False)
    _, gcj = shapes.basemap(True)
    at = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in gcj["features"]}
    lon, lat = next(
        f["geometry"]["coordinates"] for f in wgs["features"] if f["properties"]["name"] == "苏州"
    )
    assert at["苏州"] == pytest.approx(list(wgs84_to_gcj02(lon, lat)), abs=1e-9)


def test_a_map_gets_tiles_when_there_are_tiles_and_the_offline_base_map_otherwise(tmp_path):
    offline = base_layers(Settings.load({}, environ={}))
    assert [type(c).__name__ for c in offline] == ["GeoJSON", "GeoJSON"]
    url = "https://t.example.cn/{z}/{x}/{y}.png"
    (remote,) = base_layers(Settings.load({"TILE_URL": url}, environ={}))
    assert remote.url == url
    mbtiles = tmp_path / "city.mbtiles"
    write_mbtiles(mbtiles, 120.62, 31.31, range(10, 14), around=0)
    (local,) = base_layers(Settings.load({"TILE_FILE": str(mbtiles)}, environ={}))
    assert local.url == TILE_ROUTE and local.maxNativeZoom == 13
