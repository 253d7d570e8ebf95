"""What is around an incident: rings, the downwind sector, nearest teams, depots, shelters.

Pure functions over GeoDataFrames of points in METRIC_CRS (EPSG:4549, metres); candidates
come from each frame's spatial index (STRtree) and are then checked exactly, so a point
2 999.9 m away is inside a 3 km ring and one 3 000.1 m away is not.

Bearings are true bearings (clockwise from true north). The grid of EPSG:4549 is turned
against true north by the meridian convergence (about 0.3° in the old town, 0.7° at
Taicang), which `convergence_deg` measures at the incident so the sector points where the
wind really blows.

Arrival times are estimates for the screen, not routing: straight-line distance times
ROAD_FACTOR (roads are about 1.3 times longer than the straight line in Suzhou's plain,
a common detour index for urban road networks) divided by the average speed of the team's
kind (SPEED_KMH, with lights and sirens, including the slower start). Turnout time is not
included.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box

from geo.projection import METRIC_CRS, WGS84

DEFAULT_RINGS_KM: tuple[float, ...] = (1.0, 3.0, 5.0)
MAX_RINGS = 5
MAX_RING_KM = 50.0
MAX_SEARCH_M = 2_000_000.0  # beyond this nothing is "near"; also ends the search on bad data

ROAD_FACTOR = 1.3
SPEED_KMH = {
    "fire": 40.0,
    "hazchem": 35.0,
    "medical": 45.0,
    "water": 30.0,
    "engineering": 30.0,
    "volunteer": 30.0,
}
DEFAULT_SPEED_KMH = 30.0

# Which rescue teams an incident category calls, first the lead kind.
TEAMS_FOR = {
    "危化品泄漏": ("hazchem", "fire", "medical"),
    "火灾": ("fire", "medical"),
    "防汛": ("water", "engineering", "volunteer"),
    "交通事故": ("fire", "medical"),
    "生产安全事故": ("fire", "medical", "engineering"),
    "特种设备": ("fire", "engineering"),
}
# The supplies (depot_stock.item) an incident category needs.
NEEDS = {
    "危化品泄漏": ("booms", "suits"),
    "防汛": ("pumps", "sandbags", "boats", "life_jackets"),
    "火灾": ("tents", "quilts", "lights", "generators"),
    "交通事故": ("lights", "generators"),
    "生产安全事故": ("lights", "generators", "suits"),
    "特种设备": ("lights", "generators"),
}
DEFAULT_NEEDS = ("tents", "quilts", "lights", "generators")

_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def parse_rings(text: str | Iterable[float] | None) -> tuple[float, ...]:
    """Ring radii in km from "1,3,5" (or numbers): positive, at most 50 km, sorted, unique.

    Anything unusable gives DEFAULT_RINGS_KM, so a bad `?rings=` never breaks the page.
    """
    if text is None:
        return DEFAULT_RINGS_KM
    parts = text.replace("，", ",").split(",") if isinstance(text, str) else list(text)
    try:
        radii = sorted({round(float(p), 3) for p in parts if str(p).strip()})
    except (TypeError, ValueError):
        return DEFAULT_RINGS_KM
    if not radii or len(radii) > MAX_RINGS or not all(0 < r <= MAX_RING_KM for r in radii):
        return DEFAULT_RINGS_KM
    return tuple(radii)


def to_metric_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` (WGS-84 points) in METRIC_CRS, with a fresh 0..n-1 index."""
    return frame.to_crs(METRIC_CRS).reset_index(drop=True)


def metric_point(lon: float, lat: float) -> Point:
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


def _candidates(points: gpd.GeoDataFrame, area) -> np.ndarray:  # noqa: ANN001
    if points.empty:
        return np.empty(0, dtype=int)
    return np.sort(points.sindex.query(area))


def _xy(points: gpd.GeoDataFrame, idx: np.ndarray | None = None) -> np.ndarray:
    geoms = np.asarray(points.geometry.values)
    return shapely.get_coordinates(geoms if idx is None else geoms[idx])


def _distances(points: gpd.GeoDataFrame, idx: np.ndarray, centre: Point) -> np.ndarray:
    xy = _xy(points, idx)
    return np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y)


def _rows(points: gpd.GeoDataFrame, idx: np.ndarray, **columns: np.ndarray) -> gpd.GeoDataFrame:
    # One take of the rows (already in their final order) and the new columns set in place:
    # pandas' assign/sort_values copy the frame each time, which dominates at these sizes.
    found = points.iloc[idx]
    for name, values in columns.items():
        found[name] = values
    return found


def within_rings(
    points: gpd.GeoDataFrame, centre: Point, radii_km: Sequence[float] = DEFAULT_RINGS_KM
) -> gpd.GeoDataFrame:
    """The points within the outermost ring, nearest first, with `distance_m` and `ring_km`
    (the innermost ring that holds the point: a point 2.9 km away is in the 3 km ring)."""
    radii = np.array(sorted(radii_km), dtype=float)
    outer = radii[-1] * 1000
    square = box(centre.x - outer, centre.y - outer, centre.x + outer, centre.y + outer)
    idx = _candidates(points, square)
    distance = _distances(points, idx, centre)
    keep = distance <= outer
    order = np.argsort(distance[keep], kind="stable")
    idx, distance = idx[keep][order], distance[keep][order]
    ring = radii[np.searchsorted(radii * 1000, distance, side="left")]
    return _rows(points, idx, distance_m=distance, ring_km=ring)


def true_bearing(points: gpd.GeoDataFrame, centre: Point, convergence: float = 0.0) -> np.ndarray:
    """True bearing (0-360°, clockwise from north) from `centre` to each point."""
    xy = _xy(points)
    grid = np.degrees(np.arctan2(xy[:, 0] - centre.x, xy[:, 1] - centre.y))
    return (grid - convergence) % 360


def _angle_off(bearing: np.ndarray, axis: float) -> np.ndarray:
    return np.abs((bearing - axis + 180) % 360 - 180)


def downwind_sector(
    centre: Point,
    wind_from_deg: float,
    half_angle_deg: float = 30.0,
    length_m: float = 5000.0,
    convergence: float = 0.0,
    steps: int = 24,
) -> Polygon:
    """The sector the wind carries a release into (METRIC_CRS polygon, for drawing).

    `wind_from_deg` is meteorological: the direction the wind comes FROM (a north wind,
    0°, carries the plume south).
    """
    axis = (wind_from_deg + 180) % 360 + convergence
    angles = np.radians(np.linspace(axis - half_angle_deg, axis + half_angle_deg, steps + 1))
    arc = [(centre.x + length_m * math.sin(a), centre.y + length_m * math.cos(a)) for a in angles]
    return Polygon([(centre.x, centre.y), *arc])


def in_sector(
    points: gpd.GeoDataFrame,
    centre: Point,
    wind_from_deg: float,
    half_angle_deg: float = 30.0,
    length_m: float = 5000.0,
    convergence: float = 0.0,
) -> gpd.GeoDataFrame:
    """The points downwind of `centre` (within `half_angle_deg` of the downwind axis and
    `length_m`), nearest first, with `distance_m` and `bearing_deg` (true)."""
    sector = downwind_sector(centre, wind_from_deg, half_angle_deg, length_m, convergence)
    idx = _candidates(points, box(*sector.bounds))
    xy = _xy(points, idx)
    dx, dy = xy[:, 0] - centre.x, xy[:, 1] - centre.y
    distance = np.hypot(dx, dy)
    bearing = (np.degrees(np.arctan2(dx, dy)) - convergence) % 360
    axis = (wind_from_deg + 180) % 360
    keep = (distance <= length_m) & (_angle_off(bearing, axis) <= half_angle_deg + 1e-9)
    order = np.argsort(distance[keep], kind="stable")
    return _rows(
        points,
        idx[keep][order],
        distance_m=distance[keep][order],
        bearing_deg=bearing[keep][order],
    )


def nearest(
    points: gpd.GeoDataFrame,
    centre: Point,
    k: int,
    where: np.ndarray | None = None,
    start_m: float = 2000.0,
) -> gpd.GeoDataFrame:
    """The `k` points nearest `centre` (among those `where` is true) with `distance_m`,
    nearest first.

    Searches the frame's spatial index in a square that doubles until the circle inside
    it holds `k` points, so only the neighbourhood is measured, never the whole frame.
    `where` filters without building a new frame (which would need a new index).
    """
    idx, distance = _nearest(points, centre, k, where, start_m)
    return _rows(points, idx, distance_m=distance)


def _nearest(
    points: gpd.GeoDataFrame, centre: Point, k: int, where: np.ndarray | None, start_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, distances) of the `k` nearest points, nearest first."""
    if points.empty or k <= 0:
        return np.empty(0, dtype=int), np.empty(0)
    wanted = np.ones(len(points), dtype=bool) if where is None else np.asarray(where, dtype=bool)
    half = start_m
    while True:
        square = box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)
        idx = _candidates(points, square)
        idx = idx[wanted[idx]]
        distance = _distances(points, idx, centre)
        inside = distance <= half
        if inside.sum() >= k:
            # The k nearest all lie within the circle inscribed in the square.
            idx, distance = idx[inside], distance[inside]
            break
        if half > MAX_SEARCH_M or len(idx) == wanted.sum():
            break
        half *= 2
    order = np.argsort(distance, kind="stable")[:k]
    return idx[order], distance[order]


def eta(distance_m: np.ndarray | float, kind: np.ndarray | str) -> tuple:
    """(road km, minutes) from a straight-line distance and the team kind."""
    speed = (
        np.array([SPEED_KMH.get(k, DEFAULT_SPEED_KMH) for k in kind])
        if not isinstance(kind, str)
        else SPEED_KMH.get(kind, DEFAULT_SPEED_KMH)
    )
    road_km = np.asarray(distance_m) / 1000 * ROAD_FACTOR
    return road_km, road_km / speed * 60


def nearest_teams(
    teams: gpd.GeoDataFrame, centre: Point, k: int = 8, kinds: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """The `k` teams (of `kinds`, when given) that can arrive first: `distance_m`, `road_km`,
    `eta_min`, soonest first."""
    # Within one kind (one speed) the nearest arrive first; across kinds a farther, faster
    # team may beat a nearer one, so take the k nearest of each kind and rank them by time.
    kind = teams["kind"].to_numpy()
    wanted = kinds if kinds is not None else pd.unique(kind)
    picks = [_nearest(teams, centre, k, kind == w, 2000.0) for w in wanted]
    positions = np.concatenate([p for p, _ in picks] or [np.empty(0, dtype=int)])
    distance = np.concatenate([d for _, d in picks] or [np.empty(0)])
    road_km, minutes = eta(distance, kind[positions])
    order = np.lexsort((distance, minutes))[:k]
    return _rows(
        teams,
        positions[order],
        distance_m=distance[order],
        road_km=road_km[order],
        eta_min=minutes[order],
    )


def depots_for(
    depots: gpd.GeoDataFrame, stock: pd.DataFrame, centre: Point, items: Sequence[str], k: int = 5
) -> gpd.GeoDataFrame:
    """The `k` nearest depots holding any of `items`, with `distance_m` and one column per
    item (its quantity there, 0 when it holds none)."""
    held = stock[stock["item"].isin(items) & (stock["quantity"] > 0)]
    quantities = (
        held.groupby(["depot_id", "item"])["quantity"]
        .sum()
        .unstack(fill_value=0)
        .reindex(columns=list(items), fill_value=0)
    )
    found = nearest(depots, centre, k, where=depots["id"].isin(quantities.index).to_numpy())
    extra = quantities.reindex(found["id"]).fillna(0).astype(int).to_numpy()
    for i, item in enumerate(items):
        found[item] = extra[:, i]
    return found


def shelters_with_room(shelters: gpd.GeoDataFrame, centre: Point, k: int = 5) -> gpd.GeoDataFrame:
    """The `k` nearest shelters with free capacity: `distance_m` and `free` (places)."""
    free = (shelters["capacity"] - shelters["occupancy"]).to_numpy()
    idx, distance = _nearest(shelters, centre, k, free > 0, 2000.0)
    return _rows(shelters, idx, distance_m=distance, free=free[idx])
