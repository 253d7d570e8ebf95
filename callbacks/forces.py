"""Fill the forces panel: registry from the warehouse (cached), readiness live from Redis, or
as it was at a replayed moment from the warehouse's history of team status."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output, html

from callbacks import guarded
from data_sources import Sources, get_sources
from figures.forces import short_stock, team_summary
from layouts.forces import Ids, depots_block, shelters_block, teams_table
from layouts.pulse import ids as pulse_ids
from layouts.replay import Ids as ReplayIds
from layouts.replay import replayed

WALL_PULSE = pulse_ids("wall")


@guarded(
    "view",
    Output(Ids.TEAMS, "children"),
    Output(Ids.DEPOTS, "children"),
    Output(Ids.SHELTERS, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
)
def refresh(_version: int | None):
    """Summarise forces, depots and shelters."""
    sources = get_sources()
    return (*drawn(sources, sources.status.team_status()), datetime.now(UTC).isoformat())


def drawn(sources: Sources, team_status: dict[str, str]) -> tuple[list, list, list]:
    """The teams table, the depots and the shelters; `team_status`: readiness by team id."""
    registry = sources.registry
    teams = team_summary(registry.rescue_teams(), team_status)
    stock = registry.depot_stock()
    shelters = registry.shelters()
    return (
        teams_table(teams),
        depots_block(short_stock(stock), stock["depot_id"].nunique()),
        shelters_block(
            len(shelters),
            int(shelters["is_open"].astype(bool).sum()),
            int(shelters["capacity"].sum()),
            int(shelters["occupancy"].sum()),
        ),
    )


@guarded(
    "view",
    Output(Ids.TEAMS, "children", allow_duplicate=True),
    Output(Ids.DEPOTS, "children", allow_duplicate=True),
    Output(Ids.SHELTERS, "children", allow_duplicate=True),
    Output(Ids.AS_OF, "data-as-of", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None):
    """Summarise the forces for a replayed moment: each team's readiness as it was then; stock
    and shelters as registered now (the warehouse keeps no history of them), and saying so."""
    moment = replayed(at)
    sources = get_sources()
    teams, depots, shelters = drawn(sources, sources.replay.team_status(moment))
    note = html.Caption("回放：在岗状态为当时状态；物资、避难场所为当前登记数据")
    return [note, *teams], depots, shelters, moment.isoformat()
