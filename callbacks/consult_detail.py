"""The consultation room's detail panel: the alarm, enterprise or incident that the page's
`#kind=id` names (a link in a list, a point on the map, the incident put on the wall)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from dash import Input, Output, State, html

from callbacks import guarded
from data_sources import Sources, get_sources
from figures.consult_view import current_view, names_of, site_enterprises
from layouts import alarm_actions, escalation
from layouts import consult_detail as page
from layouts.alarm_actions import allowed_actions
from layouts.consult_ids import DEFAULT_FILTER, PULSE, Ids
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from thresholds.escalation import recorded_stage


@guarded(
    "view",
    Output(Ids.DETAIL, "children"),
    Output(Ids.DETAIL_AS_OF, "data-as-of"),
    Input(Ids.URL, "hash"),
    Input(PULSE.version, "data"),
    State(Ids.FILTER, "data"),
    State(LangIds.PAGE, "data"),
)
def show_detail(hash_: str | None, _version: int | None, f: dict | None, page_lang: dict | None):
    """Render the alarm, enterprise or incident the page's `#kind=id` names."""
    target = page.parse_drill(hash_)
    lang, sources = lang_of(page_lang), get_sources()
    if target is None:
        return t("detail.hint", lang), datetime.now(UTC).isoformat()
    names, systems = names_of(sources, lang)
    kind, ident = target
    body = None
    if kind == "alarm":
        body = alarm_body(sources, ident, names, systems, lang)
    elif kind == "enterprise":
        ents = sources.registry.enterprises()
        rows = ents[ents["id"] == ident]
        if len(rows):
            hazards = sources.registry.hazard_sources()
            owners = site_enterprises(sources)
            view = current_view(sources, f or DEFAULT_FILTER)
            mine = view[view["site_id"].map(owners) == ident]
            body = page.enterprise_detail(
                rows.iloc[0].to_dict(),
                hazards[hazards["enterprise_id"] == ident],
                mine,
                names,
                lang,
            )
    else:
        incidents = sources.incidents.listed(None)
        rows = incidents[incidents["id"] == ident]
        if len(rows):
            timeline = sources.analysis.incident_timeline(ident, limit=8)
            body = page.incident_detail(rows.iloc[0].to_dict(), timeline, names, lang)
    return body if body is not None else t("detail.missing", lang), datetime.now(UTC).isoformat()


def _ts(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, int | float):
        return pd.Timestamp(value, unit="s", tz="UTC")
    return pd.Timestamp(value).tz_convert("UTC")


def alarm_body(sources: Sources, alarm_id: str, names: dict, systems: dict, lang: str):
    """An alarm's detail: the live state's copy when it has one (newer), else the archive's."""
    analysis = sources.analysis
    archived = analysis.alarm(alarm_id) or {}
    live = sources.alarms.get(alarm_id) or {}
    alarm = {**archived, **{k: v for k, v in live.items() if v is not None}}
    if not alarm:
        return None
    for name in ("occurred_at", "received_at", "ack_at", "closed_at"):
        alarm[name] = _ts(alarm.get(name))
    owner = site_enterprises(sources).get(alarm.get("site_id") or "")
    enterprise = None
    if owner:
        ents = sources.registry.enterprises()
        enterprise = (owner, ents.loc[ents["id"] == owner, "name"].iloc[0])
    events = analysis.alarm_events(alarm_id)
    body = page.alarm_detail(alarm, events, names, systems, enterprise, lang)
    # Acknowledge / close (callbacks/alarm_actions.py), and the escalation stage if any.
    stage = recorded_stage(alarm) if live else 0
    actions = alarm_actions.buttons(alarm["id"], alarm["status"], allowed_actions(), lang, False)
    mark = escalation.badge(stage, alarm["occurred_at"], lang) if stage else []
    return [*mark, html.Div(actions, className="actions detail-actions"), *body]
