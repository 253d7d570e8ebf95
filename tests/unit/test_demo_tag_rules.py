"""Demo-feed alarms say 演示 where a person could take them for real ones: the wall's feed row,
the takeover banner and the tablet's list; a real alarm shows no tag."""

from __future__ import annotations

import pandas as pd

from figures.wall_focus import takeover
from layouts.alarm_feed import feed_items
from layouts.tablet_page import urgent_items
from vocabulary import ALARM_COLUMNS


def frame(*details: dict) -> pd.DataFrame:
    rows = []
    for i, detail in enumerate(details):
        row = {c: None for c in ALARM_COLUMNS}
        row |= {
            "id": f"A-{i}",
            "source": "hazchem",
            "level": "red",
            "category": "c",
            "title": f"标题 {i}",
            "occurred_at": f"2026-11-29T06:0{i}:00Z",
            "detail": detail,
            "count": 1,
            "rev": 1,
            "escalation": 0,
            "status": "new",
            "lon": 120.6,
            "lat": 31.3,
        }
        rows.append(row)
    out = pd.DataFrame(rows, columns=ALARM_COLUMNS)
    out["occurred_at"] = pd.to_datetime(out["occurred_at"], utc=True)
    return out


def texts(component) -> list[str]:  # noqa: ANN001
    children = component.children
    if isinstance(children, str):
        return [children]
    found = []
    for child in children if isinstance(children, list) else [children]:
        found += texts(child) if hasattr(child, "children") else [str(child)]
    return found


def test_a_demo_alarm_row_carries_the_demo_tag_and_a_real_one_does_not():
    real, demo = feed_items(frame({"value": 1}, {"demo": True}), {}, {})[::-1]
    assert "演示" in texts(demo) and getattr(demo, "data-demo") == "1"
    assert "演示" not in texts(real) and not hasattr(real, "data-demo")


def test_only_a_literal_true_counts_as_demo():
    rows = feed_items(frame({"demo": "true"}, {"demo": 1}), {}, {})
    assert all("演示" not in texts(r) for r in rows)


def test_the_takeover_of_a_demo_red_alarm_says_so_before_its_title():
    assert takeover(frame({"demo": True}), False)["title"] == "【演示】标题 0"
    assert takeover(frame({}), False)["title"] == "标题 0"


def test_the_tablet_list_tags_demo_alarms_in_both_languages():
    zh = urgent_items(frame({}, {"demo": True}), {}, False, "zh")
    assert ["演示" in texts(item) for item in zh] == [False, True]
    en = urgent_items(frame({"demo": True}), {}, False, "en")
    assert "Demo" in texts(en[0])
