"""Refill a live state that lost its data (Redis restarted empty) from the warehouse.

Alarms not closed come back with their status, count, acknowledgement and revision (so
later changes still archive as newer), alarms closed within the last day come back as
recently closed, every upstream id merged into them is marked seen again (so a retried
post stays a duplicate), each sensor gets its newest archived reading, and each rescue team
its newest archived status. Nothing is written to the streams: the warehouse has all of it
already.
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
from data_sources.replay import checkins_at, team_states
from vocabulary import ARCHIVED_ALARM_COLUMNS

log = logging.getLogger(__name__)

CLOSED_WINDOW = timedelta(days=1)  # as long as the live state keeps closed alarms listed
QUERY_TIMEOUT_S = 300.0  # a rare, large read
BATCH = 5000  # alarms per read and per group of Lua calls: memory stays flat at any size

_COLUMNS = ", ".join(ARCHIVED_ALARM_COLUMNS)
# What the screens need: alarms not closed, and those closed within the window. Keyset pages
# by id, so that each batch is one index range and none is read twice.
_ALARMS = (
    f"SELECT {_COLUMNS} FROM alarm_history WHERE id > :after "
    "AND (status IN (:new, :acknowledged) OR (status = :closed AND closed_at >= :since)) "
    "ORDER BY id LIMIT :batch"
)
_ALARM = f"SELECT {_COLUMNS} FROM alarm_history WHERE id = :id"
# Upstream ids merged into an alarm as repeats: only `last_id` of each repeat's state.
_LAST_ID = {
    "postgresql": "CAST(state AS json) ->> 'last_id'",
    "sqlite": "json_extract(state, '$.last_id')",
}
_MERGED = (
    "SELECT alarm_id, {last_id} AS last_id FROM alarm_events "
    "WHERE op = :repeat AND alarm_id >= :first AND alarm_id <= :last"
)
# The newest reading of each sensor: the sensors found by skipping through the primary key
# (sensor_id, ts) one sensor at a time, then one index probe each; never a scan of the whole
# reading history, which holds weeks of every sensor.
_LATEST_READINGS = (
    "WITH RECURSIVE s(id) AS ("
    "SELECT min(sensor_id) FROM reading_history UNION ALL "
    "SELECT (SELECT min(sensor_id) FROM reading_history WHERE sensor_id > s.id) "
    "FROM s WHERE s.id IS NOT NULL) "
    "SELECT r.sensor_id, r.ts, r.value FROM s JOIN reading_history r "
    "ON r.sensor_id = s.id AND r.ts = "
    "(SELECT max(x.ts) FROM reading_history x WHERE x.sensor_id = s.id)"
)
_STATUSES = {"new": "new", "acknowledged": "acknowledged", "closed": "closed"}


def rebuild_live_state(
    sources: Sources, now: float | None = None, batch: int = BATCH
) -> dict[str, int]:
    """Restore alarms, latest readings, team status and the duty rooms' check-ins into the
    live state; return what was restored.

    Alarms already in the live state at the same or a newer revision are left as they are
    (an ack or close honoured during the restore stays), so this may run beside ingest.
    """
    now = time.time() if now is None else now
    since = datetime.fromtimestamp(now, UTC) - CLOSED_WINDOW
    wh, restore = sources.warehouse, sources.restore
    restore.leap_versions()  # before anything is put back: no version a screen saw returns
    params = {**_STATUSES, "since": since, "batch": batch}
    restored = known = 0
    after = ""
    while True:
        alarms = wh.query(_ALARMS, {**params, "after": after}, timeout_s=QUERY_TIMEOUT_S)
        if alarms.empty:
            break
        rows = _records(alarms)
        merged = _merged(wh, rows[0]["id"], rows[-1]["id"])
        restored += restore.alarms(_alarms(rows, merged), now=now)
        known += len(rows)
        after = rows[-1]["id"]
        if len(rows) < batch:
            break
    readings = wh.query(_LATEST_READINGS, timeout_s=QUERY_TIMEOUT_S)
    ts = _epoch_s(readings["ts"])
    sensors = restore.readings(zip(readings["sensor_id"], ts, readings["value"].astype(float)))
    statuses = team_states(wh, datetime.fromtimestamp(now, UTC), timeout_s=QUERY_TIMEOUT_S)
    teams = restore.team_status(statuses)
    # The rooms' last kept check-ins (at most a minute older than they were): without them the
    # wall would show every room 无签到 until each checks in again.
    rooms = restore.checkins(
        checkins_at(wh, datetime.fromtimestamp(now, UTC), timeout_s=QUERY_TIMEOUT_S)
    )
    return {
        "alarms": restored,
        "alarms_known": known,
        "sensors": sensors,
        "teams": teams,
        "checkins": rooms,
    }


def restore_alarm(sources: Sources, alarm_id: str, now: float | None = None) -> bool:
    """Put one alarm the warehouse knows back into the live state, if the live state lacks
    it; True when the warehouse knows it (whether or not it had to be put back).

    An ack or close of an alarm missing from the live state (Redis came back empty and the
    restore has not reached it, or a closed alarm's hash expired) comes here before it could
    be a 404. The same guarded script as the bulk restore: whichever comes first wins, and
    a revision the live state already moved on from is never written back.
    """
    now = time.time() if now is None else now
    wh = sources.warehouse
    found = wh.query(_ALARM, {"id": alarm_id})
    if found.empty:
        return False
    rows = _records(found)
    merged = _merged(wh, alarm_id, alarm_id)
    # An alarm closed long ago comes back for an hour: long enough to answer the request.
    sources.restore.alarms(_alarms(rows, merged), now=now, min_expire_s=3600)
    return True


def _merged(wh: Any, first: str, last: str) -> dict[str, set[str]]:
    sql = _MERGED.format(last_id=_LAST_ID.get(wh.dialect, _LAST_ID["sqlite"]))
    frame = wh.query(
        sql, {"repeat": "repeat", "first": first, "last": last}, timeout_s=QUERY_TIMEOUT_S
    )
    merged: dict[str, set[str]] = defaultdict(set)
    for alarm_id, last_id in zip(frame["alarm_id"], frame["last_id"]):
        if last_id:
            merged[alarm_id].add(last_id)
    return merged


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
