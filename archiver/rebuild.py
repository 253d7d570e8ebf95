"""Refill a live state that lost its data (Redis restarted empty) from the warehouse.

Alarms not closed come back with their status, count, acknowledgement and revision (so
later changes still archive as newer), alarms closed within the last day come back as
recently closed, every upstream id merged into them is marked seen again (so a retried
post stays a duplicate), and each sensor gets its newest archived reading. Nothing is
written to the streams: the warehouse has all of it already.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from data_sources import Sources

log = logging.getLogger(__name__)

CLOSED_WINDOW = timedelta(days=1)  # as long as the live state keeps closed alarms listed
QUERY_TIMEOUT_S = 300.0  # a rare, large read: the newest reading of every sensor

_ALARMS = (
    "SELECT id, source, level, category, title, occurred_at, received_at, lon, lat, site_id, "
    "district, status, count, ack_by, ack_at, closed_by, closed_at, close_note, detail, rev, "
    "last_at, dedupe FROM alarm_history "
    "WHERE status IN (:new, :acknowledged) OR (status = :closed AND closed_at >= :since)"
)
_MERGED = (
    "SELECT e.alarm_id, e.state FROM alarm_events e JOIN alarm_history h ON h.id = e.alarm_id "
    "WHERE e.op = :repeat "
    "AND (h.status IN (:new, :acknowledged) OR (h.status = :closed AND h.closed_at >= :since))"
)
_LATEST_READINGS = (
    "SELECT r.sensor_id, r.ts, r.value FROM reading_history r "
    "JOIN (SELECT sensor_id, max(ts) AS ts FROM reading_history GROUP BY sensor_id) m "
    "ON m.sensor_id = r.sensor_id AND m.ts = r.ts"
)
_STATUSES = {"new": "new", "acknowledged": "acknowledged", "closed": "closed"}


def rebuild_live_state(sources: Sources, now: float | None = None) -> dict[str, int]:
    """Restore alarms and latest readings into the live state; return what was restored."""
    now = time.time() if now is None else now
    since = datetime.fromtimestamp(now, UTC) - CLOSED_WINDOW
    wh, live = sources.warehouse, sources.live
    params = {**_STATUSES, "since": since}
    alarms = wh.query(_ALARMS, params, timeout_s=QUERY_TIMEOUT_S)
    merged = wh.query(_MERGED, {**params, "repeat": "repeat"}, timeout_s=QUERY_TIMEOUT_S)
    readings = wh.query(_LATEST_READINGS, timeout_s=QUERY_TIMEOUT_S)

    merged_ids: dict[str, set[str]] = defaultdict(set)
    for alarm_id, state in zip(merged["alarm_id"], merged["state"]):
        last_id = json.loads(state).get("last_id")
        if last_id:
            merged_ids[alarm_id].add(last_id)
    restored = live.restore_alarms(_alarms(_records(alarms), merged_ids), now=now)
    ts = _epoch_s(readings["ts"])
    sensors = live.restore_readings(zip(readings["sensor_id"], ts, readings["value"].astype(float)))
    return {"alarms": restored, "alarms_known": len(alarms), "sensors": sensors}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    frame = frame.copy()
    for name in ("occurred_at", "received_at", "ack_at", "closed_at", "last_at"):
        # PostgreSQL gives datetimes, SQLite the UTC text the warehouse wrote.
        frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def _alarms(rows: list[dict[str, Any]], merged: dict[str, set[str]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        try:
            yield _alarm(row, merged[row["id"]])
        except (ValueError, TypeError, AttributeError) as exc:
            # One damaged row must not keep the others off the wall.
            log.warning("restore: alarm %s skipped: %s", row.get("id"), exc)


def _alarm(row: dict[str, Any], merged: set[str]) -> dict[str, Any]:
    alarm = dict(row)
    alarm["occurred_at"] = row["occurred_at"].to_pydatetime()
    received = row["received_at"]
    alarm["received_at"] = received.isoformat() if received is not None else None
    for name in ("ack_at", "closed_at", "last_at"):
        alarm[name] = row[name].timestamp() if row[name] is not None else None
    alarm["detail"] = json.loads(row["detail"] or "{}")
    alarm["count"] = int(row["count"])
    alarm["rev"] = int(row["rev"])
    alarm["merged_ids"] = sorted(merged)
    return alarm


def _epoch_s(column: pd.Series) -> list[float]:
    stamps = pd.to_datetime(column, utc=True, format="ISO8601")
    return [t.value / 1e9 for t in stamps]
