"""The replay banner's controls: pause, ×1, ×10, ×60; while playing, step the replayed moment
that every replayed panel follows (the clock itself is assets/replay.js)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output

from callbacks import guarded_clientside
from layouts.replay import SPEEDS, Ids, speed_id

guarded_clientside(
    "view",
    ClientsideFunction(namespace="seReplay", function_name="control"),
    Output(Ids.AT, "data"),
    Output(Ids.STEP, "disabled"),
    Input(Ids.PAUSE, "n_clicks"),
    *(Input(speed_id(s), "n_clicks") for s in SPEEDS),
    Input(Ids.STEP, "n_intervals"),
    prevent_initial_call=True,
)
