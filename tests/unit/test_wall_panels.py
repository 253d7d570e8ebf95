"""The wall's panel logic, called directly (no browser, no servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from callbacks.duty_panel import on_duty, room_states
from callbacks.forces import short_stock, team_summary
from figures.stats import hourly_counts
from figures.wall_focus import presenter_focus, takeover
from layouts.alarm_feed import feed_items
from layouts.wall import parse_canvas, parse_tiles
from maps.features import district_levels
from vocabulary import ALARM_COLUMNS

NOW = pd.Timestamp("2026-11-29T06:00:00Z")


def alarms(*rows: dict) -> pd.DataFrame:
    base = {c: None for c in ALARM_COLUMNS}
    base |= {
        "source": "hazchem",
        "category": "c",
        "title": "t",
        "detail": {},
        "count": 1,
        "rev": 1,
        "escalation": 0,
        "status": "new",
        "lon": 120.6,
        "lat": 31.3,
    }
    frame = pd.DataFrame([base | r for r in rows], columns=ALARM_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def test_a_district_takes_the_most_severe_level_of_its_open_alarms():
    frame = alarms(
        {"id": "a", "level": "yellow", "district": "320582", "occurred_at": NOW},
        {"id": "b", "level": "red", "district": "320582", "occurred_at": NOW, "status": "closed"},
        {"id": "c", "level": "orange", "district": "320582", "occurred_at": NOW},
        {"id": "d", "level": "blue", "district": "320508", "occurred_at": NOW},
    )
    assert district_levels(frame) == {"320582": "orange", "320508": "blue"}


def test_the_most_overdue_red_alarm_takes_over_and_names_the_others_waiting():
    frame = alarms(
        {"id": "new", "level": "red", "occurred_at": NOW, "title": "新"},
        {
            "id": "old",
            "level": "red",
            "occurred_at": NOW - timedelta(minutes=12),
            "title": "旧",
            "lon": 120.9,
            "lat": 31.9,
            "escalation": 1,
        },
        {"id": "mid", "level": "red", "occurred_at": NOW - timedelta(minutes=4), "title": "中"},
        {
            "id": "ack",
            "level": "red",
            "occurred_at": NOW - timedelta(minutes=40),
            "status": "acknowledged",
        },
    )
    focus = takeover(frame, gcj02=False, now=NOW)
    assert focus["id"] == "old" and focus["count"] == 3 and focus["mode"] == "takeover"
    assert focus["stage"] == 1 and (focus["lon"], focus["lat"]) == (120.9, 31.9)
    # The others by name, longest waiting first, with their minutes (kept current by wall.js).
    assert [o.split("（")[0] for o in focus["others"]] == ["中", "新"]
    lines = focus["text"].split("\n")
    assert "旧" in lines[0] and "一级升级" in lines[1] and "分管领导" in lines[1]
    assert lines[2].startswith("其他未确认红色警情：中") and "另有" not in focus["text"]
    since = int((NOW - timedelta(minutes=12)).timestamp())
    assert f"{{m:{since}=12}}" in lines[1]
    assert takeover(frame[frame["id"] == "ack"], gcj02=False) is None


def test_the_takeover_names_four_others_then_counts():
    rows = [
        {"id": f"r{i}", "level": "red", "occurred_at": NOW - timedelta(minutes=i), "title": f"T{i}"}
        for i in range(7)
    ]
    focus = takeover(alarms(*rows), gcj02=False, now=NOW)
    assert focus["id"] == "r6" and len(focus["others"]) == 6
    assert focus["text"].endswith("等6条") and "T2" in focus["text"] and "T1（" not in focus["text"]


def test_presenter_focus_carries_the_bounds_of_a_district_and_over_amap_tiles_shifts_them():
    focus = {
        "kind": "district",
        "id": "320582",
        "label": "张家港市",
        "by": "张局长",
        "bounds": [[31.7, 120.3], [32.0, 120.8]],
        "lon": None,
        "lat": None,
    }
    plain = presenter_focus(focus, gcj02=False)
    assert plain["bounds"] == [[31.7, 120.3], [32.0, 120.8]] and plain["mode"] == "presenter"
    shifted = presenter_focus(focus, gcj02=True)
    # GCJ-02 lies a few hundred metres east (and south) of WGS-84 around Suzhou.
    assert 0.002 < shifted["bounds"][0][1] - 120.3 < 0.008
    assert presenter_focus(None, gcj02=False) is None


def test_feed_pins_escalated_alarms_first_then_newest_first_with_stage_and_minutes():
    frame = alarms(
        {"id": "a", "level": "blue", "occurred_at": NOW - timedelta(minutes=1)},
        {"id": "b", "level": "red", "occurred_at": NOW, "count": 4},
        {"id": "c", "level": "red", "occurred_at": NOW - timedelta(minutes=11), "escalation": 1},
        {"id": "d", "level": "red", "occurred_at": NOW - timedelta(minutes=31), "escalation": 2},
        {
            "id": "e",
            "level": "red",
            "occurred_at": NOW - timedelta(minutes=50),
            "escalation": 2,
            "status": "acknowledged",
        },
    )
    items = feed_items(frame, {}, {"hazchem": "危化品风险监测预警系统"}, now=NOW)
    props = [i.to_plotly_json()["props"] for i in items]
    assert [p["data-alarm-id"] for p in props] == ["d", "c", "b", "a", "e"]
    assert [p["data-escalation"] for p in props] == ["2", "1", "0", "0", "0"]
    text = str(items[1].to_plotly_json())
    assert "一级升级" in text and "'11'" in text and "分管领导" in text
    assert "二级升级" in str(items[0].to_plotly_json()) and "stage-2" in items[0].className
    assert "×4" in str(items[2].to_plotly_json()) and "危化品风险监测预警系统" in str(items[2])
    assert "escalated" not in items[4].className  # acknowledged: no longer escalated
    assert feed_items(frame.iloc[0:0], {}, {})[0].children == "当前无警情"


def test_only_ready_teams_count_toward_ready_personnel_and_vehicles():
    teams = pd.DataFrame(
        {
            "id": ["t1", "t2", "t3"],
            "kind": ["fire", "fire", "water"],
            "personnel": [30, 20, 12],
            "vehicles": [5, 4, 2],
        }
    )
    summary = team_summary(teams, {"t2": "dispatched"})
    assert summary.loc["fire"].tolist() == [2, 1, 30, 5]
    assert summary.loc["water"].tolist() == [1, 1, 12, 2]
    assert list(summary.index) == ["fire", "water"]


def test_short_stock_lists_items_below_minimum_worst_first():
    stock = pd.DataFrame(
        {
            "depot": ["A", "A", "B"],
            "item_name": ["沙袋", "帐篷", "防化服"],
            "quantity": [100, 5, 10],
            "min_quantity": [50, 10, 100],
        }
    )
    assert list(short_stock(stock)["item_name"]) == ["防化服", "帐篷"]


def test_on_duty_picks_who_is_on_shift_now_leader_first():
    roster = pd.DataFrame(
        {
            "role": ["officer", "leader", "chief", "officer"],
            "name": ["乙", "甲", "丙", "丁"],
            "phone": ["1", "2", "3", "4"],
            "starts_at": [NOW - timedelta(hours=1)] * 3 + [NOW + timedelta(hours=3)],
            "ends_at": [NOW + timedelta(hours=8)] * 4,
        }
    )
    assert [r[1] for r in on_duty(roster, NOW)] == ["甲", "丙", "乙"]


def test_a_district_room_that_has_not_checked_in_for_ten_minutes_is_not_answering():
    now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    rooms = room_states(
        {"320505": "虎丘区", "320506": "吴中区", "320507": "相城区"},
        {"320505": now.timestamp() - 60, "320506": now.timestamp() - 11 * 60},
        now,
    )
    assert [(unit, ok) for unit, _, ok, _ in rooms] == [
        ("320505", True),
        ("320506", False),
        ("320507", False),
    ]


def test_hourly_counts_cover_24_hours_by_level_with_zeros():
    frame = alarms(
        {"id": "a", "level": "red", "occurred_at": NOW - timedelta(minutes=30)},
        {"id": "b", "level": "red", "occurred_at": NOW - timedelta(minutes=20)},
        {"id": "c", "level": "blue", "occurred_at": NOW - timedelta(hours=30)},
    )
    counts = hourly_counts(frame, NOW)
    assert counts.shape == (24, 4) and counts["red"].sum() == 2 and counts["blue"].sum() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, (3840, 2160)),
        ("1920x1080", (1920, 1080)),
        ("7680x2160", (7680, 2160)),
        ("1x1", (3840, 2160)),
    ],
)
def test_canvas_parsing_falls_back_to_the_default(query, expected):
    assert parse_canvas(query) == expected


def test_tiles_parsing_rejects_nonsense():
    assert parse_tiles("2x2", "3") == (2, 2, 3)
    assert parse_tiles("2x2", "9") == (2, 2, 1)
    assert parse_tiles("0x2", "1") == (1, 1, 1)
    assert parse_tiles(None, None) == (1, 1, 1)


def test_an_english_feed_row_says_level_state_and_stage_in_english_and_the_title_as_recorded():
    frame = alarms(
        {
            "id": "c",
            "level": "red",
            "occurred_at": NOW - timedelta(minutes=11),
            "escalation": 1,
            "title": "某化工 可燃气体超标",
            "district": "320582",
        },
    )
    (row,) = feed_items(
        frame, {"320582": "Zhangjiagang"}, {"hazchem": "Hazchem"}, now=NOW, lang="en"
    )
    text = [str(s.children) for s in row.children if hasattr(s, "children")]
    assert text[0] == "Red" and "某化工 可燃气体超标" in text and "New" in text
    assert "Zhangjiagang" in text and "Hazchem" in text
    badge = str(row.children[-1].to_plotly_json())
    assert "min unacknowledged" in badge and "升级" not in badge
    assert feed_items(frame.iloc[0:0], {}, {}, lang="en")[0].children == "No alarms"


def test_the_takeover_says_itself_in_english_too_with_the_titles_as_recorded():
    rows = [
        {
            "id": f"r{i}",
            "level": "red",
            "occurred_at": NOW - timedelta(minutes=i),
            "title": f"标题{i}",
        }
        for i in range(7)
    ]
    focus = takeover(alarms(*rows), gcj02=False, now=NOW)
    lines = focus["text_en"].split("\n")
    assert lines[0].startswith("Red alarm ") and lines[0].endswith("标题6")
    assert "min unacknowledged" in lines[1]
    assert lines[2].startswith("Other red alarms unacknowledged: 标题5 (")
    assert lines[2].endswith("(6 in all)")
    assert focus["text"].endswith("等6条")  # the Chinese wall's as before
