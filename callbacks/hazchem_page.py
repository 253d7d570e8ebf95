"""Fill the hazardous-chemicals screen: risk colours, readings against limits, distribution,
alarms per enterprise and the drill-down into one hazard source.

Risk colour of a hazard source (red > orange > yellow > blue), the most severe of:
1. its grade: 一级 orange, 二级 yellow, 三级 and 四级 blue (a grade-1 source is never "low");
2. the most severe open (not closed) alarm on it, on one of its sensors or on its
   enterprise (alarms name a site by `site_id`);
3. its live readings: past an alarm limit (high/low) yellow, past a trip limit
   (high_high/low_low) orange. The threshold engine turns such readings into alarms with
   levels by grade; this keeps the colour honest in the seconds before it does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dash_leaflet as dl
import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, no_update

from callbacks import guarded
from data_sources import get_sources
from figures.hazchem import distribution_figure, sensors_figure
from layouts.hazchem_page import (
    HOSPITALS,
    MAP,
    Ids,
    alarms_table,
    counts_tiles,
    detail_info,
    table_rows,
    table_styles,
)
from layouts.i18n import Ids as LangIds
from layouts.i18n import grade_name, lang_of, level_name, names_list, t
from layouts.pulse import ids as pulse_ids
from layouts.video import Ids as VideoIds
from maps import features, shapes
from maps.datum import gcj02_tiles, latlon
from maps.points import collection, point_features
from maps.static import base_layers
from vocabulary import LEVEL_RANK, LEVELS, reading_fault

GRADE_LEVEL = {1: "orange", 2: "yellow", 3: "blue", 4: "blue"}
READING_LEVEL = {"alarm": "yellow", "trip": "orange"}
TABLE_COLUMNS = ["id", "enterprise_id", "enterprise", "name", "grade", "place", "park", "district", "risk", "reason", "active", "load", "state", "sensor"]  # fmt: skip

# This page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("hazchem")


def _worst(*levels: str | None) -> str:
    return min((lv for lv in levels if lv in LEVEL_RANK), key=LEVEL_RANK.__getitem__)


def sensor_states(sensors: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """`sensors` with the live `value`, `ts`, `load` (0 at normal, 1 at the alarm limit on
    the side the value has moved to) and `state` (none/fault/normal/alarm/trip). A value
    outside the physical range of its kind (vocabulary.SENSOR_RANGES) is a sensor fault, not a
    reading: its state is `fault` and its load NaN."""
    live = latest.rename(columns={"sensor_id": "id"})[["id", "value", "ts"]]
    frame = sensors.merge(live, on="id", how="left")
    v, normal = frame["value"].to_numpy(float), frame["normal"].to_numpy(float)
    high = frame["high"].fillna(frame["high_high"]).to_numpy(float)
    low = frame["low"].fillna(frame["low_low"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(high > normal, (v - normal) / (high - normal), 0.0)
        down = np.where(low < normal, (normal - v) / (normal - low), 0.0)
    load = np.where(v >= normal, np.nan_to_num(up), np.nan_to_num(down))
    trip = (v >= frame["high_high"].to_numpy(float)) | (v <= frame["low_low"].to_numpy(float))
    alarm = (v >= frame["high"].to_numpy(float)) | (v <= frame["low"].to_numpy(float))
    fault = np.array(
        [reading_fault(k, u, x) for k, u, x in zip(frame["kind"], frame["unit"], v)], dtype=bool
    )
    state = np.select([np.isnan(v), fault, trip, alarm], ["none", "fault", "trip", "alarm"], "normal")  # fmt: skip
    return frame.assign(load=np.where(np.isnan(v) | fault, np.nan, load), state=state)


def site_sources(hazards: pd.DataFrame, sensors: pd.DataFrame) -> dict[str, list[str]]:
    """Site id (hazard source, sensor or enterprise) → the hazard sources it concerns."""
    owner = {h: [h] for h in hazards["id"]}
    owner |= {s: [h] for s, h in zip(sensors["id"], sensors["hazard_source_id"])}
    for firm, group in hazards.groupby("enterprise_id")["id"]:
        owner[firm] = list(group)
    return owner


def risk_table(
    hazards: pd.DataFrame,
    states: pd.DataFrame,
    alarms: pd.DataFrame,
    names: dict[str, str],
    lang: str = "zh",
) -> pd.DataFrame:
    """One row per hazard source, most at risk first: risk, reason (in `lang`), active (open
    alarms), load/state/sensor of its worst reading, place (park or district)."""
    owner = site_sources(hazards, states)
    open_alarms = alarms[(alarms["status"] != "closed") & alarms["site_id"].notna()]
    worst_alarm: dict[str, str] = {}
    active: dict[str, int] = {}
    for site, level in zip(open_alarms["site_id"], open_alarms["level"]):
        for h in owner.get(site, []):
            worst_alarm[h] = _worst(worst_alarm.get(h), level)
            active[h] = active.get(h, 0) + 1
    worst = states.sort_values("load", ascending=False, na_position="last").drop_duplicates(
        "hazard_source_id"
    )
    worst = worst.set_index("hazard_source_id")
    faulty = (
        states[states["state"] == "fault"]
        .groupby("hazard_source_id")["name"]
        .agg(lambda names: names_list(list(names), lang))
    )
    rows = []
    for h in hazards.itertuples(index=False):
        reading = worst.loc[h.id] if h.id in worst.index else None
        state = reading["state"] if reading is not None else "none"
        alarm = worst_alarm.get(h.id)
        risk = _worst(GRADE_LEVEL.get(int(h.grade), "blue"), alarm, READING_LEVEL.get(state))
        why = [t("hz.why.grade", lang, grade=grade_name(h.grade, lang))]
        if alarm:
            why.append(t("hz.why.alarms", lang, n=active[h.id], level=level_name(alarm, lang)))
        if state in READING_LEVEL:
            why.append(t(f"hz.why.{'trip' if state == 'trip' else 'alarm'}", lang, sensor=reading["name"]))  # fmt: skip
        if h.id in faulty.index:
            why.append(t("hz.why.fault", lang, sensors=faulty[h.id]))
        park = names.get(h.park_id) if isinstance(h.park_id, str) else None
        rows.append(
            {
                "id": h.id,
                "enterprise_id": h.enterprise_id,
                "enterprise": h.enterprise,
                "name": h.name,
                "grade": int(h.grade),
                "place": park or names.get(h.district, h.district),
                "park": park or t("hz.outside", lang),
                "district": names.get(h.district, h.district),
                "risk": risk,
                "reason": t("list.parts", lang).join(why),
                "active": active.get(h.id, 0),
                "load": float(reading["load"]) if reading is not None else np.nan,
                "state": state,
                "sensor": reading["name"] if reading is not None else "",
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["rank"] = table["risk"].map(LEVEL_RANK)
    return table.sort_values(["rank", "load"], ascending=[True, False], na_position="last")


def distribution(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Hazard sources per `by` (park or district) and risk colour, worst groups first."""
    counts = pd.crosstab(table[by], table["risk"]).reindex(columns=list(LEVELS), fill_value=0)
    return counts.sort_values(list(LEVELS), ascending=False)


def site_firms(hazards: pd.DataFrame, sensors: pd.DataFrame, firms: pd.DataFrame) -> dict[str, str]:
    """Site id (enterprise, hazard source or sensor) → its enterprise."""
    firm_of = dict(zip(firms["id"], firms["id"]))
    firm_of |= dict(zip(hazards["id"], hazards["enterprise_id"]))
    return firm_of | {
        s: firm_of[h] for s, h in zip(sensors["id"], sensors["hazard_source_id"]) if h in firm_of
    }


def enterprise_alarms(
    history: pd.DataFrame, live: pd.DataFrame, firm_of: dict[str, str], names: dict[str, str]
) -> pd.DataFrame:
    """Alarms per enterprise from the archive of the last 24 h and the live state (an alarm
    in both counts once, as it is live): `active` (not closed), `total`, one column per level."""
    columns = ["id", "site_id", "level", "status"]
    both = pd.concat(
        [live.loc[live["site_id"].notna(), columns], history[columns]], ignore_index=True
    )
    both = both.drop_duplicates("id", keep="first")
    both = both.assign(enterprise_id=both["site_id"].map(firm_of)).dropna(subset=["enterprise_id"])
    if both.empty:
        return pd.DataFrame(columns=["enterprise_id", "enterprise", "active", "total", *LEVELS])
    table = pd.crosstab(both["enterprise_id"], both["level"]).reindex(
        columns=list(LEVELS), fill_value=0
    )
    table["total"] = table[list(LEVELS)].sum(axis=1)
    table["active"] = (both["status"] != "closed").groupby(both["enterprise_id"]).sum()
    table = table.reset_index()
    table["enterprise"] = table["enterprise_id"].map(names).fillna(table["enterprise_id"])
    return table.sort_values(["active", "total"], ascending=False)


# --- callbacks ------------------------------------------------------------------------------


def _snapshot(sources, lang: str = "zh"):  # noqa: ANN001, ANN202
    """(hazard sources, sensor states, live alarms, risk table in `lang`) as of now."""
    registry = sources.registry
    hazards = registry.hazard_sources()
    states = sensor_states(registry.sensors(), sources.readings.latest())
    alarms = sources.alarms.active(closed_window_s=0)
    parks = registry.chemical_parks()
    names = registry.district_names(lang) | dict(zip(parks["id"], parks["name"]))
    return hazards, states, alarms, risk_table(hazards, states, alarms, names, lang)


@guarded(
    "view",
    Output(MAP.base, "children"),
    Output(MAP.districts, "data"),
    Output(Ids.PARKS, "children"),
    Output(Ids.SOURCES, "data"),
    Output(HOSPITALS, "data"),
    Input(MAP.base, "id"),
)
def load_map(_base: str):
    """Send the base map, the chemical parks, the hazard sources and the hospitals once per
    page load."""
    sources = get_sources()
    gcj02 = gcj02_tiles(sources.settings)
    registry = sources.registry
    parks = [
        dl.Circle(
            center=latlon(p.lon, p.lat, gcj02),
            radius=p.radius_m,
            className="park-area",
            children=dl.Tooltip(p.name),
        )
        for p in registry.chemical_parks().itertuples(index=False)
    ]
    hazards = registry.hazard_sources()
    points = point_features(
        hazards,
        gcj02,
        digits=6,
        id=hazards["id"],
        name=[f"{e} · {n}" for e, n in zip(hazards["enterprise"], hazards["name"])],
        grade=[int(g) for g in hazards["grade"]],
    )
    districts = shapes.districts(gcj02)
    hospitals = features.registry_points(
        registry.sensitive_targets(("hospital",)), "hospital", gcj02
    )
    return (
        base_layers(sources.settings),
        districts,
        parks,
        collection(points),
        collection(hospitals),
    )


@guarded(
    "view",
    Output(Ids.SOURCES, "hideout"),
    Output(Ids.TABLE, "data"),
    Output(Ids.TABLE, "style_data_conditional"),
    Output(Ids.COUNTS, "children"),
    Output(Ids.BY_PARK, "figure"),
    Output(Ids.BY_DISTRICT, "figure"),
    Output(MAP.as_of, "data-as-of"),
    Output(Ids.TABLE_AS_OF, "data-as-of"),
    Output(Ids.DIST_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    Input(PULSE.readings, "data"),
    Input(Ids.SELECTED, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(
    _version: int | None, _readings: int | None, selected: str | None, page: dict | None = None
):
    """Colour every hazard source by risk; table, counts and distribution."""
    lang = lang_of(page)
    *_, table = _snapshot(get_sources(), lang)
    # Nothing (or nothing valid) chosen: the drill-down shows the source most at risk.
    if selected not in set(table["id"]):
        selected = table["id"].iloc[0] if len(table) else None
    counts = table["risk"].value_counts().to_dict()
    now = datetime.now(UTC).isoformat()
    return (
        {"risk": dict(zip(table["id"], table["risk"])), "selected": selected},
        table_rows(table, lang),
        table_styles(selected),
        counts_tiles(counts, lang),
        distribution_figure(distribution(table, "park"), lang),
        distribution_figure(distribution(table, "district"), lang),
        now,
        now,
        now,
    )


@guarded(
    "view",
    Output(Ids.ALARMS, "children"),
    Output(Ids.ALARMS_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh_alarms(_version: int | None, page: dict | None = None):
    """Count the last 24 hours of alarms per enterprise, live ones included."""
    sources = get_sources()
    registry = sources.registry
    now = datetime.now(UTC)
    history = sources.readings.site_alarms(now - timedelta(hours=24), now)
    firms = registry.enterprises(hazchem_only=True)
    firm_of = site_firms(registry.hazard_sources(), registry.sensors(), firms)
    live = sources.alarms.active(closed_window_s=0)
    table = enterprise_alarms(history, live, firm_of, dict(zip(firms["id"], firms["name"])))
    return alarms_table(table.head(30), lang_of(page)), now.isoformat()


@guarded(
    "view",
    Output(Ids.SELECTED, "data"),
    Input(Ids.TABLE, "active_cell"),
    Input(Ids.SOURCES, "clickData"),
    prevent_initial_call=True,
)
def select(cell: dict | None, feature: dict | None):
    """Drill down into the hazard source clicked in the table or on the map."""
    if ctx.triggered_id == Ids.SOURCES:
        return (feature or {}).get("properties", {}).get("id") or no_update
    return (cell or {}).get("row_id") or no_update


@guarded(
    "view",
    Output(Ids.DETAIL_INFO, "children"),
    Output(Ids.DETAIL_CHART, "figure"),
    Output(Ids.DETAIL_AS_OF, "data-as-of"),
    Output(VideoIds.HAZCHEM_SITE, "data"),
    Input(Ids.SELECTED, "data"),
    Input(PULSE.readings, "data"),
    Input(PULSE.version, "data"),
    State(VideoIds.HAZCHEM_SITE, "data"),
    State(LangIds.PAGE, "data"),
)
def detail(
    selected: str | None,
    _readings: int | None,
    _version: int | None,
    shown: str | None,
    page: dict | None = None,
):
    """One hazard source: live readings against limits and each sensor's last 24 hours."""
    lang = lang_of(page)
    sources = get_sources()
    hazards, states, alarms, table = _snapshot(sources, lang)
    if table.empty:  # no reference data yet
        return [], {"data": [], "layout": {}}, datetime.now(UTC).isoformat(), no_update
    if selected not in set(table["id"]):
        selected = table["id"].iloc[0]  # nothing (or nothing valid) chosen: the most at risk
    row = table.set_index("id").loc[selected]
    firm = sources.registry.enterprises(hazchem_only=True).set_index("id")
    contact = firm.loc[row["enterprise_id"]] if row["enterprise_id"] in firm.index else None
    info = {
        **row.to_dict(),
        **hazards.set_index("id").loc[selected, ["chemicals", "capacity_t"]].to_dict(),
        "id": selected,
        "contact": contact["contact"] if contact is not None else "—",
        "phone": contact["phone"] if contact is not None else "",
    }
    own = states[states["hazard_source_id"] == selected]
    sites = {selected, row["enterprise_id"], *own["id"]}
    open_alarms = alarms[alarms["site_id"].isin(sites) & (alarms["status"] != "closed")]
    titles = [
        f"{level_name(a.level, lang)} · {a.title}" for a in open_alarms.itertuples(index=False)
    ]
    now = datetime.now(UTC)
    history = sources.readings.sensor_history(selected, now - timedelta(hours=24), now)
    own = own.assign(ts=own["ts"].astype(object).where(own["ts"].notna(), None))
    # The enterprise's cameras (callbacks/video.py) follow a change of enterprise only.
    firm_id = row["enterprise_id"] if row["enterprise_id"] != shown else no_update
    figure = sensors_figure(own, history, lang)
    return detail_info(info, titles, lang), figure, now.isoformat(), firm_id
