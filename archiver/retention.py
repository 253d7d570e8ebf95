"""Housekeeping the archiver runs between cycles: trim Redis, prune and purge the warehouse."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import redis

from archiver import housekeeping, partitions
from archiver.reading import STREAMS
from data_sources import keys
from data_sources.streams import Streams
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

# Readings past the retention period are pruned once an hour.
PRUNE_EVERY_S = 3600.0


class Retention:
    """The archiver's housekeeping; `Archiver.__init__` sets the attributes it uses."""

    streams: Streams
    wh: Warehouse
    retention_days: float
    alarm_events_days: float
    audit_days: float
    closed_keep_s: float

    def prune(self, now: datetime | None = None) -> int:
        """Delete readings older than the retention period, and their rollups; return how
        many readings went.

        A sensing network writes millions of readings a day: without this the warehouse
        grows without bound. On PostgreSQL whole days go (their partitions are dropped), so
        a reading stays up to a day past the period; SQLite deletes rows. A failure is logged
        and tried again next hour, never raised into the archiving loop.
        """
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        try:
            if self.wh.dialect == "postgresql":
                deleted = partitions.drop_before(self.wh, cutoff)
            else:
                deleted = self.wh.execute(
                    "DELETE FROM reading_history WHERE ts < :cutoff",
                    {"cutoff": cutoff},
                    timeout_s=600,
                )
            self.wh.execute(
                "DELETE FROM reading_rollups WHERE bucket < :cutoff",
                {"cutoff": cutoff},
                timeout_s=600,
            )
        except Exception:  # noqa: BLE001 - pruning must never stop the archive
            log.exception("archiver: pruning readings older than %s failed", cutoff)
            return 0
        if deleted:
            log.info("archiver: pruned %d readings older than %s", deleted, cutoff.isoformat())
        return int(deleted)

    def partition(self, now: datetime | None = None) -> int:
        """PostgreSQL: make the day partitions of the coming days (and of days found in the
        default partition) ahead of the readings; return how many were made."""
        if self.wh.dialect != "postgresql":
            return 0
        try:
            made = partitions.ensure_ahead(self.wh, now)
        except Exception:  # noqa: BLE001 - the default partition takes the rows meanwhile
            log.exception("archiver: making the reading partitions failed")
            return 0
        if made:
            log.info("archiver: made reading partitions for %s", [d.isoformat() for d in made])
        return len(made)

    def trim(self, now: float | None = None) -> dict[str, int]:
        """Trim the Redis state that grows: archived stream entries, the closed set.

        Never trims what a consumer group has not acknowledged yet; a Redis outage is
        raised (the cycle retries), any other failure is logged and tried next time.
        """
        counts: Counter[str] = Counter()
        try:
            trimmed = housekeeping.trim_archived(self.streams.client, STREAMS)
            counts["trimmed_alarm_entries"] += trimmed.get(keys.ALARM_STREAM, 0)
            counts["trimmed_reading_entries"] += trimmed.get(keys.READING_STREAM, 0)
            counts["trimmed_team_entries"] += trimmed.get(keys.TEAM_STREAM, 0)
            counts["trimmed_closed"] += housekeeping.trim_closed(
                self.streams.client, self.closed_keep_s, now
            )
        except (redis.ConnectionError, redis.TimeoutError):
            raise
        except Exception:  # noqa: BLE001 - trimming must never stop the archive
            log.exception("archiver: trimming the live state failed")
        return counts

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Hourly: prune readings, apply the retention of alarm changes and the audit trail,
        purge dead sessions and old login failures. Failures are logged, never raised."""
        counts: Counter[str] = Counter()
        counts["partitions_made"] += self.partition(now)
        if self.retention_days:
            counts["pruned"] += self.prune(now)
        try:
            done = housekeeping.purge_warehouse(
                self.wh,
                alarm_events_days=self.alarm_events_days,
                audit_days=self.audit_days,
                now=now,
            )
        except Exception:  # noqa: BLE001 - purging must never stop the archive
            log.exception("archiver: purging the warehouse failed")
            return counts
        for name, n in done.items():
            counts[f"purged_{name}"] += n
        if any(done.values()):
            log.info("archiver: purged %s", {k: v for k, v in done.items() if v})
        return counts
