"""`/incident/<id>`: one incident in command mode.

The map is centred on the incident with rings (default 1, 3, 5 km; `?rings=1,3,5` or the
field on screen) and, where the wind is known (stored with the incident, `?wind=<deg>` or
the field on screen), the downwind sector. Around it: hazard sources and enterprises
(domino risk), sensitive targets with their population, the rescue teams that can arrive
first, depots holding what this kind of incident needs, shelters with room, the timeline
and the forces dispatched. Lists are built by the functions below from plain frames.
"""

from __future__ import annotations

import math
from enum import StrEnum

import dash_leaflet as dl
from dash import dcc, html

from geo.nearby import DEFAULT_RINGS_KM, parse_rings
from layouts import i18n, pulse
from layouts.common import panel
from layouts.frame import frame
from layouts.i18n import t
from layouts.url_state import first
from layouts.video import Ids as VideoIds
from layouts.video import video_panel
from maps.layout import MapIds, city_map, districts_layer, map_panel
from maps.layout import legend as map_legend
from vocabulary import wind_direction

MAP = MapIds("incident-map")  # incident-map-panel, incident-map-districts, ...


class Ids(StrEnum):
    INCIDENT = "incident-id"
    URL = "incident-url"  # its query holds the rings and the wind (layouts/url_state.py)
    PRESET = "incident-preset"
    NOT_FOUND = "incident-not-found"
    BODY = "incident-body"
    OVERVIEW_PANEL = "incident-overview-panel"
    OVERVIEW = "incident-overview"
    OVERVIEW_AS_OF = "incident-overview-as-of"
    RINGS = "incident-rings"
    WIND_FROM = "incident-wind-from"
    WIND_SPEED = "incident-wind-speed"
    SHAPES = "incident-shapes"
    POINTS = "incident-points"
    FORCES_LAYER = "incident-forces-layer"
    SUMMARY = "incident-ring-summary"
    HAZARDS_PANEL = "incident-hazards-panel"
    HAZARDS = "incident-hazards"
    HAZARDS_AS_OF = "incident-hazards-as-of"
    TARGETS_PANEL = "incident-targets-panel"
    TARGETS = "incident-targets"
    TARGETS_AS_OF = "incident-targets-as-of"
    TEAMS_PANEL = "incident-teams-panel"
    TEAMS = "incident-teams"
    TEAMS_AS_OF = "incident-teams-as-of"
    DEPOTS_PANEL = "incident-depots-panel"
    DEPOTS = "incident-depots"
    DEPOTS_AS_OF = "incident-depots-as-of"
    SHELTERS_PANEL = "incident-shelters-panel"
    SHELTERS = "incident-shelters"
    SHELTERS_AS_OF = "incident-shelters-as-of"
    TIMELINE_PANEL = "incident-timeline-panel"
    TIMELINE = "incident-timeline"
    TIMELINE_AS_OF = "incident-timeline-as-of"
    FORCES_PANEL = "incident-forces-panel"
    FORCES = "incident-forces"
    FORCES_AS_OF = "incident-forces-as-of"


def wind_options(value: float | None, lang: str = "zh") -> list[dict]:
    """Meteorological wind directions (where the wind comes FROM), the 16 points of the
    compass, plus `value` itself when it is not one of them (a stored 37°)."""
    points = [
        {"label": f"{wind_direction(i * 22.5, lang)} ({i * 22.5:g}°)", "value": i * 22.5}
        for i in range(16)
    ]
    if value is None or any(abs(o["value"] - value) < 1e-6 for o in points):
        return points
    about = t("inc.wind_about", lang, direction=wind_direction(value, lang), degrees=f"{value:g}")
    return [*points, {"label": about, "value": value}]


WIND_OPTIONS = wind_options(None)  # in Chinese


NONE = "none"  # `?wind=none`, `?speed=none`: unknown, whatever the record says
MAX_WIND_MS = 60.0


def _number(text: object) -> float | None:
    try:
        value = float(first(text) or "nan")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_wind(text: object) -> float | None:
    """`?wind=<degrees the wind comes from>`; anything else means unknown."""
    value = _number(text)
    return None if value is None else value % 360


def _parse_speed(text: object) -> float | None:
    """`?speed=<m/s>`, 0 to 60; anything else means unknown."""
    value = _number(text)
    return value if value is not None and 0 <= value <= MAX_WIND_MS else None


def preset(wind: object, speed: object) -> dict:
    """What the URL says of the wind: each of `wind`, `speed` is a value, None (unknown:
    `none`) or absent from the dict (the URL says nothing: the incident's record holds)."""
    out: dict = {}
    for key, raw, parse in (("wind", wind, _parse_wind), ("speed", speed, _parse_speed)):
        if first(raw) == NONE:
            out[key] = None
        elif (value := parse(raw)) is not None:
            out[key] = value
    return out


def view_query(rings: object, wind: float | None, speed: float | None, record: dict) -> dict:
    """The URL parameters of the view: what differs from the defaults and the record."""

    def differs(value: float | None, stored: object) -> str | None:
        stored = None if stored is None or stored != stored else float(stored)
        if value == stored or (
            value is not None and stored is not None and abs(value - stored) < 1e-9
        ):
            return None
        return NONE if value is None else f"{value:g}"

    radii = parse_rings(rings if isinstance(rings, str) else None)
    return {
        "rings": None if radii == DEFAULT_RINGS_KM else ",".join(f"{r:g}" for r in radii),
        "wind": differs(wind, record.get("wind_from_deg")),
        "speed": differs(speed, record.get("wind_speed_ms")),
    }


def _map(lang: str) -> html.Section:
    # TILE_URL's tiles go into the map's base group from a callback: settings are not the
    # layout's business, and a query string must never name a tile server.
    layers = [
        districts_layer(MAP),
        dl.LayerGroup(id=Ids.SHAPES),
        dl.GeoJSON(id=Ids.POINTS, pointToLayer={"variable": "seMap.nearbyPoint"}),
        dl.GeoJSON(
            id=Ids.FORCES_LAYER,
            pointToLayer={"variable": "seMap.nearbyPoint"},
            hideout={"teams": {}},
        ),
    ]
    body = [
        city_map(MAP, layers),
        html.Div(id=Ids.SUMMARY, className="ring-summary"),
        legend(lang),
    ]
    return map_panel(MAP, body, source="warehouse")


# (swatch `nb-<key>`, the catalogue's label)
LEGEND = (
    ("incident", "inc.lg.incident"),
    ("hazard", "detail.hazards"),
    ("enterprise", "inc.lg.enterprise"),
    ("firm", "inc.lg.firm"),
    ("school", "target.school"),
    ("hospital", "target.hospital"),
    ("residential", "target.residential"),
    ("elderly", "target.elderly"),
    ("team", "res.teams"),
    ("depot", "inc.lg.depot"),
    ("shelter", "res.lg.shelter"),
    ("sector", "inc.lg.sector"),
)


def legend(lang: str = "zh") -> html.Div:
    items = [(f"nb-{k}", t(key, lang)) for k, key in LEGEND]
    return map_legend(items, css="incident-legend")


def _controls(rings: str, preset_wind: float | None, speed: float | None, lang: str) -> html.Div:
    return html.Div(
        [
            html.Label([t("inc.rings", lang), dcc.Input(id=Ids.RINGS, value=rings, debounce=True)]),
            html.Label(
                [
                    t("inc.wind", lang),
                    dcc.Dropdown(
                        id=Ids.WIND_FROM,
                        options=wind_options(preset_wind, lang),
                        value=preset_wind,
                        placeholder=t("inc.wind_unknown", lang),
                        clearable=True,
                        className="wind-from",
                    ),
                ]
            ),
            html.Label(
                [
                    t("inc.wind_speed", lang),
                    dcc.Input(
                        id=Ids.WIND_SPEED,
                        type="number",
                        min=0,
                        max=MAX_WIND_MS,
                        step=0.1,
                        debounce=True,
                        value=speed,
                    ),
                ]
            ),
        ],
        className="incident-controls",
    )


def _panel(title: str, body_id: str, panel_id: str, as_of_id: str, source: str) -> html.Section:
    return panel(
        title,
        html.Div(id=body_id, className="list-body"),
        panel_id=panel_id,
        as_of_id=as_of_id,
        source=source,
    )


def layout(
    incident_id: str | None = None,
    refresh_ms: int = 1000,
    stale_after_s: float = 15.0,
    rings: str | None = None,
    wind: str | None = None,
    speed: str | None = None,
    lang: str | None = None,
    **_query: str,
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    asked = preset(wind, speed)
    preset_wind = asked.get("wind")
    ring_text = ",".join(f"{r:g}" for r in parse_rings(first(rings)))
    overview = panel(
        t("inc.overview", lang),
        [
            html.Div(id=Ids.OVERVIEW, className="overview"),
            _controls(ring_text, preset_wind, asked.get("speed"), lang),
        ],
        panel_id=Ids.OVERVIEW_PANEL,
        as_of_id=Ids.OVERVIEW_AS_OF,
        source="warehouse",
    )
    body = html.Div(
        [
            html.Div(
                [
                    overview,
                    _panel(
                        t("inc.timeline", lang),
                        Ids.TIMELINE,
                        Ids.TIMELINE_PANEL,
                        Ids.TIMELINE_AS_OF,
                        "warehouse",
                    ),
                    _panel(
                        t("inc.forces", lang),
                        Ids.FORCES,
                        Ids.FORCES_PANEL,
                        Ids.FORCES_AS_OF,
                        "redis",
                    ),
                ],
                className="incident-col incident-left",
            ),
            html.Div(
                [
                    _map(lang),
                    html.Div(
                        [
                            _panel(
                                t("inc.hazards", lang),
                                Ids.HAZARDS,
                                Ids.HAZARDS_PANEL,
                                Ids.HAZARDS_AS_OF,
                                "warehouse",
                            ),
                            _panel(
                                t("inc.targets", lang),
                                Ids.TARGETS,
                                Ids.TARGETS_PANEL,
                                Ids.TARGETS_AS_OF,
                                "warehouse",
                            ),
                        ],
                        className="incident-row",
                    ),
                ],
                className="incident-col incident-centre",
            ),
            html.Div(
                [
                    video_panel(
                        t("inc.video", lang),
                        VideoIds.INCIDENT,
                        VideoIds.INCIDENT_PANEL,
                        VideoIds.INCIDENT_AS_OF,
                    ),
                    _panel(
                        t("inc.teams", lang), Ids.TEAMS, Ids.TEAMS_PANEL, Ids.TEAMS_AS_OF, "redis"
                    ),
                    _panel(
                        t("inc.depots", lang),
                        Ids.DEPOTS,
                        Ids.DEPOTS_PANEL,
                        Ids.DEPOTS_AS_OF,
                        "warehouse",
                    ),
                    _panel(
                        t("inc.shelters", lang),
                        Ids.SHELTERS,
                        Ids.SHELTERS_PANEL,
                        Ids.SHELTERS_AS_OF,
                        "warehouse",
                    ),
                ],
                className="incident-col incident-right",
            ),
        ],
        id=Ids.BODY,
        className="incident-grid",
    )
    missing = html.Div(
        [
            html.H2(t("inc.missing", lang)),
            html.P(
                [
                    t("inc.missing.before", lang),
                    html.Code(incident_id or "—"),
                    t("inc.missing.after", lang),
                ]
            ),
            dcc.Link(t("inc.back", lang), href="/wall"),
        ],
        id=Ids.NOT_FOUND,
        className="not-found",
        hidden=True,
    )
    page = frame(
        t("inc.title", lang),
        [
            missing,
            body,
            dcc.Store(id=Ids.INCIDENT, data=incident_id),
            dcc.Store(id=Ids.PRESET, data=asked),
            dcc.Location(id=Ids.URL, refresh=False),
            pulse.layout("incident", refresh_ms, stale_after_s),
        ],
        "incident",
        lang=lang,
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(page, lang="en" if lang == "en" else "zh-CN")
