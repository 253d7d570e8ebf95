"""The pulse of every live page: the poll that stands in for the push channel, and the
browser-side handlers of what either brings (health, versions, the wall state).

While a page's push stream is up (push/, assets/push.js) its tick is off and this poll costs
nothing. Where the stream cannot be opened, push.js turns the tick on: each tick is then one
MGET of the versions plus the heartbeats, and panels re-read only when a version moved. A tick
asks only when the last ask was answered (assets/push.js `sePulse.ask`).
"""

from __future__ import annotations

from dash import MATCH, ClientsideFunction, Input, Output, State, ctx, no_update

import auth
from callbacks import guarded, guarded_clientside
from data_sources import get_sources, hall_usage, health
from layouts.pulse import ids as pulse_ids
from layouts.wall import Ids
from maps.layout import viewport
from push import get_hub

ANY_PAGE = pulse_ids(MATCH)


@guarded(
    "view",
    Output(ANY_PAGE.data, "data"),
    Output(ANY_PAGE.version, "data"),
    Output(ANY_PAGE.readings, "data"),
    Input(ANY_PAGE.ask, "data"),
    State(ANY_PAGE.tick, "id"),
    State(ANY_PAGE.version, "data"),
    State(ANY_PAGE.readings, "data"),
    # The first version comes from the stream's hello (or the first poll): not at load, where
    # it would only make every panel read twice.
    prevent_initial_call=True,
)
def tick(_ask: int | None, own: dict | None, known: int | None, known_readings: int | None):
    """Report health every tick; move each version only when it changed."""
    sources = get_sources()
    data = health.pulse(sources)
    # Which page's pulse this is: the id Dash answers for (MATCH), else the tick's own id.
    page = (ctx.outputs_list[0].get("id") or {}).get("page") or (own or {}).get("page")
    if page == "wall":
        hall_usage.note_display(sources, auth.current_user())
        hub = get_hub()
        hub.ensure_started()
        data["wall"] = hub.wall  # every tile follows the same wall state, polled or pushed
    state, readings = data.get("state_version"), data.get("readings_version")
    return (
        data,
        state if state is not None and state != known else no_update,
        readings if readings is not None and readings != known_readings else no_update,
    )


# The tick asks through a store, and only when the last ask has been answered (or 10 s have
# passed): a tick that came while a slow answer was in flight would supersede it, and a server
# slower than the tick would then never answer at all.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="sePulse", function_name="ask"),
    Output(ANY_PAGE.ask, "data"),
    Input(ANY_PAGE.tick, "n_intervals"),
    prevent_initial_call=True,
)

# Between server answers the browser keeps the clock, ages and the offline banner current.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seWall", function_name="onPulse"),
    Output(ANY_PAGE.banner, "hidden"),
    Input(ANY_PAGE.data, "data"),
)

# The wall state (rotation slot, takeover, presenter focus) comes from the server, pushed to
# every tile at once: the tiles of one wall move as one.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seWall", function_name="rotate"),
    viewport(),
    Output(Ids.VIEW_NAME, "children"),
    Output(Ids.TAKEOVER, "hidden"),
    Output(Ids.TAKEOVER, "children"),
    Output(Ids.PRESENTER, "hidden"),
    Output(Ids.PRESENTER, "children"),
    Input(Ids.STATE, "data"),
    prevent_initial_call="initial_duplicate",
)
