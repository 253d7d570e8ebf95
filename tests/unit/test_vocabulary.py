"""The shared words (vocabulary.py) and the screens that take them from there: incident level
colours, alarm colours in titles, wind directions, team states and the physical range of a
sensor's reading."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import vocabulary as v
from callbacks.hazchem_page import sensor_states
from figures.hazchem import sensors_figure
from layouts import tablet_page
from layouts.consult_detail import alarm_detail, detail_rows
from layouts.incident_lists import forces_list
from layouts.incident_page import WIND_OPTIONS, wind_options
from maps.markers import incident_marker
from simulator import feed


def test_incident_levels_one_to_four_are_red_orange_yellow_blue() -> None:
    assert [v.incident_level(n)[2] for n in (1, 2, 3, 4)] == ["red", "orange", "yellow", "blue"]
    assert [v.incident_level(n)[3] for n in (1, 2, 3, 4)] == ["红", "橙", "黄", "蓝"]
    assert v.incident_level("4") == ("Ⅳ级", "一般", "blue", "蓝")
    assert v.incident_level(5)[2] == v.incident_level(None)[2] == "none"


def test_the_tablet_and_the_map_colour_an_incident_by_its_level() -> None:
    incidents = pd.DataFrame(
        [
            {
                "id": "I-4",
                "level": 4,
                "title": "t",
                "opened_at": pd.Timestamp.now(tz="UTC"),
                "district": "x",
            }
        ]  # fmt: skip
    )
    item = tablet_page.incident_items(incidents, {}, "zh")[0]
    assert "level-blue" in item.className and "red" not in item.className
    assert item.children.children[0].children == "Ⅳ级"
    assert "level-blue" in incident_marker([31, 120], None, 4).iconOptions["className"]
    assert "level-red" in incident_marker([31, 120], None, 1).iconOptions["className"]


def test_a_title_names_a_level_by_its_colour_word() -> None:
    assert v.title_colour("苏州市气象台发布雷电黄色预警") == "yellow"
    assert v.title_colour("储罐液位超限") is None
    assert v.title_colour("红色转橙色") is None  # two colours: nothing to compare
    assert v.title_disagrees("雷电黄色预警", "orange") == "黄色"
    assert v.title_disagrees("雷电黄色预警", "yellow") is None
    assert v.title_disagrees("储罐液位超限", "red") is None


def test_weather_warnings_exist_only_in_their_colours() -> None:
    assert "雷电" not in v.weather_hazards("blue")
    assert "高温" not in v.weather_hazards("blue")
    assert "暴雨" in v.weather_hazards("blue")
    # The demo feed can title a weather alarm at every level it draws.
    for _, category, _, weights in feed.ALARM_KINDS:
        if category == "气象预警":
            for level, weight in zip(v.LEVELS, weights):
                assert weight == 0 or v.weather_hazards(level, feed.WEATHER), level


def test_no_demo_title_template_carries_a_colour_word_of_its_own() -> None:
    for _, _, title, _ in feed.ALARM_KINDS:
        assert v.title_colour(title) is None, title


@pytest.mark.parametrize(
    ("degrees", "zh", "en"),
    [
        (0, "北风", "N"),
        (22.5, "东北偏北风", "NNE"),
        (45, "东北风", "NE"),
        (67.5, "东北偏东风", "ENE"),
        (112.5, "东南偏东风", "ESE"),
        (157.5, "东南偏南风", "SSE"),
        (202.5, "西南偏南风", "SSW"),
        (247.5, "西南偏西风", "WSW"),
        (292.5, "西北偏西风", "WNW"),
        (337.5, "西北偏北风", "NNW"),
        (350, "北风", "N"),
        (-22.5, "西北偏北风", "NNW"),
        (371, "北风", "N"),
    ],
)
def test_wind_directions_are_the_sixteen_points_in_chinese_and_english(degrees, zh, en) -> None:  # noqa: ANN001
    assert v.wind_direction(degrees) == zh
    assert v.wind_direction(degrees, "en") == en


def test_the_incident_pages_wind_choices_use_the_same_names() -> None:
    labels = [o["label"] for o in WIND_OPTIONS]
    assert len(labels) == 16 and labels[1] == "东北偏北风 (22.5°)"
    assert not [label for label in labels if "北东北" in label or "东东" in label]
    assert wind_options(37)[-1]["label"] == "约东北风 (37°)"


def test_team_states_move_only_along_the_machine() -> None:
    assert v.team_transition(None, "dispatched") == "dispatched"
    assert v.team_transition("dispatched", "returning") == "returning"
    assert v.team_transition("dispatched", "dispatched") == "dispatched"
    with pytest.raises(ValueError, match="cannot go"):
        v.team_transition("dispatched", "ready")  # it comes back by way of returning
    with pytest.raises(ValueError, match="cannot go"):
        v.team_transition("off", "dispatched")
    with pytest.raises(ValueError, match="unknown"):
        v.team_transition("ready", "en_route")
    for state, nexts in v.TEAM_TRANSITIONS.items():
        assert state in v.TEAM_STATUS and set(nexts) <= set(v.TEAM_STATUS)


def test_a_sent_team_is_on_its_way_only_while_it_is_out() -> None:
    row = {"id": "T1", "name": "某消防站", "sent": "12-01 10:00", "arrived": ""}
    out = forces_list([row | {"status": "dispatched"}])[0].children[1].children[0].children
    assert [td.children for td in out][2:] == ["途中", "出动中"]
    back = forces_list([row | {"status": "ready"}])[0].children[1].children[0].children
    assert [td.children for td in back][2:] == ["—", "在岗待命"]


def test_physical_ranges_of_the_sensor_kinds() -> None:
    assert v.reading_fault("gas_lel", "%LEL", -0.276)
    assert v.reading_fault("gas_lel", "%LEL", 100.5)
    assert not v.reading_fault("gas_lel", "%LEL", 0.0)
    assert v.reading_fault("toxic_ppm", "ppm", -1)
    assert v.reading_fault("temperature", "°C", -300)
    assert v.reading_fault("temperature", "K", -1)
    assert not v.reading_fault("temperature", "K", 300)
    assert v.reading_fault("pressure", "kPa", -150)  # below full vacuum
    assert not v.reading_fault("pressure", "kPa", -50)
    assert not v.reading_fault("gas_lel", "%LEL", math.nan)
    assert not v.reading_fault("gas_lel", "furlongs", -5)  # a unit it cannot judge
    assert set(v.SENSOR_RANGES) == set(v.SENSOR_KINDS)


SENSOR = {
    "hazard_source_id": "HS1",
    "normal": 0.0,
    "low_low": math.nan,
    "low": math.nan,
    "high": 20.0,
    "high_high": 40.0,
}


def _sensors() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": "S1", "kind": "gas_lel", "name": "1#可燃气体探测器", "unit": "%LEL", **SENSOR},
            {"id": "S2", "kind": "gas_lel", "name": "2#可燃气体探测器", "unit": "%LEL", **SENSOR},
        ]
    )


def test_a_reading_outside_its_physical_range_is_a_sensor_fault_not_a_reading() -> None:
    now = pd.Timestamp.now(tz="UTC")
    latest = pd.DataFrame({"sensor_id": ["S1", "S2"], "value": [-0.276, 12.0], "ts": [now, now]})
    states = sensor_states(_sensors(), latest).set_index("id")
    assert states.loc["S1", "state"] == "fault" and math.isnan(states.loc["S1", "load"])
    assert states.loc["S2", "state"] == "normal"

    history = pd.DataFrame({"sensor_id": ["S1", "S1"], "ts": [now, now], "value": [-3.0, 1.0]})
    own = states.reset_index().assign(ts=now)
    fig = sensors_figure(own, history)
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "传感器故障" in texts and "12 %LEL" in texts
    assert not [t for t in texts if "-0.276" in t]
    gauges = [d for d in fig["data"] if d["type"] == "indicator"]
    assert gauges[0]["value"] is None and gauges[1]["value"] == 12.0
    line = next(d for d in fig["data"] if d["type"] == "scatter")
    assert line["y"] == [None, 1.0]  # the impossible past value is a gap, not a dip
    assert fig["layout"]["yaxis"]["range"][0] >= 0


def test_the_gauge_text_sits_left_of_the_bullet() -> None:
    now = pd.Timestamp.now(tz="UTC")
    latest = pd.DataFrame({"sensor_id": ["S1", "S2"], "value": [12.3456, 0.0], "ts": [now, now]})
    fig = sensors_figure(sensor_states(_sensors(), latest), pd.DataFrame(columns=["sensor_id", "ts", "value"]))  # fmt: skip
    gauges = [d for d in fig["data"] if d["type"] == "indicator"]
    assert all(g["mode"] == "gauge" for g in gauges)  # no number drawn inside the bullet
    for a in fig["layout"]["annotations"]:
        assert a["x"] == 0 and a["xanchor"] == "right" and a["xref"] == "paper"


def test_an_alarms_detail_shows_names_not_codes() -> None:
    rows = dict(
        detail_rows(
            {"engine": "thresholds", "rule": "high_high", "kind": "gas_lel", "demo": True, "x": 1},
            "zh",
        )
    )
    assert rows == {"来源": "阈值引擎", "规则": "高高报警", "传感器类型": "可燃气体", "演示数据": "是", "x": "1"}  # fmt: skip
    assert dict(detail_rows({"rule": "high"}, "en")) == {"Rule": "high"}


def test_an_alarm_whose_title_names_another_colour_is_flagged_in_its_detail() -> None:
    alarm = {
        "id": "A1",
        "level": "orange",
        "title": "虎丘区 发布雷电黄色预警",
        "source": "monitor",
        "category": "气象预警",
        "status": "new",
    }
    events = pd.DataFrame([{"at": pd.Timestamp.now(tz="UTC"), "op": "new", "actor": "monitor"}])
    parts = alarm_detail(alarm, events, {}, {"monitor": "安全生产监测监控中心"}, None, "zh")
    text = str(parts)
    assert "标题写“黄色”，但来源系统报送的等级为橙色" in text
    assert "新警情 安全生产监测监控中心" in text
    alarm["level"] = "yellow"
    assert "标题写" not in str(alarm_detail(alarm, events, {}, {}, None, "zh"))
