"""The generated picture of Suzhou (refdata/generate/): reproducible, plausible, and every
record where it says it is. Generation only, no database."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data_sources.boundaries import district_of, load_districts
from geo.projection import METRIC_CRS, WGS84
from refdata import names
from refdata.generate import COLUMNS, PARKS, SHANGHAI, TABLES, TAIHU, generate, yangtze_band
from vocabulary import LEVELS, reading_fault, title_colour, title_disagrees

TODAY = date(2026, 11, 29)  # a Sunday: the roster's four weeks run 2026-11-16 .. 2026-12-13
NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # noon in Suzhou
RIVERSIDE = {"320582", "320581", "320585"}
PHONE = re.compile(r"^1[3-9]\d{9}$")
SPECIALTIES = {"危化", "消防", "水利", "地质", "医疗", "气象", "电力", "建筑"}
INCIDENT_CATEGORIES = {"危化品泄漏", "火灾", "交通事故", "防汛", "生产安全事故", "特种设备"}
PRIMARY_KEYS = {
    "depot_stock": ["depot_id", "item"],
    "reading_history": ["sensor_id", "ts"],
    "districts": ["adcode"],
    "source_systems": ["code"],
}


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load_districts()


@pytest.fixture(scope="module")
def frames(districts) -> dict[str, pd.DataFrame]:
    return generate(districts, today=TODAY)


def positioned(frames) -> list[tuple[str, pd.DataFrame]]:
    return [(t, f) for t, f in frames.items() if {"lon", "lat", "district"} <= set(f.columns)]


def metres(lon, lat) -> np.ndarray:
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(METRIC_CRS)
    return np.column_stack([points.x, points.y])


def distance_m(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Row-by-row distance between the lon/lat of `a` and of `b`, in metres."""
    return np.hypot(*(metres(a["lon"], a["lat"]) - metres(b["lon"], b["lat"])).T)


# --- reproducibility and shape ---------------------------------------------------------------


def test_same_seed_and_day_give_identical_frames(districts, frames):
    again = generate(districts, today=TODAY)
    assert list(again) == list(frames)
    for table in frames:
        pd.testing.assert_frame_equal(again[table], frames[table], obj=table)


def test_other_seed_gives_other_data(districts, frames):
    other = generate(districts, seed=7, today=TODAY)
    assert set(other["enterprises"]["name"]) != set(frames["enterprises"]["name"])
    assert not np.allclose(other["enterprises"]["lon"], frames["enterprises"]["lon"])
    assert not other["alarm_history"]["occurred_at"].equals(frames["alarm_history"]["occurred_at"])
    # The real things stay put whatever the seed.
    pd.testing.assert_frame_equal(other["districts"], frames["districts"])
    pd.testing.assert_frame_equal(other["chemical_parks"], frames["chemical_parks"])


def test_today_defaults_noon_in_suzhou(frames):
    assert frames["reading_history"]["ts"].max() == pd.Timestamp(NOW)


def test_one_frame_per_table_with_exactly_its_columns(frames):
    assert tuple(frames) == TABLES
    for table, frame in frames.items():
        assert tuple(frame.columns) == COLUMNS[table], table


def test_ids_are_unique(frames):
    for table, frame in frames.items():
        key = PRIMARY_KEYS.get(table, ["id"])
        assert not frame.duplicated(key).any(), table
        assert frame[key].notna().all().all(), table


def test_references_resolve(frames):
    adcodes = set(frames["districts"]["adcode"])
    for table, frame in frames.items():
        if "district" in frame.columns:
            assert set(frame["district"]) <= adcodes, table
    firms = frames["enterprises"].set_index("id")
    assert set(firms["park_id"].dropna()) <= set(frames["chemical_parks"]["id"])
    hazard = frames["hazard_sources"]
    assert firms.loc[hazard["enterprise_id"], "hazchem"].all()
    assert (firms.loc[hazard["enterprise_id"], "district"].to_numpy() == hazard["district"]).all()
    assert set(frames["sensors"]["hazard_source_id"]) == set(hazard["id"])
    assert set(frames["depot_stock"]["depot_id"]) == set(frames["depots"]["id"])
    assert set(frames["incident_timeline"]["incident_id"]) == set(frames["incidents"]["id"])
    assert set(frames["reading_history"]["sensor_id"]) == set(frames["sensors"]["id"])
    assert set(frames["alarm_history"]["source"]) <= set(frames["source_systems"]["code"])


def test_times_are_utc_aware(frames):
    for table, frame in frames.items():
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                assert str(frame[column].dt.tz) == "UTC", (table, column)


# --- geography ---------------------------------------------------------------------------------


def test_every_point_lies_in_the_district_it_names(frames):
    for table, frame in positioned(frames):
        found = district_of(frame["lon"].to_numpy(), frame["lat"].to_numpy())
        wrong = frame[found != frame["district"].to_numpy(dtype=object)]
        assert wrong.empty, f"{table}: {len(wrong)} points outside their district"


def test_no_land_feature_is_in_lake_taihu(frames):
    for table, frame in positioned(frames):
        wet = shapely.contains_xy(TAIHU, frame["lon"].to_numpy(), frame["lat"].to_numpy())
        assert not wet.any(), f"{table}: {wet.sum()} points in Lake Taihu"


def test_no_land_feature_is_in_the_yangtze(districts, frames):
    band = yangtze_band(districts)
    for table, frame in positioned(frames):
        wet = shapely.contains_xy(band, frame["lon"].to_numpy(), frame["lat"].to_numpy())
        assert not wet.any(), f"{table}: {wet.sum()} points in the Yangtze"


def test_taihu_outline_covers_open_lake_not_the_shore_towns():
    open_lake = [(120.20, 31.20), (120.30, 31.30), (120.15, 31.05), (120.50, 31.06)]
    towns = [(120.51, 31.26), (120.46, 31.22), (120.405, 31.07), (120.64, 31.16), (120.43, 31.45)]
    assert all(TAIHU.contains(shapely.Point(p)) for p in open_lake)
    assert not any(TAIHU.contains(shapely.Point(p)) for p in towns)  # 木渎 胥口 东山 松陵 望亭


def test_parks_lie_in_their_districts_and_the_big_three_by_the_yangtze(districts, frames):
    parks = frames["chemical_parks"]
    assert list(district_of(parks["lon"], parks["lat"])) == list(parks["district"])
    assert parks["radius_m"].between(2000, 5000).all()
    river = gpd.GeoSeries([yangtze_band(districts)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    for park in PARKS[:3]:
        x, y = metres([park.lon], [park.lat])[0]
        assert park.district in RIVERSIDE
        assert river.distance(shapely.Point(x, y)) < 5000, park.name


def test_park_firms_lie_within_the_park(frames):
    firms = frames["enterprises"].dropna(subset=["park_id"])
    parks = frames["chemical_parks"].set_index("id").loc[firms["park_id"]]
    assert (distance_m(firms, parks) <= parks["radius_m"].to_numpy()).all()


def test_water_rescue_teams_are_on_the_shore(frames):
    water = frames["rescue_teams"].query("kind == 'water'")
    assert set(water["district"]) >= {"320506", "320509", "320505", "320582", "320581", "320585"}


# --- counts and distributions -----------------------------------------------------------------


def test_districts_carry_census_population_and_rounded_geojson(frames):
    d = frames["districts"].set_index("adcode")
    assert d.loc["320583", "population"] == max(d["population"])  # 昆山 is the largest
    assert 8_000_000 < d["population"].sum() < 14_000_000
    geometry = json.loads(d.loc["320508", "geojson"])
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
    coords = re.findall(r"-?\d+\.\d+", d.loc["320508", "geojson"])
    assert max(len(c.split(".")[1]) for c in coords) <= 6


def test_source_systems_are_the_six_plus_the_sensing_network(frames):
    systems = frames["source_systems"].set_index("code")["heartbeat_s"].to_dict()
    assert systems == {
        "emergency": 30,
        "supervision": 30,
        "enforcement": 30,
        "gis": 30,
        "hazchem": 30,
        "monitor": 30,
        "iot": 10,
    }


def test_enterprises(frames):
    firms = frames["enterprises"]
    hazchem = firms[firms["hazchem"]]
    assert 3800 <= len(firms) <= 4200
    assert 450 <= len(hazchem) <= 550
    assert hazchem["district"].isin(RIVERSIDE).mean() > 0.5
    assert hazchem["park_id"].notna().mean() > 0.5  # most of them in a park
    assert firms["park_id"].notna().sum() == firms[firms["hazchem"]]["park_id"].notna().sum()
    assert hazchem["risk"].isin(["yellow", "orange"]).mean() > 0.7
    assert 0 < (hazchem["risk"] == "red").mean() < 0.1
    assert (firms[~firms["hazchem"]]["risk"] == "blue").mean() > 0.6
    assert firms["name"].is_unique
    assert firms["name"].str.endswith("公司").all()
    assert firms["phone"].str.match(PHONE).all()
    assert firms["industry"].nunique() >= 8


def test_people_have_plausible_chinese_names(frames):
    people = pd.concat(
        [
            frames["enterprises"]["contact"],
            frames["duty_roster"]["name"],
            frames["experts"]["name"],
            frames["rescue_teams"]["leader"],
        ]
    )
    assert people.str.len().between(2, 3).all()
    assert people.str[0].isin(list(names.SURNAMES)).all()
    assert people.str[0].value_counts().index[0] in "王李张刘陈"


def test_hazard_sources_and_their_sensors(frames):
    hazard, sensors = frames["hazard_sources"], frames["sensors"]
    assert len(hazard) >= 180
    grades = hazard["grade"].value_counts()
    assert set(grades.index) <= {1, 2, 3, 4}
    assert grades.get(1, 0) < grades.get(4, 0) and grades.idxmax() == 4
    per_source = sensors.groupby("hazard_source_id").size()
    assert per_source.between(4, 12).all()
    assert set(sensors["kind"]) == {"level", "temperature", "pressure", "gas_lel", "toxic_ppm"}
    assert sensors["id"].str.match(r"^HS\d{4}-T\d{2}$").all()
    firms = frames["enterprises"].set_index("id").loc[hazard["enterprise_id"]]
    distance = distance_m(hazard, firms)
    assert np.median(distance) < 600 and distance.max() < 3000


def test_thresholds_are_ordered_around_normal(frames):
    columns = ["low_low", "low", "normal", "high", "high_high"]
    for row in frames["sensors"][columns].itertuples(index=False):
        present = [v for v in row if not np.isnan(v)]
        assert present == sorted(present) and len(set(present)) == len(present), row
    sensors = frames["sensors"].set_index("kind")
    assert sensors.loc["level", ["low_low", "low", "high", "high_high"]].notna().all().all()
    for kind in ("gas_lel", "toxic_ppm"):
        assert sensors.loc[kind, ["low_low", "low"]].isna().all().all()
    assert (sensors.loc["gas_lel", ["high", "high_high"]].to_numpy() == [20, 40]).all()


def test_rescue_teams(frames):
    teams = frames["rescue_teams"]
    assert 100 <= len(teams) <= 140
    fire = teams[teams["kind"] == "fire"].groupby("district").size()
    assert len(fire) == 9 and fire.min() >= 3
    hazchem = teams[teams["kind"] == "hazchem"]
    assert hazchem["district"].isin(RIVERSIDE).sum() >= 6
    assert set(teams["kind"]) == {"fire", "hazchem", "water", "medical", "engineering", "volunteer"}
    assert teams["name"].is_unique
    assert (teams["personnel"] > teams["vehicles"]).all()


def test_depots_and_stock(frames):
    depots, stock = frames["depots"], frames["depot_stock"]
    assert 2 <= (depots["tier"] == "city").sum() <= 3
    per_district = depots[depots["tier"] == "district"].groupby("district").size()
    assert len(per_district) == 9 and per_district.between(1, 3).all()
    items = {"sandbags", "life_jackets", "tents", "pumps", "generators", "booms", "suits"}
    assert items <= set(stock["item"])
    short = (stock["quantity"] < stock["min_quantity"]).mean()
    assert 0.1 <= short <= 0.2
    assert (stock.groupby("item")["unit"].nunique() == 1).all()


def test_shelters_experts_and_sensitive_targets(frames):
    shelters = frames["shelters"]
    assert 70 <= len(shelters) <= 90
    assert 1 <= shelters["is_open"].sum() <= 6
    assert (shelters["occupancy"] <= shelters["capacity"]).all()
    assert (shelters.loc[~shelters["is_open"], "occupancy"] == 0).all()
    experts = frames["experts"]
    assert 90 <= len(experts) <= 110
    assert set(experts["specialty"]) == SPECIALTIES
    targets = frames["sensitive_targets"]
    counts = targets["kind"].value_counts()
    assert 350 <= counts["school"] <= 450 and 500 <= counts["residential"] <= 700
    assert 50 <= counts["hospital"] <= 70 and 50 <= counts["elderly"] <= 70
    homes = targets[targets["kind"] == "residential"]["population"]
    assert homes.between(1000, 20000).all()
    by_district = targets.groupby("district").size()
    assert by_district["320583"] > by_district["320585"]  # weighted by population


# --- duty ------------------------------------------------------------------------------------


def test_roster_covers_today_for_the_city_and_every_district(frames):
    roster = frames["duty_roster"]
    assert roster["duty_date"].min() == date(2026, 11, 16)
    assert roster["duty_date"].max() == date(2026, 12, 13)
    today = roster[roster["duty_date"] == TODAY]
    assert set(today["unit"]) == {"city", *frames["districts"]["adcode"]}
    for unit, crew in today.groupby("unit"):
        roles = crew.groupby(["shift", "role"]).size().to_dict()
        assert roles == {
            ("day", "leader"): 1,
            ("day", "chief"): 1,
            ("day", "officer"): 2,
            ("night", "chief"): 1,
            ("night", "officer"): 2,
        }, unit
    for hour in (9, 13, 20, 27):  # 27: three in the morning of the next day
        at = pd.Timestamp(datetime.combine(TODAY, time(0), SHANGHAI)) + pd.Timedelta(hours=hour)
        on = roster[(roster["starts_at"] <= at) & (roster["ends_at"] > at)]
        assert (on.groupby("unit")["role"].agg(set) == {"leader", "chief", "officer"}).all(), hour


def test_roster_shifts_are_0830_and_1730_in_suzhou(frames):
    roster = frames["duty_roster"]
    starts = roster["starts_at"].dt.tz_convert(SHANGHAI).dt.strftime("%H:%M")
    assert set(starts[roster["shift"] == "day"]) == {"08:30"}
    assert set(starts[roster["shift"] == "night"]) == {"17:30"}
    hours = (roster["ends_at"] - roster["starts_at"]).dt.total_seconds() / 3600
    assert set(hours[roster["role"] == "leader"]) == {24}
    assert set(hours[(roster["role"] != "leader") & (roster["shift"] == "day")]) == {9}
    assert set(hours[(roster["role"] != "leader") & (roster["shift"] == "night")]) == {15}
    # A fixed staff per unit, so people come back.
    assert roster.groupby("unit")["name"].nunique().max() <= 29
    assert roster.groupby(["unit", "name"])["phone"].nunique().max() == 1


def test_duty_log_covers_the_past_week(frames):
    log = frames["duty_log"]
    assert (log["at"] <= pd.Timestamp(NOW)).all()
    assert (log["at"] > pd.Timestamp(NOW) - pd.Timedelta(days=7)).all()
    assert log["at"].dt.tz_convert(SHANGHAI).dt.date.nunique() >= 7
    assert {"handover", "report", "inspection"} <= set(log["category"])
    assert (log["unit"] == "city").all()


# --- history ---------------------------------------------------------------------------------


def test_incidents_a_year_of_history_with_a_few_open_now(frames):
    incidents = frames["incidents"]
    assert 140 <= len(incidents) <= 160
    assert set(incidents["category"]) == INCIDENT_CATEGORIES
    levels = incidents["level"].value_counts()
    assert levels[4] > 0.8 * len(incidents) and levels.get(1, 0) == 0
    open_ = incidents[incidents["status"] == "open"]
    assert 4 <= len(open_) <= 6
    assert (open_["opened_at"] > pd.Timestamp(NOW) - pd.Timedelta(days=2)).all()
    assert open_["closed_at"].isna().all()
    closed = incidents[incidents["status"] == "closed"]
    assert (closed["closed_at"] > closed["opened_at"]).all()
    assert (closed["closed_at"] <= pd.Timestamp(NOW)).all()
    assert incidents["opened_at"].min() > pd.Timestamp(NOW) - pd.Timedelta(days=366)
    floods = incidents[incidents["category"] == "防汛"]["opened_at"].dt.tz_convert(SHANGHAI)
    assert floods.dt.month.between(5, 10).mean() > 0.7


def test_incident_timelines_run_in_order(frames):
    timeline = frames["incident_timeline"]
    incidents = frames["incidents"].set_index("id")
    for incident_id, entries in timeline.groupby("incident_id"):
        entries = entries.sort_values("id")
        assert entries["at"].is_monotonic_increasing, incident_id
        assert entries["kind"].iloc[0] == "report"
        assert entries["at"].iloc[0] == incidents.loc[incident_id, "opened_at"]
        closed = incidents.loc[incident_id, "status"] == "closed"
        assert (entries["kind"].iloc[-1] == "close") == closed, incident_id
    assert set(timeline["kind"]) == {"report", "dispatch", "arrive", "handle", "close"}


def test_alarm_history(frames):
    alarms = frames["alarm_history"]
    assert 28_000 <= len(alarms) <= 32_000
    share = alarms["level"].value_counts(normalize=True)
    for level, expected in {"red": 0.02, "orange": 0.10, "yellow": 0.38, "blue": 0.50}.items():
        assert abs(share[level] - expected) < 0.02, level
    assert alarms["id"].str.match(r"^H-[a-z]+-\d+$").all()
    assert ((alarms["received_at"] - alarms["occurred_at"]).dt.total_seconds().between(0, 60)).all()
    assert (alarms["occurred_at"] <= pd.Timestamp(NOW)).all()
    old = alarms[alarms["occurred_at"] < pd.Timestamp(NOW) - pd.Timedelta(days=30)]
    assert (old["status"] == "closed").all()
    closed = alarms[alarms["status"] == "closed"]
    assert (closed["ack_at"] >= closed["received_at"]).all()
    assert (closed["closed_at"] >= closed["ack_at"]).all()
    assert closed[["ack_by", "closed_by", "close_note"]].notna().all().all()
    assert alarms["detail"].map(lambda d: isinstance(json.loads(d), dict)).all()
    sensor_alarms = alarms[alarms["source"] == "hazchem"]
    assert sensor_alarms["site_id"].isin(frames["sensors"]["id"]).all()


def test_no_alarm_title_names_a_colour_other_than_its_level(frames):
    alarms = frames["alarm_history"]
    wrong = [
        (level, title)
        for level, title in zip(alarms["level"], alarms["title"])
        if title_disagrees(title, level)
    ]
    assert wrong == []
    weather = alarms[alarms["category"] == "气象预警"]
    assert set(weather["title"].map(title_colour)) == set(LEVELS)  # every colour is used
    assert not weather["title"].str.contains("雷电蓝色|高温蓝色").any()


def test_alarms_follow_the_clock_and_the_seasons(frames):
    alarms = frames["alarm_history"]
    local = alarms["occurred_at"].dt.tz_convert(SHANGHAI)
    night = local.dt.hour.isin([1, 2, 3, 4]).sum() / 4
    day = local.dt.hour.isin([9, 10, 11, 15]).sum() / 4
    assert night < 0.5 * day
    flood = local[alarms["category"] == "水位超警戒"].dt.month
    assert flood.isin([6, 7, 8, 9]).mean() > 0.6
    heat = local[alarms["category"] == "温度超限"].dt.month
    assert heat.isin([6, 7, 8]).sum() > 2 * heat.isin([12, 1, 2]).sum()


def test_readings_cover_the_last_day_every_ten_minutes(frames):
    readings, sensors = frames["reading_history"], frames["sensors"]
    assert len(readings) == 144 * len(sensors)
    stamps = readings["ts"].drop_duplicates().sort_values()
    assert stamps.iloc[-1] == pd.Timestamp(NOW)
    assert (stamps.diff().dropna() == pd.Timedelta(minutes=10)).all()
    assert stamps.iloc[0] == pd.Timestamp(NOW) - timedelta(hours=23, minutes=50)
    joined = readings.merge(sensors, left_on="sensor_id", right_on="id")
    above = joined["value"] > joined["high"]
    assert 0 < above.mean() < 0.01  # rare excursions
    temps = joined[joined["kind"] == "temperature"]
    assert (temps["value"] - temps["normal"]).abs().median() < 3
    faults = [reading_fault(*r) for r in zip(joined["kind"], joined["unit"], joined["value"])]
    assert not any(faults)  # the generated sensors all work
