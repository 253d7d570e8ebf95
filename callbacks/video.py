"""Fill the camera tiles: the cameras nearest an incident, an enterprise's own, and those of
what the consultation room's detail panel shows. Once per change of subject, never on the
pulse: a redrawn tile would restart its stream."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
from dash import Input, Output, State

from callbacks import guarded
from data_sources import Sources, get_sources
from layouts.consult_detail import parse_drill
from layouts.consult_ids import Ids as ConsultIds
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from layouts.incident_page import Ids as IncidentIds
from layouts.video import Ids, tiles
from video import demo
from video.addresses import shown

# How many cameras an incident's panel offers, and how far it looks.
NEAREST = 6
WITHIN_M = 5000.0


def why_not(url: str, settings) -> str | None:  # noqa: ANN001
    """None when a screen may play `url`; else why not (a key of layouts.video.UNAVAILABLE)."""
    if url.startswith(demo.DEMO_PREFIX):
        if not settings.DEMO_FEED:
            return "demo-off"
        return None if demo.available(settings.DATA_DIR) else "demo-missing"
    return None if shown(url, settings.CAMERA_ORIGINS) else "origin"


def _tiles(sources: Sources, cameras: pd.DataFrame, empty: str, lang: str = "zh"):  # noqa: ANN202
    settings = sources.settings
    rows = [(row, why_not(row["url"], settings)) for row in cameras.to_dict("records")]
    shown_tiles = tiles(rows, settings.VIDEO_MAX_STREAMS, empty, lang)
    return shown_tiles, datetime.now(UTC).isoformat()


def _near(sources: Sources, lon, lat) -> pd.DataFrame:  # noqa: ANN001
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        return sources.cameras.all().head(0)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return sources.cameras.all().head(0)
    return sources.cameras.nearest(lon, lat, NEAREST, WITHIN_M)


def _enterprise(sources: Sources, enterprise_id: str) -> pd.DataFrame:
    hazards = sources.registry.hazard_sources()
    own = hazards.loc[hazards["enterprise_id"] == enterprise_id, "id"].tolist()
    return sources.cameras.of_sites([enterprise_id, *own])


@guarded(
    "view",
    Output(Ids.INCIDENT, "children"),
    Output(Ids.INCIDENT_AS_OF, "data-as-of"),
    Input(IncidentIds.INCIDENT, "data"),
    State(LangIds.PAGE, "data"),
)
def incident_cameras(incident_id: str | None, page_lang: dict | None = None):
    """Show the cameras nearest the incident."""
    lang = lang_of(page_lang)
    sources = get_sources()
    incident = sources.incidents.get(incident_id or "") or {}
    cameras = _near(sources, incident.get("lon"), incident.get("lat"))
    empty = t("video.none.incident", lang, km=f"{WITHIN_M / 1000:g}")
    return _tiles(sources, cameras, empty, lang)


@guarded(
    "view",
    Output(Ids.HAZCHEM, "children"),
    Output(Ids.HAZCHEM_AS_OF, "data-as-of"),
    Input(Ids.HAZCHEM_SITE, "data"),
    State(LangIds.PAGE, "data"),
)
def enterprise_cameras(enterprise_id: str | None, page_lang: dict | None = None):
    """Show the cameras of the enterprise the drill-down shows."""
    lang = lang_of(page_lang)
    sources = get_sources()
    cameras = _enterprise(sources, enterprise_id or "")
    return _tiles(sources, cameras, t("video.none.enterprise", lang), lang)


@guarded(
    "view",
    Output(Ids.CONSULT, "children"),
    Output(Ids.CONSULT_AS_OF, "data-as-of"),
    Input(ConsultIds.URL, "hash"),
    State(LangIds.PAGE, "data"),
)
def consult_cameras(hash_: str | None, page_lang: dict | None = None):
    """Show the cameras of the enterprise, or nearest the incident or alarm, in the detail."""
    sources = get_sources()
    lang = lang_of(page_lang)
    target = parse_drill(hash_)
    if target is None:
        return _tiles(sources, sources.cameras.all().head(0), t("video.none.pick", lang), lang)
    kind, ident = target
    if kind == "enterprise":
        cameras = _enterprise(sources, ident)
    elif kind == "incident":
        incident = sources.incidents.get(ident) or {}
        cameras = _near(sources, incident.get("lon"), incident.get("lat"))
    else:
        alarm = sources.alarms.get(ident) or sources.analysis.alarm(ident) or {}
        cameras = _near(sources, alarm.get("lon"), alarm.get("lat"))
    return _tiles(sources, cameras, t("video.none.near", lang), lang)
