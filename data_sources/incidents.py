"""One incident and its timeline from the warehouse, for incident command mode.

Bound parameters and the warehouse time limit on every query; cached like the registry's
history (a few seconds), so a hall of screens on one incident costs one query per period.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.warehouse import Warehouse

INCIDENT_TTL = 10
MAX_ID_LENGTH = 64


def incident(warehouse: Warehouse, cache: Cache | None, incident_id: str) -> dict[str, Any] | None:
    """The incident, or None when there is no such id.

    Keys: id, title, category, level (1-4), status, district, lon, lat (WGS-84), opened_at,
    closed_at (UTC or None), casualties, summary, wind_from_deg, wind_speed_ms (None when
    unknown).
    """
    if not incident_id or len(incident_id) > MAX_ID_LENGTH:
        return None

    def load() -> dict[str, Any]:
        frame = warehouse.query(
            "SELECT id, title, category, level, status, district, lon, lat, opened_at, "
            "closed_at, casualties, summary, wind_from_deg, wind_speed_ms "
            "FROM incidents WHERE id = :id",
            {"id": incident_id},
        )
        if frame.empty:
            return {"found": False}
        row = frame.iloc[0].to_dict()
        for column in ("opened_at", "closed_at"):
            at = pd.to_datetime(row[column], utc=True, format="mixed")
            row[column] = None if pd.isna(at) else at
        for column in ("wind_from_deg", "wind_speed_ms"):
            row[column] = None if pd.isna(row[column]) else float(row[column])
        row["level"] = int(row["level"])
        return {"found": True, **row}

    # A missing id is cached too ({"found": False}): a wrong link must not hammer the warehouse.
    found = dict(cached(cache, f"incident:{incident_id}", INCIDENT_TTL, load))
    return found if found.pop("found") else None


def timeline(warehouse: Warehouse, cache: Cache | None, incident_id: str) -> pd.DataFrame:
    """The incident's timeline, oldest first. Columns: at (UTC), kind (report, dispatch,
    arrive, handle, close, ...), text, author."""

    def load() -> pd.DataFrame:
        frame = warehouse.query(
            "SELECT at, kind, text, author FROM incident_timeline WHERE incident_id = :id "
            "ORDER BY at, id",
            {"id": incident_id},
        )
        frame["at"] = pd.to_datetime(frame["at"], utc=True, format="mixed")
        return frame

    return cached(cache, f"incident_timeline:{incident_id}", INCIDENT_TTL, load)
