"""How often the demo feed raises alarms: as often as the city's own history says, by level and
hour of day, with now and then a burst (one site's alarms in quick succession), so that the
wall's 24-hour chart has the shape of a real day and the demo's last hour does not dwarf it.

The rates are measured from the archive (`Analysis.hourly_rates`: the weeks before now, the
demo feed's own alarms left out); a warehouse without history falls back to the reference
data's own figures (refdata/generate/alarms.py: 30,000 alarms a year, its level shares).
Plain logic, no I/O: the feed asks `Schedule.due(now)` each tick; tests drive it with a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from layouts.common import SHANGHAI
from vocabulary import LEVELS

# The reference data's year (refdata/generate/alarms.py N_ALARMS, LEVEL_SHARE) and its day
# (refdata/generate/seasons.py HOUR_OF_DAY): used where the warehouse has no history.
_FALLBACK_PER_HOUR = 30_000 / (365 * 24)
_FALLBACK_SHARE = (0.02, 0.10, 0.38, 0.50)
# fmt: off
_FALLBACK_DAY = (0.35, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2, 1.2, 1.2, 1.2,
                 1.0, 1.0, 1.2, 1.2, 1.2, 1.2, 0.9, 0.9, 0.7, 0.7, 0.6, 0.5)
# fmt: on


@dataclass(frozen=True)
class Rates:
    """Alarms per hour by level at each Shanghai hour of day: `per_hour[hour][level]`."""

    per_hour: tuple[dict[str, float], ...]

    def total(self, hour: int | None = None) -> float:
        """Alarms per hour at `hour` (Shanghai), or averaged over the day."""
        rows = self.per_hour if hour is None else (self.per_hour[hour],)
        return sum(sum(r.values()) for r in rows) / len(rows)

    def level(self, level: str) -> float:
        """Alarms of `level` per hour, averaged over the day."""
        return sum(r.get(level, 0.0) for r in self.per_hour) / 24

    def scaled(self, k: float) -> Rates:
        return Rates(tuple({lv: n * k for lv, n in r.items()} for r in self.per_hour))


def fallback() -> Rates:
    mean = sum(_FALLBACK_DAY) / 24
    return Rates(
        tuple(
            {lv: _FALLBACK_PER_HOUR * w / mean * s for lv, s in zip(LEVELS, _FALLBACK_SHARE)}
            for w in _FALLBACK_DAY
        )
    )


def measure(counts: dict[tuple[int, str], int], days: float) -> Rates:
    """Rates from the history's counts by (Shanghai hour of day, level) over `days` days;
    the reference data's rates where there are too few alarms to tell (under 50)."""
    if days <= 0 or sum(counts.values()) < 50:
        return fallback()
    return Rates(tuple({lv: counts.get((h, lv), 0) / days for lv in LEVELS} for h in range(24)))


@dataclass
class Planned:
    at: datetime
    level: str
    burst: int | None = None  # the burst it belongs to (one site), None: on its own


@dataclass
class Schedule:
    """The feed's alarms as a Poisson process at the history's rate of the hour, of which a
    share (`BURST_SHARE`) comes in bursts: 4 to 10 alarms at one site within minutes, levels
    rising, as when a leak sets off one detector after another."""

    rates: Rates
    rng: np.random.Generator
    BURST_SHARE: float = 0.25
    BURST_SIZE: tuple[int, int] = (4, 10)
    BURST_MINUTES: float = 6.0
    _pending: list[Planned] = field(default_factory=list)
    _next: datetime | None = None
    _next_burst: datetime | None = None
    _bursts: int = 0

    def _gap(self, now: datetime, per_hour: float) -> timedelta:
        return timedelta(hours=float(self.rng.exponential(1 / max(per_hour, 1e-3))))

    def _single_rate(self, hour: int) -> float:
        return self.rates.total(hour) * (1 - self.BURST_SHARE)

    def _burst_rate(self, hour: int) -> float:
        mean_size = sum(self.BURST_SIZE) / 2
        return self.rates.total(hour) * self.BURST_SHARE / mean_size

    def _level(self, hour: int) -> str:
        weights = np.array([self.rates.per_hour[hour].get(lv, 0.0) for lv in LEVELS]) + 1e-9
        return LEVELS[int(self.rng.choice(4, p=weights / weights.sum()))]

    def _burst(self, start: datetime) -> list[Planned]:
        self._bursts += 1
        size = int(self.rng.integers(self.BURST_SIZE[0], self.BURST_SIZE[1] + 1))
        offsets = np.sort(self.rng.uniform(0, self.BURST_MINUTES * 60, size))
        # The levels keep the hour's shares, in rising order: the worst comes last.
        hour = start.astimezone(SHANGHAI).hour
        levels = sorted((self._level(hour) for _ in range(size)), key=LEVELS.index, reverse=True)
        return [
            Planned(start + timedelta(seconds=float(s)), lv, self._bursts)
            for s, lv in zip(offsets, levels)
        ]

    def due(self, now: datetime) -> list[Planned]:
        """The alarms whose time has come by `now`, oldest first (each returned once)."""
        hour = now.astimezone(SHANGHAI).hour
        if self._next is None:
            self._next = now + self._gap(now, self._single_rate(hour))
            self._next_burst = now + self._gap(now, self._burst_rate(hour))
        while self._next <= now:
            h = self._next.astimezone(SHANGHAI).hour
            self._pending.append(Planned(self._next, self._level(h)))
            self._next += self._gap(self._next, self._single_rate(h))
        while self._next_burst is not None and self._next_burst <= now:
            h = self._next_burst.astimezone(SHANGHAI).hour
            self._pending += self._burst(self._next_burst)
            self._next_burst += self._gap(self._next_burst, self._burst_rate(h))
        self._pending.sort(key=lambda p: p.at)
        ready = [p for p in self._pending if p.at <= now]
        self._pending = [p for p in self._pending if p.at > now]
        return ready
