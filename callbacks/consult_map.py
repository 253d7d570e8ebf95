"""The consultation room's map: district outlines and the base map, the open incidents, the
view following the presenter focus, and a click on a point opening it in the detail panel."""

from __future__ import annotations

import dash_leaflet as dl
from dash import Input, Output, ctx, html
from dash.exceptions import PreventUpdate

from callbacks import guarded
from data_sources import get_sources
from layouts.consult_detail import drill_href
from layouts.consult_ids import MAP, PULSE, Ids
from layouts.presenter import Ids as FocusIds
from maps import markers
from maps.datum import gcj02_tiles
from maps.layout import BOUNDS, viewport
from maps.static import static_layers


@guarded(
    "view",
    Output(MAP.districts, "data"),
    Output(MAP.base, "children"),
    viewport(),
    Input(MAP.base, "id"),
    prevent_initial_call="initial_duplicate",
)
def map_static(_base: str):
    """Draw the static layers once per load and fit the city to the settled grid."""
    return *static_layers(get_sources().settings), {"bounds": BOUNDS}


@guarded(
    "view",
    Output(MAP.incidents, "children"),
    Input(PULSE.version, "data"),
)
def map_incidents(_version: int | None):
    """The open incidents; the popup links to the detail."""
    sources = get_sources()
    incidents = sources.incidents.listed("open")
    return markers.incident_markers(incidents, gcj02_tiles(sources.settings), _incident_popup)


def _incident_popup(row) -> dl.Popup:  # noqa: ANN001
    return dl.Popup(html.A(row.title, href=drill_href("incident", row.id), className="drill-link"))


@guarded(
    "view",
    viewport(),
    Input(FocusIds.FOCUS, "data"),
    prevent_initial_call=True,
)
def fly_to_focus(focus: dict | None):
    """Follow the presenter focus on the map; back to the whole city when it is released."""
    bounds = (focus or {}).get("bounds") or BOUNDS
    return {"bounds": bounds, "transition": "flyToBounds"}


@guarded(
    "view",
    Output(Ids.URL, "hash"),
    Input(MAP.alarms, "clickData"),
    Input(FocusIds.FOCUS, "data"),
    prevent_initial_call=True,
)
def drill_from_map(click: dict | None, focus: dict | None):
    """Open a clicked alarm point, or the incident just put on the wall, in the detail panel."""
    if ctx.triggered_id == MAP.alarms and click:
        return drill_href("alarm", click["properties"]["id"])
    if ctx.triggered_id == FocusIds.FOCUS and focus and focus.get("kind") == "incident":
        return drill_href("incident", focus["id"])
    raise PreventUpdate
