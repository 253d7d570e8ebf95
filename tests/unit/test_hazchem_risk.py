"""The four-colour risk of hazard sources and how close readings are to their limits
(callbacks/hazchem_page.py), checked against hand-worked cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from callbacks.hazchem_page import (
    distribution,
    enterprise_alarms,
    risk_table,
    sensor_states,
    site_firms,
)

NAN = math.nan
NOW = pd.Timestamp("2026-11-29T08:00:00Z")


def hazards() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("HS1", "E1", "甲公司", "液氯储罐区", 1, "320582", "CP01"),
            ("HS2", "E1", "甲公司", "甲醇储罐区", 4, "320582", "CP01"),
            ("HS3", "E2", "乙公司", "丙烯储罐区", 3, "320583", None),
        ],
        columns=["id", "enterprise_id", "enterprise", "name", "grade", "district", "park_id"],
    )


def sensors() -> pd.DataFrame:
    # id, source, kind, name, unit, normal, low_low, low, high, high_high
    return pd.DataFrame(
        [
            ("HS1-T01", "HS1", "level", "1#液位", "%", 50.0, 5.0, 10.0, 85.0, 95.0),
            ("HS2-T01", "HS2", "pressure", "1#压力", "MPa", 0.4, NAN, NAN, 0.6, 0.8),
            ("HS2-T02", "HS2", "gas_lel", "1#可燃气体", "%LEL", 0.0, NAN, NAN, 20.0, 40.0),
            ("HS3-T01", "HS3", "temperature", "1#温度", "°C", 20.0, NAN, NAN, 40.0, 50.0),
        ],
        columns=["id", "hazard_source_id", "kind", "name", "unit", "normal", "low_low", "low", "high", "high_high"],
    )  # fmt: skip


def latest(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"sensor_id": list(values), "ts": [NOW] * len(values), "value": list(values.values())}
    )


def alarms(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "site_id", "level", "status"])


NAMES = {"320582": "张家港市", "320583": "昆山市", "CP01": "扬子江化工园"}


def test_load_is_zero_at_normal_and_one_at_the_alarm_limit_on_either_side() -> None:
    states = sensor_states(
        sensors(), latest({"HS1-T01": 30.0, "HS2-T01": 0.5, "HS2-T02": 20.0, "HS3-T01": 52.0})
    ).set_index("id")
    # Level 30 % with normal 50 and low 10: (50 - 30) / (50 - 10) = 0.5 of the way down.
    assert states.loc["HS1-T01", "load"] == pytest.approx(0.5)
    assert states.loc["HS2-T01", "load"] == pytest.approx(0.5)  # (0.5 - 0.4) / (0.6 - 0.4)
    assert states.loc["HS2-T02", "load"] == pytest.approx(1.0)  # at the alarm limit
    assert states.loc["HS2-T02", "state"] == "alarm"
    assert states.loc["HS3-T01", "state"] == "trip"  # past high_high
    assert states.loc["HS1-T01", "state"] == "normal"


def test_a_sensor_without_a_reading_has_no_load() -> None:
    states = sensor_states(sensors(), latest({"HS1-T01": 50.0})).set_index("id")
    assert states.loc["HS3-T01", "state"] == "none"
    assert math.isnan(states.loc["HS3-T01", "load"])


def test_quiet_sources_take_the_colour_of_their_grade() -> None:
    calm = latest({"HS1-T01": 50.0, "HS2-T01": 0.4, "HS2-T02": 0.0, "HS3-T01": 20.0})
    table = risk_table(hazards(), sensor_states(sensors(), calm), alarms([]), NAMES)
    risk = dict(zip(table["id"], table["risk"]))
    assert risk == {"HS1": "orange", "HS2": "blue", "HS3": "blue"}  # grade 1, 4, 3
    assert table["id"].iloc[0] == "HS1"  # the most at risk first
    assert table.set_index("id").loc["HS3", "place"] == "昆山市"  # outside any park
    assert table.set_index("id").loc["HS1", "place"] == "扬子江化工园"


def test_open_alarms_on_the_source_its_sensors_or_its_enterprise_raise_its_colour() -> None:
    calm = latest({"HS1-T01": 50.0, "HS2-T01": 0.4, "HS2-T02": 0.0, "HS3-T01": 20.0})
    open_alarms = alarms(
        [
            ("a1", "HS2-T02", "red", "new"),  # on a sensor of HS2
            ("a2", "E2", "yellow", "acknowledged"),  # on HS3's enterprise
            ("a3", "HS1", "red", "closed"),  # closed: no longer counts
        ]
    )
    table = risk_table(hazards(), sensor_states(sensors(), calm), open_alarms, NAMES)
    rows = table.set_index("id")
    assert rows.loc["HS2", "risk"] == "red"
    assert rows.loc["HS3", "risk"] == "yellow"
    assert rows.loc["HS1", "risk"] == "orange"  # its grade; the red alarm is closed
    assert rows.loc["HS2", "active"] == 1
    assert list(table["id"][:1]) == ["HS2"]
    assert "在办报警 1 条" in rows.loc["HS2", "reason"]


def test_a_reading_past_its_limits_raises_the_colour_before_any_alarm_arrives() -> None:
    hot = latest({"HS1-T01": 50.0, "HS2-T01": 0.65, "HS2-T02": 0.0, "HS3-T01": 55.0})
    table = risk_table(hazards(), sensor_states(sensors(), hot), alarms([]), NAMES)
    rows = table.set_index("id")
    assert rows.loc["HS2", "risk"] == "yellow"  # past high (0.6), not high_high
    assert rows.loc["HS3", "risk"] == "orange"  # past high_high (50)
    assert rows.loc["HS3", "sensor"] == "1#温度"
    assert rows.loc["HS3", "load"] == pytest.approx((55 - 20) / (40 - 20))


def test_four_colour_distribution_by_park() -> None:
    calm = latest({"HS1-T01": 50.0})
    table = risk_table(hazards(), sensor_states(sensors(), calm), alarms([]), NAMES)
    counts = distribution(table, "park")
    assert counts.loc["扬子江化工园"].tolist() == [0, 1, 0, 1]  # red, orange, yellow, blue
    assert counts.loc["园区外"].tolist() == [0, 0, 0, 1]


def test_alarms_per_enterprise_count_an_alarm_once_whether_live_archived_or_both() -> None:
    firms = pd.DataFrame({"id": ["E1", "E2", "E9"], "name": ["甲公司", "乙公司", "丙公司"]})
    firm_of = site_firms(hazards(), sensors(), firms)
    history = alarms(
        [
            ("a1", "HS2-T02", "red", "new"),  # archived while open, now live and acknowledged
            ("a2", "HS1", "yellow", "closed"),
            ("a3", "E9", "blue", "closed"),  # an enterprise without major hazard sources
            ("a4", "X-unknown", "red", "closed"),
        ]
    )
    live = alarms([("a1", "HS2-T02", "red", "acknowledged"), ("a5", None, "orange", "new")])
    table = enterprise_alarms(history, live, firm_of, dict(zip(firms["id"], firms["name"])))
    rows = table.set_index("enterprise_id")
    assert rows.loc["E1", "total"] == 2
    assert rows.loc["E1", "active"] == 1
    assert rows.loc["E1", "red"] == 1 and rows.loc["E1", "yellow"] == 1
    assert rows.loc["E9", "total"] == 1 and rows.loc["E9", "enterprise"] == "丙公司"
    assert "E2" not in rows.index
    assert list(table["enterprise_id"])[0] == "E1"  # open alarms first
