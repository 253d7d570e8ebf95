"""Page layouts: functions that return components, no I/O. One module per page or panel.

Which pages exist, and which layout draws each, is screens.py's `PAGES`; `register_pages`
gives them to Dash's own page registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import dash
from dash.exceptions import PreventUpdate
from flask import current_app

import screens
from layouts import shell, url_state

__all__ = ["drawer", "register_pages", "shell"]


def drawer(ref: str) -> Callable[..., Any]:
    """The layout function a screens.py row names ("module:function" under layouts/)."""
    module, _, function = ref.partition(":")
    return getattr(importlib.import_module(f"layouts.{module}"), function or "layout")


def with_settings(layout: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """`layout`, drawn with the settings `names` (as lower-case keywords) beside the query."""
    if not names:
        return layout

    def page(**query: str):  # noqa: ANN202
        s = current_app.config["SE_SETTINGS"]
        # The settings win over a query parameter of the same name (`?refresh_ms=1`).
        return layout(**{**query, **{n.lower(): getattr(s, n) for n in names}})

    return page


def unless_shown(layout: Callable[..., Any]) -> Callable[..., Any]:
    """`layout`, except when the router is asked again for what the screen shows already
    (layouts/url_state.py): then nothing is drawn and the page keeps its state."""

    def page(**query: Any):  # noqa: ANN202
        shown = query.pop(url_state.ROUTER_ARG, None)
        if shown is not None:  # only the router passes it, inside its callback
            asked = dash.callback_context.inputs
            pathname = asked.get("_pages_location.pathname")
            if url_state.already_shown(shown, pathname, asked.get("_pages_location.search")):
                raise PreventUpdate
        return layout(**query)

    return page


def register_pages() -> None:
    """Route every Dash page of screens.py (idempotent: tests build many apps)."""
    for order, p in enumerate(screens.PAGES):
        if p.layout is None:
            continue  # served by Flask itself
        route = {"path_template": p.path} if "<" in p.path else {"path": p.path}
        layout = unless_shown(with_settings(drawer(p.layout), p.settings))
        dash.register_page(p.name, **route, layout=layout, title=p.title, order=order)
