"""A panel's own fast tick, gated (assets/gate.js): the tick asks the server only when the
panel's last ask was answered. Dash keeps only the newest request of a callback, so a tick that
came while a slow answer was in flight would supersede it, and on a server slower than the
tick the panel would never change at all (the same gate as the pulse's, assets/push.js).

    gated_tick(Ids.TICK, 1000)       # in the layout: the Interval and its two stores
    gate(Ids.TICK, Ids.AS_OF)        # in callbacks/: tick → ask_of(TICK); AS_OF's move → heard
    Input(ask_of(Ids.TICK), "data")  # what the server callback listens to instead of the tick

The answer is noticed by the move of the panel's `data-as-of`, which every answer stamps.
"""

from __future__ import annotations

from dash import dcc


def ask_of(tick_id: str) -> str:
    """The store the gated tick writes (the server callback's input)."""
    return f"{tick_id}-ask"


def heard_of(tick_id: str) -> str:
    """The store that records when the last answer came."""
    return f"{tick_id}-heard"


def gated_tick(tick_id: str, interval_ms: int, disabled: bool = False) -> list:
    return [
        dcc.Interval(id=tick_id, interval=interval_ms, disabled=disabled),
        dcc.Store(id=ask_of(tick_id)),
        dcc.Store(id=heard_of(tick_id)),
    ]
