"""Readings in, alarm events out: limits with hysteresis, rate of change, silence, stuck values,
and readings the sensor cannot physically give (faults).

Pure logic, no I/O: `Engine.observe` takes one reading, `Engine.sweep` takes the time, and both
return `Event`s. Per sensor the engine follows six channels, each raised at most once at a
time: the high side (high, escalating to high_high), the low side (low, low_low), rate, silent,
stuck and fault. So every raise of a (sensor, rule) is followed by exactly one clear before the
next raise, and the worker can name an alarm `thr-<sensor>-<rule>-<episode>` deterministically.

A limit episode keeps the highest rule it reached (high → high_high, never back) until the
value is back inside the inner limit by the deadband: one alarm per excursion, at the severity
it reached, and no churn while the value wobbles between high and high-high.

A reading outside the physical range of its sensor's kind (vocabulary.SENSOR_RANGES, the same
judgement the screens make when they show 传感器故障) says nothing about the plant: 150 %LEL
is a broken or miswired detector, not a gas cloud. It raises `fault` (until a reading in range
clears it) and no limit, rate or stuck rule sees it; what those had raised stays raised, since
a faulty reading is no evidence that the plant is back to normal.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from thresholds.rules import Rules
from thresholds.state import CHANNEL_OF, SensorConfig, SensorState, sensor_configs
from vocabulary import reading_fault, sensor_range

log = logging.getLogger(__name__)

# Rate windows keep at most this many readings; older ones go first (a faster feed than
# planned shortens the window a little instead of growing the state without bound).
MAX_WINDOW = 64
# The two limit channels and the rules each may raise (outer-most last).
_SIDES = {"high": ("high", "high_high"), "low": ("low", "low_low")}
STATE_VERSION = 1


@dataclass(frozen=True)
class Event:
    """An alarm raised or cleared by the engine.

    `episode` identifies the excursion (the event time of the reading that started it, in ms),
    so (sensor_id, rule, episode) names one alarm. `reason` of a clear is "normal",
    "escalated" (replaced by the next rule of the same episode) or "removed" (sensor gone).
    `rate` (units per minute) is set on rate events, `limit` on limit events.
    """

    kind: Literal["raise", "clear"]
    sensor_id: str
    rule: str
    level: str
    value: float | None
    ts: float
    episode: str
    limit: float | None = None
    rate: float | None = None
    reason: str = ""


def _slope(points: list[list[float]]) -> float:
    """Least-squares slope (per second) through [ts, value] points: one noisy reading at either
    end of the window moves it far less than it moves a two-point difference."""
    n = len(points)
    mean_t = sum(p[0] for p in points) / n
    mean_v = sum(p[1] for p in points) / n
    var = sum((p[0] - mean_t) ** 2 for p in points)
    return sum((p[0] - mean_t) * (p[1] - mean_v) for p in points) / var if var > 0 else 0.0


def episode_of(ts: float) -> str:
    """The episode id of an excursion that starts at event time `ts` (epoch ms)."""
    return str(int(round(ts * 1000)))


class Engine:
    """The threshold engine over one registry of sensors. Not thread-safe: one owner."""

    def __init__(
        self,
        rules: Rules,
        sensors: pd.DataFrame,
        hazard_sources: pd.DataFrame,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        self.rules = rules
        self.configs = sensor_configs(rules, sensors, hazard_sources)
        self.states: dict[str, SensorState] = {}
        self._dirty: set[str] = set()
        if state is not None:
            self.load_states(state.get("sensors", {}))

    # --- state ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-ready data."""
        return {
            "version": STATE_VERSION,
            "sensors": {sid: st.to_dict() for sid, st in self.states.items()},
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        rules: Rules,
        sensors: pd.DataFrame,
        hazard_sources: pd.DataFrame,
    ) -> Engine:
        return cls(rules, sensors, hazard_sources, state=data)

    def load_states(self, states: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the state of the sensors named (as `SensorState.to_dict` gave them)."""
        for sensor_id, data in states.items():
            self.states[sensor_id] = SensorState.from_dict(data)

    def take_dirty(self) -> dict[str, dict[str, Any]]:
        """The state of every sensor changed since the last call (for incremental saving)."""
        dirty = {sid: self.states[sid].to_dict() for sid in self._dirty if sid in self.states}
        self._dirty.clear()
        return dirty

    def mark_all_dirty(self) -> None:
        self._dirty.update(self.states)

    def update_registry(self, sensors: pd.DataFrame, hazard_sources: pd.DataFrame) -> list[Event]:
        """Take a new registry; clear what is raised on sensors that left it."""
        old, self.configs = self.configs, sensor_configs(self.rules, sensors, hazard_sources)
        events: list[Event] = []
        for sensor_id, st in self.states.items():
            cfg = old.get(sensor_id)
            if sensor_id in self.configs or cfg is None or not st.raised:
                continue
            for channel in list(st.raised):
                events.append(
                    self._clear(cfg, st, channel, st.last_value, st.last_ts or 0.0, "removed")
                )
            self._dirty.add(sensor_id)
        return events

    # --- input ---------------------------------------------------------------------------

    def observe(self, sensor_id: str, ts: float, value: float) -> list[Event]:
        """Take one reading; readings of unknown sensors, not newer than the last, or not
        finite change nothing."""
        cfg = self.configs.get(sensor_id)
        if cfg is None or not (math.isfinite(ts) and math.isfinite(value)):
            return []
        st = self.states.get(sensor_id)
        if st is None:
            st = self.states[sensor_id] = SensorState()
        if st.last_ts is not None and ts <= st.last_ts:
            return []
        events: list[Event] = []
        if "silent" in st.raised:
            events.append(self._clear(cfg, st, "silent", value, ts))
        if reading_fault(cfg.kind, cfg.unit, value):
            if "fault" not in st.raised:
                lo, hi = sensor_range(cfg.kind, cfg.unit)
                bound = lo if lo is not None and value < lo else hi
                events.append(self._raise(cfg, st, "fault", value, ts, limit=bound))
        else:
            if "fault" in st.raised:
                events.append(self._clear(cfg, st, "fault", value, ts))
            for side in _SIDES:
                events += self._limits(cfg, st, side, value, ts)
            events += self._rate(cfg, st, value, ts)
            events += self._stuck(cfg, st, value, ts)
        st.last_ts, st.last_value = ts, value
        self._dirty.add(sensor_id)
        return events

    def observe_many(self, readings: Iterable[tuple[str, float, float]]) -> list[Event]:
        """Take readings in event-time order (a batch may arrive shuffled)."""
        events: list[Event] = []
        for sensor_id, ts, value in sorted(readings, key=lambda r: r[1]):
            events += self.observe(sensor_id, ts, value)
        return events

    def sweep(self, now: float) -> list[Event]:
        """Raise `silent` on sensors that have reported before but not for too long."""
        events = []
        for sensor_id, st in self.states.items():
            cfg = self.configs.get(sensor_id)
            if cfg is None or cfg.silent_after_s is None or st.last_ts is None:
                continue
            if "silent" not in st.raised and now - st.last_ts > cfg.silent_after_s:
                # Dated when the silence began to count, so a repeated sweep names the same alarm.
                at = st.last_ts + cfg.silent_after_s
                events.append(self._raise(cfg, st, "silent", st.last_value, at))
                self._dirty.add(sensor_id)
        return events

    # --- rules ---------------------------------------------------------------------------

    def _raise(
        self,
        cfg: SensorConfig,
        st: SensorState,
        rule: str,
        value: float | None,
        ts: float,
        episode: str | None = None,
        **extra: Any,
    ) -> Event:
        episode = episode or episode_of(ts)
        st.raised[CHANNEL_OF[rule]] = [rule, episode]
        level = self.rules.level(rule, cfg.kind, cfg.grade)
        return Event("raise", cfg.id, rule, level, value, ts, episode, **extra)

    def _clear(
        self,
        cfg: SensorConfig,
        st: SensorState,
        channel: str,
        value: float | None,
        ts: float,
        reason: str = "normal",
        **extra: Any,
    ) -> Event:
        rule, episode = st.raised.pop(channel)
        level = self.rules.level(rule, cfg.kind, cfg.grade)
        return Event("clear", cfg.id, rule, level, value, ts, episode, reason=reason, **extra)

    def _limits(
        self, cfg: SensorConfig, st: SensorState, side: str, value: float, ts: float
    ) -> list[Event]:
        inner, outer = _SIDES[side]
        sign = 1.0 if side == "high" else -1.0
        inner_limit, outer_limit = cfg.limits[inner], cfg.limits[outer]

        def beyond(limit: float | None) -> bool:
            return limit is not None and sign * (value - limit) >= 0

        target = outer if beyond(outer_limit) else inner if beyond(inner_limit) else None
        current = st.raised.get(side)
        if current is None:
            if target is None:
                return []
            limit = cfg.limits[target]
            return [self._raise(cfg, st, target, value, ts, limit=limit)]
        rule, episode = current
        if rule == inner and target == outer:
            return [
                self._clear(cfg, st, side, value, ts, reason="escalated", limit=inner_limit),
                self._raise(cfg, st, outer, value, ts, episode=episode, limit=outer_limit),
            ]
        # Back to normal only inside the inner-most limit by the deadband (hysteresis).
        back = inner_limit if inner_limit is not None else outer_limit
        if back is None or sign * (value - back) < -cfg.deadband:
            return [self._clear(cfg, st, side, value, ts, limit=back)]
        return []

    def _rate(self, cfg: SensorConfig, st: SensorState, value: float, ts: float) -> list[Event]:
        if cfg.rate_limit is None:
            if "rate" in st.raised:  # the rule was switched off for this kind
                return [self._clear(cfg, st, "rate", value, ts)]
            return []
        window = [p for p in st.window if p[0] >= ts - cfg.rate_window_s]
        window.append([ts, value])
        st.window = window = window[-MAX_WINDOW:]
        rate = None
        if ts - window[0][0] >= cfg.rate_min_span_s:
            rate = _slope(window) * 60.0
        if rate is None:
            return []
        if cfg.rate_direction == "rise":
            measure = rate
        elif cfg.rate_direction == "fall":
            measure = -rate
        else:
            measure = abs(rate)
        extra = {"rate": rate, "limit": cfg.rate_limit}
        if "rate" not in st.raised:
            if measure > cfg.rate_limit:
                return [self._raise(cfg, st, "rate", value, ts, **extra)]
        elif measure < cfg.rate_limit * (1.0 - cfg.rate_hysteresis):
            return [self._clear(cfg, st, "rate", value, ts, **extra)]
        return []

    def _stuck(self, cfg: SensorConfig, st: SensorState, value: float, ts: float) -> list[Event]:
        if cfg.stuck_readings <= 0:
            if "stuck" in st.raised:
                return [self._clear(cfg, st, "stuck", value, ts)]
            return []
        if st.run_value is not None and abs(value - st.run_value) <= cfg.stuck_tolerance:
            st.run_count += 1
        else:
            st.run_value, st.run_since, st.run_count = value, ts, 1
            if "stuck" in st.raised:
                return [self._clear(cfg, st, "stuck", value, ts)]
            return []
        if (
            "stuck" not in st.raised
            and st.run_count >= cfg.stuck_readings
            and ts - (st.run_since if st.run_since is not None else ts) >= cfg.stuck_after_s
        ):
            return [self._raise(cfg, st, "stuck", value, ts)]
        return []
