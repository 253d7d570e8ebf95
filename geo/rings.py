"""Distance rings around an incident: the radii from `?rings=`, and who is inside which."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
from shapely.geometry import Point, box

from geo.search import candidates, distances, rows

DEFAULT_RINGS_KM: tuple[float, ...] = (1.0, 3.0, 5.0)
MAX_RINGS = 5
MAX_RING_KM = 50.0


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


def within_rings(
    points: gpd.GeoDataFrame, centre: Point, radii_km: Sequence[float] = DEFAULT_RINGS_KM
) -> gpd.GeoDataFrame:
    """The points within the outermost ring, nearest first, with `distance_m` and `ring_km`
    (the innermost ring that holds the point: a point 2.9 km away is in the 3 km ring)."""
    radii = np.array(sorted(radii_km), dtype=float)
    outer = radii[-1] * 1000
    square = box(centre.x - outer, centre.y - outer, centre.x + outer, centre.y + outer)
    idx = candidates(points, square)
    distance = distances(points, idx, centre)
    keep = distance <= outer
    order = np.argsort(distance[keep], kind="stable")
    idx, distance = idx[keep][order], distance[keep][order]
    ring = radii[np.searchsorted(radii * 1000, distance, side="left")]
    return rows(points, idx, distance_m=distance, ring_km=ring)
