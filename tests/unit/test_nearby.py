"""Spatial answers of incident command mode (geo/nearby.py) against hand-computed ones.

Points are placed with pyproj's geodesic (true distance and true azimuth on the ellipsoid),
so the tests also check that the metric CRS and the meridian convergence are handled right.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo import nearby

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid; WGS-84 differs by 0.1 mm here
CENTRE = (120.62, 31.31)  # 姑苏区


def at(distance_m: float, azimuth: float, origin: tuple[float, float] = CENTRE):
    """(lon, lat) `distance_m` from `origin` along the true `azimuth` (degrees)."""
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, distance_m)
    return lon, lat


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Registry-like WGS-84 points (id, lon, lat, ...), projected as the page does."""
    data = pd.DataFrame(rows)
    points = gpd.GeoDataFrame(
        data, geometry=gpd.points_from_xy(data["lon"], data["lat"]), crs="EPSG:4326"
    )
    return nearby.to_metric_points(points)


def place(name: str, distance_m: float, azimuth: float, **extra) -> dict:  # noqa: ANN003
    lon, lat = at(distance_m, azimuth)
    return {"id": name, "name": name, "lon": lon, "lat": lat, **extra}


@pytest.fixture
def centre() -> Point:
    return nearby.metric_point(*CENTRE)


# --- rings ------------------------------------------------------------------------------


def test_a_point_2_9_km_away_is_inside_the_3_km_ring(centre: Point) -> None:
    points = frame(
        [
            place("school-2.9", 2900, 75),
            place("home-0.4", 400, 200),
            place("firm-4.2", 4200, 310),
            place("far-5.3", 5300, 10),
        ]
    )
    found = nearby.within_rings(points, centre, (1, 3, 5)).set_index("id")

    assert list(found.index) == ["home-0.4", "school-2.9", "firm-4.2"]  # nearest first
    assert found.loc["school-2.9", "ring_km"] == 3
    assert found.loc["home-0.4", "ring_km"] == 1
    assert found.loc["firm-4.2", "ring_km"] == 5
    # Planar distance in EPSG:4549 agrees with the geodesic to well under a metre.
    assert found.loc["school-2.9", "distance_m"] == pytest.approx(2900, abs=0.5)
    assert found.loc["firm-4.2", "distance_m"] == pytest.approx(4200, abs=0.5)


def test_a_ring_edge_belongs_to_the_ring_and_a_hair_beyond_it_does_not(centre: Point) -> None:
    # Placed on the grid itself, so the comparison with the radius is exact.
    rows = []
    for name, dx in (("inside", 2999.9), ("edge", 3000.0), ("outside", 3000.1)):
        lon, lat = nearby.to_lonlat(centre.x + dx, centre.y)
        rows.append({"id": name, "name": name, "lon": lon, "lat": lat})
    found = nearby.within_rings(frame(rows), centre, (3, 5)).set_index("id")
    assert found.loc["inside", "ring_km"] == 3
    assert found.loc["edge", "ring_km"] == 3
    assert found.loc["outside", "ring_km"] == 5

    only_three = nearby.within_rings(frame(rows), centre, (3,))
    assert set(only_three["id"]) == {"inside", "edge"}


@pytest.mark.parametrize(
    ("text", "rings"),
    [
        (None, (1.0, 3.0, 5.0)),
        ("1,3,5", (1.0, 3.0, 5.0)),
        ("2, 0.5", (0.5, 2.0)),  # sorted
        ("1，2，2", (1.0, 2.0)),  # a Chinese comma, a repeat
        ("0.5,1,2,3,4,5", (1.0, 3.0, 5.0)),  # more than five rings
        ("-1,3", (1.0, 3.0, 5.0)),
        ("3,80", (1.0, 3.0, 5.0)),  # beyond 50 km
        ("abc", (1.0, 3.0, 5.0)),
        ("", (1.0, 3.0, 5.0)),
    ],
)
def test_ring_radii_come_from_the_link_or_fall_back_to_1_3_5_km(text, rings) -> None:  # noqa: ANN001
    assert nearby.parse_rings(text) == rings


# --- the downwind sector ----------------------------------------------------------------


def test_a_north_wind_carries_the_plume_south_and_the_sector_holds_what_it_should(
    centre: Point,
) -> None:
    turn = nearby.convergence_deg(*CENTRE)
    points = frame(
        [
            place("south-2", 2000, 180),
            place("ssw-2", 2100, 209.8),  # 29.8° off the axis: inside a 30° half-angle
            place("sw-2", 2100, 210.2),  # 30.2° off: outside
            place("sse-4", 4000, 160),
            place("north-1", 1000, 0),  # upwind
            place("south-6", 6000, 180),  # beyond the sector's 5 km
        ]
    )
    found = nearby.in_sector(points, centre, 0.0, 30.0, 5000.0, turn)
    assert list(found["id"]) == ["south-2", "ssw-2", "sse-4"]
    assert found.set_index("id").loc["ssw-2", "bearing_deg"] == pytest.approx(209.8, abs=0.02)

    # The drawn sector covers exactly those points.
    sector = nearby.downwind_sector(centre, 0.0, 30.0, 5000.0, turn)
    inside = points[points.within(sector)]
    assert set(inside["id"]) == {"south-2", "ssw-2", "sse-4"}


def test_the_sector_turns_with_the_wind(centre: Point) -> None:
    points = frame([place("west", 2000, 270), place("east", 2000, 90)])
    turn = nearby.convergence_deg(*CENTRE)
    assert list(nearby.in_sector(points, centre, 90.0, 30.0, 5000.0, turn)["id"]) == ["west"]
    assert list(nearby.in_sector(points, centre, 270.0, 30.0, 5000.0, turn)["id"]) == ["east"]


def test_the_grid_is_turned_against_true_north_east_of_120e() -> None:
    # Meridian convergence ≈ Δλ·sin φ: 0.62° · sin 31.31° ≈ 0.32°; east of the central
    # meridian true north lies west of grid north.
    assert nearby.convergence_deg(120.62, 31.31) == pytest.approx(-0.322, abs=0.01)
    assert nearby.convergence_deg(120.0, 31.31) == pytest.approx(0.0, abs=1e-6)


# --- teams, depots, shelters ------------------------------------------------------------


def test_the_nearest_team_is_the_one_that_arrives_first(centre: Point) -> None:
    teams = frame(
        [
            place("hazchem-3.0", 3000, 40, kind="hazchem"),
            place("medical-3.3", 3300, 120, kind="medical"),
            place("fire-4.2", 4200, 250, kind="fire"),
            place("fire-10", 10000, 300, kind="fire"),
        ]
    )
    ranked = nearby.nearest_teams(teams, centre, k=3).set_index("id")
    # ETA = km × 1.3 / speed × 60: medical 3.3·1.3/45·60 = 5.72, hazchem 3.0·1.3/35·60 = 6.69,
    # fire 4.2·1.3/40·60 = 8.19 minutes. The medical team is farther but arrives first.
    assert list(ranked.index) == ["medical-3.3", "hazchem-3.0", "fire-4.2"]
    assert ranked["eta_min"].tolist() == pytest.approx([5.72, 6.686, 8.19], abs=0.01)
    assert ranked.loc["fire-4.2", "road_km"] == pytest.approx(4.2 * 1.3, abs=0.001)

    fire = nearby.nearest_teams(teams, centre, k=2, kinds=("fire",))
    assert list(fire["id"]) == ["fire-4.2", "fire-10"]


def test_nearest_widens_its_search_until_it_finds_enough(centre: Point) -> None:
    points = frame([place("far", 80_000, 90), place("farther", 120_000, 270)])
    found = nearby.nearest(points, centre, k=1)
    assert list(found["id"]) == ["far"]
    assert found["distance_m"].iloc[0] == pytest.approx(80_000, rel=1e-3)
    assert len(nearby.nearest(points, centre, k=5)) == 2  # fewer than asked: all of them


def test_depots_that_hold_what_a_chemical_leak_needs_with_their_quantities(
    centre: Point,
) -> None:
    depots = frame(
        [
            place("near-sandbags", 1000, 0),
            place("mid-booms", 4000, 90),
            place("far-both", 9000, 180),
        ]
    )
    stock = pd.DataFrame(
        [
            ("near-sandbags", "sandbags", 5000),
            ("mid-booms", "booms", 1200),
            ("mid-booms", "suits", 0),  # none left: not counted as holding suits
            ("far-both", "booms", 3000),
            ("far-both", "suits", 80),
        ],
        columns=["depot_id", "item", "quantity"],
    )
    items = nearby.NEEDS["危化品泄漏"]
    found = nearby.depots_for(depots, stock, centre, items).set_index("id")
    assert list(found.index) == ["mid-booms", "far-both"]
    assert found.loc["mid-booms", ["booms", "suits"]].tolist() == [1200, 0]
    assert found.loc["far-both", ["booms", "suits"]].tolist() == [3000, 80]


def test_only_shelters_with_free_places_are_offered(centre: Point) -> None:
    shelters = frame(
        [
            place("full", 500, 0, capacity=1000, occupancy=1000),
            place("room", 2000, 0, capacity=1000, occupancy=400),
        ]
    )
    found = nearby.shelters_with_room(shelters, centre)
    assert list(found["id"]) == ["room"]
    assert found["free"].iloc[0] == 600


def test_arrival_time_uses_the_road_factor_and_the_speed_of_the_kind() -> None:
    road_km, minutes = nearby.eta(10_000.0, "fire")
    assert road_km == pytest.approx(13.0)
    assert minutes == pytest.approx(13.0 / 40 * 60)
    _, unknown = nearby.eta(10_000.0, "unknown-kind")
    assert unknown == pytest.approx(13.0 / nearby.DEFAULT_SPEED_KMH * 60)
