"""Fill /resources: registry from the warehouse (cached), team readiness live from Redis."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash_leaflet as dl
import pandas as pd
from dash import Input, Output, State, ctx, no_update

from callbacks import guarded
from data_sources import get_sources
from figures.forces import short_stock, team_summary
from layouts import call, url_state
from layouts.forces import TEAM_KINDS, teams_table
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from layouts.pulse import ids as pulse_ids
from layouts.resources_page import (
    ALL,
    MAP,
    MAP_POINTS,
    MAP_SHORT,
    Ids,
    totals_block,
    view_query,
)
from maps import features, shapes
from maps.datum import display_bounds, gcj02_tiles, latlon
from maps.layout import BOUNDS, viewport
from maps.static import base_layers
from vocabulary import TEAM_STATUS

SHELTER_KINDS = ("indoor", "outdoor")  # named `res.<kind>`

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("resources")


def _matches(frame: pd.DataFrame, columns: list[str], query: str | None) -> pd.Series:
    """Rows where every word of `query` appears in one of `columns`."""
    mask = pd.Series(True, index=frame.index)
    if not (query or "").strip():
        return mask
    text = pd.Series(
        [" ".join(map(str, values)) for values in zip(*(frame[c] for c in columns))],
        index=frame.index,
        dtype=object,
    )
    for word in query.split():
        mask &= text.str.contains(word, regex=False, case=False)
    return mask


def _in_district(frame: pd.DataFrame, district: str | None) -> pd.Series:
    return (
        frame["district"] == district if district and district != ALL else frame["district"].notna()
    )


def team_rows(teams, status, names, district, kinds, query, lang="zh") -> pd.DataFrame:  # noqa: ANN001
    """Teams in the district, of the kinds, matching the query; with kind, place and status."""
    kind_names = {k: t(f"team.{k}", lang) for k in TEAM_KINDS}
    status_names = {s: t(f"team.{s}", lang) for s in TEAM_STATUS}
    rows = teams[_in_district(teams, district) & teams["kind"].isin(kinds or [])]
    rows = rows[_matches(rows, ["name", "equipment", "leader"], query)]
    state = rows["id"].map(lambda t: status.get(t, "ready"))
    return pd.DataFrame(rows.drop(columns="geometry", errors="ignore")).assign(
        kind_label=rows["kind"].map(kind_names).fillna(rows["kind"]),
        district_name=rows["district"].map(names),
        status=state,
        status_label=state.map(status_names).fillna(state),
    )


def stock_rows(stock, names, district, query, lang="zh") -> pd.DataFrame:  # noqa: ANN001
    """Stock lines of the district's depots: those below their minimum first, worst first."""
    rows = stock[_in_district(stock, district)]
    rows = rows[_matches(rows, ["depot", "item_name"], query)]
    short = short_stock(rows)
    ordered = pd.concat([short.drop(columns="ratio"), rows.drop(index=short.index)])
    ratio = ordered["quantity"] / ordered["min_quantity"]
    return ordered.assign(
        district_name=ordered["district"].map(names),
        quantity_text=[f"{q:,}{u}" for q, u in zip(ordered["quantity"], ordered["unit"])],
        min_text=[f"{q:,}{u}" for q, u in zip(ordered["min_quantity"], ordered["unit"])],
        # How full a short line is; the rest are simply enough.
        fill=[f"{r:.0%}" if r < 1 else t("res.enough", lang) for r in ratio],
        short=(ordered["quantity"] < ordered["min_quantity"]).astype(int),
    )


def shelter_rows(shelters, names, district, query, lang="zh") -> pd.DataFrame:  # noqa: ANN001
    rows = shelters[_in_district(shelters, district)]
    rows = pd.DataFrame(rows[_matches(rows, ["name"], query)].drop(columns="geometry"))
    is_open = rows["is_open"].astype(bool)
    return rows.assign(
        kind_label=rows["kind"]
        .map({k: t(f"res.{k}", lang) for k in SHELTER_KINDS})
        .fillna(rows["kind"]),
        district_name=rows["district"].map(names),
        open_label=is_open.map({True: t("res.open", lang), False: t("res.shut", lang)}),
        is_open=is_open.astype(int),
        use=[f"{o / c:.0%}" if c else "—" for o, c in zip(rows["occupancy"], rows["capacity"])],
    )


def expert_rows(experts, names, district, query) -> pd.DataFrame:  # noqa: ANN001
    rows = experts[_in_district(experts, district)]
    rows = rows[_matches(rows, ["name", "specialty", "organisation", "title"], query)]
    return rows.assign(district_name=rows["district"].map(names))


def totals(summary: pd.DataFrame, teams, stock, shelters, experts, lang="zh") -> dict:  # noqa: ANN001
    """The KPI tiles, from the same team_summary / short_stock the wall's forces panel uses."""
    short = short_stock(stock)
    ready = int(summary["ready"].sum()) if len(summary) else 0
    personnel = int(summary["personnel"].sum()) if len(summary) else 0
    vehicles = int(summary["vehicles"].sum()) if len(summary) else 0
    open_count = int(shelters["is_open"].sum()) if len(shelters) else 0
    capacity = int(shelters["capacity"].sum()) if len(shelters) else 0
    return {
        "teams": (f"{ready}/{len(teams)}", t("res.kpi.teams", lang), ready < len(teams)),
        "personnel": (f"{personnel:,}", t("res.kpi.personnel", lang), False),
        "vehicles": (f"{vehicles:,}", t("res.kpi.vehicles", lang), False),
        "short": (
            str(len(short)),
            t("res.kpi.short", lang, depots=stock["depot_id"].nunique()),
            len(short) > 0,
        ),
        "shelters": (
            f"{open_count}/{len(shelters)}",
            # 万 (ten thousand) is how Chinese counts people; English counts them whole.
            t(
                "res.kpi.shelters",
                lang,
                capacity=f"{capacity:,}" if lang == "en" else f"{capacity / 10000:.1f}",
            ),
            False,
        ),
        "experts": (str(len(experts)), t("res.kpi.experts", lang), False),
    }


def map_points(teams, depots, shelters, gcj02: bool, lang: str = "zh") -> dict:  # noqa: ANN001
    """Registry points for seMap.registryPoint; tooltips say what each one is."""
    labelled = [
        (
            "team",
            teams.assign(
                name=teams["kind_label"] + " · " + teams["name"] + " · " + teams["status_label"]
            ),
        ),
        ("depot", depots.assign(name=t("res.lg.depot", lang) + " · " + depots["name"])),
        (
            "shelter",
            shelters.assign(
                name=t("res.lg.shelter", lang)
                + " · "
                + shelters["name"]
                + " · "
                + shelters["open_label"]
            ),
        ),
    ]
    points = [f for kind, frame in labelled for f in features.registry_points(frame, kind, gcj02)]
    return features.collection(points)


def short_markers(
    depots: pd.DataFrame, short_by_depot: pd.Series, gcj02: bool, lang: str = "zh"
) -> list:
    markers = []
    for row in depots[depots["id"].isin(short_by_depot.index)].itertuples(index=False):
        n = int(short_by_depot[row.id])
        markers.append(
            dl.CircleMarker(
                center=latlon(row.lon, row.lat, gcj02),
                radius=12,
                className="depot-short",
                children=dl.Tooltip(t("res.depot_short", lang, name=row.name, n=n)),
            )
        )
    return markers


def tooltips(frame: pd.DataFrame, columns: dict[str, list[str]]) -> list[dict]:
    """DataTable tooltip_data: per row, for each column the full text of the given fields."""
    texts = {
        column: [" · ".join(map(str, values)) for values in zip(*(frame[f] for f in fields))]
        for column, fields in columns.items()
    }
    return [
        {column: {"value": values[i], "type": "text"} for column, values in texts.items()}
        for i in range(len(frame))
    ]


def _gcj02() -> bool:
    return gcj02_tiles(get_sources().settings)


@guarded(
    "view",
    Output(MAP.districts, "data"),
    Output(MAP.base, "children"),
    Output(Ids.DISTRICT, "options"),
    Output(Ids.DISTRICT, "value"),
    Input(MAP.base, "id"),
    State(Ids.DISTRICT, "value"),
    State(LangIds.PAGE, "data"),
)
def load_static(_base: str, district: str | None, page: dict | None):
    """Send district outlines, the base map and the district choices once per page load
    (a district the URL names that is not one of them: the whole city)."""
    lang = lang_of(page)
    sources = get_sources()
    names = sources.registry.district_names(lang)
    options = [{"label": t("res.city", lang), "value": ALL}] + [
        {"label": n, "value": a} for a, n in names.items()
    ]
    known = no_update if district in names or district == ALL else ALL
    return shapes.districts(_gcj02()), base_layers(sources.settings), options, known


@guarded(
    "view",
    Output(Ids.URL, "search"),
    Output(url_state.SHOWN, "data", allow_duplicate=True),
    Input(Ids.DISTRICT, "value"),
    Input(Ids.KINDS, "value"),
    Input(Ids.SEARCH, "value"),
    State(Ids.URL, "search"),
    prevent_initial_call=True,
)
def remember_view(district: str | None, kinds: list[str] | None, q: str | None, search):  # noqa: ANN001
    """Write the filters into the URL."""
    return url_state.write(search, view_query(district, kinds, q))


@guarded(
    "contacts",
    Output(Ids.TOTALS, "children"),
    Output(Ids.SUMMARY, "children"),
    Output(Ids.TEAMS, "data"),
    Output(Ids.STOCK, "data"),
    Output(Ids.SHELTERS, "data"),
    Output(Ids.EXPERTS, "data"),
    Output(Ids.TEAMS, "tooltip_data"),
    Output(Ids.STOCK, "tooltip_data"),
    Output(Ids.SHELTERS, "tooltip_data"),
    Output(Ids.EXPERTS, "tooltip_data"),
    Output(MAP_POINTS, "data"),
    Output(MAP_POINTS, "hideout"),
    Output(MAP_SHORT, "children"),
    Output(MAP.as_of, "data-as-of"),
    Output(Ids.TEAMS_AS_OF, "data-as-of"),
    Output(Ids.STOCK_AS_OF, "data-as-of"),
    Output(Ids.SHELTERS_AS_OF, "data-as-of"),
    Output(Ids.EXPERTS_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    Input(Ids.DISTRICT, "value"),
    Input(Ids.KINDS, "value"),
    Input(Ids.SEARCH, "value"),
    State(LangIds.PAGE, "data"),
)
def refresh(
    _version: Any,
    district: str | None,
    kinds: list[str] | None,
    query: str | None,
    page: dict | None,
):
    """Filter every resource, then fill the totals, tables and map."""
    lang = lang_of(page)
    sources = get_sources()
    registry = sources.registry
    names = registry.district_names(lang)
    status_now = sources.status.team_status()
    teams = team_rows(registry.rescue_teams(), status_now, names, district, kinds, query, lang)
    stock = stock_rows(registry.depot_stock(), names, district, query, lang)
    depots = registry.depots()
    depots = depots[_in_district(depots, district) & depots["id"].isin(stock["depot_id"])]
    shelters = shelter_rows(registry.shelters(), names, district, query, lang)
    experts = expert_rows(registry.experts(), names, district, query)
    status = dict(zip(teams["id"], teams["status"]))
    summary = team_summary(teams, status) if len(teams) else pd.DataFrame()
    gcj02 = _gcj02()
    short_by_depot = stock[stock["short"] == 1].groupby("depot_id").size()
    now = datetime.now(UTC).isoformat()
    return (
        totals_block(totals(summary, teams, stock, shelters, experts, lang)),
        teams_table(summary, lang) if len(summary) else [],
        call.linked(teams.drop(columns=["lon", "lat"], errors="ignore").to_dict("records")),
        stock.to_dict("records"),
        shelters.drop(columns=["lon", "lat"]).to_dict("records"),
        call.linked(experts.to_dict("records")),
        tooltips(teams, {"name": ["name", "district_name"], "equipment": ["equipment"]}),
        tooltips(stock, {"depot": ["depot", "district_name"], "item_name": ["item_name"]}),
        tooltips(shelters, {"name": ["name", "district_name"]}),
        tooltips(experts, {"organisation": ["organisation", "title", "district_name"]}),
        map_points(teams, depots, shelters, gcj02, lang),
        {"teams": status},
        short_markers(depots, short_by_depot, gcj02, lang),
        *[now] * 5,
    )


@guarded(
    "view",
    viewport(),
    Input(Ids.TEAMS, "active_cell"),
    Input(Ids.SHELTERS, "active_cell"),
    State(Ids.TEAMS, "derived_viewport_data"),
    State(Ids.SHELTERS, "derived_viewport_data"),
    prevent_initial_call=True,
)
def fly_to(team_cell, shelter_cell, team_rows_shown, shelter_rows_shown):  # noqa: ANN001
    """Centre the map on the team or shelter whose row was clicked."""
    cell, shown = (
        (team_cell, team_rows_shown)
        if ctx.triggered_id == Ids.TEAMS
        else (shelter_cell, shelter_rows_shown)
    )
    if not cell or not shown or cell["row"] >= len(shown):
        return no_update
    row_id = shown[cell["row"]]["id"]
    registry = get_sources().registry
    frame = registry.rescue_teams() if ctx.triggered_id == Ids.TEAMS else registry.shelters()
    match = frame[frame["id"] == row_id]
    if match.empty:
        return no_update
    centre = latlon(match["lon"].iloc[0], match["lat"].iloc[0], _gcj02())
    return {"center": centre, "zoom": 13, "transition": "flyTo"}


@guarded(
    "view",
    viewport(),
    Input(Ids.DISTRICT, "value"),
    prevent_initial_call=True,
)
def frame_district(district: str | None):
    """Fit the map to the chosen district (or the whole city)."""
    if not district or district == ALL:
        return {"bounds": BOUNDS, "transition": "flyToBounds"}
    districts = get_sources().registry.districts()
    match = districts[districts["adcode"] == district]
    if match.empty:
        return no_update
    bounds = display_bounds(*match.geometry.iloc[0].bounds, _gcj02())
    return {"bounds": bounds, "transition": "flyToBounds"}
