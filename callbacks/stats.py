"""Fill the statistics panel from the warehouse's alarm history (cached at the data layer)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import pandas as pd
import plotly.utils
from dash import Input, Output, State, html, no_update

from callbacks import guarded
from data_sources import freshness, get_sources
from figures.stats import hourly_counts, trend_figure
from layouts.common import SHANGHAI
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, level_name
from layouts.pulse import ids as pulse_ids
from layouts.replay import Ids as ReplayIds
from layouts.replay import replayed
from layouts.stats import Ids, bars
from layouts.wall import Ids as WallIds
from vocabulary import LEVELS

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


def names(sources, lang: str) -> tuple[dict[str, str], dict[str, str]]:  # noqa: ANN001
    """District and system names in `lang` (a system without an English name as registered)."""
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    if lang == "en":
        systems |= freshness.english_names(sources)
    return sources.registry.district_names(lang), systems


def today_counts(by_level: dict[str, int], lang: str = "zh") -> list[html.Div]:
    return [
        html.Div(
            [html.Span(str(by_level[level]), className="n"), html.Span(level_name(level, lang))],
            className=f"level-count level-{level}",
        )
        for level in LEVELS
    ]


@guarded(
    "view",
    Output(Ids.TODAY, "children"),
    Output(Ids.DISTRICTS, "children"),
    Output(Ids.TREND, "figure"),
    Output(Ids.SOURCES, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Output(Ids.DIGEST, "data"),
    Input(WALL_PULSE.version, "data"),
    Input(WALL_PULSE.alarms, "data"),
    State(WallIds.SIZE, "data"),
    State(Ids.DIGEST, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(
    _version: int | None,
    _alarms: int | None,
    size: dict | None,
    drawn: str | None,
    page: dict | None,
):
    """Summarise the last 24 hours of alarms. The history is read once a minute (the data
    layer's cache), so most alarm changes find the same figures: then only the panel's age
    is sent, not the panel again."""
    sources = get_sources()
    now = pd.Timestamp.now(tz="UTC")
    # Cache key granularity: the minute, so every screen shares one query per minute.
    since = (now - pd.Timedelta(hours=24)).floor("min").to_pydatetime()
    history = sources.registry.alarm_history(since)
    lang = lang_of(page)
    districts, systems = names(sources, lang)
    by_level, by_district, by_source, hourly = summarise(history, now, districts, systems)
    today = today_counts(by_level, lang)
    u = (size or {}).get("u", 1.0)
    as_of = datetime.now(SHANGHAI).isoformat()
    drawn_now = (today, bars(by_district, key="district"), trend_figure(hourly, u, lang))
    drawn_now += (bars(by_source, key="source"),)
    digest = hashlib.sha256(
        json.dumps(drawn_now, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True).encode()
    ).hexdigest()[:16]
    if digest == drawn:
        return no_update, no_update, no_update, no_update, as_of, no_update
    return (*drawn_now, as_of, digest)


@guarded(
    "view",
    Output(Ids.TODAY, "children", allow_duplicate=True),
    Output(Ids.DISTRICTS, "children", allow_duplicate=True),
    Output(Ids.TREND, "figure", allow_duplicate=True),
    Output(Ids.SOURCES, "children", allow_duplicate=True),
    Output(Ids.AS_OF, "data-as-of", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    State(WallIds.SIZE, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None, size: dict | None, page: dict | None):
    """Summarise the 24 hours before the replayed moment, as the panel did then."""
    sources = get_sources()
    moment = replayed(at)
    now = pd.Timestamp(moment)
    history = sources.replay.history((now - pd.Timedelta(hours=24)).to_pydatetime(), moment)
    lang = lang_of(page)
    districts, systems = names(sources, lang)
    by_level, by_district, by_source, hourly = summarise(history, now, districts, systems)
    return (
        today_counts(by_level, lang),
        bars(by_district, key="district"),
        trend_figure(hourly, (size or {}).get("u", 1.0), lang),
        bars(by_source, key="source"),
        moment.isoformat(),
    )
