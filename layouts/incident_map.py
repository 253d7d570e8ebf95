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
from layouts.i18n import t
from layouts.incident_lists import TARGET_KINDS
from maps import points
from maps.datum import display_bounds, display_geometry, display_xy, latlon
from maps.markers import incident_marker


def point_features(frame: pd.DataFrame, kind: str, gcj02: bool, notes=None) -> list[dict]:  # noqa: ANN001
    """Points for `seMap.nearbyPoint`: layer key, id, name, note (the distance) and downwind."""
    downwind = frame["downwind"] if "downwind" in frame else np.zeros(len(frame), dtype=bool)
    notes = notes if notes is not None else [f"{d / 1000:.2f} km" for d in frame["distance_m"]]
    return points.point_features(
        frame,
        gcj02,
        digits=6,
        k=kind,
        id=frame["id"],
        name=frame["name"],
        note=notes,
        dw=[bool(d) for d in downwind],
    )


def layers(s, incident: dict, gcj02: bool, lang: str = "zh") -> tuple[list, dict, dict, dict]:  # noqa: ANN001
    """(ring and sector shapes with the incident marker, points in the rings, forces and
    resources, viewport fitting the outermost ring)."""
    centre = latlon(incident["lon"], incident["lat"], gcj02)
    shapes: list = []
    for i, r in enumerate(reversed(s.rings)):
        shapes.append(
            dl.Circle(
                center=centre,
                radius=r * 1000,
                className=f"incident-ring ring-{i}",
                interactive=False,
            )
        )
        # The label sits on the ring's northern edge, where rings never overlap.
        label_lon, label_lat = display_xy(
            *nearby.to_lonlat(s.centre.x, s.centre.y + r * 1000), gcj02
        )
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
        geom = display_geometry(Polygon(zip(plon, plat)), gcj02)
        positions = [[round(y, 6), round(x, 6)] for x, y in geom.exterior.coords]
        shapes.append(
            dl.Polygon(positions=positions, className="downwind-sector", interactive=False)
        )
    shapes.append(
        incident_marker(centre, dl.Tooltip(incident["title"]), incident["level"], size=30)
    )
    found = []
    for key in ("firm", "target", "enterprise", "hazard"):
        frame = s.found[key]
        for kind in TARGET_KINDS if key == "target" else (key,):
            part = frame[frame["kind"] == kind] if key == "target" else frame
            found += point_features(part, kind, gcj02)
    eta = [
        t("inc.eta", lang, km=f"{d / 1000:.1f}", m=f"{m:.0f}")
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
    return (
        shapes,
        points.collection(found),
        points.collection(forces),
        {"bounds": display_bounds(west, south, east, north, gcj02)},
    )
