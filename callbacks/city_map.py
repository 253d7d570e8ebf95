"""Draw the main map: districts by severity, registry layers, incidents and live alarms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash_leaflet as dl
import geopandas as gpd
import numpy as np
import pandas as pd
from dash import Input, Output
from flask import current_app
from shapely.geometry import mapping, shape

from callbacks import guarded
from data_sources import Sources, get_sources
from data_sources.boundaries import districts_geojson
from data_sources.live import LEVEL_RANK
from geo.gcj02 import wgs84_geometry_to_gcj02, wgs84_to_gcj02
from layouts import demo
from layouts.city_map import Ids
from layouts.common import LEVEL_NAMES, local_time
from layouts.pulse import ids as pulse_ids
from layouts.wall import Ids as WallIds

WALL_PULSE = pulse_ids("wall")


def _gcj02_tiles() -> bool:
    return current_app.config["SE_SETTINGS"].TILE_CRS == "gcj02"


def display_xy(lon: Any, lat: Any, gcj02: bool) -> tuple[Any, Any]:
    """Our data is WGS-84; over Amap (GCJ-02) tiles it must be shifted to line up."""
    return wgs84_to_gcj02(lon, lat) if gcj02 else (lon, lat)


def district_levels(alarms: pd.DataFrame) -> dict[str, str]:
    """The most severe level of the open alarms in each district."""
    open_alarms = alarms[(alarms["status"] != "closed") & alarms["district"].notna()]
    worst: dict[str, str] = {}
    for district, level in zip(open_alarms["district"], open_alarms["level"]):
        if district not in worst or LEVEL_RANK[level] < LEVEL_RANK[worst[district]]:
            worst[district] = level
    return worst


def point_features(frame: gpd.GeoDataFrame | pd.DataFrame, kind: str, gcj02: bool) -> list[dict]:
    """GeoJSON point features with the layer key `k`, the record id and its name."""
    lon, lat = display_xy(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), gcj02)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]},
            "properties": {"k": kind, "id": i, "name": n},
        }
        for x, y, i, n in zip(np.asarray(lon), np.asarray(lat), frame["id"], frame["name"])
    ]


def registry_layers(sources: Sources, gcj02: bool) -> tuple[dict, dict]:
    """(registry points, hazchem enterprises for clustering) as FeatureCollections."""
    registry = sources.registry
    targets = registry.sensitive_targets(("school", "hospital"))
    features = []
    for kind, frame in (
        ("school", targets[targets["kind"] == "school"]),
        ("shelter", registry.shelters()),
        ("depot", registry.depots()),
        ("hospital", targets[targets["kind"] == "hospital"]),
        ("team", registry.rescue_teams()),
        ("hazard", registry.hazard_sources()),
    ):
        features += point_features(frame, kind, gcj02)
    enterprises = point_features(registry.enterprises(hazchem_only=True), "enterprise", gcj02)
    return (
        {"type": "FeatureCollection", "features": features},
        {"type": "FeatureCollection", "features": enterprises},
    )


# The map draws at most this many open alarms (the newest); counts and the feed see them all.
MAP_ALARMS = 500


def alarm_features(alarms: pd.DataFrame, gcj02: bool, newest: int = 3) -> dict:
    """Open alarms as GeoJSON points (level, tooltip text); the newest few pulse."""
    open_alarms = alarms[(alarms["status"] != "closed") & alarms["lon"].notna()]
    open_alarms = open_alarms.sort_values("occurred_at", ascending=False)
    lon, lat = display_xy(
        open_alarms["lon"].to_numpy(float), open_alarms["lat"].to_numpy(float), gcj02
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]},
            "properties": {
                "id": row.id,
                "level": row.level,
                "pulse": i < newest,
                "tip": f"{LEVEL_NAMES[row.level]} {local_time(row.occurred_at)} {row.title}",
            },
        }
        for i, (row, x, y) in enumerate(
            zip(open_alarms.itertuples(index=False), np.asarray(lon), np.asarray(lat))
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def incident_markers(incidents: gpd.GeoDataFrame, gcj02: bool) -> list[dl.DivMarker]:
    markers = []
    for row in incidents.itertuples(index=False):
        lon, lat = display_xy(row.lon, row.lat, gcj02)
        markers.append(
            dl.DivMarker(
                position=[lat, lon],
                iconOptions={
                    "className": f"incident-marker level-{row.level}",
                    "html": "<span>◆</span>",
                    "iconSize": [28, 28],
                },
                children=dl.Tooltip(f"{row.title}（{'ⅠⅡⅢⅣ'[row.level - 1]}级）"),
            )
        )
    return markers


@guarded(
    "view",
    Output(Ids.DISTRICTS, "data"),
    Output(Ids.REGISTRY, "data"),
    Output(Ids.ENTERPRISES, "data"),
    Input(WallIds.VIEWPORT, "id"),
)
def load_static(_viewport: str):
    """Send the district outlines and the registry layers once per page load."""
    gcj02 = _gcj02_tiles()
    data = districts_geojson()
    if gcj02:
        for feature in data["features"]:
            feature["geometry"] = mapping(wgs84_geometry_to_gcj02(shape(feature["geometry"])))
    points, enterprises = registry_layers(get_sources(), gcj02)
    return data, points, enterprises


@guarded(
    "view",
    Output(Ids.ALARMS, "data"),
    Output(Ids.INCIDENTS, "children"),
    Output(Ids.DISTRICTS, "hideout"),
    Output(Ids.REGISTRY, "hideout"),
    Output(Ids.AS_OF, "data-as-of"),
    Output(WallIds.FOCUS, "data"),
    Input(WALL_PULSE.version, "data"),
)
def refresh(version: int | None):
    """Redraw alarms, incidents, district shading and team readiness from the live state."""
    sources = get_sources()
    gcj02 = _gcj02_tiles()
    alarms = sources.at_version(
        version,
        f"map:{MAP_ALARMS}",
        lambda: sources.live.active_alarms(limit=MAP_ALARMS, closed_window_s=0),
    )
    incidents = sources.registry.incidents("open")
    return (
        alarm_features(alarms, gcj02),
        incident_markers(incidents, gcj02),
        {"levels": district_levels(alarms)},
        {"teams": sources.live.team_status()},
        datetime.now(UTC).isoformat(),
        takeover(alarms, gcj02) or presenter_focus(sources.live.focus(), gcj02),
    )


def takeover(alarms: pd.DataFrame, gcj02: bool) -> dict | None:
    """The newest red alarm nobody has acknowledged: the wall flies to it and holds."""
    red = alarms[(alarms["level"] == "red") & (alarms["status"] == "new") & alarms["lon"].notna()]
    if red.empty:
        return None
    row = red.sort_values("occurred_at").iloc[-1]
    lon, lat = display_xy(row["lon"], row["lat"], gcj02)
    return {
        "mode": "takeover",
        "id": row["id"],
        "lat": float(lat),
        "lon": float(lon),
        # Plain text in the takeover banner; a demo alarm says so before its title.
        "title": ("【演示】" if demo.is_demo(row["detail"]) else "") + row["title"],
        "time": local_time(row["occurred_at"]),
        "count": int(len(red)),
    }


def presenter_focus(focus: dict | None, gcj02: bool) -> dict | None:
    """What a leader or duty officer put on the wall (an incident or a district), if anything."""
    if not focus:
        return None
    view: dict = {
        "mode": "presenter",
        "id": f"{focus['kind']}:{focus['id']}",
        "label": focus["label"],
        "by": focus["by"],
    }
    if focus.get("bounds"):
        (south, west), (north, east) = focus["bounds"]
        west, south = display_xy(west, south, gcj02)
        east, north = display_xy(east, north, gcj02)
        view["bounds"] = [[float(south), float(west)], [float(north), float(east)]]
    elif focus.get("lon") is not None:
        lon, lat = display_xy(focus["lon"], focus["lat"], gcj02)
        view |= {"lat": float(lat), "lon": float(lon)}
    return view
