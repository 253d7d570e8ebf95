"""What incident command mode draws on its map (layouts/incident_page.py): the rings with
their labels, the downwind sector, the incident, the points in the rings and the forces
and resources near it, as dash-leaflet components and GeoJSON (styled by assets/incident.js
and assets/incident.css). Plain data in: the `Surroundings` of callbacks/incident_page.py.
"""

from __future__ import annotations

import dash_leaflet as dl
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from geo import nearby
from geo.gcj02 import wgs84_geometry_to_gcj02, wgs84_to_gcj02
from layouts.incident_lists import TARGET_KINDS


def _display(lon, lat, gcj02: bool):  # noqa: ANN001, ANN202
    return wgs84_to_gcj02(lon, lat) if gcj02 else (lon, lat)


def point_features(frame: pd.DataFrame, kind: str, gcj02: bool, notes=None) -> list[dict]:  # noqa: ANN001
    lon, lat = _display(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), gcj02)
    downwind = frame["downwind"] if "downwind" in frame else np.zeros(len(frame), dtype=bool)
    notes = notes if notes is not None else [f"{d / 1000:.2f} km" for d in frame["distance_m"]]
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]},
            "properties": {"k": kind, "id": i, "name": n, "note": note, "dw": bool(dw)},
        }
        for x, y, i, n, note, dw in zip(
            np.atleast_1d(lon), np.atleast_1d(lat), frame["id"], frame["name"], notes, downwind
        )
    ]


def layers(s, incident: dict, gcj02: bool) -> tuple[list, dict, dict, dict]:  # noqa: ANN001
    """(ring and sector shapes with the incident marker, points in the rings, forces and
    resources, viewport fitting the outermost ring)."""
    lon, lat = _display(incident["lon"], incident["lat"], gcj02)
    shapes: list = []
    for i, r in enumerate(reversed(s.rings)):
        shapes.append(
            dl.Circle(
                center=[lat, lon],
                radius=r * 1000,
                className=f"incident-ring ring-{i}",
                interactive=False,
            )
        )
        # The label sits on the ring's northern edge, where rings never overlap.
        label_lon, label_lat = _display(*nearby.to_lonlat(s.centre.x, s.centre.y + r * 1000), gcj02)
        shapes.append(
            dl.DivMarker(
                position=[float(label_lat), float(label_lon)],
                iconOptions={"className": "ring-label", "html": f"{r:g} km", "iconSize": [56, 20]},
                interactive=False,
            )
        )
    if s.sector is not None:
        xs, ys = np.asarray(s.sector.exterior.coords).T
        plon, plat = nearby.to_lonlat(xs, ys)
        geom = Polygon(zip(plon, plat))
        if gcj02:
            geom = wgs84_geometry_to_gcj02(geom)
        positions = [[round(y, 6), round(x, 6)] for x, y in geom.exterior.coords]
        shapes.append(
            dl.Polygon(positions=positions, className="downwind-sector", interactive=False)
        )
    shapes.append(
        dl.DivMarker(
            position=[lat, lon],
            iconOptions={
                "className": "incident-marker",
                "html": "<span>◆</span>",
                "iconSize": [30, 30],
            },
            children=dl.Tooltip(incident["title"]),
        )
    )
    points = []
    for key in ("firm", "target", "enterprise", "hazard"):
        frame = s.found[key]
        for kind in TARGET_KINDS if key == "target" else (key,):
            part = frame[frame["kind"] == kind] if key == "target" else frame
            points += point_features(part, kind, gcj02)
    eta = [
        f"{d / 1000:.1f} km · 约 {m:.0f} 分钟"
        for d, m in zip(s.teams["distance_m"], s.teams["eta_min"])
    ]
    forces = (
        point_features(s.teams, "team", gcj02, eta)
        + point_features(s.depots, "depot", gcj02)
        + point_features(s.shelters, "shelter", gcj02)
    )
    outer = s.rings[-1] * 1000 * 1.05
    west, south = nearby.to_lonlat(s.centre.x - outer, s.centre.y - outer)
    east, north = nearby.to_lonlat(s.centre.x + outer, s.centre.y + outer)
    (west, east), (south, north) = _display(np.array([west, east]), np.array([south, north]), gcj02)
    return (
        shapes,
        {"type": "FeatureCollection", "features": points},
        {"type": "FeatureCollection", "features": forces},
        {"bounds": [[float(south), float(west)], [float(north), float(east)]]},
    )
