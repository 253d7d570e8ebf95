"""What the threshold engine's events say as alarms: ids, categories, titles, closing notes.

A raised event becomes an `AlarmIn` (stored through the ingest path like every alarm); a
cleared one closes its alarm with a note saying why. The same event always gives the same
alarm id, so a replay after a crash is a duplicate, never a second alarm.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from ingest.models import AlarmIn
from thresholds.engine import Event
from vocabulary import SENSOR_FAULT, reading_fault

SOURCE = "hazchem"
WHO = "阈值引擎"

RULE_TEXT = {
    "high_high": "高高报警",
    "high": "高报警",
    "low": "低报警",
    "low_low": "低低报警",
    "rate": "变化速率过快",
    "silent": "传感器离线",
    "stuck": "数值停滞",
    "fault": SENSOR_FAULT,
}
_LIMIT_RULES = ("high_high", "high", "low", "low_low")
_NEXT_RULE = {"high": "high_high", "low": "low_low"}


def alarm_id(sensor_id: str, rule: str, episode: str) -> str:
    """The alarm id of one episode of `rule` on a sensor (the same on every replay)."""
    return f"thr-{sensor_id}-{rule}-{episode}"


def category(rule: str, kind_name: str) -> str:
    """液位高高报警, 温度高报警, 变化速率过快, 传感器离线, 传感器故障, ..."""
    return f"{kind_name}{RULE_TEXT[rule]}" if rule in _LIMIT_RULES else RULE_TEXT[rule]


def close_note(event: Event, info: dict[str, Any]) -> str:
    """Why a cleared event closes its alarm: escalated to the next rule, sensor removed, normal."""
    if event.reason == "escalated":
        next_rule = _NEXT_RULE.get(event.rule, event.rule)
        return f"已升级为{category(next_rule, info.get('kind_name', ''))}"
    if event.reason == "removed":
        return "传感器已从台账移除"
    return "恢复正常"


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{round(value, 3):g}"


def alarm_of(aid: str, event: Event, info: dict[str, Any] | None) -> AlarmIn:
    """The alarm a raised `event` stores, described with its sensor's registry `info`."""
    info = info or {
        "enterprise": "",
        "name": event.sensor_id,
        "unit": "",
        "kind": "",
        "kind_name": "",
        "hazard_source_id": None,
    }
    unit = info["unit"]
    if event.rule == "rate":
        shown = f"{'+' if (event.rate or 0) > 0 else ''}{_fmt(event.rate)}{unit}/min"
    elif event.rule == "fault":
        # The value is named (the technician needs it) but as a reading the sensor cannot give.
        shown = f"读数 {_fmt(event.value)}{unit} 超出量程"
    elif event.rule == "silent":
        last = event.value
        faulty = reading_fault(str(info["kind"]), unit or None, last)
        shown = f"末次读数 {SENSOR_FAULT if faulty else _fmt(last) + unit}"
    else:
        shown = f"{_fmt(event.value)}{unit}"
    rule_text = RULE_TEXT[event.rule]
    title = f"{info['enterprise']} {info['name']} {rule_text} ({shown})".strip()
    return AlarmIn(
        id=aid,
        source=SOURCE,
        level=event.level,
        category=category(event.rule, info["kind_name"]),
        title=title[:200],
        occurred_at=datetime.fromtimestamp(event.ts, UTC),
        site_id=event.sensor_id,
        detail={
            "engine": "thresholds",
            "rule": event.rule,
            "episode": event.episode,
            "sensor_id": event.sensor_id,
            "hazard_source_id": info["hazard_source_id"],
            "kind": info["kind"],
            "value": event.value,
            "unit": unit,
            "limit": event.limit,
            "rate_per_min": event.rate,
        },
    )
