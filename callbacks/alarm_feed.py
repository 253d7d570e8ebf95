"""The alarm feed and level counts: a full read when the page loads or must re-read, and the
pushed changes spliced in by the browser (a new alarm arrives as that alarm, counts as numbers).
"""

from __future__ import annotations

from datetime import UTC, datetime

from dash import ClientsideFunction, Input, Output, State

from callbacks import guarded, guarded_clientside
from data_sources import get_sources
from layouts.alarm_feed import Ids
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of
from layouts.pulse import ids as pulse_ids
from layouts.replay import Ids as ReplayIds
from layouts.replay import replayed
from push.render import feed_rows

WALL_PULSE = pulse_ids("wall")
# The feed shows this many rows; reading more would only cost time in an alarm flood.
FEED_ROWS = 60


@guarded(
    "view",
    Output(Ids.ROWS, "data"),
    Input(WALL_PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(version: int | None, page: dict | None):
    """Read the feed and the counts from Redis (the browser draws them: assets/push.js)."""
    sources = get_sources()
    alarms = sources.at_version(
        version, f"feed:{FEED_ROWS}", lambda: sources.alarms.active(limit=FEED_ROWS)
    )
    counts = sources.at_version(version, "level_counts", sources.alarms.level_counts)
    return {
        "v": version,
        "rows": feed_rows(sources, alarms, FEED_ROWS, lang=lang_of(page)),
        "counts": counts,
        "limit": FEED_ROWS,
        "as_of": datetime.now(UTC).isoformat(),
    }


guarded_clientside(
    "view",
    ClientsideFunction(namespace="seFeed", function_name="render"),
    Output(Ids.AS_OF, "data-as-of"),
    Output(Ids.COUNTS, "children"),
    Output(Ids.COUNTS_AS_OF, "data-as-of"),
    Input(Ids.ROWS, "data"),
    Input(Ids.DELTA, "data"),
    State(Ids.COUNTS, "children"),
)


@guarded(
    "view",
    Output(Ids.ROWS, "data", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None, page: dict | None):
    """Read the feed and the counts as they were at the replayed moment (warehouse only)."""
    sources = get_sources()
    moment = replayed(at)
    alarms = sources.replay.alarms(moment, limit=FEED_ROWS)
    return {
        "v": None,
        "rows": feed_rows(sources, alarms, FEED_ROWS, now=moment, lang=lang_of(page)),
        "counts": sources.replay.level_counts(moment),
        "limit": FEED_ROWS,
        "as_of": moment.isoformat(),
        "replay": True,
    }
