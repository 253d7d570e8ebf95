"""Searching a frame of METRIC_CRS points through its spatial index, then exactly.

Candidates come from the frame's STRtree and are then measured, so a point 2 999.9 m away is
inside a 3 km circle and one 3 000.1 m away is not. The helpers return positions into the
frame; `rows` takes them once, in their final order.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, box

MAX_SEARCH_M = 2_000_000.0  # beyond this nothing is "near"; also ends the search on bad data


def candidates(points: gpd.GeoDataFrame, area) -> np.ndarray:  # noqa: ANN001
    """Positions of the points whose envelope meets `area`, in frame order."""
    if points.empty:
        return np.empty(0, dtype=int)
    return np.sort(points.sindex.query(area))


def coordinates(points: gpd.GeoDataFrame, idx: np.ndarray | None = None) -> np.ndarray:
    """The (x, y) coordinates of the points (at positions `idx`, when given)."""
    geoms = np.asarray(points.geometry.values)
    return shapely.get_coordinates(geoms if idx is None else geoms[idx])


def distances(points: gpd.GeoDataFrame, idx: np.ndarray, centre: Point) -> np.ndarray:
    """Metres from `centre` to the points at positions `idx`."""
    xy = coordinates(points, idx)
    return np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y)


def rows(points: gpd.GeoDataFrame, idx: np.ndarray, **columns: np.ndarray) -> gpd.GeoDataFrame:
    """The rows at positions `idx` with the new `columns` set."""
    # One take of the rows (already in their final order) and the new columns set in place:
    # pandas' assign/sort_values copy the frame each time, which dominates at these sizes.
    found = points.iloc[idx]
    for name, values in columns.items():
        found[name] = values
    return found


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
    idx, distance = nearest_positions(points, centre, k, where, start_m)
    return rows(points, idx, distance_m=distance)


def nearest_positions(
    points: gpd.GeoDataFrame, centre: Point, k: int, where: np.ndarray | None, start_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, distances) of the `k` nearest points, nearest first."""
    if points.empty or k <= 0:
        return np.empty(0, dtype=int), np.empty(0)
    wanted = np.ones(len(points), dtype=bool) if where is None else np.asarray(where, dtype=bool)
    half = start_m
    while True:
        square = box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)
        idx = candidates(points, square)
        idx = idx[wanted[idx]]
        distance = distances(points, idx, centre)
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
