"""What the screen shows, for the pages router (layouts/url_state.py): recorded in the browser
each time the router draws a page; the pages that write their view into the URL patch it."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from callbacks import guarded_clientside
from layouts.url_state import SHOWN

guarded_clientside(
    "view",
    ClientsideFunction(namespace="seUrl", function_name="shown"),
    Output(SHOWN, "data"),
    Input("_pages_store", "data"),
    State("_pages_location", "pathname"),
    State("_pages_location", "search"),
)
