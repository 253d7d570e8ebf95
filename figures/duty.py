"""Who is on duty: the wall's duty panel and the tablet's duty leader read the same roster."""

from __future__ import annotations

import pandas as pd

from layouts.duty_panel import ROLE_NAMES


def on_duty(roster: pd.DataFrame, now: pd.Timestamp) -> list[tuple[str, str, str]]:
    """Who is on duty at `now`: (role, name, phone), leader first."""
    current = roster[(roster["starts_at"] <= now) & (roster["ends_at"] > now)]
    order = {role: i for i, role in enumerate(ROLE_NAMES)}
    current = current.assign(o=current["role"].map(order)).sort_values(["o", "name"])
    return list(current[["role", "name", "phone"]].itertuples(index=False, name=None))
