"""Fill incident command mode: what is around the incident (registry, projected and indexed
by geo/nearby.py), who can get there first, and the incident's own timeline and forces."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
from dash import Input, Output, State, no_update
from shapely.geometry import Point, Polygon

from callbacks import guarded
from data_sources import get_sources
from data_sources.incidents import sent_teams
from data_sources.registry import REGISTRY_TTL
from geo import nearby
from layouts import incident_lists as lists
from layouts import incident_map, url_state
from layouts.common import local_time
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, moment, t
from layouts.incident_page import MAP, Ids, view_query, wind_options
from layouts.pulse import ids as pulse_ids
from maps.datum import gcj02_tiles
from maps.layout import viewport
from maps.static import static_layers
from vocabulary import TEAM_DEFAULT

TARGETS = tuple(lists.TARGET_KINDS)  # school, hospital, residential, elderly

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("incident")


def sector_half_angle(speed_ms: float | None) -> float:
    """Half-angle of the downwind sector: a light or unknown wind meanders, so its plume may
    go wider (45° under 1 m/s or unknown, 30° up to 3 m/s, 22.5° above)."""
    if speed_ms is None or speed_ms < 1:
        return 45.0
    return 30.0 if speed_ms <= 3 else 22.5


# Projecting and indexing the registry costs ~25 ms at 10k points and ~0.5 s at 100k: keep
# the result per process as long as the registry cache keeps its data (REGISTRY_TTL).
_projected: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Registry → (at, frames)
_projected_lock = threading.Lock()


def registry_frames(registry) -> dict[str, gpd.GeoDataFrame]:  # noqa: ANN001
    """The registry layers incident mode searches, in METRIC_CRS with spatial indexes."""
    with _projected_lock:
        at, frames = _projected.get(registry, (0.0, {}))
        if time.monotonic() - at < REGISTRY_TTL:
            return frames
    firms = registry.enterprises()
    hazchem = firms["hazchem"].astype(bool)
    frames = {
        "hazard": nearby.to_metric_points(registry.hazard_sources()),
        "enterprise": nearby.to_metric_points(firms[hazchem]),
        "firm": nearby.to_metric_points(firms[~hazchem]),
        "target": nearby.to_metric_points(registry.sensitive_targets(TARGETS)),
        "team": nearby.to_metric_points(registry.rescue_teams()),
        "depot": nearby.to_metric_points(registry.depots()),
        "shelter": nearby.to_metric_points(registry.shelters()),
    }
    for frame in frames.values():
        frame.sindex  # noqa: B018 - build the index now, once, not inside a query
    with _projected_lock:
        _projected[registry] = (time.monotonic(), frames)
    return frames


@dataclass
class Surroundings:
    centre: Point
    rings: tuple[float, ...]
    sector: Polygon | None
    found: dict[str, gpd.GeoDataFrame]  # hazard, enterprise, firm, target: in the rings
    teams: gpd.GeoDataFrame
    depots: gpd.GeoDataFrame
    items: list[tuple[str, str, str]]
    shelters: gpd.GeoDataFrame


def surroundings(
    frames: dict[str, gpd.GeoDataFrame],
    stock: pd.DataFrame,
    incident: dict,
    rings: tuple[float, ...],
    wind_from: float | None,
    wind_speed: float | None,
) -> Surroundings:
    """Everything around `incident` within `rings` (km), flagged `downwind` when in the
    sector of `wind_from` (degrees, meteorological) reaching the outermost ring."""
    centre = nearby.metric_point(incident["lon"], incident["lat"])
    turn = nearby.convergence_deg(incident["lon"], incident["lat"])
    half, length = sector_half_angle(wind_speed), rings[-1] * 1000
    found = {}
    for key in ("hazard", "enterprise", "firm", "target"):
        inside = nearby.within_rings(frames[key], centre, rings)
        downwind = np.zeros(len(inside), dtype=bool)
        if wind_from is not None:
            sector = nearby.in_sector(frames[key], centre, wind_from, half, length, turn)
            downwind = inside.index.isin(sector.index)
        found[key] = inside.assign(downwind=downwind)
    category = incident["category"]
    codes = nearby.NEEDS.get(category, nearby.DEFAULT_NEEDS)
    known = stock.drop_duplicates("item").set_index("item")
    items = [(c, known.at[c, "item_name"], known.at[c, "unit"]) for c in codes if c in known.index]
    return Surroundings(
        centre=centre,
        rings=rings,
        sector=None
        if wind_from is None
        else nearby.downwind_sector(centre, wind_from, half, length, turn),
        found=found,
        teams=nearby.nearest_teams(frames["team"], centre, 8, nearby.TEAMS_FOR.get(category)),
        depots=nearby.depots_for(frames["depot"], stock, centre, [c for c, _, _ in items]),
        items=items,
        shelters=nearby.shelters_with_room(frames["shelter"], centre),
    )


def ring_rows(s: Surroundings, lang: str = "zh") -> list[dict]:
    """Cumulative counts and population within each ring, then in the downwind sector."""
    targets = s.found["target"]

    def row(label: str, keep, sector: bool = False) -> dict:  # noqa: ANN001
        t = targets[keep(targets)]
        out = {"label": label, "sector": sector, "population": int(t["population"].sum())}
        out |= {k: int(keep(s.found[k]).sum()) for k in ("hazard", "enterprise")}
        return out | {k: int((t["kind"] == k).sum()) for k in TARGETS}

    rows = [
        row(t("inc.ring.within", lang, r=f"{r:g}"), lambda f, r=r: f["ring_km"] <= r)
        for r in s.rings
    ]
    if s.sector is not None:
        rows.append(row(t("inc.ring.downwind", lang), lambda f: f["downwind"], sector=True))
    return rows


def dispatched(
    timeline: pd.DataFrame, teams: pd.DataFrame, status: dict[str, str], lang: str = "zh"
) -> list[dict]:
    """Teams the timeline names as sent ("派出"), when they were sent and arrived, and their
    one live status (vocabulary.TEAM_STATUS)."""
    return [
        {
            "id": r.id,
            "name": r.name,
            "at": r.sent,
            "sent": moment(r.sent, lang),
            "arrived": "" if pd.isna(r.arrived) else local_time(r.arrived, "%H:%M"),
            "status": status.get(r.id, TEAM_DEFAULT),
        }
        for r in sent_teams(timeline, teams).itertuples(index=False)
    ]


def _age(since: datetime, now: datetime, lang: str = "zh") -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes >= 60:
        return t("inc.age.hours", lang, h=minutes // 60, m=minutes % 60)
    return t("inc.minutes", lang, n=minutes)


def _incident(incident_id: str | None) -> dict | None:
    sources = get_sources()
    return sources.incidents.get(incident_id or "")


@guarded(
    "view",
    Output(Ids.NOT_FOUND, "hidden"),
    Output(Ids.BODY, "hidden"),
    Output(Ids.WIND_FROM, "options"),
    Output(Ids.WIND_FROM, "value"),
    Output(Ids.WIND_SPEED, "value"),
    Input(Ids.INCIDENT, "data"),
    State(Ids.PRESET, "data"),
    State(LangIds.PAGE, "data"),
)
def load(incident_id: str | None, preset: dict | None, page: dict | None = None):
    """Show the incident's page (or say it does not exist); wind from the link or the record."""
    incident = _incident(incident_id)
    if incident is None:
        return False, True, no_update, no_update, no_update
    preset = preset or {}
    wind = preset["wind"] if "wind" in preset else incident["wind_from_deg"]
    speed = preset["speed"] if "speed" in preset else incident["wind_speed_ms"]
    return True, False, wind_options(wind, lang_of(page)), wind, speed


@guarded(
    "view",
    Output(Ids.URL, "search"),
    Output(url_state.SHOWN, "data", allow_duplicate=True),
    Input(Ids.RINGS, "value"),
    Input(Ids.WIND_FROM, "value"),
    Input(Ids.WIND_SPEED, "value"),
    State(Ids.INCIDENT, "data"),
    State(Ids.URL, "search"),
    prevent_initial_call=True,
)
def remember_view(rings, wind_from, wind_speed, incident_id, search):  # noqa: ANN001
    """Write the rings and the wind into the URL (what the record says is left out)."""
    incident = _incident(incident_id)
    if incident is None:
        return no_update, no_update
    wind = None if wind_from is None else float(wind_from)
    speed = None if wind_speed in (None, "") else float(wind_speed)
    return url_state.write(search, view_query(rings, wind, speed, incident))


# Apart from `load`, which the analysis waits for: the outlines are the biggest answer.
@guarded(
    "view",
    Output(MAP.base, "children"),
    Output(MAP.districts, "data"),
    Input(Ids.INCIDENT, "data"),
)
def base_map(_incident_id: str | None):
    """The offline base map (district outlines), and TILE_URL's tiles when set."""
    outlines, base = static_layers(get_sources().settings)
    return base, outlines


@guarded(
    "view",
    Output(Ids.SHAPES, "children"),
    Output(Ids.POINTS, "data"),
    Output(Ids.FORCES_LAYER, "data"),
    viewport(),
    Output(Ids.SUMMARY, "children"),
    Output(Ids.HAZARDS, "children"),
    Output(Ids.TARGETS, "children"),
    Output(Ids.DEPOTS, "children"),
    Output(Ids.SHELTERS, "children"),
    Output(MAP.as_of, "data-as-of"),
    Output(Ids.HAZARDS_AS_OF, "data-as-of"),
    Output(Ids.TARGETS_AS_OF, "data-as-of"),
    Output(Ids.DEPOTS_AS_OF, "data-as-of"),
    Output(Ids.SHELTERS_AS_OF, "data-as-of"),
    Input(Ids.INCIDENT, "data"),
    Input(Ids.RINGS, "value"),
    Input(Ids.WIND_FROM, "value"),
    Input(Ids.WIND_SPEED, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def analyse(incident_id: str | None, rings: str | None, wind_from, wind_speed, page=None):  # noqa: ANN001
    """Search the registry around the incident and draw it."""
    lang = lang_of(page)
    incident = _incident(incident_id)
    if incident is None:
        return (no_update,) * 14
    sources = get_sources()
    s = surroundings(
        registry_frames(sources.registry),
        sources.registry.depot_stock(),
        incident,
        nearby.parse_rings(rings),
        None if wind_from is None else float(wind_from),
        None if wind_speed in (None, "") else float(wind_speed),
    )
    gcj02 = gcj02_tiles(sources.settings)
    drawn, points, forces, view = incident_map.layers(s, incident, gcj02, lang)
    now = datetime.now(UTC).isoformat()
    return (
        drawn,
        points,
        forces,
        view,
        lists.ring_summary(ring_rows(s, lang), lang),
        lists.hazards_list(s.found["hazard"], s.found["enterprise"], lang=lang),
        lists.targets_list(s.found["target"], lang=lang),
        lists.depots_list(s.depots, s.items, lang),
        lists.shelters_list(s.shelters, lang),
        *(now,) * 5,
    )


@guarded(
    "view",
    Output(Ids.OVERVIEW, "children"),
    Output(Ids.TIMELINE, "children"),
    Output(Ids.FORCES, "children"),
    Output(Ids.TEAMS, "children"),
    Output(Ids.FORCES_LAYER, "hideout"),
    Output(Ids.OVERVIEW_AS_OF, "data-as-of"),
    Output(Ids.TIMELINE_AS_OF, "data-as-of"),
    Output(Ids.FORCES_AS_OF, "data-as-of"),
    Output(Ids.TEAMS_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    Input(Ids.INCIDENT, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(_version: int | None, incident_id: str | None, page: dict | None = None):
    """Follow the incident, its timeline and the teams' live status."""
    lang = lang_of(page)
    incident = _incident(incident_id)
    if incident is None:
        return (no_update,) * 9
    sources = get_sources()
    now = datetime.now(UTC)
    status = sources.status.team_status()
    teams = sources.registry.rescue_teams()
    timeline = sources.incidents.timeline(incident["id"])
    centre = nearby.metric_point(incident["lon"], incident["lat"])
    kinds = nearby.TEAMS_FOR.get(incident["category"])
    nearest = nearby.nearest_teams(registry_frames(sources.registry)["team"], centre, 8, kinds)
    names = sources.registry.district_names(lang)
    district = names.get(incident["district"], incident["district"])
    entries = [
        (moment(r.at, lang), r.kind, r.text, r.author) for r in timeline.itertuples(index=False)
    ]
    opened = incident["opened_at"]
    end = incident["closed_at"] or now
    stamp = now.isoformat()
    return (
        lists.overview_block(
            incident, district, moment(opened, lang), _age(opened, end, lang), lang
        ),
        lists.timeline_list(entries, lang),
        lists.forces_list(dispatched(timeline, teams, status, lang), lang),
        lists.teams_list(nearest, status, lang),
        {"teams": status},
        *(stamp,) * 4,
    )
