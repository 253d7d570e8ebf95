"""Stream entries → warehouse rows, and the idempotent SQL that writes them.

Plain functions without I/O: a malformed entry raises `BadEntry` (or the ValueError /
KeyError / TypeError of what it lacks), which the worker counts as a failed delivery.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from data_sources import keys
from vocabulary import ARCHIVED_ALARM_COLUMNS, TEAM_STATUS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUSES = {"new", "acknowledged", "closed"}


class BadEntry(ValueError):
    """A stream entry that cannot become warehouse rows, however often it is retried."""


# A row is replaced only by a newer revision: a redelivered or late entry never rolls an
# alarm back. ON CONFLICT ... DO UPDATE ... WHERE is the same in PostgreSQL and SQLite.
_HISTORY_COLUMNS = ARCHIVED_ALARM_COLUMNS
UPSERT_ALARM = (
    f"INSERT INTO alarm_history ({', '.join(_HISTORY_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _HISTORY_COLUMNS)}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _HISTORY_COLUMNS if c != "id")
    + " WHERE alarm_history.rev < excluded.rev"
)
INSERT_EVENT = (
    "INSERT INTO alarm_events (alarm_id, op, at, actor, via, rev, state, stream_id) "
    "VALUES (:alarm_id, :op, :at, :actor, :via, :rev, :state, :stream_id) "
    "ON CONFLICT (stream_id) DO NOTHING"
)
INSERT_READING = (
    "INSERT INTO reading_history (sensor_id, ts, value) VALUES (:sensor_id, :ts, :value) "
    "ON CONFLICT (sensor_id, ts) DO NOTHING"
)
# PostgreSQL: a batch as one statement, so that the rollup trigger (migration 0012), which
# fires once a statement, aggregates the whole batch at once instead of once a row.
INSERT_READINGS_PG = (
    "INSERT INTO reading_history (sensor_id, ts, value) "
    "SELECT * FROM unnest(CAST(:sensor_ids AS varchar[]), CAST(:ts AS timestamptz[]), "
    "CAST(:values AS double precision[])) ON CONFLICT (sensor_id, ts) DO NOTHING"
)


INSERT_TEAM_STATUS = (
    "INSERT INTO team_status_history (team_id, status, at, actor, via, stream_id) "
    "VALUES (:team_id, :status, :at, :actor, :via, :stream_id) "
    "ON CONFLICT (stream_id) DO NOTHING"
)


def readings_as_arrays(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The parameters of INSERT_READINGS_PG for the rows of INSERT_READING."""
    return {
        "sensor_ids": [r["sensor_id"] for r in rows],
        "ts": [r["ts"] for r in rows],
        "values": [r["value"] for r in rows],
    }


@dataclass
class Entry:
    """One stream entry, parsed: the rows it becomes."""

    stream: str
    id: str
    fields: Mapping[str, str]
    history: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    readings: list[dict[str, Any]] = field(default_factory=list)
    team: dict[str, Any] | None = None

    @property
    def rows(self) -> int:
        return len(self.readings) + (self.event is not None) + (self.team is not None)


def parse(stream: str, entry_id: str, fields: Mapping[str, str]) -> Entry:
    """The rows of one entry of `se:stream:alarms`, `se:stream:readings` or `se:stream:teams`."""
    if stream == keys.ALARM_STREAM:
        history, event = alarm_rows(entry_id, fields)
        return Entry(stream, entry_id, fields, history=history, event=event)
    if stream == keys.READING_STREAM:
        return Entry(stream, entry_id, fields, readings=reading_rows(fields))
    if stream == keys.TEAM_STREAM:
        return Entry(stream, entry_id, fields, team=team_row(entry_id, fields))
    raise BadEntry(f"unknown stream {stream!r}")


def entry_time(entry_id: str) -> datetime:
    """When Redis appended the entry (the milliseconds part of its id)."""
    return EPOCH + timedelta(milliseconds=int(entry_id.split("-", 1)[0]))


def alarm_rows(entry_id: str, fields: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(alarm_history row, alarm_events row) of one alarm change."""
    op = _text(fields, "op", 16)
    alarm_id = _text(fields, "id", 64)
    status = fields.get("status")
    if status not in STATUSES:
        raise BadEntry(f"status {status!r} is not one of {sorted(STATUSES)}")
    body = json.loads(fields["body"])
    if not isinstance(body, dict):
        raise BadEntry("body is not a JSON object")
    appended = entry_time(entry_id)
    rev = int(fields.get("rev") or 0)
    last_at = _epoch(fields.get("last_at"))
    ack_at = _epoch(fields.get("ack_at"))
    closed_at = _epoch(fields.get("closed_at"))
    received = body.get("received_at")
    history = {
        "id": alarm_id,
        "source": _text(body, "source", 32),
        "level": _text(body, "level", 8),
        "category": _text(body, "category", 32),
        "title": _text(body, "title", 10_000),
        "occurred_at": _iso(body["occurred_at"]),
        "received_at": _iso(received) if received else (last_at or appended),
        "lon": _coordinate(body.get("lon")),
        "lat": _coordinate(body.get("lat")),
        "site_id": body.get("site_id"),
        "district": body.get("district"),
        "status": status,
        "count": int(fields.get("count") or 1),
        "ack_by": fields.get("ack_by") or None,
        "ack_at": ack_at,
        "closed_by": fields.get("closed_by") or None,
        "closed_at": closed_at,
        "close_note": fields.get("close_note"),
        "detail": json.dumps(body.get("detail") or {}, ensure_ascii=False),
        "rev": rev,
        "last_at": last_at,
        "dedupe": fields.get("dedupe") or None,
    }
    via = None
    if op == "acknowledged":
        at, actor, via = ack_at, history["ack_by"], fields.get("ack_via") or None
    elif op == "closed":
        at, actor, via = closed_at, history["closed_by"], fields.get("closed_via") or None
    elif op == "escalate":
        at, actor = _epoch(fields.get("escalated_at")), "escalation"
    else:
        at, actor = last_at, history["source"]
    state = {k: v for k, v in fields.items() if k != "op"}
    state["body"] = body
    event = {
        "alarm_id": alarm_id,
        "op": op,
        "at": at or appended,
        "actor": actor,
        # The system:token id of an API ack/close, beside the name the caller gave.
        "via": via,
        "rev": rev,
        "state": json.dumps(state, ensure_ascii=False, sort_keys=True),
        "stream_id": entry_id,
    }
    return history, event


def reading_rows(fields: Mapping[str, str]) -> list[dict[str, Any]]:
    """reading_history rows of one batch; times to the millisecond, as the live state keeps them."""
    batch = json.loads(fields["batch"])
    if not isinstance(batch, list):
        raise BadEntry("batch is not a JSON array")
    rows = []
    for i, item in enumerate(batch):
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise BadEntry(f"batch[{i}] is not [sensor_id, ts, value]")
        sensor_id, ts, value = item
        if not isinstance(sensor_id, str) or not sensor_id:
            raise BadEntry(f"batch[{i}] sensor_id is not a text")
        if not _finite(ts) or not _finite(value):
            raise BadEntry(f"batch[{i}] ts and value must be finite numbers")
        ts_ms = round(ts * 1000)
        rows.append(
            {
                "sensor_id": sensor_id,
                "ts": EPOCH + timedelta(milliseconds=ts_ms),
                "value": float(value),
            }
        )
    return rows


def team_row(entry_id: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The team_status_history row of one team status change."""
    status = fields.get("status")
    if status not in TEAM_STATUS:
        raise BadEntry(f"status {status!r} is not one of {sorted(TEAM_STATUS)}")
    by, via = fields.get("by"), fields.get("via")
    return {
        "team_id": _text(fields, "team_id", 32),
        "status": status,
        "at": _epoch(fields.get("at")) or entry_time(entry_id),
        "actor": _text(fields, "by", 200) if by else None,
        "via": _text(fields, "via", 64) if via else None,
        "stream_id": entry_id,
    }


def merge(entries: Iterable[Entry]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The statements of one transaction writing `entries` (in stream order)."""
    history: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    readings: dict[tuple[str, datetime], dict[str, Any]] = {}
    teams: list[dict[str, Any]] = []
    for entry in entries:
        if entry.history is not None:
            # Only the newest revision of an alarm in this batch needs writing.
            held = history.get(entry.history["id"])
            if held is None or held["rev"] <= entry.history["rev"]:
                history[entry.history["id"]] = entry.history
        if entry.event is not None:
            events.append(entry.event)
        if entry.team is not None:
            teams.append(entry.team)
        for row in entry.readings:
            # The first of equal (sensor, ts) wins, as in the live state and the warehouse.
            readings.setdefault((row["sensor_id"], row["ts"]), row)
    # One order for every writer: two archivers writing overlapping batches wait on each
    # other instead of deadlocking, and event ids follow the order of the stream.
    steps = []
    if history:
        steps.append((UPSERT_ALARM, [history[k] for k in sorted(history)]))
    if events:
        steps.append((INSERT_EVENT, sorted(events, key=lambda e: _id_order(e["stream_id"]))))
    if readings:
        steps.append((INSERT_READING, [readings[k] for k in sorted(readings)]))
    if teams:
        steps.append((INSERT_TEAM_STATUS, sorted(teams, key=lambda t: _id_order(t["stream_id"]))))
    return steps


def _id_order(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise BadEntry(f"{name} is missing or not a text")
    if len(value) > limit:
        raise BadEntry(f"{name} is longer than {limit} characters")
    return value


def _iso(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadEntry(f"time {value!r} is not ISO 8601 text")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise BadEntry(f"time {value!r} has no offset")
    return parsed.astimezone(UTC)


def _epoch(value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    seconds = float(value)
    if not math.isfinite(seconds):
        raise BadEntry(f"time {value!r} is not a number")
    return EPOCH + timedelta(milliseconds=round(seconds * 1000))


def _coordinate(value: Any) -> float | None:
    if value is None:
        return None
    if not _finite(value):
        raise BadEntry(f"coordinate {value!r} is not a finite number")
    return float(value)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
