"""What the threshold engine knows of each sensor: its rules, resolved against the
registry, and what it remembers between readings (plain data that round-trips through JSON)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from thresholds.rules import Rules, unit_factor

log = logging.getLogger(__name__)

# The channels of the state, and the rules each may raise.
CHANNEL_OF = {
    "high": "high",
    "high_high": "high",
    "low": "low",
    "low_low": "low",
    "rate": "rate",
    "silent": "silent",
    "stuck": "stuck",
    "fault": "fault",
}


@dataclass
class SensorState:
    """What the engine remembers of one sensor; plain data so it round-trips through JSON."""

    last_ts: float | None = None
    last_value: float | None = None
    # channel -> [rule, episode] of the alarm raised on it
    raised: dict[str, list[str]] = field(default_factory=dict)
    # recent [ts, value] for the rate of change
    window: list[list[float]] = field(default_factory=list)
    # the current run of equal values: value, first ts, count
    run_value: float | None = None
    run_since: float | None = None
    run_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "last_ts": self.last_ts,
            "last_value": self.last_value,
            "raised": {k: list(v) for k, v in self.raised.items()},
            "window": [list(p) for p in self.window],
            "run_value": self.run_value,
            "run_since": self.run_since,
            "run_count": self.run_count,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SensorState:
        raised = {
            str(channel): [str(rule), str(episode)]
            for channel, (rule, episode) in dict(data.get("raised") or {}).items()
            if channel in CHANNEL_OF.values()
        }
        return cls(
            last_ts=float_or_none(data.get("last_ts")),
            last_value=float_or_none(data.get("last_value")),
            raised=raised,
            window=[[float(t), float(v)] for t, v in data.get("window") or []],
            run_value=float_or_none(data.get("run_value")),
            run_since=float_or_none(data.get("run_since")),
            run_count=int(data.get("run_count") or 0),
        )


@dataclass(frozen=True)
class SensorConfig:
    """The rules of one sensor, resolved against its registry row (all in the sensor's unit)."""

    id: str
    kind: str
    unit: str | None
    grade: int | None
    limits: Mapping[str, float | None]
    deadband: float
    rate_limit: float | None
    rate_direction: str
    rate_window_s: float
    rate_min_span_s: float
    rate_hysteresis: float
    silent_after_s: float | None
    stuck_readings: int
    stuck_after_s: float
    stuck_tolerance: float


def float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def sensor_configs(
    rules: Rules, sensors: pd.DataFrame, hazard_sources: pd.DataFrame
) -> dict[str, SensorConfig]:
    """Resolve the rules for every sensor of the registry."""
    grades = {}
    if len(hazard_sources):
        grades = dict(zip(hazard_sources["id"], hazard_sources["grade"]))
    configs = {}
    for row in sensors.to_dict("records"):
        kind = rules.kind(str(row["kind"]))
        unit = str(row.get("unit") or "")
        factor = unit_factor(kind.unit, unit) if kind.unit else None
        limits = {
            name: float_or_none(row.get(name)) for name in ("high_high", "high", "low", "low_low")
        }
        normal = float_or_none(row.get("normal"))
        points = [v for v in (normal, *limits.values()) if v is not None]
        span = (max(points) - min(points)) if points else 0.0
        if span <= 0:
            span = max(abs(normal or 0.0), 1.0)
        if kind.deadband_abs is not None and factor is not None:
            deadband = kind.deadband_abs * factor
        else:
            deadband = kind.deadband * span
        rate_limit = None
        if kind.rate_per_min is not None:
            if factor is None:
                log.warning(
                    "thresholds: sensor %s is in %r, its kind's rate limit in %r: no rate rule",
                    row["id"],
                    unit,
                    kind.unit,
                )
            else:
                rate_limit = kind.rate_per_min * factor
        grade = grades.get(row.get("hazard_source_id"))
        configs[str(row["id"])] = SensorConfig(
            id=str(row["id"]),
            kind=str(row["kind"]),
            unit=row["unit"] if isinstance(row.get("unit"), str) else None,
            grade=int(grade) if grade is not None and grade == grade else None,
            limits=limits,
            deadband=deadband,
            rate_limit=rate_limit,
            rate_direction=kind.rate_direction,
            rate_window_s=kind.rate_window_s,
            rate_min_span_s=kind.rate_min_span_s,
            rate_hysteresis=kind.rate_hysteresis,
            silent_after_s=kind.silent_after_s,
            stuck_readings=kind.stuck_readings,
            stuck_after_s=kind.stuck_after_s,
            stuck_tolerance=kind.stuck_tolerance * (factor or 1.0),
        )
    return configs
