"""Quarantine: entries an intake path could not store, kept durably in the warehouse.

A dead letter that lives only in Redis is lost with the next Redis restart; here it is a row
of the `quarantine` table (migration 0006): the raw entry as it arrived, the error, the time,
the upstream system when known and the channel it came through (`archiver:alarms`,
`archiver:readings`, `mqtt`, `dbpull`, `http`, ...). It can be listed, shown and re-driven
after a fix (`python -m archiver quarantine ...`), and counted per source for governance.

The raw entry is stored losslessly: as text when it is clean UTF-8 without U+0000, otherwise
as the base64 of its bytes (`raw_encoding` = 'base64'; PostgreSQL text cannot hold NUL). A
`str` with invalid UTF-8 smuggled in as surrogate escapes (`errors="surrogateescape"`) comes
back byte for byte. Every statement goes through `Warehouse.query/execute`: SQLite and
PostgreSQL alike.

Rows returned by `list` and `get` are dicts with keys `id` (int), `at` (UTC datetime),
`source` (str or None), `channel`, `ref` (str or None), `raw` (str: the entry, invalid bytes
as surrogate escapes), `raw_bytes` (bytes: exactly what was put), `raw_encoding`, `error`,
`redriven_at` (UTC datetime or None) and `redriven_note`.
"""

from __future__ import annotations

import base64
import builtins
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from data_sources.warehouse import Warehouse

# Channel names of the intake paths that quarantine (free text, these are the known ones).
ARCHIVER_ALARMS = "archiver:alarms"
ARCHIVER_READINGS = "archiver:readings"
ARCHIVER_TEAMS = "archiver:teams"
MQTT = "mqtt"
DBPULL = "dbpull"
HTTP = "http"

ERROR_LIMIT = 4000
_COLUMNS = "id, at, source, channel, ref, raw, raw_encoding, error, redriven_at, redriven_note"


def encode_raw(raw: str | bytes) -> tuple[str, str]:
    """(stored text, encoding) of a raw entry: 'text' when it is safe as is, else 'base64'."""
    if isinstance(raw, str):
        try:
            data = raw.encode("utf-8")
        except UnicodeEncodeError:
            data = _str_bytes(raw)
        else:
            if "\x00" not in raw:
                return raw, "text"
    else:
        data = bytes(raw)
        if b"\x00" not in data:
            try:
                return data.decode("utf-8"), "text"
            except UnicodeDecodeError:
                pass
    return base64.b64encode(data).decode("ascii"), "base64"


def decode_raw(stored: str, encoding: str) -> bytes:
    """The bytes of a stored raw entry."""
    if encoding == "base64":
        return base64.b64decode(stored)
    return stored.encode("utf-8")


def _str_bytes(raw: str) -> bytes:
    # Surrogate escapes are the bytes that were not UTF-8; any other lone surrogate is kept
    # as its (CESU) code units so that nothing is dropped.
    try:
        return raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogatepass")


def safe_text(value: str | None, limit: int | None = None) -> str | None:
    """`value` as text PostgreSQL can hold: NUL and lone surrogates written as escapes."""
    if value is None:
        return None
    clean = value.replace("\x00", "\\x00")
    clean = clean.encode("utf-8", "backslashreplace").decode("utf-8")
    return clean[:limit] if limit else clean


def put(
    warehouse: Warehouse,
    *,
    source: str | None,
    channel: str,
    raw: str | bytes,
    error: str,
    at: datetime | None = None,
    ref: str | None = None,
) -> int:
    """Quarantine one raw entry; return its id once the row is committed.

    `ref` is the entry's own id on its channel (a stream entry id, a message id): the same
    (channel, ref) is quarantined once, and its existing id is returned. Raises what the
    warehouse raises (an outage is the caller's to retry: nothing was quarantined).
    """
    stored, encoding = encode_raw(raw)
    params = {
        "at": at or datetime.now(UTC),
        "source": safe_text(source, 64),
        "channel": safe_text(channel, 64),
        "ref": safe_text(ref, 200),
        "raw": stored,
        "enc": encoding,
        "error": safe_text(error, ERROR_LIMIT) or "",
    }
    inserted = warehouse.query(
        "INSERT INTO quarantine (at, source, channel, ref, raw, raw_encoding, error) "
        "VALUES (:at, :source, :channel, :ref, :raw, :enc, :error) "
        "ON CONFLICT (channel, ref) DO NOTHING RETURNING id",
        params,
    )
    if len(inserted):
        return int(inserted["id"].iloc[0])
    held = warehouse.query(
        "SELECT id FROM quarantine WHERE channel = :channel AND ref = :ref",
        {"channel": params["channel"], "ref": params["ref"]},
    )
    return int(held["id"].iloc[0])


def list(  # noqa: A001 - the interface's name; builtins.list is used below
    warehouse: Warehouse,
    *,
    source: str | None = None,
    channel: str | None = None,
    limit: int = 100,
    include_redriven: bool = False,
) -> builtins.list[dict[str, Any]]:
    """Quarantined entries, newest first; re-driven ones only with `include_redriven`."""
    where, params = _filters(source=source, channel=channel, include_redriven=include_redriven)
    params["limit"] = max(0, int(limit))
    frame = warehouse.query(
        f"SELECT {_COLUMNS} FROM quarantine{where} ORDER BY at DESC, id DESC LIMIT :limit",
        params,
    )
    return [_row(r) for r in frame.to_dict("records")]


def get(warehouse: Warehouse, qid: int) -> dict[str, Any] | None:
    """One quarantined entry by id, re-driven or not; None when there is none."""
    frame = warehouse.query(f"SELECT {_COLUMNS} FROM quarantine WHERE id = :id", {"id": int(qid)})
    rows = frame.to_dict("records")
    return _row(rows[0]) if rows else None


def mark_redriven(warehouse: Warehouse, qid: int, at: datetime, note: str | None = None) -> bool:
    """Record that entry `qid` was re-driven at `at` (and how); False when there is none."""
    touched = warehouse.execute(
        "UPDATE quarantine SET redriven_at = :at, redriven_note = :note WHERE id = :id",
        {"at": at, "note": safe_text(note, ERROR_LIMIT), "id": int(qid)},
    )
    return bool(touched)


def counts_by_source(
    warehouse: Warehouse,
    *,
    since: datetime | None = None,
    channel: str | None = None,
    include_redriven: bool = False,
) -> dict[str | None, int]:
    """Quarantined entries per upstream system (None: source unknown), since `since`."""
    where, params = _filters(channel=channel, include_redriven=include_redriven, since=since)
    frame = warehouse.query(
        f"SELECT source, count(*) AS n FROM quarantine{where} GROUP BY source", params
    )
    return {
        (None if _missing(r["source"]) else r["source"]): int(r["n"])
        for r in frame.to_dict("records")
    }


def _filters(
    *,
    source: str | None = None,
    channel: str | None = None,
    include_redriven: bool = False,
    since: datetime | None = None,
) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    if source is not None:
        clauses.append("source = :source")
        params["source"] = source
    if channel is not None:
        clauses.append("channel = :channel")
        params["channel"] = channel
    if since is not None:
        clauses.append("at >= :since")
        params["since"] = since
    if not include_redriven:
        clauses.append("redriven_at IS NULL")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row = {k: (None if _missing(v) else v) for k, v in record.items()}
    data = decode_raw(row["raw"], row["raw_encoding"])
    row["id"] = int(row["id"])
    row["at"] = _ts(row["at"])
    row["redriven_at"] = _ts(row["redriven_at"])
    row["raw_bytes"] = data
    row["raw"] = data.decode("utf-8", "surrogateescape")
    return row


def _ts(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _missing(value: Any) -> bool:
    if value is None or isinstance(value, str | bytes):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
