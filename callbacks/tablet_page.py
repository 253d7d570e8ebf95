"""The leadership tablet: live figures, red and orange alarms, open incidents and the map.
Acknowledging and closing are callbacks/alarm_actions.py's (confirmation, permission, audit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dash_leaflet as dl
import pandas as pd
from dash import Input, Output, State, html

from callbacks import guarded
from data_sources import Sources, get_sources
from figures.duty import on_duty
from layouts import tablet_page as page
from layouts.alarm_actions import allowed_actions
from layouts.common import SHANGHAI
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of
from layouts.pulse import ids as pulse_ids
from layouts.tablet_page import MAP, Ids
from maps import features, markers
from maps.datum import gcj02_tiles
from maps.layout import BOUNDS, viewport
from maps.static import static_layers
from thresholds.escalation import pinned_first, recorded_stage
from vocabulary import LEVELS

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("tablet")


def duty_leader(sources: Sources, now: datetime) -> tuple[str, str] | None:
    """(name, phone) of the city's duty leader now, or None when nobody is rostered."""
    day = now.astimezone(SHANGHAI).date()
    roster = pd.concat(
        [
            sources.rosters.on_day(day - timedelta(days=1), "city"),
            sources.rosters.on_day(day, "city"),
        ]
    )
    leaders = [
        (name, phone)
        for role, name, phone in on_duty(roster, pd.Timestamp(now))
        if role == "leader"
    ]
    return leaders[0] if leaders else None


def urgent(alarms: pd.DataFrame) -> pd.DataFrame:
    """Red and orange alarms not closed: escalated ones first (highest stage, waiting longest),
    then the other unacknowledged ones, then the acknowledged; newest first within each."""
    picked = alarms[alarms["level"].isin(["red", "orange"]) & (alarms["status"] != "closed")]
    picked = pinned_first(picked)
    escalated = [recorded_stage(r) > 0 for r in picked.itertuples(index=False)]
    return picked.assign(_esc=escalated, _new=picked["status"] == "new").sort_values(
        ["_esc", "_new"], ascending=[False, False], kind="stable"
    )


def _names(sources: Sources, lang: str) -> dict[str, str]:
    districts = sources.registry.districts()
    return dict(zip(districts["adcode"], districts["name_en" if lang == "en" else "name"]))


@guarded(
    "contacts",
    Output(Ids.STATS, "children"),
    Output(Ids.STATS_AS_OF, "data-as-of"),
    Output(Ids.URGENT, "children"),
    Output(Ids.URGENT_AS_OF, "data-as-of"),
    Output(Ids.INCIDENTS, "children"),
    Output(Ids.INCIDENTS_AS_OF, "data-as-of"),
    Output(MAP.alarms, "data"),
    Output(MAP.alarms, "hideout"),
    Output(MAP.incidents, "children"),
    Output(MAP.districts, "hideout"),
    Output(MAP.as_of, "data-as-of"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(_version: int | None, page_lang: dict | None):
    """Rebuild the figures, lists and map from the live state."""
    lang, sources = lang_of(page_lang), get_sources()
    now = datetime.now(UTC)
    alarms = sources.alarms.active(closed_window_s=0)
    incidents = sources.incidents.listed("open")
    teams = sources.registry.rescue_teams()
    status = sources.status.team_status()
    ready = sum(status.get(team, "ready") == "ready" for team in teams["id"])
    counts = {lv: int((alarms["level"] == lv).sum()) for lv in LEVELS}
    names = _names(sources, lang)
    gcj02 = gcj02_tiles(sources.settings)
    stamp = now.isoformat()
    return (
        page.stats(counts, len(incidents), ready, len(teams), duty_leader(sources, now), lang),
        stamp,
        page.urgent_items(urgent(alarms), names, allowed_actions(), lang, now=now),
        stamp,
        page.incident_items(incidents, names, lang),
        stamp,
        *features.alarm_points(alarms, gcj02),
        markers.incident_markers(incidents, gcj02, _incident_popup, size=32),
        {"levels": features.district_levels(alarms)},
        stamp,
    )


def _incident_popup(row) -> dl.Popup:  # noqa: ANN001
    """A tap on an incident: the way to its command page."""
    return dl.Popup(html.A(row.title, href=f"/incident/{row.id}", className="popup-link"))


@guarded(
    "view",
    Output(MAP.districts, "data"),
    Output(MAP.base, "children"),
    viewport(),
    Input(MAP.base, "id"),
    prevent_initial_call="initial_duplicate",
)
def map_static(_base: str):
    """District outlines and the base map, once per page load; the city fitted again now
    that the page has its final size (the map was created before the grid settled)."""
    return *static_layers(get_sources().settings), {"bounds": BOUNDS}
