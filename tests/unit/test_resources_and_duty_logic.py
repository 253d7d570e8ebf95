"""The plain logic behind /resources and /duty, called without a browser or a server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from callbacks import duty_page, resources_page, roster_import
from callbacks.forces import team_summary
from callbacks.rollcall import rollcall_view
from data_sources import duty

NAMES = {"320508": "姑苏区", "320583": "昆山市"}
TEAMS = pd.DataFrame(
    {
        "id": ["T1", "T2", "T3"],
        "name": ["姑苏消防站", "昆山消防站", "昆山危化救援队"],
        "kind": ["fire", "fire", "hazchem"],
        "district": ["320508", "320583", "320583"],
        "personnel": [30, 40, 20],
        "vehicles": [5, 6, 3],
        "equipment": ["水罐车", "泡沫车、排涝泵", "侦检仪"],
        "leader": ["张三", "李四", "王五"],
        "phone": ["13900000001", "13900000002", "13900000003"],
        "lon": [120.6, 120.9, 121.0],
        "lat": [31.3, 31.4, 31.4],
    }
)
STOCK = pd.DataFrame(
    {
        "depot_id": ["D1", "D1", "D2"],
        "depot": ["姑苏库", "姑苏库", "昆山库"],
        "district": ["320508", "320508", "320583"],
        "item": ["pumps", "tents", "pumps"],
        "item_name": ["排涝泵", "帐篷", "排涝泵"],
        "unit": ["台", "顶", "台"],
        "quantity": [20, 50, 3],
        "min_quantity": [10, 100, 10],
    }
)


def test_team_rows_filter_by_district_kind_and_words_and_show_live_status():
    rows = resources_page.team_rows(TEAMS, {"T2": "dispatched"}, NAMES, "320583", ["fire"], None)
    assert list(rows["id"]) == ["T2"]
    assert rows["status_label"].iloc[0] == "出动中"
    assert list(
        resources_page.team_rows(TEAMS, {}, NAMES, "all", ["fire", "hazchem"], "排涝")["id"]
    ) == ["T2"]
    assert resources_page.team_rows(TEAMS, {}, NAMES, "all", [], None).empty
    assert resources_page.team_rows(TEAMS, {}, NAMES, "all", ["fire"], "没有这个").empty


def test_stock_below_its_minimum_comes_first_worst_first_and_is_flagged():
    rows = resources_page.stock_rows(STOCK, NAMES, "all", None)
    assert list(zip(rows["depot"], rows["item_name"])) == [
        ("昆山库", "排涝泵"),  # 30 % of its minimum
        ("姑苏库", "帐篷"),  # 50 %
        ("姑苏库", "排涝泵"),
    ]
    assert list(rows["short"]) == [1, 1, 0]
    assert list(rows["fill"]) == ["30%", "50%", "充足"]


def test_totals_are_the_forces_panels_numbers():
    teams = resources_page.team_rows(
        TEAMS, {"T2": "dispatched"}, NAMES, "all", ["fire", "hazchem"], None
    )
    summary = team_summary(teams, dict(zip(teams["id"], teams["status"])))
    shelters = pd.DataFrame({"is_open": [1, 0], "capacity": [1000, 3000]})
    totals = resources_page.totals(summary, teams, STOCK, shelters, pd.DataFrame({"id": [1]}))
    assert totals["teams"] == ("2/3", "支救援队伍在岗", True)
    assert totals["personnel"][0] == "50"  # the dispatched station's 40 are not counted
    assert totals["short"][0] == "2" and totals["short"][2] is True
    assert totals["shelters"][0] == "1/2"


def test_tooltips_and_empty_tables_do_not_break():
    assert resources_page.tooltips(TEAMS.iloc[:0], {"name": ["name", "district"]}) == []
    tips = resources_page.tooltips(TEAMS.iloc[:1], {"name": ["name", "district"]})
    assert tips == [{"name": {"value": "姑苏消防站 · 320508", "type": "text"}}]


@pytest.mark.parametrize(
    ("utc", "day", "shift"),
    [
        (datetime(2026, 11, 30, 0, 29, tzinfo=UTC), date(2026, 11, 29), "night"),  # 08:29 local
        (datetime(2026, 11, 30, 0, 30, tzinfo=UTC), date(2026, 11, 30), "day"),  # 08:30
        (datetime(2026, 11, 30, 9, 29, tzinfo=UTC), date(2026, 11, 30), "day"),  # 17:29
        (datetime(2026, 11, 30, 9, 30, tzinfo=UTC), date(2026, 11, 30), "night"),  # 17:30
    ],
)
def test_the_duty_day_and_shift_turn_at_half_past_eight_and_half_past_five(utc, day, shift):
    assert duty_page.duty_day(utc) == day
    assert duty_page.current_shift(utc) == shift


def test_a_days_roster_goes_into_its_slots_with_the_leader_on_the_day():
    rows = pd.DataFrame(
        [
            ("night", "leader", "领导", "1"),
            ("day", "chief", "白长", "2"),
            ("night", "officer", "夜员甲", "3"),
            ("night", "officer", "夜员乙", "4"),
        ],
        columns=["shift", "role", "name", "phone"],
    )
    assert duty_page.slots_of(rows) == {
        ("day", "leader"): [("领导", "1")],
        ("day", "chief"): [("白长", "2")],
        ("night", "officer"): [("夜员甲", "3"), ("夜员乙", "4")],
    }


def test_roll_call_view_counts_and_flags_after_the_deadline():
    state = {
        "id": "RC1",
        "started_at": 1000.0,
        "deadline_at": 1300.0,
        "deadline_s": 300.0,
        "started_by": "值班长",
        "units": ["320508", "320583"],
        "answers": {"320508": 1010.0},
    }
    summary, rows, running = rollcall_view(state, NAMES, 1100.0)
    assert [r[2] for r in rows] == ["answered", "waiting"] and running
    assert summary["remaining"] == "03:20" and not summary["missing"]
    summary, rows, running = rollcall_view(state, NAMES, 1301.0)
    assert [r[2] for r in rows] == ["answered", "not-answered"] and not running
    assert summary["remaining"] is None and summary["missing"]
    assert rollcall_view(None, NAMES, 0) == (None, [], False)


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("this_week", date(2026, 12, 28), date(2027, 1, 3)),
        ("next_week", date(2027, 1, 4), date(2027, 1, 10)),
        ("last_week", date(2026, 12, 21), date(2026, 12, 27)),
        ("this_month", date(2026, 12, 1), date(2026, 12, 31)),
        ("next_month", date(2027, 1, 1), date(2027, 1, 31)),
    ],
)
def test_export_ranges_cross_the_new_year(key, first, last):
    assert roster_import.export_range(key, date(2026, 12, 31)) == (first, last)


def test_contacts_find_people_by_any_word_and_list_the_city_first():
    roster = pd.DataFrame(
        {
            "unit": ["320508", "city"],
            "role": ["chief", "officer"],
            "name": ["钱海峰", "陆志伟"],
            "phone": ["13600000001", "13500000002"],
        }
    )
    experts = pd.DataFrame(
        {
            "name": ["李勇"],
            "phone": ["13877148211"],
            "organisation": ["苏州大学"],
            "specialty": ["危化"],
            "title": ["教授"],
        }
    )
    frame = duty.contacts(roster, TEAMS, experts, NAMES)
    assert list(frame["name"])[:2] == ["陆志伟", "钱海峰"]
    assert set(frame["group"]) == {"值班人员", "救援队伍", "专家"}
    assert list(duty.search_contacts(frame, "危化 苏州")["name"]) == ["李勇"]
    assert list(duty.search_contacts(frame, "昆山 危化")["name"]) == ["王五"]
    assert len(duty.search_contacts(frame, "  ")) == len(frame)
