"""Escalation of unacknowledged red alarms (thresholds/escalation.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from thresholds.escalation import (
    due_escalations,
    escalation_badge,
    escalation_stage,
    escalation_text,
    pinned_first,
    recorded_stage,
    waiting_minutes,
)

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def at(minutes: float, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


@pytest.mark.parametrize(
    ("age", "stage"),
    [
        ((0, 0), 0),
        ((9, 59), 0),
        ((10, 0), 1),
        ((29, 59), 1),
        ((30, 0), 2),
        ((600, 0), 2),
    ],
)
def test_a_new_red_alarm_escalates_at_ten_and_thirty_minutes(age, stage):
    assert escalation_stage("red", "new", T0, at(*age)) == stage


def test_an_acknowledged_or_closed_alarm_never_escalates():
    for status in ("acknowledged", "closed"):
        assert escalation_stage("red", status, T0, at(10)) == 0
        assert escalation_stage("red", status, T0, at(120)) == 0


@pytest.mark.parametrize("level", ["orange", "yellow", "blue"])
def test_alarms_below_red_never_escalate(level):
    assert escalation_stage(level, "new", T0, at(120)) == 0


def test_times_may_be_epoch_seconds_or_pandas_timestamps():
    assert escalation_stage("red", "new", T0.timestamp(), T0.timestamp() + 600) == 1
    assert escalation_stage("red", "new", pd.Timestamp(T0), pd.Timestamp(at(30))) == 2


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="UTC-aware"):
        escalation_stage("red", "new", T0.replace(tzinfo=None), at(30))


def test_stages_and_levels_are_configurable():
    assert escalation_stage("red", "new", T0, at(5), after_s=(300, 900)) == 1
    assert escalation_stage("orange", "new", T0, at(30), levels={"red", "orange"}) == 2


def test_the_wall_text_names_the_minutes_and_who_was_told():
    assert escalation_text(0) == ""
    assert escalation_text(1) == "已超10分钟未确认，已上报分管领导"
    assert escalation_text(2) == "已超30分钟未确认，已上报主要领导"
    assert escalation_text(1, after_s=(300, 900)) == "已超5分钟未确认，已上报分管领导"


def test_due_escalations_lists_each_alarm_once_per_stage_crossed():
    alarms = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "level": ["red", "red", "red", "red", "orange", "red"],
            "status": ["new", "new", "new", "new", "new", "acknowledged"],
            "occurred_at": pd.to_datetime(
                [at(-5), at(-12), at(-12), at(-45), at(-45), at(-45)], utc=True
            ),
        }
    )
    now = at(0)
    # b and d are new to escalation; c is at stage 1 already; d skipped stage 1.
    assert due_escalations(alarms, now, already={"c": 1}) == [("b", 1), ("d", 2)]
    assert due_escalations(alarms, now, already={"b": 1, "c": 1, "d": 2}) == []
    # twenty minutes on: a (now 25 min old) reaches stage 1, b and c stage 2
    assert due_escalations(alarms, at(20), already={"b": 1, "c": 1, "d": 2}) == [
        ("a", 1),
        ("b", 2),
        ("c", 2),
    ]


def test_due_escalations_of_no_alarms_is_empty():
    empty = pd.DataFrame(columns=["id", "level", "status", "occurred_at"])
    assert due_escalations(empty, at(0), already={}) == []


# --- how the screens show it ----------------------------------------------------------------


def test_the_mark_names_the_stage_the_minutes_waited_and_who_was_told():
    assert escalation_badge(0, 5) == ""
    assert escalation_badge(1, 11) == "一级升级 · 未确认11分钟 · 已报分管领导"
    assert escalation_badge(2, 34) == "二级升级 · 未确认34分钟 · 已报主要领导"
    assert "34 min unacknowledged" in escalation_badge(2, 34, "en")
    assert waiting_minutes(T0, at(11, 59)) == 11 and waiting_minutes(at(1), T0) == 0


def test_only_an_unacknowledged_alarm_keeps_its_recorded_stage():
    assert recorded_stage({"status": "new", "escalation": 2}) == 2
    assert recorded_stage({"status": "acknowledged", "escalation": 2}) == 0
    assert recorded_stage({"status": "new", "escalation": float("nan")}) == 0
    assert recorded_stage({"status": "new"}) == 0


def test_escalated_alarms_are_pinned_first_then_the_rest_newest_first():
    alarms = pd.DataFrame(
        {
            "id": ["fresh", "s1", "s2", "older", "acked"],
            "status": ["new", "new", "new", "new", "acknowledged"],
            "escalation": [0, 1, 2, 0, 2],
            "occurred_at": pd.to_datetime([at(0), at(-12), at(-31), at(-5), at(-40)], utc=True),
        }
    )
    assert list(pinned_first(alarms)["id"]) == ["s2", "s1", "fresh", "older", "acked"]
    assert pinned_first(alarms.iloc[0:0]).empty
