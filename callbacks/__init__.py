"""Callbacks, one module per panel, each declared with the permission it needs.

    @guarded("view", Output(...), Input(...), State(...), prevent_initial_call=True)
    def refresh(...): ...

`guarded(permission, ...)` takes what `dash.callback` takes, with the permission in front;
`guarded_clientside(permission, function, ...)` is the same for `clientside_callback`. They
record the declaration in this package's own list instead of Dash's globals, and `register`
gives every app the whole list through `app.callback` / `app.clientside_callback` (tests
build many apps in one process) and tells the guard (auth/guard.py) which permission the
key of each callback needs — the key Dash dispatches by, so the guard never guesses.
A callback that declares no permission is never run (the guard answers 403). Every module
of this package is imported (`modules`): a new callback module needs no list.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, no_update
from plotly.utils import PlotlyJSONEncoder

import auth
from auth.matrix import PERMISSIONS
from layouts.gate import ask_of, heard_of


@dataclass(frozen=True)
class Declaration:
    permission: str
    where: str  # module.function (or the clientside function's name)
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    function: Callable[..., Any] | None = None  # None: a clientside callback
    clientside: Any = None


DECLARATIONS: list[Declaration] = []


def _known(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r} (auth/matrix.py PERMISSIONS)")
    return permission


def guarded(permission: str, *args: Any, **kwargs: Any) -> Callable[[Callable], Callable]:
    """`dash.callback(*args, **kwargs)` for a callback that needs `permission`."""
    _known(permission)

    def declare(function: Callable) -> Callable:
        where = f"{function.__module__}.{function.__qualname__}"
        DECLARATIONS.append(Declaration(permission, where, args, kwargs, function))
        return function

    return declare


def guarded_clientside(
    permission: str, clientside_function: Any, *args: Any, **kwargs: Any
) -> None:
    """`dash.clientside_callback(...)` for a browser-side callback that needs `permission`."""
    where = getattr(clientside_function, "function_name", None) or "inline script"
    namespace = getattr(clientside_function, "namespace", None)
    where = f"{namespace}.{where}" if namespace else where
    DECLARATIONS.append(
        Declaration(
            _known(permission), f"clientside {where}", args, kwargs, None, clientside_function
        )
    )


# Dash pages' router, registered by Dash itself at the first request: its key, computed by
# Dash on a scratch app (only the outputs name a callback that has any).
ROUTER_OUTPUTS = (Output("_pages_content", "children"), Output("_pages_store", "data"))
ROUTER_TITLE = Output("_pages_dummy", "children")  # the clientside `document.title` setter


def _dash_own() -> dict[str, auth.Declared]:
    scratch = dash.Dash(__name__, server=False)
    scratch.callback(*ROUTER_OUTPUTS, Input("_pages_location", "pathname"))(lambda _p: None)
    router = next(iter(scratch.callback_map))
    scratch.clientside_callback("function(d) {}", ROUTER_TITLE, Input("_pages_store", "data"))
    title = next(k for k in scratch.callback_map if k != router)
    return {
        router: auth.Declared("view", "dash pages routing", routing=True),
        title: auth.Declared("view", "clientside dash pages title", clientside=True),
    }


def modules() -> list[str]:
    """Every module of this package: a callback module is found, never listed by hand."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__))


def load() -> list[Declaration]:
    """Every declaration of the project (importing the modules declares them)."""
    for name in modules():
        importlib.import_module(name)
    return DECLARATIONS


def register(app: dash.Dash) -> dict[str, auth.Declared]:
    """Give `app` every callback of the project; tell its guard what each one needs."""
    declared = _dash_own()
    for d in load():
        before = set(app.callback_map)
        if d.function is None:
            app.clientside_callback(d.clientside, *d.args, **d.kwargs)
        else:
            app.callback(*d.args, **d.kwargs)(d.function)
        added = set(app.callback_map) - before
        if not added:
            raise RuntimeError(f"{d.where}: its outputs are another callback's key")
        for key in added:
            spec = app.callback_map[key]
            declared[key] = auth.Declared(
                d.permission,
                d.where,
                clientside=d.function is None,
                inputs=len(spec.get("inputs", [])),
                state=len(spec.get("state", [])),
            )
    auth.declare_callbacks(app.server, declared)
    return declared


# The gate of a panel's own tick (layouts/gate.py, assets/gate.js).
def gate(tick_id: str, as_of_id: str) -> None:
    """Pass `tick_id`'s ticks on to its ask store only when the last ask was answered (the move
    of `as_of_id`'s data-as-of)."""
    guarded_clientside(
        "view",
        ClientsideFunction(namespace="seGate", function_name="ask"),
        Output(ask_of(tick_id), "data"),
        Input(tick_id, "n_intervals"),
        prevent_initial_call=True,
    )
    guarded_clientside(
        "view",
        ClientsideFunction(namespace="seGate", function_name="answered"),
        Output(heard_of(tick_id), "data"),
        Input(as_of_id, "data-as-of"),
        State(tick_id, "id"),
        prevent_initial_call=True,
    )


def if_changed(shown: str | None, *parts: Any) -> tuple[Any, ...]:
    """`parts` and their signature, or `no_update` for each part when the page shows them
    already (`shown`: the signature a `dcc.Store` kept from the last answer). A panel redrawn
    by every pulse loses a reader's place and costs the browser a redraw for nothing."""
    text = json.dumps(parts, cls=PlotlyJSONEncoder, sort_keys=True, ensure_ascii=False)
    signature = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    if signature == shown:
        return (*(no_update for _ in parts), signature)
    return (*parts, signature)
