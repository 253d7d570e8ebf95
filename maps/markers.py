"""Components drawn on the map from plain rows: incident markers (◆ by level)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_leaflet as dl

from catalogue import incident_level_name
from maps.datum import latlon
from vocabulary import incident_level


def incident_marker(position: list[float], child: Any, level: Any = None, size: int = 28):
    """One incident's ◆ at [lat, lon], in its level's colour; `child` is its Tooltip or Popup."""
    css = "incident-marker" + ("" if level is None else f" level-{incident_level(level)[2]}")
    return dl.DivMarker(
        position=position,
        iconOptions={"className": css, "html": "<span>◆</span>", "iconSize": [size, size]},
        children=child,
    )


def incident_markers(
    incidents: Any, gcj02: bool, child: Callable[[Any], Any], size: int = 28
) -> list[dl.DivMarker]:
    """Every row of `incidents` (id, title, level, lon, lat); `child(row)` says what a hover
    or a tap shows."""
    return [
        incident_marker(latlon(r.lon, r.lat, gcj02), child(r), r.level, size)
        for r in incidents.itertuples(index=False)
    ]


def level_tooltip(row: Any, lang: str = "zh") -> dl.Tooltip:
    """The incident's title (as recorded) and response level (Ⅰ–Ⅳ, in `lang`) on hover."""
    if lang == "en":
        return dl.Tooltip(f"{row.title} ({incident_level_name(row.level, lang)})")
    return dl.Tooltip(f"{row.title}（{incident_level(row.level)[0]}）")


def level_tooltips(lang: str) -> Callable[[Any], dl.Tooltip]:
    return lambda row: level_tooltip(row, lang)
