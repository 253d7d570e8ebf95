"""Downwind of an incident: true bearings, the sector a release is carried into, who is in it.

Bearings are true bearings (clockwise from true north); `convergence` is the grid bearing of
true north at the incident (`geo.metric.convergence_deg`).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from shapely.geometry import Point, Polygon, box

from geo.search import candidates, coordinates, rows


def true_bearing(points: gpd.GeoDataFrame, centre: Point, convergence: float = 0.0) -> np.ndarray:
    """True bearing (0-360°, clockwise from north) from `centre` to each point."""
    xy = coordinates(points)
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
    idx = candidates(points, box(*sector.bounds))
    xy = coordinates(points, idx)
    dx, dy = xy[:, 0] - centre.x, xy[:, 1] - centre.y
    distance = np.hypot(dx, dy)
    bearing = (np.degrees(np.arctan2(dx, dy)) - convergence) % 360
    axis = (wind_from_deg + 180) % 360
    keep = (distance <= length_m) & (_angle_off(bearing, axis) <= half_angle_deg + 1e-9)
    order = np.argsort(distance[keep], kind="stable")
    return rows(
        points,
        idx[keep][order],
        distance_m=distance[keep][order],
        bearing_deg=bearing[keep][order],
    )
