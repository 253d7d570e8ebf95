"""Fill the forces panel: registry from the warehouse (cached), readiness live from Redis, or
as it was at a replayed moment from the warehouse's history of team status."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output, State, html

from callbacks import guarded
from data_sources import Sources, get_sources
from figures.forces import short_stock, team_summary
from layouts.forces import Ids, depots_block, shelters_block, teams_table
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
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
    State(LangIds.PAGE, "data"),
)
def refresh(_version: int | None, page: dict | None):
    """Summarise forces, depots and shelters."""
    sources = get_sources()
    shown = drawn(sources, sources.status.team_status(), lang_of(page))
    return (*shown, datetime.now(UTC).isoformat())


def drawn(
    sources: Sources, team_status: dict[str, str], lang: str = "zh"
) -> tuple[list, list, list]:
    """The teams table, the depots and the shelters; `team_status`: readiness by team id."""
    registry = sources.registry
    teams = team_summary(registry.rescue_teams(), team_status)
    stock = registry.depot_stock()
    shelters = registry.shelters()
    return (
        teams_table(teams, lang),
        depots_block(short_stock(stock), stock["depot_id"].nunique(), lang),
        shelters_block(
            len(shelters),
            int(shelters["is_open"].astype(bool).sum()),
            int(shelters["capacity"].sum()),
            int(shelters["occupancy"].sum()),
            lang,
        ),
    )


@guarded(
    "view",
    Output(Ids.TEAMS, "children", allow_duplicate=True),
    Output(Ids.DEPOTS, "children", allow_duplicate=True),
    Output(Ids.SHELTERS, "children", allow_duplicate=True),
    Output(Ids.AS_OF, "data-as-of", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None, page: dict | None):
    """Summarise the forces for a replayed moment: each team's readiness as it was then; stock
    and shelters as registered now (the warehouse keeps no history of them), and saying so."""
    moment = replayed(at)
    sources = get_sources()
    lang = lang_of(page)
    teams, depots, shelters = drawn(sources, sources.replay.team_status(moment), lang)
    note = html.Caption(t("wall.forces.replay", lang))
    return [note, *teams], depots, shelters, moment.isoformat()
