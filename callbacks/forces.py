"""Fill the forces panel: registry from the warehouse (cached), readiness live from Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from dash import Input, Output

from callbacks import guarded
from data_sources import get_sources
from layouts.forces import TEAM_KINDS, Ids, depots_block, shelters_block, teams_table
from layouts.pulse import ids as pulse_ids

WALL_PULSE = pulse_ids("wall")


def team_summary(teams: pd.DataFrame, status: dict[str, str]) -> pd.DataFrame:
    """Per kind: teams, ready (no live status counts as ready), personnel and vehicles ready."""
    frame = teams.assign(ready=teams["id"].map(lambda t: status.get(t, "ready") == "ready"))
    ready = frame[frame["ready"]]
    summary = (
        pd.DataFrame(
            {
                "teams": frame.groupby("kind").size(),
                "ready": ready.groupby("kind").size(),
                "personnel": ready.groupby("kind")["personnel"].sum(),
                "vehicles": ready.groupby("kind")["vehicles"].sum(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    order = [k for k in TEAM_KINDS if k in summary.index] + [
        k for k in summary.index if k not in TEAM_KINDS
    ]
    return summary.loc[order]


def short_stock(stock: pd.DataFrame) -> pd.DataFrame:
    """(depot, item) pairs below their minimum, the worst first."""
    short = stock[stock["quantity"] < stock["min_quantity"]]
    return short.assign(ratio=short["quantity"] / short["min_quantity"]).sort_values("ratio")


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
    registry = sources.registry
    teams = team_summary(registry.rescue_teams(), sources.live.team_status())
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
        datetime.now(UTC).isoformat(),
    )
