"""The day partitions of `reading_history` on PostgreSQL (migration 0012).

One partition a day, `reading_history_pYYYYMMDD`, holds [day 00:00 UTC, next day); a reading
outside every day partition lands in `reading_history_default`. Housekeeping makes the next
days' partitions ahead of time and moves the days found in the default partition into their
own, so the default stays small; retention drops whole days, which costs a catalogue change
where a DELETE of a day would rewrite millions of rows and leave them for VACUUM.
SQLite keeps one plain table, and DELETE.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

DEFAULT = "reading_history_default"
AHEAD_DAYS = 2
_NAME = re.compile(r"^reading_history_p(\d{8})$")


def name(day: date) -> str:
    return f"reading_history_p{day:%Y%m%d}"


def days(wh: Warehouse) -> dict[date, str]:
    """The day partitions that exist: day → table name."""
    frame = wh.query(
        "SELECT c.relname AS name FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
        "WHERE p.relname = 'reading_history'"
    )
    found = {}
    for table in frame["name"]:
        match = _NAME.match(table)
        if match:
            found[datetime.strptime(match.group(1), "%Y%m%d").date()] = table
    return found


def ensure(wh: Warehouse, day: date) -> bool:
    """Make the partition of `day` unless it exists, moving its rows out of the default
    partition in the same transaction; True when it was made."""
    if day in days(wh):
        return False
    table, lo, hi = (
        name(day),
        f"{day:%Y-%m-%d} 00:00:00+00",
        f"{day + timedelta(days=1):%Y-%m-%d} 00:00:00+00",
    )
    # Into the new table directly, not through the parent: the rollup trigger (on the
    # parent) must not count the moved rows a second time.
    steps = [
        (
            f"CREATE TABLE {table} (LIKE reading_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
            None,
        ),
        (
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE ts >= :lo AND ts < :hi "
            "RETURNING sensor_id, ts, value) "
            f"INSERT INTO {table} (sensor_id, ts, value) SELECT sensor_id, ts, value FROM moved",
            {"lo": datetime.fromisoformat(lo), "hi": datetime.fromisoformat(hi)},
        ),
        (
            f"ALTER TABLE reading_history ATTACH PARTITION {table} "
            f"FOR VALUES FROM ('{lo}') TO ('{hi}')",
            None,
        ),
    ]
    try:
        wh.execute_all(steps, timeout_s=600)
    except Exception:
        if day in days(wh):  # another archiver made it first
            return False
        raise
    return True


def ensure_ahead(wh: Warehouse, now: datetime | None = None) -> list[date]:
    """Make today's and the next AHEAD_DAYS days' partitions, and one for each day that has
    rows in the default partition; return the days made."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    wanted = {today + timedelta(days=i) for i in range(AHEAD_DAYS + 1)}
    stray = wh.query(
        f"SELECT DISTINCT date_bin('1 day', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS day "
        f"FROM {DEFAULT}",
        timeout_s=600,
    )
    wanted |= {d.astimezone(UTC).date() for d in stray["day"]}
    return [day for day in sorted(wanted) if ensure(wh, day)]


def drop_before(wh: Warehouse, cutoff: datetime) -> int:
    """Drop the day partitions wholly before `cutoff`, and delete the older rows of the default
    partition and the rollups; return how many readings went."""
    gone = 0
    for day, table in sorted(days(wh).items()):
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        if end > cutoff:
            continue
        n = int(wh.query(f"SELECT count(*) AS n FROM {table}", timeout_s=600)["n"].iloc[0])
        wh.execute_all(
            [
                (f"ALTER TABLE reading_history DETACH PARTITION {table}", None),
                (f"DROP TABLE {table}", None),
            ],
            timeout_s=600,
        )
        log.info("archiver: dropped the readings of %s (%d rows)", day.isoformat(), n)
        gone += n
    gone += int(
        wh.execute(f"DELETE FROM {DEFAULT} WHERE ts < :cutoff", {"cutoff": cutoff}, timeout_s=600)
    )
    return gone
