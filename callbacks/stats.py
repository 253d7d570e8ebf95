"""Fill the statistics panel from the warehouse's alarm history (cached at the data layer)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from dash import Input, Output, State, html

from callbacks import guarded
from data_sources import get_sources
from data_sources.live import LEVELS
from figures.stats import hourly_counts, trend_figure
from layouts.common import LEVEL_NAMES, SHANGHAI
from layouts.pulse import ids as pulse_ids
from layouts.stats import Ids, bars
from layouts.wall import Ids as WallIds

WALL_PULSE = pulse_ids("wall")


def today_start(now: pd.Timestamp) -> pd.Timestamp:
    """Midnight of today in Asia/Shanghai, as UTC."""
    return now.tz_convert(SHANGHAI).normalize().tz_convert("UTC")


def summarise(
    history: pd.DataFrame, now: pd.Timestamp, districts: dict[str, str], systems: dict[str, str]
):
    """Today's counts by level, by district, and by source; the 24-hour hourly counts."""
    today = history[history["occurred_at"] >= today_start(now)]
    by_level = {level: int((today["level"] == level).sum()) for level in LEVELS}
    by_district = today["district"].map(districts).value_counts()
    by_district = [(name, int(by_district.get(name, 0))) for name in districts.values()]
    by_district.sort(key=lambda item: -item[1])
    by_source = today["source"].map(lambda s: systems.get(s, s)).value_counts().head(5)
    return by_level, by_district, list(by_source.items()), hourly_counts(history, now)


@guarded(
    "view",
    Output(Ids.TODAY, "children"),
    Output(Ids.DISTRICTS, "children"),
    Output(Ids.TREND, "figure"),
    Output(Ids.SOURCES, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
    State(WallIds.SIZE, "data"),
)
def refresh(_version: int | None, size: dict | None):
    """Summarise the last 24 hours of alarms."""
    sources = get_sources()
    now = pd.Timestamp.now(tz="UTC")
    # Cache key granularity: the minute, so every screen shares one query per minute.
    since = (now - pd.Timedelta(hours=24)).floor("min").to_pydatetime()
    history = sources.registry.alarm_history(since)
    districts = sources.registry.district_names()
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    by_level, by_district, by_source, hourly = summarise(history, now, districts, systems)
    today = [
        html.Div(
            [html.Span(str(by_level[level]), className="n"), html.Span(LEVEL_NAMES[level])],
            className=f"level-count level-{level}",
        )
        for level in LEVELS
    ]
    u = (size or {}).get("u", 1.0)
    as_of = datetime.now(SHANGHAI).isoformat()
    return (
        today,
        bars(by_district, key="district"),
        trend_figure(hourly, u),
        bars(by_source, key="source"),
        as_of,
    )
