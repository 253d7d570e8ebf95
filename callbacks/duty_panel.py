"""Fill the wall's duty panel: roster from the warehouse, check-ins live from Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from dash import Input, Output

from callbacks import guarded
from data_sources import get_sources
from layouts.common import SHANGHAI, local_time
from layouts.duty_panel import ROLE_NAMES, Ids, city_block, rooms_block
from layouts.pulse import ids as pulse_ids

# A duty room that has not checked in for this long is shown as not answering.
CHECKIN_WINDOW = timedelta(minutes=10)

WALL_PULSE = pulse_ids("wall")


def on_duty(roster: pd.DataFrame, now: pd.Timestamp) -> list[tuple[str, str, str]]:
    """Who is on duty at `now`: (role, name, phone), leader first."""
    current = roster[(roster["starts_at"] <= now) & (roster["ends_at"] > now)]
    order = {role: i for i, role in enumerate(ROLE_NAMES)}
    current = current.assign(o=current["role"].map(order)).sort_values(["o", "name"])
    return list(current[["role", "name", "phone"]].itertuples(index=False, name=None))


def room_states(districts: dict[str, str], checkins: dict[str, float], now: datetime) -> list:
    rows = []
    for unit, name in districts.items():
        at = checkins.get(unit)
        ok = at is not None and now.timestamp() - at <= CHECKIN_WINDOW.total_seconds()
        last = (
            "无签到"
            if at is None
            else "签到 " + local_time(datetime.fromtimestamp(at, UTC), "%H:%M")
        )
        rows.append((unit, name, ok, last))
    return rows


@guarded(
    "view",
    Output(Ids.CITY, "children"),
    Output(Ids.ROOMS, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
)
def refresh(_version: int | None):
    """Show the city's duty team now and the district rooms' check-ins."""
    sources = get_sources()
    now = datetime.now(UTC)
    local_day = now.astimezone(SHANGHAI).date()
    # A night shift that began yesterday is still on duty this morning.
    roster = pd.concat(
        [
            sources.registry.roster(local_day - timedelta(days=1), "city"),
            sources.registry.roster(local_day, "city"),
        ]
    )
    rooms = room_states(sources.registry.district_names(), sources.live.checkins(), now)
    return city_block(on_duty(roster, pd.Timestamp(now))), rooms_block(rooms), now.isoformat()
