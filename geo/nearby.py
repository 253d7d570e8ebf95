"""What is around an incident: rings, the downwind sector, nearest teams, depots, shelters.

Pure functions over GeoDataFrames of points in METRIC_CRS (EPSG:4549, metres); candidates
come from each frame's spatial index (STRtree) and are then checked exactly, so a point
2 999.9 m away is inside a 3 km ring and one 3 000.1 m away is not.

The pieces: `geo.metric` (WGS-84 ⇄ metres, convergence), `geo.search` (the spatial index),
`geo.rings`, `geo.plume` (downwind) and `geo.response` (teams, depots, shelters); this module
is the one name the incident page and its tests import them by.
"""

from geo.metric import convergence_deg, metric_point, to_lonlat, to_metric_points
from geo.plume import downwind_sector, in_sector, true_bearing
from geo.response import (
    DEFAULT_NEEDS,
    DEFAULT_SPEED_KMH,
    NEEDS,
    ROAD_FACTOR,
    SPEED_KMH,
    TEAMS_FOR,
    depots_for,
    eta,
    nearest_teams,
    shelters_with_room,
)
from geo.rings import DEFAULT_RINGS_KM, MAX_RING_KM, MAX_RINGS, parse_rings, within_rings
from geo.search import MAX_SEARCH_M, nearest

__all__ = [
    "DEFAULT_NEEDS",
    "DEFAULT_RINGS_KM",
    "DEFAULT_SPEED_KMH",
    "MAX_RINGS",
    "MAX_RING_KM",
    "MAX_SEARCH_M",
    "NEEDS",
    "ROAD_FACTOR",
    "SPEED_KMH",
    "TEAMS_FOR",
    "convergence_deg",
    "depots_for",
    "downwind_sector",
    "eta",
    "in_sector",
    "metric_point",
    "nearest",
    "nearest_teams",
    "parse_rings",
    "shelters_with_room",
    "to_lonlat",
    "to_metric_points",
    "true_bearing",
    "within_rings",
]
