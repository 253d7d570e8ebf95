"""Sensor history and site alarms from the warehouse, for the hazardous-chemicals screen.

Bound parameters and a time limit on every query (through `Warehouse.query`); results are
cached at this layer (flask-caching) like the registry's, so twenty screens drilling into
the same hazard source cost one query per period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.warehouse import Warehouse

# The history is written every few minutes by the archiver: a minute of cache is invisible.
HISTORY_TTL = 60
QUERY_TIMEOUT_S = 5.0


def _minute(at: datetime) -> datetime:
    # Times in cache keys are floored so that screens asking a second apart share an entry.
    return at.replace(second=0, microsecond=0)


def sensor_history(
    warehouse: Warehouse,
    cache: Cache | None,
    hazard_source_id: str,
    since: datetime,
    until: datetime,
) -> pd.DataFrame:
    """Readings in [since, until) of every sensor of one hazard source, oldest first.

    Columns: sensor_id, ts (UTC), value. `since` and `until` are UTC-aware.
    """
    since, until = _minute(since), _minute(until) + timedelta(minutes=1)

    def load() -> pd.DataFrame:
        frame = warehouse.query(
            "SELECT r.sensor_id, r.ts, r.value FROM reading_history r "
            "JOIN sensors s ON s.id = r.sensor_id "
            "WHERE s.hazard_source_id = :hs AND r.ts >= :since AND r.ts < :until "
            "ORDER BY r.sensor_id, r.ts",
            {"hs": hazard_source_id, "since": since, "until": until},
            timeout_s=QUERY_TIMEOUT_S,
        )
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True, format="mixed")
        frame["value"] = frame["value"].astype(float)
        return frame

    key = f"sensor_history:{hazard_source_id}:{since.isoformat()}:{until.isoformat()}"
    return cached(cache, key, HISTORY_TTL, load)


def site_alarms(
    warehouse: Warehouse, cache: Cache | None, since: datetime, until: datetime
) -> pd.DataFrame:
    """Archived alarms that name a site (enterprise, hazard source or sensor) and occurred
    in [since, until). Columns: id, site_id, level, status, occurred_at (UTC)."""
    since, until = _minute(since), _minute(until) + timedelta(minutes=1)

    def load() -> pd.DataFrame:
        frame = warehouse.query(
            "SELECT id, site_id, level, status, occurred_at FROM alarm_history "
            "WHERE site_id IS NOT NULL AND occurred_at >= :since AND occurred_at < :until",
            {"since": since, "until": until},
            timeout_s=QUERY_TIMEOUT_S,
        )
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="mixed")
        return frame

    key = f"site_alarms:{since.isoformat()}:{until.isoformat()}"
    return cached(cache, key, HISTORY_TTL, load)
