"""The leadership tablet: live figures, red and orange alarms, open incidents and the map; an
acknowledgement goes through an on-screen confirmation, a permission check and the audit."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import dash_leaflet as dl
import pandas as pd
from dash import ALL, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from auth import audit, can, current_user
from callbacks import guarded
from callbacks.city_map import district_levels
from callbacks.consult_page import alarm_points, gcj02_tiles, latlon, static_map
from callbacks.duty_panel import on_duty
from data_sources import Sources, get_sources
from data_sources.live import LEVELS
from layouts import demo
from layouts import tablet_page as page
from layouts.common import SHANGHAI
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, level_name, t
from layouts.pulse import ids as pulse_ids
from layouts.tablet_page import Ids

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("tablet")


def duty_leader(sources: Sources, now: datetime) -> tuple[str, str] | None:
    """(name, phone) of the city's duty leader now, or None when nobody is rostered."""
    day = now.astimezone(SHANGHAI).date()
    roster = pd.concat(
        [
            sources.registry.roster(day - timedelta(days=1), "city"),
            sources.registry.roster(day, "city"),
        ]
    )
    leaders = [
        (name, phone)
        for role, name, phone in on_duty(roster, pd.Timestamp(now))
        if role == "leader"
    ]
    return leaders[0] if leaders else None


def urgent(alarms: pd.DataFrame) -> pd.DataFrame:
    """Red and orange alarms not closed; unacknowledged first, then newest first."""
    picked = alarms[alarms["level"].isin(["red", "orange"]) & (alarms["status"] != "closed")]
    return picked.assign(_new=picked["status"] == "new").sort_values(
        ["_new", "occurred_at"], ascending=[False, False]
    )


def acknowledge(sources: Sources, alarm_id: str, lang: str, now: float | None = None) -> str:
    """Acknowledge one alarm as the current user; return the message to show."""
    if not can("ack_alarm"):
        audit("ack", outcome="denied", alarm_id=alarm_id)
        return t("ack.denied", lang)
    user = current_user()
    who = user.name if user else ""  # the account, not a name anyone could type
    before = sources.live.alarm(sources.live.resolve(alarm_id))
    status = sources.live.transition(
        alarm_id, "acknowledged", who, time.time() if now is None else now
    )
    if status == "acknowledged" and before and before["status"] == "new":
        audit("ack", alarm_id=alarm_id)
        return t("ack.done", lang, title=before["title"])
    if status == "acknowledged":
        return t("ack.already", lang)
    audit("ack", outcome="failed", alarm_id=alarm_id, status=status)
    return t("ack.gone", lang)


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
    Output(Ids.MAP_ALARMS, "data"),
    Output(Ids.MAP_ALARMS, "hideout"),
    Output(Ids.MAP_INCIDENTS, "children"),
    Output(Ids.MAP_DISTRICTS, "hideout"),
    Output(Ids.MAP_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(_version: int | None, page_lang: dict | None):
    """Rebuild the figures, lists and map from the live state."""
    lang, sources = lang_of(page_lang), get_sources()
    now = datetime.now(UTC)
    alarms = sources.live.active_alarms(closed_window_s=0)
    incidents = sources.registry.incidents("open")
    teams = sources.registry.rescue_teams()
    status = sources.live.team_status()
    ready = sum(status.get(team, "ready") == "ready" for team in teams["id"])
    counts = {lv: int((alarms["level"] == lv).sum()) for lv in LEVELS}
    names = _names(sources, lang)
    stamp = now.isoformat()
    return (
        page.stats(counts, len(incidents), ready, len(teams), duty_leader(sources, now), lang),
        stamp,
        page.urgent_items(urgent(alarms), names, can("ack_alarm"), lang),
        stamp,
        page.incident_items(incidents, names, lang),
        stamp,
        *alarm_points(alarms, gcj02_tiles(sources)),
        incident_markers(incidents, gcj02_tiles(sources)),
        {"levels": district_levels(alarms)},
        stamp,
    )


def incident_markers(incidents: pd.DataFrame, gcj02: bool) -> list:
    """Open incidents; a tap opens a popup with the way to the incident's command page."""
    return [
        dl.DivMarker(
            position=latlon(r.lon, r.lat, gcj02),
            iconOptions={
                "className": f"incident-marker level-{r.level}",
                "html": "<span>◆</span>",
                "iconSize": [32, 32],
            },
            children=dl.Popup(html.A(r.title, href=f"/incident/{r.id}", className="popup-link")),
        )
        for r in incidents.itertuples(index=False)
    ]


@guarded(
    "view",
    Output(Ids.MAP_DISTRICTS, "data"),
    Output(Ids.MAP_BASE, "children"),
    Output(Ids.MAP, "viewport"),
    Input(Ids.ROOT, "id"),
)
def map_static(_root: str):
    """District outlines and the base map, once per page load; the city fitted again now
    that the page has its final size (the map was created before the grid settled)."""
    return static_map(get_sources())


@guarded(
    "ack_alarm",
    Output(Ids.PENDING, "data"),
    Output(Ids.DIALOG, "hidden"),
    Output(Ids.DIALOG_TEXT, "children"),
    Output(Ids.MESSAGE, "children"),
    Input({"type": Ids.ACK, "id": ALL}, "n_clicks"),
    Input(Ids.YES, "n_clicks"),
    Input(Ids.NO, "n_clicks"),
    State(Ids.PENDING, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def confirm_ack(_clicks, _yes, _no, pending, page_lang):  # noqa: ANN001
    """First tap asks; the dialog's confirm acknowledges; cancel does nothing."""
    lang, trigger = lang_of(page_lang), ctx.triggered_id
    if trigger == Ids.NO:
        return None, True, "", ""
    if trigger == Ids.YES:
        if not pending:
            return None, True, "", ""
        return None, True, "", acknowledge(get_sources(), pending["id"], lang)
    if not trigger or not any(item["value"] for item in ctx.triggered):
        raise PreventUpdate  # the list was redrawn, nothing was tapped
    alarm = get_sources().live.alarm(trigger["id"])
    if alarm is None:
        return None, True, "", t("ack.gone", lang)
    text = f"{level_name(alarm['level'], lang)} · {alarm['title']}"
    if demo.is_demo(alarm["detail"]):
        text = f"[{demo.DEMO_TEXT['en' if lang == 'en' else 'zh']}] {text}"
    return {"id": trigger["id"]}, False, text, ""
