"""The threshold engine (thresholds/engine.py) and its rules file (thresholds/rules.py)."""

from __future__ import annotations

import json
import math
import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresholds.alarms import alarm_of
from thresholds.engine import Engine, Event, SensorState, episode_of
from thresholds.rules import RULES_PATH, Rules, RulesError, load_rules, parse_rules

NAN = math.nan
SENSOR_COLUMNS = ["id", "hazard_source_id", "kind", "name", "unit", "normal"]
SENSOR_COLUMNS += ["low_low", "low", "high", "high_high"]

# A tank level on a grade-1 and a grade-4 major hazard source: span 10-90, deadband 2% = 1.6.
SENSORS = pd.DataFrame(
    [
        ("L1", "H1", "level", "1#储罐液位", "%", 50.0, 10.0, 20.0, 80.0, 90.0),
        ("L4", "H4", "level", "2#储罐液位", "%", 50.0, 10.0, 20.0, 80.0, 90.0),
        ("T1", "H1", "temperature", "反应釜温度", "°C", 25.0, NAN, NAN, 60.0, 80.0),
        ("P1", "H1", "pressure", "反应釜压力", "kPa", 1000.0, NAN, 400.0, 1600.0, NAN),
        ("G4", "H4", "gas_lel", "罐区可燃气体", "%LEL", 0.0, NAN, NAN, 20.0, 40.0),
    ],
    columns=SENSOR_COLUMNS,
)
HAZARDS = pd.DataFrame({"id": ["H1", "H4"], "grade": [1, 4], "enterprise": ["甲化工", "乙化工"]})


def raw_rules() -> dict[str, Any]:
    with RULES_PATH.open("rb") as fh:
        return tomllib.load(fh)


def rules_with(kind: str = "level", **fields: Any) -> Rules:
    """The shipped rules with some fields of one kind changed (0 turns a rule off)."""
    data = raw_rules()
    data["kinds"][kind].update(fields)
    return parse_rules(data)


LIMITS_ONLY = {"rate_per_min": 0, "silent_after_s": 0, "stuck_readings": 0}


def engine(rules: Rules | None = None) -> Engine:
    return Engine(rules or load_rules(), SENSORS, HAZARDS)


def feed(eng: Engine, sensor: str, values: list[float], start: float = 0.0, step: float = 10.0):
    events: list[Event] = []
    for i, value in enumerate(values):
        events += eng.observe(sensor, start + i * step, value)
    return events


def summary(events: list[Event]) -> list[tuple[str, str, str]]:
    return [(e.kind, e.rule, e.level) for e in events]


# --- limits and hysteresis --------------------------------------------------------------


def test_crossing_high_and_back_gives_one_raise_and_one_clear():
    eng = engine(rules_with(**LIMITS_ONLY))
    events = feed(eng, "L1", [50, 81, 79, 78])
    assert summary(events) == [("raise", "high", "orange"), ("clear", "high", "orange")]
    raised, cleared = events
    assert (raised.value, raised.ts, raised.limit) == (81, 10.0, 80.0)
    assert raised.episode == cleared.episode == episode_of(10.0)
    # 79 is back under the limit but inside the deadband (80 - 1.6): the clear waits for 78.
    assert cleared.ts == 30.0 and cleared.reason == "normal"


def test_oscillation_around_high_inside_the_deadband_raises_once():
    eng = engine(rules_with(**LIMITS_ONLY))
    events = feed(eng, "L1", [50, 80.5, 79.0, 80.2, 78.5, 81.0, 79.9, 80.0, 78.6])
    assert summary(events) == [("raise", "high", "orange")]


def test_high_escalates_to_high_high_and_one_clear_ends_the_episode():
    eng = engine(rules_with(**LIMITS_ONLY))
    events = feed(eng, "L1", [50, 85, 91, 85, 89, 92, 78])
    assert summary(events) == [
        ("raise", "high", "orange"),
        ("clear", "high", "orange"),
        ("raise", "high_high", "red"),
        ("clear", "high_high", "red"),
    ]
    assert events[1].reason == "escalated"
    assert len({e.episode for e in events}) == 1  # one excursion, one episode
    assert events[-1].ts == 60.0


def test_a_jump_straight_past_high_high_raises_high_high_only():
    eng = engine(rules_with(**LIMITS_ONLY))
    assert summary(feed(eng, "L1", [50, 95])) == [("raise", "high_high", "red")]


def test_low_and_low_low_mirror_high_and_high_high():
    eng = engine(rules_with(**LIMITS_ONLY))
    events = feed(eng, "L1", [50, 19, 21, 9, 15, 21.5, 22])
    assert summary(events) == [
        ("raise", "low", "orange"),
        ("clear", "low", "orange"),
        ("raise", "low_low", "red"),
        ("clear", "low_low", "red"),
    ]
    assert events[-1].ts == 60.0  # 21.5 is inside the deadband above 20; 22 is not


def test_a_sensor_without_a_high_high_limit_clears_below_high():
    eng = engine(rules_with("pressure", **LIMITS_ONLY))
    events = feed(eng, "P1", [1000, 1700, 1580, 1560])
    # span 400-1600 kPa, deadband 24 kPa: 1580 holds, 1560 clears
    assert summary(events) == [("raise", "high", "orange"), ("clear", "high", "orange")]


# --- rate, silence, stuck ---------------------------------------------------------------


def test_rate_of_change_raises_on_a_fast_rise_and_clears_when_it_levels_off():
    eng = engine(rules_with("temperature", silent_after_s=0, stuck_readings=0))
    values = [25.0] * 7 + [26.0, 28.0] + [28.0] * 7
    events = feed(eng, "T1", values)
    assert summary(events) == [("raise", "rate", "orange"), ("clear", "rate", "orange")]
    raised, cleared = events
    # The least-squares slope of the last minute: 25 ×5, 26, 28 at t = 20…80 is 2.36 °C/min
    # (limit 2); it falls below 1.6 (the limit less 20 %) with 26, 28 ×6 at t = 70…130.
    assert raised.ts == 80.0 and raised.rate == pytest.approx(2.357, abs=1e-3)
    assert raised.episode == cleared.episode
    assert cleared.ts == 130.0 and cleared.rate == pytest.approx(1.286, abs=1e-3)


def test_one_noisy_reading_does_not_raise_the_rate():
    eng = engine(rules_with("temperature", silent_after_s=0, stuck_readings=0))
    # +1 °C for one reading in a steady minute: a two-point difference over ten seconds would
    # be 6 °C/min; the slope of the minute is 0.64.
    assert feed(eng, "T1", [25.0] * 6 + [26.0]) == []


def test_rate_of_temperature_counts_rises_only():
    eng = engine(rules_with("temperature", silent_after_s=0, stuck_readings=0))
    assert feed(eng, "T1", [40.0] * 7 + [30.0, 20.0]) == []


def test_rate_limit_is_converted_to_the_sensors_unit():
    # 0.1 MPa/min on a sensor in kPa is 100 kPa/min: a steady 90 kPa/min passes, a jump not.
    eng = engine(rules_with("pressure", silent_after_s=0, stuck_readings=0))
    assert feed(eng, "P1", [1000, 1015, 1030, 1045, 1060, 1075, 1090]) == []
    assert summary(feed(eng, "P1", [1340], start=70.0)) == [("raise", "rate", "orange")]


def test_silent_sensor_is_raised_by_the_sweep_and_cleared_by_the_next_reading():
    eng = engine(rules_with(rate_per_min=0, stuck_readings=0, silent_after_s=300))
    assert eng.sweep(1000.0) == []  # a sensor never heard from is not "silent"
    eng.observe("L1", 100.0, 50.0)
    assert eng.sweep(399.0) == []
    events = eng.sweep(401.0)
    assert summary(events) == [("raise", "silent", "blue")]
    assert events[0].ts == 400.0 and events[0].value == 50.0
    assert eng.sweep(900.0) == []  # raised once
    cleared = eng.observe("L1", 950.0, 51.0)
    assert summary(cleared) == [("clear", "silent", "blue")]
    assert cleared[0].episode == events[0].episode


def test_stuck_value_is_raised_after_enough_readings_and_time():
    eng = engine(rules_with(rate_per_min=0, silent_after_s=0))  # 30 readings and 900 s
    events = feed(eng, "L1", [50.0] * 30, step=30.0)  # t = 0 … 870
    assert events == []
    events = eng.observe("L1", 900.0, 50.0)
    assert summary(events) == [("raise", "stuck", "yellow")]
    assert summary(eng.observe("L1", 930.0, 50.0)) == []
    assert summary(eng.observe("L1", 960.0, 50.2)) == [("clear", "stuck", "yellow")]


def test_gas_detectors_reading_zero_all_day_are_not_stuck():
    eng = engine()
    assert [e.rule for e in feed(eng, "G4", [0.0] * 200, step=30.0)] == []


def test_late_and_repeated_readings_change_nothing():
    eng = engine(rules_with(**LIMITS_ONLY))
    assert summary(eng.observe("L1", 100.0, 85.0)) == [("raise", "high", "orange")]
    assert eng.observe("L1", 50.0, 50.0) == []  # older: does not clear
    assert eng.observe("L1", 100.0, 50.0) == []  # same time: a repeat
    assert summary(eng.observe("L1", 200.0, 50.0)) == [("clear", "high", "orange")]
    assert eng.observe("L1", 150.0, 95.0) == []  # late: does not raise again
    assert eng.states["L1"].last_ts == 200.0


def test_unknown_sensors_and_non_finite_values_are_ignored():
    eng = engine()
    assert eng.observe("nope", 1.0, 99.0) == []
    assert eng.observe("L1", 1.0, math.nan) == []
    assert eng.observe("L1", math.inf, 99.0) == []
    assert "nope" not in eng.states


def test_a_shuffled_batch_is_taken_in_event_time_order():
    eng = engine(rules_with(**LIMITS_ONLY))
    events = eng.observe_many([("L1", 30.0, 78.0), ("L1", 10.0, 50.0), ("L1", 20.0, 85.0)])
    assert summary(events) == [("raise", "high", "orange"), ("clear", "high", "orange")]


# --- levels by kind and grade -----------------------------------------------------------


def test_levels_follow_the_rules_file_by_kind_and_grade():
    rules = load_rules()
    assert rules.level("high_high", "level", 1) == "red"
    assert rules.level("high_high", "level", 4) == "orange"
    assert rules.level("high", "level", 1) == "orange"
    assert rules.level("high", "level", 4) == "yellow"
    assert rules.level("high_high", "gas_lel", 4) == "red"  # gas: red at any grade
    assert rules.level("silent", "temperature", 1) == "blue"
    assert rules.level("stuck", "pressure", 2) == "yellow"
    assert rules.level("fault", "gas_lel", 1) == "yellow"  # repair the sensor, not evacuate
    assert rules.level("high", "no-such-kind", 3) == "yellow"  # the defaults


def test_engine_events_carry_the_level_of_their_sensors_grade():
    eng = engine(rules_with(**LIMITS_ONLY))
    assert summary(feed(eng, "L1", [50, 95])) == [("raise", "high_high", "red")]
    assert summary(feed(eng, "L4", [50, 95])) == [("raise", "high_high", "orange")]
    assert summary(feed(eng, "L4", [85], start=30.0)) == []
    eng2 = engine(rules_with(**LIMITS_ONLY))
    assert summary(feed(eng2, "L4", [50, 85])) == [("raise", "high", "yellow")]
    gas = feed(eng2, "G4", [0, 45])
    assert [e.level for e in gas if e.rule == "high_high"] == ["red"]


# --- the rules file ---------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_PATH.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return path


STEAM = "[kinds.steam]\nname = '蒸汽'\nunit = 'MPa'\n"


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (STEAM + "deadbnd = 0.02\n", "kinds.steam.deadbnd"),
        (STEAM + "rate_per_min = 'fast'\n", "kinds.steam.rate_per_min"),
        (STEAM + "deadband = -0.1\n", "kinds.steam.deadband"),
        (STEAM + "rate_direction = 'up'\n", "kinds.steam.rate_direction"),
        ("[kinds.steam]\nunit = 'MPa'\n", "kinds.steam.name"),
        (
            STEAM + "[kinds.steam.levels]\nhigh = ['red', 'purple', 'red', 'red']\n",
            "kinds.steam.levels.high: 'purple' is not a level",
        ),
        (STEAM + "[kinds.steam.levels]\nhigh = ['red', 'red']\n", "kinds.steam.levels.high"),
        (STEAM + "[kinds.steam.levels]\nhihg = 'red'\n", "kinds.steam.levels.hihg"),
        ("[alarms]\nx = 1\n", "alarms: unknown section"),
    ],
)
def test_a_bad_rules_file_names_the_key(tmp_path: Path, extra: str, key: str):
    with pytest.raises(RulesError, match=key.replace(".", r"\.")):
        load_rules(write(tmp_path, extra))


def test_a_bad_level_in_the_defaults_names_the_key_and_the_level():
    data = raw_rules()
    data["defaults"]["levels"]["high"] = ["red", "purple", "red", "red"]
    with pytest.raises(RulesError, match=r"defaults\.levels\.high: 'purple' is not a level"):
        parse_rules(data)


def test_escalation_minutes_must_increase():
    data = raw_rules()
    data["escalation"]["after_min"] = [30, 10]
    with pytest.raises(RulesError, match=r"escalation\.after_min"):
        parse_rules(data)


def test_a_file_that_is_not_toml_is_an_error_naming_the_file(tmp_path: Path):
    path = tmp_path / "rules.toml"
    path.write_text("[defaults\n", encoding="utf-8")
    with pytest.raises(RulesError, match="rules.toml: not valid TOML"):
        load_rules(path)


def test_the_shipped_rules_file_loads():
    rules = load_rules()
    assert set(rules.kinds) == {
        "level",
        "temperature",
        "pressure",
        "gas_lel",
        "toxic_ppm",
        "oxygen",
    }
    assert rules.escalation.after_s == (600.0, 1800.0)
    assert rules.kind("gas_lel").stuck_readings == 0


# --- state ------------------------------------------------------------------------------


def test_state_round_trips_through_to_dict_and_from_dict():
    rules = load_rules()
    a = Engine(rules, SENSORS, HAZARDS)
    first = [50, 85, 91, 91, 91, 85]
    for i, v in enumerate(first):
        a.observe("L1", i * 10.0, v)
        a.observe("T1", i * 10.0, 25.0 + 2 * i)
    a.sweep(10.0)
    data = json.loads(json.dumps(a.to_dict()))
    b = Engine.from_dict(data, rules, SENSORS, HAZARDS)
    assert b.to_dict() == a.to_dict()
    rest = [("L1", 70.0, 77.0), ("T1", 70.0, 25.0), ("L1", 80.0, 50.0)]
    assert a.observe_many(rest) + a.sweep(1000.0) == b.observe_many(rest) + b.sweep(1000.0)


def test_take_dirty_returns_only_the_sensors_changed_since_the_last_call():
    eng = engine()
    eng.observe("L1", 1.0, 50.0)
    eng.observe("T1", 1.0, 25.0)
    assert set(eng.take_dirty()) == {"L1", "T1"}
    assert eng.take_dirty() == {}
    eng.observe("L1", 2.0, 50.0)
    dirty = eng.take_dirty()
    assert list(dirty) == ["L1"]
    assert SensorState.from_dict(dirty["L1"]) == eng.states["L1"]


def test_a_sensor_leaving_the_registry_has_its_alarms_cleared():
    eng = engine(rules_with(**LIMITS_ONLY))
    feed(eng, "L1", [50, 95])
    events = eng.update_registry(SENSORS[SENSORS["id"] != "L1"], HAZARDS)
    assert [(e.kind, e.rule, e.reason) for e in events] == [("clear", "high_high", "removed")]
    assert eng.observe("L1", 100.0, 95.0) == []


# --- property: raises and clears alternate ----------------------------------------------

# Values near the limits and repeated values (so that stuck runs happen), time steps that
# are sometimes negative (late readings), and sweeps at random times.
VALUES = st.one_of(
    st.just(50.0),
    st.sampled_from([5.0, 9.0, 10.0, 19.0, 20.0, 21.0, 50.0, 79.0, 80.0, 81.0, 90.0, 95.0]),
    st.floats(min_value=-50, max_value=150, allow_nan=False),
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["L1", "L4", "T1", "G4", "sweep"]),
        st.floats(min_value=-30, max_value=400, allow_nan=False),
        VALUES,
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS)
def test_raises_and_clears_alternate_per_sensor_and_rule(steps):
    eng = Engine(
        rules_with(stuck_readings=3, stuck_after_s=20, silent_after_s=120), SENSORS, HAZARDS
    )
    now = 0.0
    open_: dict[tuple[str, str], str] = {}
    for sensor, dt, value in steps:
        now += dt
        events = eng.sweep(now) if sensor == "sweep" else eng.observe(sensor, now, value)
        for event in events:
            key = (event.sensor_id, event.rule)
            if event.kind == "raise":
                assert key not in open_, f"second raise of {key} without a clear"
                open_[key] = event.episode
            else:
                assert open_.pop(key, None) == event.episode, f"clear of {key} not raised"
    # what is still raised is exactly what the state says is raised
    state = {
        (sid, rule): episode for sid, s in eng.states.items() for rule, episode in s.raised.values()
    }
    assert state == open_


# --- readings outside the physical range ------------------------------------------------


def test_a_reading_the_sensor_cannot_give_raises_one_fault_and_no_limit_alarm():
    eng = engine(rules_with("gas_lel", **LIMITS_ONLY))
    events = feed(eng, "G4", [0, 150, 150, -0.3, 12])
    assert summary(events) == [("raise", "fault", "yellow"), ("clear", "fault", "yellow")]
    assert events[0].limit == 100.0 and events[0].value == 150.0
    assert eng.states["G4"].last_value == 12.0


def test_the_physical_range_is_judged_in_the_sensors_own_unit():
    eng = engine(rules_with("pressure", **LIMITS_ONLY))
    # -150 kPa is below full vacuum: a fault, not a low-pressure alarm (low is 400 kPa).
    assert summary(feed(eng, "P1", [1000, -150])) == [("raise", "fault", "yellow")]
    assert summary(feed(eng, "P1", [300], start=20.0)) == [
        ("clear", "fault", "yellow"),
        ("raise", "low", "orange"),
    ]


def test_a_limit_raised_before_a_fault_stays_raised_through_it():
    eng = engine(rules_with("gas_lel", **LIMITS_ONLY))
    assert summary(feed(eng, "G4", [0, 45, 150])) == [
        ("raise", "high_high", "red"),
        ("raise", "fault", "yellow"),
    ]
    assert summary(feed(eng, "G4", [0], start=30.0)) == [
        ("clear", "fault", "yellow"),
        ("clear", "high_high", "red"),
    ]


def test_a_silent_sensor_whose_last_reading_was_a_fault_is_not_titled_with_that_value():
    info = {"enterprise": "乙化工", "name": "罐区可燃气体", "unit": "%LEL", "kind": "gas_lel"}
    info |= {"kind_name": "可燃气体", "hazard_source_id": "H4"}
    now = time.time()
    silent = Event("raise", "G4", "silent", "blue", 150.0, now, "0")
    assert (
        alarm_of("a", silent, info).title == "乙化工 罐区可燃气体 传感器离线 (末次读数 传感器故障)"
    )
    fine = Event("raise", "G4", "silent", "blue", 3.0, now, "0")
    assert alarm_of("a", fine, info).title == "乙化工 罐区可燃气体 传感器离线 (末次读数 3%LEL)"
