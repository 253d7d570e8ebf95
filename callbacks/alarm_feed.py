"""Fill the alarm feed and level counts from the live state when its version moves."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output

from callbacks import guarded
from data_sources import get_sources
from layouts.alarm_feed import Ids, counts_items, feed_items
from layouts.pulse import ids as pulse_ids

WALL_PULSE = pulse_ids("wall")
# The feed shows this many rows; reading more would only cost time in an alarm flood.
FEED_ROWS = 60


@guarded(
    "view",
    Output(Ids.FEED, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Output(Ids.COUNTS, "children"),
    Output(Ids.COUNTS_AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
)
def refresh(version: int | None):
    """Rebuild the feed and the counts from Redis."""
    sources = get_sources()
    alarms = sources.at_version(
        version, f"feed:{FEED_ROWS}", lambda: sources.live.active_alarms(limit=FEED_ROWS)
    )
    now = datetime.now(UTC).isoformat()
    districts = sources.registry.district_names()
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    counts = sources.at_version(version, "level_counts", sources.live.level_counts)
    return feed_items(alarms, districts, systems, FEED_ROWS), now, counts_items(counts), now
