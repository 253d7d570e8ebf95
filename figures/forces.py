"""The numbers of the forces: teams ready per kind, stock below its minimum. The wall's forces
panel and /resources show the same ones."""

from __future__ import annotations

import pandas as pd

from layouts.forces import TEAM_KINDS


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
