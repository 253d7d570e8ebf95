"""Who and what can reach an incident first: rescue teams by arrival time, depots, shelters.

Arrival times are estimates for the screen, not routing: straight-line distance times
ROAD_FACTOR (roads are about 1.3 times longer than the straight line in Suzhou's plain,
a common detour index for urban road networks) divided by the average speed of the team's
kind (SPEED_KMH, with lights and sirens, including the slower start). Turnout time is not
included.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.search import nearest, nearest_positions, rows

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
    picks = [nearest_positions(teams, centre, k, kind == w, 2000.0) for w in wanted]
    positions = np.concatenate([p for p, _ in picks] or [np.empty(0, dtype=int)])
    distance = np.concatenate([d for _, d in picks] or [np.empty(0)])
    road_km, minutes = eta(distance, kind[positions])
    order = np.lexsort((distance, minutes))[:k]
    return rows(
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
    idx, distance = nearest_positions(shelters, centre, k, free > 0, 2000.0)
    return rows(shelters, idx, distance_m=distance, free=free[idx])
