"""Callbacks, one module per panel, registered with `dash.callback`.

Dash hands callbacks declared with `dash.callback` to the first app that serves a request
and then forgets them; tests build many apps in one process, so `register` keeps its own
copy and gives every app the full set.
"""

from __future__ import annotations

import copy
import importlib

import dash
from dash import _callback

MODULES = (
    "callbacks.wall",
    "callbacks.alarm_feed",
    "callbacks.city_map",
    "callbacks.stats",
    "callbacks.forces",
    "callbacks.duty_panel",
    "callbacks.hazchem_page",
    "callbacks.incident_page",
    "callbacks.resources_page",
    "callbacks.duty_page",
    "callbacks.consult_page",
    "callbacks.tablet_page",
    "callbacks.presenter",
)

_snapshot: tuple[dict, list, list] | None = None


def register(app: dash.Dash) -> None:
    """Give `app` every callback of the project."""
    global _snapshot
    if _snapshot is None:
        for name in MODULES:
            importlib.import_module(name)
        _snapshot = (
            dict(_callback.GLOBAL_CALLBACK_MAP),
            list(_callback.GLOBAL_CALLBACK_LIST),
            list(_callback.GLOBAL_INLINE_SCRIPTS),
        )
        _callback.GLOBAL_CALLBACK_MAP.clear()
        _callback.GLOBAL_CALLBACK_LIST.clear()
        _callback.GLOBAL_INLINE_SCRIPTS.clear()
    callback_map, callback_list, inline_scripts = _snapshot
    app.callback_map.update(copy.copy(callback_map))
    app._callback_list.extend(copy.deepcopy(callback_list))
    # Inline clientside functions (clientside_callback with a JS string) go with them.
    app._inline_scripts.extend(inline_scripts)
