"""Incidents in the warehouse: the lists the screens show, one incident and its timeline for
incident command mode, and opening or updating one (the ingest API).

Bound parameters and the warehouse time limit on every query; cached a few seconds, so a hall
of screens on one incident costs one query per period. This class owns the cache keys
`incidents:<status>`, `incident:<id>` and `incident_timeline:<id>`, and drops them on a write.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import geopandas as gpd
import pandas as pd
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.warehouse import Warehouse, utc

INCIDENT_TTL = 10
LIST_TTL = 10  # as the registry's history panels
MAX_ID_LENGTH = 64
STATUSES = ("open", "closed", None)

_UPDATE = (
    "UPDATE incidents SET title=:title, category=:category, level=:level, status=:status, "
    "district=:district, lon=:lon, lat=:lat, closed_at=:closed_at, "
    "casualties=:casualties, summary=:summary, wind_from_deg=:wind_from_deg, "
    "wind_speed_ms=:wind_speed_ms WHERE id=:id"
)
_INSERT = (
    "INSERT INTO incidents (id, title, category, level, status, district, lon, lat, "
    "opened_at, closed_at, casualties, summary, wind_from_deg, wind_speed_ms) VALUES (:id, "
    ":title, :category, :level, :status, :district, :lon, :lat, :opened_at, :closed_at, "
    ":casualties, :summary, :wind_from_deg, :wind_speed_ms)"
)
_TIMELINE = (
    "INSERT INTO incident_timeline (incident_id, at, kind, text, author) "
    "VALUES (:id, :at, :kind, :text, :author)"
)


def sent_teams(timeline: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    """The teams (rows of `teams`: id, name, ...) an incident's timeline names as sent (派出),
    with `sent` (UTC, the first 派出 entry naming them) and `arrived` (UTC or NaT: the first
    到场 entry naming them)."""
    entries = list(zip(timeline["kind"], timeline["at"], timeline["text"]))
    rows = []
    for team_id, name in zip(teams["id"], teams["name"]):
        sent = [at for kind, at, text in entries if kind == "dispatch" and name in text]
        if sent:
            came = [at for kind, at, text in entries if kind == "arrive" and name in text]
            rows.append((team_id, name, min(sent), min(came) if came else pd.NaT))
    frame = pd.DataFrame(rows, columns=["id", "name", "sent", "arrived"])
    return frame.sort_values("sent", kind="stable").reset_index(drop=True)


class Incidents:
    """Read and write incidents. Times in and out are UTC; positions WGS-84."""

    def __init__(self, warehouse: Warehouse, cache: Cache | None = None) -> None:
        self.wh = warehouse
        self.cache = cache

    def listed(self, status: str | None = "open") -> gpd.GeoDataFrame:
        """Incidents with `status` (None: all), newest first. Columns: id, title, category,
        level (1-4), status, district, lon, lat, opened_at, closed_at (UTC), casualties,
        summary, geometry (EPSG:4326)."""

        def load() -> gpd.GeoDataFrame:
            where = "WHERE status = :status" if status else ""
            frame = self.wh.query(
                "SELECT id, title, category, level, status, district, lon, lat, opened_at, "
                f"closed_at, casualties, summary FROM incidents {where} ORDER BY opened_at DESC",
                {"status": status} if status else None,
            )
            frame = utc(frame, "opened_at", "closed_at")
            return gpd.GeoDataFrame(
                frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
            )

        return cached(self.cache, f"incidents:{status}", LIST_TTL, load)

    def get(self, incident_id: str) -> dict[str, Any] | None:
        """The incident, or None when there is no such id.

        Keys: id, title, category, level (1-4), status, district, lon, lat (WGS-84), opened_at,
        closed_at (UTC or None), casualties, summary, wind_from_deg, wind_speed_ms (None when
        unknown).
        """
        if not incident_id or len(incident_id) > MAX_ID_LENGTH:
            return None

        def load() -> dict[str, Any]:
            frame = self.wh.query(
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

        # A missing id is cached too ({"found": False}): a wrong link must not hammer the
        # warehouse.
        found = dict(cached(self.cache, f"incident:{incident_id}", INCIDENT_TTL, load))
        return found if found.pop("found") else None

    def timeline(self, incident_id: str) -> pd.DataFrame:
        """The incident's timeline, oldest first. Columns: at (UTC), kind (report, dispatch,
        arrive, handle, close, ...), text, author."""

        def load() -> pd.DataFrame:
            frame = self.wh.query(
                "SELECT at, kind, text, author FROM incident_timeline WHERE incident_id = :id "
                "ORDER BY at, id",
                {"id": incident_id},
            )
            return utc(frame, "at")

        return cached(self.cache, f"incident_timeline:{incident_id}", INCIDENT_TTL, load)

    def exists(self, incident_id: str) -> bool:
        return (
            # Asked before a write: the primary, not a replica that may not have it yet.
            len(
                self.wh.query(
                    "SELECT id FROM incidents WHERE id = :id", {"id": incident_id}, primary=True
                )
            )
            > 0
        )

    def put(self, row: Mapping[str, Any], note: str | None, author: str, now: datetime) -> str:
        """Open or update an incident with its timeline entry, in one transaction; return
        "new" or "updated". `row` has every column of `incidents` (times UTC-aware)."""
        exists = self.exists(row["id"])
        text = note or ("接报立案" if not exists else f"更新: {row['status']}")
        timeline = {
            "id": row["id"],
            "at": now,
            "kind": "report" if not exists else "update",
            "text": text,
            "author": author,
        }
        self.wh.execute_all([(_UPDATE if exists else _INSERT, dict(row)), (_TIMELINE, timeline)])
        self.forget(row["id"])
        return "updated" if exists else "new"

    def note(self, incident_id: str, kind: str, text: str, author: str, now: datetime) -> bool:
        """Add one entry to an incident's timeline (a call placed from its page, ...);
        False when there is no such incident."""
        if not incident_id or len(incident_id) > MAX_ID_LENGTH or not self.exists(incident_id):
            return False
        entry = {"id": incident_id, "at": now, "kind": kind, "text": text, "author": author}
        self.wh.execute_all([(_TIMELINE, entry)])
        self.forget(incident_id)
        return True

    def forget(self, incident_id: str) -> None:
        """Drop the cached reads an update of `incident_id` makes stale."""
        if self.cache is None:
            return
        for status in STATUSES:
            self.cache.delete(f"incidents:{status}")
        self.cache.delete(f"incident:{incident_id}")
        self.cache.delete(f"incident_timeline:{incident_id}")
