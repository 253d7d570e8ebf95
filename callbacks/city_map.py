"""Draw the districts and the active alarms on the main map."""

from __future__ import annotations

from datetime import UTC, datetime

import dash_leaflet as dl
import pandas as pd
from dash import Input, Output, callback
from flask import current_app

from data_sources import get_sources
from data_sources.boundaries import districts_geojson
from data_sources.live import LEVEL_RANK
from geo.gcj02 import wgs84_to_gcj02
from layouts.city_map import Ids
from layouts.common import LEVEL_NAMES, local_time
from layouts.wall import Ids as WallIds


def district_levels(alarms: pd.DataFrame) -> dict[str, str]:
    """The most severe level of the open alarms in each district."""
    open_alarms = alarms[(alarms["status"] != "closed") & alarms["district"].notna()]
    worst: dict[str, str] = {}
    for district, level in zip(open_alarms["district"], open_alarms["level"]):
        if district not in worst or LEVEL_RANK[level] < LEVEL_RANK[worst[district]]:
            worst[district] = level
    return worst


def _display(lon: float, lat: float) -> tuple[float, float]:
    # Our data is WGS-84; over Amap (GCJ-02) tiles it must be shifted to line up.
    if current_app.config["SE_SETTINGS"].TILE_CRS == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    return lon, lat


def alarm_markers(alarms: pd.DataFrame, newest: int = 3) -> list[dl.CircleMarker]:
    """One marker per open alarm, coloured by level; the newest few pulse."""
    open_alarms = alarms[(alarms["status"] != "closed") & alarms["lon"].notna()]
    open_alarms = open_alarms.sort_values("occurred_at", ascending=False)
    markers = []
    for i, row in enumerate(open_alarms.itertuples(index=False)):
        lon, lat = _display(row.lon, row.lat)
        pulse = " pulse" if i < newest else ""
        markers.append(
            dl.CircleMarker(
                center=[lat, lon],
                radius=9 if row.level in ("red", "orange") else 7,
                className=f"alarm-marker level-{row.level}{pulse}",
                children=dl.Tooltip(
                    f"{LEVEL_NAMES[row.level]} {local_time(row.occurred_at)} {row.title}"
                ),
            )
        )
    return markers


@callback(Output(Ids.DISTRICTS, "data"), Input(WallIds.VIEWPORT, "id"))
def load_districts(_viewport: str):
    """Send the district outlines once per page load."""
    data = districts_geojson()
    if current_app.config["SE_SETTINGS"].TILE_CRS == "gcj02":
        from shapely.geometry import mapping, shape

        from geo.gcj02 import wgs84_geometry_to_gcj02

        for feature in data["features"]:
            feature["geometry"] = mapping(wgs84_geometry_to_gcj02(shape(feature["geometry"])))
    return data


@callback(
    Output(Ids.ALARMS, "children"),
    Output(Ids.DISTRICTS, "hideout"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(WallIds.VERSION, "data"),
)
def refresh(_version: int | None):
    """Redraw alarm markers and district shading from Redis."""
    alarms = get_sources().live.active_alarms(closed_window_s=0)
    now = datetime.now(UTC).isoformat()
    return alarm_markers(alarms), {"levels": district_levels(alarms)}, now
