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

    `alarms` has the columns of `Alarms.active` (id, level, status, occurred_at);
    `already` maps alarm id to the stage recorded on it (missing: 0). An alarm that skipped a
    stage (the engine was down) is listed once, at the stage it has reached.
    """
    due = []
    for row in alarms[["id", "level", "status", "occurred_at"]].itertuples(index=False):
        stage = escalation_stage(row.level, row.status, row.occurred_at, now, after_s, levels)
        if stage > int(already.get(row.id, 0)):
            due.append((row.id, stage))
    return due


# --- how the screens show it --------------------------------------------------------------

_STAGE_NAMES = (("一级升级", "Escalated ×1"), ("二级升级", "Escalated ×2"))
_REPORTED_TO_EN = ("deputy in charge", "bureau head")


def recorded_stage(alarm: Mapping | object) -> int:
    """The stage recorded on an alarm (a row or a dict); 0 once it is acknowledged or closed."""
    get = alarm.get if isinstance(alarm, Mapping) else lambda k, d=None: getattr(alarm, k, d)
    if get("status") != "new":
        return 0
    value = get("escalation", 0)
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):  # NaN from a frame where no alarm was escalated
        return 0


def waiting_minutes(
    occurred_at: datetime | pd.Timestamp | float, now: datetime | pd.Timestamp | float
) -> int:
    """Whole minutes an alarm has waited since it occurred (never negative)."""
    return max(0, int((_epoch(now) - _epoch(occurred_at)) // 60))


def escalation_badge(stage: int, minutes: int | str, lang: str = "zh") -> str:
    """The stage and how long the alarm has waited, as every screen marks it ("" at 0)."""
    if stage <= 0:
        return ""
    i = min(stage, len(_STAGE_NAMES)) - 1
    if lang == "en":
        return (
            f"{_STAGE_NAMES[i][1]} · {minutes} min unacknowledged · told the {_REPORTED_TO_EN[i]}"
        )
    return f"{_STAGE_NAMES[i][0]} · 未确认{minutes}分钟 · 已报{_REPORTED_TO[i]}"


def pinned_first(alarms: pd.DataFrame) -> pd.DataFrame:
    """Escalated alarms first (highest stage, then longest waiting), then the rest newest first."""
    if alarms.empty:
        return alarms
    stage = [recorded_stage(row) for row in alarms.itertuples(index=False)]
    order = alarms.assign(_stage=stage, _t=alarms["occurred_at"].map(_epoch))
    order["_key"] = order["_t"].where(order["_stage"] > 0, -order["_t"])
    order = order.sort_values(["_stage", "_key"], ascending=[False, True], kind="stable")
    return order.drop(columns=["_stage", "_t", "_key"])
