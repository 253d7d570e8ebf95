"""The gate of a panel's own tick (layouts/gate.py, assets/gate.js)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from callbacks import guarded_clientside
from layouts.gate import ask_of, heard_of


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
