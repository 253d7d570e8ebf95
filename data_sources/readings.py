"""Sensor readings: the latest value of every sensor in the live state (Redis), and the
history and site alarms from the warehouse for the hazardous-chemicals screen.

Bound parameters and a time limit on every query (through `Warehouse.query`); results are
cached at this layer (flask-caching) like the registry's, so twenty screens drilling into
the same hazard source cost one query per period.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import redis
from flask_caching import Cache

from data_sources import keys
from data_sources.caching import cached
from data_sources.warehouse import Warehouse

# The history is written every few minutes by the archiver: a minute of cache is invisible.
HISTORY_TTL = 60
QUERY_TIMEOUT_S = 5.0
# Windows up to this long read the 1-minute rollups, longer ones the hourly.
ROLLUP_MINUTES_UP_TO = timedelta(hours=6)

# ARGV: triples of sensor id, ts (ms), value. A reading replaces the stored one only when it
# is newer by event time, so late and repeated deliveries never overwrite a newer value.
PUT_READINGS = """
local updated = 0
for i = 1, #ARGV, 3 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if cur then
    local ts = tonumber(string.match(cur, '^(%d+)|'))
    newer = tonumber(ARGV[i + 1]) > ts
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2])
    updated = updated + 1
  end
end
if updated > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PUBLISH', 'se:changed', 'r')
end
return updated
"""


def rollup_step(window: timedelta) -> int:
    """The rollup (bucket width in seconds) a window of this length is drawn from: at most
    ~360 points a sensor either way."""
    return 60 if window <= ROLLUP_MINUTES_UP_TO else 3600


def _floor(at: datetime, step: int) -> datetime:
    # The bucket holding `since` starts before it: it belongs to the window too.
    return at - timedelta(seconds=at.timestamp() % step)


def _minute(at: datetime) -> datetime:
    # Times in cache keys are floored so that screens asking a second apart share an entry.
    return at.replace(second=0, microsecond=0)


class Readings:
    """Latest readings (live state) and their history (warehouse). Times in and out are UTC."""

    def __init__(self, client: redis.Redis, warehouse: Warehouse, cache: Cache | None) -> None:
        self.r = client
        self.warehouse = warehouse
        self.cache = cache
        self._put_readings = client.register_script(PUT_READINGS)

    def put(self, readings: Iterable[tuple[str, float, float]]) -> int:
        """Store (sensor id, epoch s, value) readings; return how many became the latest."""
        batch = list(readings)
        if not batch:
            return 0
        args: list[Any] = []
        for sensor_id, ts, value in batch:
            args += [sensor_id, int(round(ts * 1000)), repr(float(value))]
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(
            keys.READING_STREAM,
            {"batch": json.dumps([[s, t, v] for s, t, v in batch])},
            maxlen=keys.STREAM_MAXLEN,
            approximate=True,
        )
        self._put_readings(keys=[keys.SENSOR_LATEST, keys.READINGS_VERSION], args=args, client=pipe)
        return int(pipe.execute()[-1])

    def latest(self) -> pd.DataFrame:
        """Columns: sensor_id, ts (UTC), value."""
        raw = self.r.hgetall(keys.SENSOR_LATEST)
        rows = []
        for sensor_id, packed in raw.items():
            ts, _, value = packed.partition("|")
            rows.append((sensor_id, int(ts), float(value)))
        frame = pd.DataFrame(rows, columns=["sensor_id", "ts", "value"])
        frame["ts"] = pd.to_datetime(frame["ts"], unit="ms", utc=True)
        return frame

    def sensor_history(
        self, hazard_source_id: str, since: datetime, until: datetime
    ) -> pd.DataFrame:
        """Every sensor of one hazard source over [since, until), oldest first, from the
        rollups: 1-minute buckets for a window up to ROLLUP_MINUTES_UP_TO, hourly beyond.

        Columns: sensor_id, ts (UTC, the start of the bucket), value (the mean), min, max,
        n (readings in the bucket). `since` and `until` are UTC-aware.
        """
        step = rollup_step(until - since)
        since, until = _minute(since), _minute(until) + timedelta(minutes=1)

        def load() -> pd.DataFrame:
            frame = self.warehouse.query(
                "SELECT r.sensor_id, r.bucket AS ts, r.total / r.n AS value, "
                "r.min_value AS min, r.max_value AS max, r.n FROM reading_rollups r "
                "JOIN sensors s ON s.id = r.sensor_id "
                "WHERE s.hazard_source_id = :hs AND r.step = :step "
                "AND r.bucket >= :since AND r.bucket < :until "
                "ORDER BY r.sensor_id, r.bucket",
                {
                    "hs": hazard_source_id,
                    "step": step,
                    "since": _floor(since, step),
                    "until": until,
                },
                timeout_s=QUERY_TIMEOUT_S,
            )
            frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="mixed")
            for column in ("value", "min", "max"):
                frame[column] = frame[column].astype(float)
            frame["n"] = frame["n"].astype(int)
            return frame

        key = f"sensor_history:{hazard_source_id}:{step}:{since.isoformat()}:{until.isoformat()}"
        return cached(self.cache, key, HISTORY_TTL, load)

    def site_alarms(self, since: datetime, until: datetime) -> pd.DataFrame:
        """Archived alarms that name a site (enterprise, hazard source or sensor) and occurred
        in [since, until). Columns: id, site_id, level, status, occurred_at (UTC)."""
        since, until = _minute(since), _minute(until) + timedelta(minutes=1)

        def load() -> pd.DataFrame:
            frame = self.warehouse.query(
                "SELECT id, site_id, level, status, occurred_at FROM alarm_history "
                "WHERE site_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until",
                {"since": since, "until": until},
                timeout_s=QUERY_TIMEOUT_S,
            )
            frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="mixed")
            return frame

        key = f"site_alarms:{since.isoformat()}:{until.isoformat()}"
        return cached(self.cache, key, HISTORY_TTL, load)
