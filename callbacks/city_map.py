"""Draw the main map: districts by severity, registry layers, incidents and live alarms."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from callbacks import guarded, guarded_clientside
from data_sources import get_sources
from layouts import i18n
from layouts.alarm_feed import Ids as FeedIds
from layouts.city_map import ALARMS_FULL, ENTERPRISES, MAP, REGISTRY
from layouts.pulse import ids as pulse_ids
from layouts.replay import Ids as ReplayIds
from layouts.replay import replayed
from layouts.wall import Ids as WallIds
from maps import features, markers
from maps.datum import gcj02_tiles
from maps.static import static_layers
from push.render import alarm_tips

WALL_PULSE = pulse_ids("wall")


def _alarm_layer(shown, gcj02: bool) -> dict:  # noqa: ANN001
    """The alarm layer with its tooltips in both languages (a pushed change carries both)."""
    return features.alarm_features(shown, gcj02, alarm_tips(shown), alarm_tips(shown, "en"))


@guarded(
    "view",
    Output(MAP.districts, "data"),
    Output(MAP.base, "children"),
    Output(REGISTRY, "data"),
    Output(ENTERPRISES, "data"),
    Input(WallIds.VIEWPORT, "id"),
)
def load_static(_viewport: str):
    """Send the district outlines, the base map and the registry layers once per page load."""
    sources = get_sources()
    gcj02 = gcj02_tiles(sources.settings)
    points, enterprises = features.registry_layers(sources.registry, gcj02)
    outlines, base = static_layers(sources.settings)
    return outlines, base, points, enterprises


@guarded(
    "view",
    Output(ALARMS_FULL, "data"),
    Output(MAP.incidents, "children"),
    Output(REGISTRY, "hideout"),
    Input(WALL_PULSE.version, "data"),
    State(i18n.Ids.PAGE, "data"),
)
def refresh(version: int | None, page_lang: dict | None = None):
    """Read the alarm layer, incidents and team readiness from the live state. Alarm changes
    do not come here: they reach the layer with the push channel's change (push/render.py)."""
    sources = get_sources()
    gcj02 = gcj02_tiles(sources.settings)
    alarms = sources.at_version(
        version,
        f"map:{features.MAP_ALARMS}",
        lambda: sources.alarms.active(limit=features.MAP_ALARMS, closed_window_s=0),
    )
    shown = features.open_alarms(alarms)
    incidents = sources.incidents.listed("open")
    lang = i18n.lang_of(page_lang)
    return (
        {"v": version, "alarms": _alarm_layer(shown, gcj02)},
        markers.incident_markers(incidents, gcj02, markers.level_tooltips(lang)),
        {"teams": sources.status.team_status()},
    )


# The layer drawn: the last full read with the pushed changes after it merged in, and the
# districts shaded by the most severe alarm of the layer (assets/push.js).
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seFeed", function_name="map"),
    Output(MAP.alarms, "data"),
    Output(MAP.districts, "hideout"),
    Output(MAP.as_of, "data-as-of"),
    Input(ALARMS_FULL, "data"),
    Input(FeedIds.DELTA, "data"),
)


@guarded(
    "view",
    Output(ALARMS_FULL, "data", allow_duplicate=True),
    Output(MAP.incidents, "children", allow_duplicate=True),
    Output(REGISTRY, "hideout", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    State(i18n.Ids.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None, page_lang: dict | None = None):
    """Draw the alarm layer, the incidents and team readiness as they were at the replayed
    moment."""
    sources = get_sources()
    moment = replayed(at)
    gcj02 = gcj02_tiles(sources.settings)
    shown = features.open_alarms(sources.replay.alarms(moment, limit=features.MAP_ALARMS))
    incidents = sources.replay.incidents(moment)
    return (
        {
            "v": None,
            "alarms": _alarm_layer(shown, gcj02),
            "as_of": moment.isoformat(),
            "replay": True,
        },
        markers.incident_markers(incidents, gcj02, markers.level_tooltips(i18n.lang_of(page_lang))),
        {"teams": sources.replay.team_status(moment)},
    )
