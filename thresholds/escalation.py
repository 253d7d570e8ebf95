"""Escalation of unacknowledged alarms, as duty rules require: a red alarm nobody has
acknowledged goes to the deputy in charge after 10 minutes and to the head after 30.

Pure functions: the worker finds what is due and records each stage once on the alarm.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

import pandas as pd

DEFAULT_AFTER_S: tuple[float, ...] = (600.0, 1800.0)
DEFAULT_LEVELS: frozenset[str] = frozenset({"red"})
# Who each stage goes to; the wall shows the text of the stage an alarm is at.
_REPORTED_TO = ("分管领导", "主要领导")


def _epoch(value: datetime | pd.Timestamp | float) -> float:
    if isinstance(value, datetime):  # pd.Timestamp is a datetime
        if value.tzinfo is None:
            raise ValueError("naive datetime: escalation times must be UTC-aware")
        return value.timestamp()
    return float(value)


def escalation_stage(
    level: str,
    status: str,
    occurred_at: datetime | pd.Timestamp | float,
    now: datetime | pd.Timestamp | float,
    after_s: Sequence[float] = DEFAULT_AFTER_S,
    levels: Collection[str] = DEFAULT_LEVELS,
) -> int:
    """0 (not escalated), 1 (after 10 min), 2 (after 30 min) for an alarm in this state."""
    if level not in levels or status != "new":
        return 0
    age = _epoch(now) - _epoch(occurred_at)
    return sum(1 for limit in after_s if age >= limit)


def escalation_text(stage: int, after_s: Sequence[float] = DEFAULT_AFTER_S) -> str:
    """What the wall says of an alarm at `stage` ("" at 0)."""
    if stage <= 0:
        return ""
    stage = min(stage, len(after_s))
    minutes = f"{after_s[stage - 1] / 60:g}"
    to = _REPORTED_TO[min(stage, len(_REPORTED_TO)) - 1]
    return f"已超{minutes}分钟未确认，已上报{to}"


def due_escalations(
    alarms: pd.DataFrame,
    now: datetime | pd.Timestamp | float,
    already: Mapping[str, int],
    after_s: Sequence[float] = DEFAULT_AFTER_S,
    levels: Collection[str] = DEFAULT_LEVELS,
) -> list[tuple[str, int]]:
    """(alarm id, stage) for every alarm whose stage is now above the one recorded.

    `alarms` has the columns of `LiveState.active_alarms` (id, level, status, occurred_at);
    `already` maps alarm id to the stage recorded on it (missing: 0). An alarm that skipped a
    stage (the engine was down) is listed once, at the stage it has reached.
    """
    due = []
    for row in alarms[["id", "level", "status", "occurred_at"]].itertuples(index=False):
        stage = escalation_stage(row.level, row.status, row.occurred_at, now, after_s, levels)
        if stage > int(already.get(row.id, 0)):
            due.append((row.id, stage))
    return due
