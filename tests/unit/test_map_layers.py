"""The one map of every screen (maps/): over Amap (GCJ-02) tiles outlines and points shift
together, and the `main-map` id scheme holds for every callback of every page."""

from __future__ import annotations

import pandas as pd
from dash import Input, Output
from shapely.geometry import Point, shape

import callbacks
from maps import features, shapes
from maps.layout import MAIN_MAP


def _place(gcj02: bool, lon: float, lat: float) -> list[float]:
    frame = pd.DataFrame({"lon": [lon], "lat": [lat], "id": ["s1"], "name": ["学校"]})
    return features.registry_points(frame, "school", gcj02)[0]["geometry"]["coordinates"]


def test_over_gcj02_tiles_a_point_stays_inside_its_district_as_drawn() -> None:
    plain, shifted = shapes.districts(False), shapes.districts(True)
    for before, after in zip(plain["features"], shifted["features"]):
        inside = shape(before["geometry"]).representative_point()
        drawn = _place(True, inside.x, inside.y)
        assert shape(after["geometry"]).contains(Point(drawn)), before["properties"]["name"]
        assert drawn != _place(False, inside.x, inside.y)  # Amap's datum is ~500 m off here
    assert _place(False, 120.6, 31.3) == [120.6, 31.3]  # offline and WGS-84 tiles: unmoved


def test_the_selected_districts_are_the_only_outlines_returned() -> None:
    picked = shapes.districts(False, only=["320505", "320583"])
    assert sorted(f["properties"]["adcode"] for f in picked["features"]) == ["320505", "320583"]
    assert len(shapes.districts(False)["features"]) == 9  # the cache was not changed


def test_no_callback_listens_to_main_map_and_every_one_that_moves_it_allows_the_others() -> None:
    # Every page's map is `main-map`: a callback listening to it would fire on every page, and
    # two setters of its viewport clash unless each allows the duplicate.
    for d in callbacks.load():
        deps = [a for a in d.args if isinstance(a, Input | Output)]
        for dep in deps:
            if dep.component_id != MAIN_MAP and not str(dep.component_id).startswith(MAIN_MAP):
                continue
            assert isinstance(dep, Output), f"{d.where} listens to {MAIN_MAP}"
            assert dep.allow_duplicate, f"{d.where} sets {MAIN_MAP} without allow_duplicate"
