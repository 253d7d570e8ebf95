"""Fill the alarm feed and level counts from the live state when its version moves."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output, callback

from data_sources import get_sources
from data_sources.live import LEVELS
from layouts.alarm_feed import Ids, counts_items, feed_items
from layouts.pulse import ids as pulse_ids

WALL_PULSE = pulse_ids("wall")


@callback(
    Output(Ids.FEED, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Output(Ids.COUNTS, "children"),
    Output(Ids.COUNTS_AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
)
def refresh(_version: int | None):
    """Rebuild the feed and the counts from Redis."""
    sources = get_sources()
    alarms = sources.live.active_alarms()
    now = datetime.now(UTC).isoformat()
    districts = sources.registry.district_names()
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    active = alarms[alarms["status"] != "closed"]
    counts = {level: int((active["level"] == level).sum()) for level in LEVELS}
    return feed_items(alarms, districts, systems), now, counts_items(counts), now
