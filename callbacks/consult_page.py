"""The consultation room: one filter store drives every panel; clicks on the map and on chart
bars change it; the filter follows the presenter focus; drill-down and CSV export."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import dash_leaflet as dl
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from shapely.geometry import mapping, shape

from auth import audit
from callbacks import guarded
from callbacks.city_map import display_xy
from data_sources import Sources, get_sources
from data_sources.analysis import AlarmFilter, analysis_of
from data_sources.boundaries import districts_geojson
from data_sources.live import LEVEL_RANK, LEVELS
from figures.consult import ranked_figure, trend_counts, trend_figure
from geo.gcj02 import wgs84_geometry_to_gcj02
from layouts import consult_page as page
from layouts.city_map import BOUNDS
from layouts.common import SHANGHAI, local_time
from layouts.consult_page import DEFAULT_FILTER, Ids
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, level_name, status_name, t
from layouts.presenter import Ids as FocusIds
from layouts.pulse import ids as pulse_ids
from security.text import spreadsheet_cell

WINDOW_SPANS = {"1h": "1h", "6h": "6h", "24h": "24h", "7d": "7D"}
MAX_CUSTOM_DAYS = 366
MAP_MARKERS = 500
DIMENSIONS = ("districts", "sources", "categories", "levels")

# --- the filter ------------------------------------------------------------------------

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("consult")


def window_bounds(f: dict, now: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[since, until) of the filter's window in UTC; to the minute, so screens share caches."""
    until = now.floor("min") + pd.Timedelta(minutes=1)
    if f.get("window") == "custom" and f.get("start") and f.get("end"):
        start = pd.Timestamp(f["start"][:10]).tz_localize(SHANGHAI)
        end = pd.Timestamp(f["end"][:10]).tz_localize(SHANGHAI) + pd.Timedelta(days=1)
        if start < end and end - start <= pd.Timedelta(days=MAX_CUSTOM_DAYS):
            return start.tz_convert("UTC"), end.tz_convert("UTC")
    span = pd.Timedelta(WINDOW_SPANS.get(f.get("window"), "24h"))
    return until - span, until


def alarm_filter(f: dict, now: pd.Timestamp, skip: str | None = None) -> AlarmFilter:
    """The data-layer filter of the page's filter; `skip` leaves out one of districts,
    sources, categories, levels (a chart of that dimension shows all of its values)."""
    since, until = window_bounds(f, now)
    dims = {d: () if d == skip else tuple(f.get(d) or ()) for d in DIMENSIONS}
    return AlarmFilter(since.to_pydatetime(), until.to_pydatetime(), **dims)


def _toggle(current: list, key: str | None) -> list:
    """Click on what is the only selection: clear it; click on anything else: select it."""
    if not key:
        return current
    return [] if current == [key] else [key]


def _clicked(data: dict | None) -> str | None:
    points = (data or {}).get("points") or []
    return str(points[0]["customdata"]) if points and points[0].get("customdata") else None


def next_filter(current: dict, trigger: str, value: Any, focus: dict | None = None) -> dict | None:
    """The filter after one user action (or a focus change); None when nothing changes."""
    f = {**DEFAULT_FILTER, **(current or {})}
    if trigger == "reset":
        return {**DEFAULT_FILTER, "focus_at": f["focus_at"]}
    if trigger == "window":
        f["window"] = value or "24h"
    elif trigger == "range":
        f["start"], f["end"] = value
    elif trigger in ("districts", "sources", "categories", "levels"):
        f[trigger] = list(value or [])
    elif trigger == "map":
        f["districts"] = _toggle(
            f["districts"], ((value or {}).get("properties") or {}).get("adcode")
        )
    elif trigger.startswith("chart-"):
        column = trigger.removeprefix("chart-")
        f[column] = _toggle(f[column], _clicked(value))
    elif trigger == "focus":
        if focus and focus.get("at") != f["focus_at"]:
            districts = [focus["district"]] if focus.get("district") else []
            f |= {"focus_at": focus["at"], "focus_districts": districts}
            if districts:
                f["districts"] = districts
        elif not focus and f["focus_at"] is not None:
            if f["districts"] == f["focus_districts"]:
                f["districts"] = []
            f |= {"focus_at": None, "focus_districts": []}
        else:
            return None
    return f if f != current else None


# --- the view and its summaries --------------------------------------------------------


def current_view(sources: Sources, f: dict, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """The filtered alarms: archive and live state merged, newest first."""
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    live = sources.live.active_alarms(limit=2000, closed_window_s=86400)
    return analysis_of(sources).view(live, alarm_filter(f, now))


def worst_levels(view: pd.DataFrame) -> dict[str, str]:
    """The most severe level of the view's alarms in each district."""
    worst: dict[str, str] = {}
    for district, level in zip(view["district"], view["level"]):
        if isinstance(district, str) and (
            district not in worst or LEVEL_RANK[level] < LEVEL_RANK[worst[district]]
        ):
            worst[district] = level
    return worst


def ranked(view: pd.DataFrame, column: str, labels: dict[str, str], limit: int = 12) -> list:
    """(key, label, count) of the most frequent values of `column`."""
    counts = view[column].dropna().value_counts().head(limit)
    return [(str(k), labels.get(k, str(k)), int(n)) for k, n in counts.items()]


def site_enterprises(sources: Sources) -> dict[str, str]:
    """Site id (enterprise, hazard source or sensor) → the enterprise it belongs to."""
    registry = sources.registry
    hazards = registry.hazard_sources()
    owner = dict(zip(hazards["id"], hazards["enterprise_id"]))
    sensors = registry.sensors()
    mapping = {e: e for e in registry.enterprises()["id"]}
    mapping |= owner
    mapping |= {s: owner.get(h) for s, h in zip(sensors["id"], sensors["hazard_source_id"])}
    return mapping


def top_enterprises(view: pd.DataFrame, sources: Sources, limit: int = 10) -> list:
    owners = view["site_id"].map(site_enterprises(sources)).dropna()
    names = dict(sources.registry.enterprises()[["id", "name"]].itertuples(index=False, name=None))
    return [(e, names.get(e, e), int(n)) for e, n in owners.value_counts().head(limit).items()]


def csv_text(view: pd.DataFrame, names: dict, systems: dict, lang: str) -> str:
    """The view as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese right); no
    cell is ever a formula (titles come from upstream systems)."""
    out = pd.DataFrame(
        {
            "id": view["id"],
            "level": [level_name(lv, lang) for lv in view["level"]],
            "occurred_at": [local_time(ts, "%Y-%m-%d %H:%M:%S") for ts in view["occurred_at"]],
            "district": view["district"].map(lambda d: names.get(d, d or "")),
            "source": view["source"].map(lambda s: systems.get(s, s)),
            "category": view["category"],
            "title": view["title"],
            "status": [status_name(s, lang) for s in view["status"]],
            "count": view["count"],
            "ack_by": view["ack_by"],
            "closed_by": view["closed_by"],
        }
    )
    return "\ufeff" + out.map(spreadsheet_cell).to_csv(index=False)


def _names(sources: Sources, lang: str) -> tuple[dict, dict]:
    districts = sources.registry.districts()
    column = "name_en" if lang == "en" else "name"
    names = dict(zip(districts["adcode"], districts[column]))
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    return names, systems


def gcj02_tiles(sources: Sources) -> bool:
    """True over Amap tiles: our WGS-84 positions are shifted to GCJ-02 to line up."""
    return sources.settings.TILE_CRS == "gcj02"


def latlon(lon: float, lat: float, gcj02: bool) -> list[float]:
    """[lat, lon] of a WGS-84 position as the map draws it."""
    x, y = display_xy(float(lon), float(lat), gcj02)
    return [float(y), float(x)]


@lru_cache(maxsize=2)
def _districts_text(gcj02: bool) -> str:
    data = districts_geojson()
    if gcj02:
        for feature in data["features"]:
            feature["geometry"] = mapping(wgs84_geometry_to_gcj02(shape(feature["geometry"])))
    return json.dumps(data, ensure_ascii=False)


def display_districts(gcj02: bool) -> dict:
    """The district outlines as the map draws them (shifted to GCJ-02 over Amap tiles)."""
    return json.loads(_districts_text(gcj02))


def _now() -> str:
    return datetime.now(UTC).isoformat()


# --- callbacks -------------------------------------------------------------------------

CONTROLS = {
    Ids.WINDOW: "window",
    Ids.DISTRICT: "districts",
    Ids.SOURCE: "sources",
    Ids.CATEGORY: "categories",
    Ids.LEVEL: "levels",
    Ids.RESET: "reset",
    Ids.MAP_DISTRICTS: "map",
    Ids.BY_DISTRICT: "chart-districts",
    Ids.BY_CATEGORY: "chart-categories",
    Ids.BY_SOURCE: "chart-sources",
    Ids.TREND: "chart-levels",
    FocusIds.FOCUS: "focus",
}


@guarded(
    "view",
    Output(Ids.FILTER, "data"),
    Output(Ids.WINDOW, "value"),
    Output(Ids.RANGE_BOX, "hidden"),
    Output(Ids.DISTRICT, "value"),
    Output(Ids.SOURCE, "value"),
    Output(Ids.CATEGORY, "value"),
    Output(Ids.LEVEL, "value"),
    Input(Ids.WINDOW, "value"),
    Input(Ids.RANGE, "start_date"),
    Input(Ids.RANGE, "end_date"),
    Input(Ids.DISTRICT, "value"),
    Input(Ids.SOURCE, "value"),
    Input(Ids.CATEGORY, "value"),
    Input(Ids.LEVEL, "value"),
    Input(Ids.RESET, "n_clicks"),
    Input(Ids.MAP_DISTRICTS, "clickData"),
    Input(Ids.BY_DISTRICT, "clickData"),
    Input(Ids.BY_CATEGORY, "clickData"),
    Input(Ids.BY_SOURCE, "clickData"),
    Input(Ids.TREND, "clickData"),
    Input(FocusIds.FOCUS, "data"),
    State(Ids.FILTER, "data"),
    prevent_initial_call=True,
)
def apply_filter(*args: Any):
    """Change the one filter every panel follows; keep the controls showing it."""
    current, focus = args[-1], args[-2]
    trigger = ctx.triggered_id
    if trigger == Ids.RANGE:
        new = next_filter(current, "range", (args[1], args[2]))
    else:
        value = ctx.triggered[0]["value"] if ctx.triggered else None
        new = next_filter(current, CONTROLS.get(trigger, ""), value, focus)
    if new is None:
        raise PreventUpdate
    return (
        new,
        new["window"],
        new["window"] != "custom",
        new["districts"],
        new["sources"],
        new["categories"],
        new["levels"],
    )


@guarded(
    "view",
    Output(Ids.DISTRICT, "options"),
    Output(Ids.SOURCE, "options"),
    Output(Ids.CATEGORY, "options"),
    Output(Ids.LEVEL, "options"),
    Input(Ids.SOURCE, "value"),
    State(LangIds.PAGE, "data"),
)
def fill_options(chosen_sources: list | None, page_lang: dict | None):
    """Offer the districts, source systems, their categories and the levels."""
    lang = lang_of(page_lang)
    sources = get_sources()
    names, systems = _names(sources, lang)
    categories = analysis_of(sources).categories()
    if chosen_sources:
        categories = categories[categories["source"].isin(chosen_sources)]
    return (
        [{"label": n, "value": a} for a, n in names.items()],
        [{"label": n, "value": c} for c, n in systems.items()],
        [{"label": c, "value": c} for c in dict.fromkeys(categories["category"])],
        [{"label": level_name(lv, lang), "value": lv} for lv in LEVELS],
    )


@guarded(
    "view",
    Output(Ids.KPI, "children"),
    Output(Ids.KPI_AS_OF, "data-as-of"),
    Output(Ids.TREND, "figure"),
    Output(Ids.TREND_AS_OF, "data-as-of"),
    Output(Ids.BY_DISTRICT, "figure"),
    Output(Ids.BY_DISTRICT_AS_OF, "data-as-of"),
    Output(Ids.BY_CATEGORY, "figure"),
    Output(Ids.BY_CATEGORY_AS_OF, "data-as-of"),
    Output(Ids.BY_SOURCE, "figure"),
    Output(Ids.BY_SOURCE_AS_OF, "data-as-of"),
    Input(Ids.FILTER, "data"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh_charts(f: dict, _version: int | None, page_lang: dict | None):
    """Summarise the filtered alarms. Each ranked chart leaves out its own dimension's filter,
    so it still shows the other values to click (dimmed), as cross-filtering does."""
    lang, sources, now = lang_of(page_lang), get_sources(), pd.Timestamp.now(tz="UTC")
    f = {**DEFAULT_FILTER, **(f or {})}
    window = current_view(sources, {**f, **dict.fromkeys(DIMENSIONS, [])}, now)
    view = alarm_filter(f, now).apply(window)
    names, systems = _names(sources, lang)
    since, until = window_bounds(f, now)
    by_level = {lv: int((view["level"] == lv).sum()) for lv in LEVELS}
    kpis = page.kpi_items(
        len(view),
        by_level,
        int((view["status"] != "closed").sum()),
        int(view["district"].nunique()),
        lang,
    )

    def chart(column: str, dimension: str, labels: dict, limit: int = 12):  # noqa: ANN202
        rows = ranked(alarm_filter(f, now, skip=dimension).apply(window), column, labels, limit)
        return ranked_figure(rows, f[dimension], lang)

    stamp = _now()
    return (
        kpis,
        stamp,
        trend_figure(trend_counts(view, since, until), lang),
        stamp,
        chart("district", "districts", names),
        stamp,
        chart("category", "categories", {}, limit=10),
        stamp,
        chart("source", "sources", systems),
        stamp,
    )


@guarded(
    "view",
    Output(Ids.ALARMS, "children"),
    Output(Ids.ALARMS_COUNT, "children"),
    Output(Ids.ALARMS_AS_OF, "data-as-of"),
    Output(Ids.ENTERPRISES, "children"),
    Output(Ids.ENTERPRISES_AS_OF, "data-as-of"),
    Output(Ids.MAP_ALARMS, "data"),
    Output(Ids.MAP_ALARMS, "hideout"),
    Output(Ids.MAP_DISTRICTS, "hideout"),
    Output(Ids.MAP_SELECTED, "data"),
    Output(Ids.MAP_AS_OF, "data-as-of"),
    Input(Ids.FILTER, "data"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh_lists(f: dict, _version: int | None, page_lang: dict | None):
    """The alarm list, the enterprises with most alarms, and the map of the filtered view."""
    lang, sources = lang_of(page_lang), get_sources()
    f = f or DEFAULT_FILTER
    view = current_view(sources, f)
    names, systems = _names(sources, lang)
    shown = min(len(view), 200)
    selected = display_districts(gcj02_tiles(sources))
    selected["features"] = [
        feat for feat in selected["features"] if feat["properties"]["adcode"] in f["districts"]
    ]
    stamp = _now()
    return (
        page.alarm_table(view, names, systems, lang),
        t("alarms.shown", lang, n=len(view), shown=shown),
        stamp,
        page.enterprise_items(top_enterprises(view, sources), lang),
        stamp,
        *alarm_points(view, gcj02_tiles(sources)),
        {"levels": worst_levels(view)},
        selected,
        stamp,
    )


def alarm_points(view: pd.DataFrame, gcj02: bool = False) -> tuple[dict, dict]:
    """The newest alarms of the view that have a position, as GeoJSON points, and the level of
    each for the point style (`seMap.riskPoint`: colour by level, size by severity)."""
    placed = view[view["lon"].notna() & view["lat"].notna()].head(MAP_MARKERS)
    lon, lat = display_xy(placed["lon"].to_numpy(float), placed["lat"].to_numpy(float), gcj02)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(x), 5), round(float(y), 5)]},
            "properties": {"id": r.id, "name": r.title, "grade": LEVEL_RANK[r.level] + 1},
        }
        for r, x, y in zip(placed.itertuples(index=False), lon, lat)
    ]
    levels = dict(zip(placed["id"], placed["level"]))
    return {"type": "FeatureCollection", "features": features}, {"risk": levels}


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


def static_map(sources: Sources) -> tuple:
    """(district outlines, base layers, viewport) of a city map; the tablet uses it too."""
    tile = sources.settings.TILE_URL
    base = [dl.TileLayer(url=tile, maxZoom=18)] if tile else []
    return display_districts(gcj02_tiles(sources)), base, {"bounds": BOUNDS}


@guarded(
    "view",
    Output(Ids.MAP_INCIDENTS, "children"),
    Input(PULSE.version, "data"),
)
def map_incidents(_version: int | None):
    """The open incidents; the popup links to the detail."""
    sources = get_sources()
    incidents = sources.registry.incidents("open")
    return [
        dl.DivMarker(
            position=latlon(r.lon, r.lat, gcj02_tiles(sources)),
            iconOptions={
                "className": f"incident-marker level-{r.level}",
                "html": "<span>◆</span>",
                "iconSize": [28, 28],
            },
            children=dl.Popup(
                html.A(r.title, href=page.drill_href("incident", r.id), className="drill-link")
            ),
        )
        for r in incidents.itertuples(index=False)
    ]


@guarded(
    "view",
    Output(Ids.MAP, "viewport", allow_duplicate=True),
    Input(FocusIds.FOCUS, "data"),
    prevent_initial_call=True,
)
def fly_to_focus(focus: dict | None):
    """Follow the presenter focus on the map; back to the whole city when it is released."""
    bounds = (focus or {}).get("bounds") or BOUNDS
    return {"bounds": bounds, "transition": "flyToBounds"}


@guarded(
    "view",
    Output(Ids.URL, "hash"),
    Input(Ids.MAP_ALARMS, "clickData"),
    Input(FocusIds.FOCUS, "data"),
    prevent_initial_call=True,
)
def drill_from_map(click: dict | None, focus: dict | None):
    """Open a clicked alarm point, or the incident just put on the wall, in the detail panel."""
    if ctx.triggered_id == Ids.MAP_ALARMS and click:
        return page.drill_href("alarm", click["properties"]["id"])
    if ctx.triggered_id == FocusIds.FOCUS and focus and focus.get("kind") == "incident":
        return page.drill_href("incident", focus["id"])
    raise PreventUpdate


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
        return t("detail.hint", lang), _now()
    names, systems = _names(sources, lang)
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
        incidents = sources.registry.incidents(None)
        rows = incidents[incidents["id"] == ident]
        if len(rows):
            timeline = analysis_of(sources).incident_timeline(ident, limit=8)
            body = page.incident_detail(rows.iloc[0].to_dict(), timeline, names, lang)
    return body if body is not None else t("detail.missing", lang), _now()


def _ts(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, int | float):
        return pd.Timestamp(value, unit="s", tz="UTC")
    return pd.Timestamp(value).tz_convert("UTC")


def alarm_body(sources: Sources, alarm_id: str, names: dict, systems: dict, lang: str):
    """An alarm's detail: the live state's copy when it has one (newer), else the archive's."""
    analysis = analysis_of(sources)
    archived = analysis.alarm(alarm_id) or {}
    live = sources.live.alarm(alarm_id) or {}
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
    return page.alarm_detail(alarm, events, names, systems, enterprise, lang)


@guarded(
    "view",
    Output(Ids.DOWNLOAD, "data"),
    Input(Ids.EXPORT, "n_clicks"),
    State(Ids.FILTER, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def export_csv(_n: int, f: dict | None, page_lang: dict | None):
    """Download the filtered alarms as CSV."""
    lang, sources = lang_of(page_lang), get_sources()
    view = current_view(sources, f or DEFAULT_FILTER)
    names, systems = _names(sources, lang)
    audit("export", rows=len(view), filter=f)
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
    return dcc.send_string(csv_text(view, names, systems, lang), f"alarms-{stamp}.csv")
