"""The duty room's strip of alarms waiting for acknowledgement (layouts/alert_strip.py): what
is listed, in which order, and the DOM hooks the alert tone reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from layouts.alert_strip import SHOWN, items, waiting

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def frame(*rows: tuple[str, str, str, int, int]) -> pd.DataFrame:
    """(id, level, status, minutes ago, escalation stage) per alarm."""
    return pd.DataFrame(
        [
            {
                "id": alarm_id,
                "level": level,
                "status": status,
                "occurred_at": NOW - timedelta(minutes=ago),
                "title": f"警情 {alarm_id}",
                "district": "320508",
                "escalation": stage,
            }
            for alarm_id, level, status, ago, stage in rows
        ]
    )


def test_only_unacknowledged_red_and_orange_most_overdue_first():
    alarms = frame(
        ("blue-new", "blue", "new", 50, 0),
        ("red-acked", "red", "acknowledged", 40, 0),
        ("orange-old", "orange", "new", 60, 0),
        ("red-fresh", "red", "new", 1, 0),
        ("red-stage2", "red", "new", 35, 2),
        ("red-stage1", "red", "new", 12, 1),
    )
    assert list(waiting(alarms)["id"]) == ["red-stage2", "red-stage1", "red-fresh", "orange-old"]


def test_rows_carry_the_hooks_of_the_feed_and_say_how_many_more():
    alarms = waiting(frame(*((f"r{i}", "red", "new", i, 1 if i == 0 else 0) for i in range(5))))
    rows = items(alarms, {"320508": "姑苏区"})
    assert len(rows) == SHOWN + 1 and "另有 2 条" in rows[-1].children
    first = rows[0].to_plotly_json()["props"]
    assert first["data-alarm-id"] == "r0" and first["data-level"] == "red"
    assert first["data-status"] == "new" and first["data-escalation"] == "1"
    assert "stage-1" in first["className"]


def test_nothing_waiting_says_so():
    (row,) = items(waiting(frame()), {})
    assert "没有待确认" in row.children
