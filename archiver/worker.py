"""The archiver's loop: read the streams with a consumer group, write, then acknowledge.

At-least-once: an entry is XACKed only after the transaction that wrote it committed, and
every write is idempotent (revision-guarded upsert, ON CONFLICT DO NOTHING), so a crash
between commit and ack costs a rewrite, never a loss or a double. Each cycle

1. restores the live state from the warehouse if Redis lost it (`se:restored` is absent);
2. retries this consumer's own pending entries (failed writes), which counts a delivery;
3. every `claim_every_s`, XAUTOCLAIMs entries another consumer left idle (it crashed);
4. reads new entries, blocking up to `block_ms` only when there was nothing else to do.

An entry that still fails after `max_deliveries` goes to the warehouse's quarantine table
(`data_sources/quarantine.py`) with its raw fields, the error and the time, and is acked only
once that row committed: the archiver never drops an entry. A warehouse or Redis outage is not
the entry's fault and never quarantines anything (the entry waits). `python -m archiver
quarantine` lists, shows and re-drives what is there.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import exc as sa_exc

from archiver import housekeeping, records
from archiver.rebuild import rebuild_live_state
from data_sources import Sources, keys, quarantine
from data_sources.warehouse import WarehouseTimeout

log = logging.getLogger(__name__)

GROUP = "archiver"
STREAMS = (keys.ALARM_STREAM, keys.READING_STREAM)
QUARANTINE_CHANNELS = {
    keys.ALARM_STREAM: quarantine.ARCHIVER_ALARMS,
    keys.READING_STREAM: quarantine.ARCHIVER_READINGS,
}
MAX_ROWS_PER_TRANSACTION = 10_000
SUMMARY_EVERY_S = 60.0
RESTORE_RETRY_S = 30.0
# A consumer that has nothing pending and has not read for this long is gone: forget it.
FORGET_CONSUMER_AFTER_MS = 3_600_000

Read = list[tuple[str, str, dict[str, str]]]


def _transient(exc: BaseException) -> bool:
    """True for an outage (retry later, unchanged), False for a fault of the entry itself."""
    if isinstance(exc, WarehouseTimeout):
        return False
    return isinstance(
        exc,
        redis.ConnectionError
        | redis.TimeoutError
        | sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | ConnectionError,
    )


# Readings past the retention period are pruned once an hour.
PRUNE_EVERY_S = 3600.0


class Archiver:
    """Drains `se:stream:alarms` and `se:stream:readings` into the warehouse."""

    def __init__(
        self,
        sources: Sources,
        consumer: str | None = None,
        batch: int = 500,
        block_ms: int = 1000,
        claim_idle_ms: int = 15_000,
        max_deliveries: int = 5,
        claim_every_s: float = 5.0,
        write_timeout_s: float = 60.0,
        retry_delay_s: float = 1.0,
        retention_days: float | None = None,
        housekeeping_every_s: float | None = 10.0,
    ) -> None:
        self.sources = sources
        self.live = sources.live
        self.r = sources.live.r
        self.wh = sources.warehouse
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.batch = batch
        # A blocking read must return before the client's socket timeout fires.
        socket_timeout = self.r.connection_pool.connection_kwargs.get("socket_timeout")
        if socket_timeout:
            block_ms = min(block_ms, max(int(socket_timeout * 1000) - 500, 10))
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.max_deliveries = max_deliveries
        self.claim_every_s = claim_every_s
        self.write_timeout_s = write_timeout_s
        self.retry_delay_s = retry_delay_s
        self._claim_from = dict.fromkeys(STREAMS, "0-0")
        self._next_claim = 0.0
        self._next_restore = 0.0
        if retention_days is None:
            retention_days = getattr(sources.settings, "READINGS_RETENTION_DAYS", 0)
        self.retention_days = retention_days
        self._next_prune = 0.0
        settings = sources.settings
        self.alarm_events_days = getattr(settings, "ALARM_EVENTS_RETENTION_DAYS", 365)
        self.audit_days = getattr(settings, "AUDIT_RETENTION_DAYS", 183)
        self.closed_keep_s = getattr(settings, "CLOSED_ALARMS_KEEP_S", 86400)
        # None: no housekeeping (tests of other parts look at the untrimmed streams).
        self.housekeeping_every_s = housekeeping_every_s
        self._next_housekeeping = 0.0
        self._groups_ready = False
        self._since_summary: Counter[str] = Counter()
        self._next_summary = time.monotonic() + SUMMARY_EVERY_S

    # --- one cycle ---------------------------------------------------------------------

    def run_once(self) -> dict[str, int]:
        """One read-and-write cycle; return its counts (entries, rows, failures, ...)."""
        counts: Counter[str] = Counter()
        if not self._groups_ready:
            self.ensure_groups()
        if not self.live.is_restored() and time.monotonic() >= self._next_restore:
            self._restore(counts)
        pending = self._read("0", block=None)
        counts["retried"] += len(pending)
        self._process(pending, counts)
        if time.monotonic() >= self._next_claim:
            self._next_claim = time.monotonic() + self.claim_every_s
            claimed = self._claim()
            counts["claimed"] += len(claimed)
            self._process(claimed, counts)
        busy = counts["retried"] or counts["claimed"]
        self._process(self._read(">", block=None if busy else self.block_ms), counts)
        if self.housekeeping_every_s is not None:
            if time.monotonic() >= self._next_housekeeping:
                self._next_housekeeping = time.monotonic() + self.housekeeping_every_s
                counts.update(self.trim())
            if time.monotonic() >= self._next_prune:
                self._next_prune = time.monotonic() + PRUNE_EVERY_S
                counts.update(self.purge())
        elif self.retention_days and time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + PRUNE_EVERY_S
            counts["pruned"] += self.prune()
        result = {k: v for k, v in counts.items() if v}
        log.debug("archiver %s: %s", self.consumer, result or "idle")
        self._since_summary.update(counts)
        return result

    def prune(self, now: datetime | None = None) -> int:
        """Delete readings older than the retention period; return how many went.

        A sensing network writes millions of readings a day: without this the warehouse
        grows without bound. A failure is logged and tried again next hour, never raised
        into the archiving loop.
        """
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        try:
            deleted = self.wh.execute(
                "DELETE FROM reading_history WHERE ts < :cutoff", {"cutoff": cutoff}, timeout_s=600
            )
        except Exception:  # noqa: BLE001 - pruning must never stop the archive
            log.exception("archiver: pruning readings older than %s failed", cutoff)
            return 0
        if deleted:
            log.info("archiver: pruned %d readings older than %s", deleted, cutoff.isoformat())
        return int(deleted)

    def trim(self, now: float | None = None) -> dict[str, int]:
        """Trim the Redis state that grows: archived stream entries, the closed set.

        Never trims what a consumer group has not acknowledged yet; a Redis outage is
        raised (the cycle retries), any other failure is logged and tried next time.
        """
        counts: Counter[str] = Counter()
        try:
            trimmed = housekeeping.trim_archived(self.r, STREAMS)
            counts["trimmed_alarm_entries"] += trimmed.get(keys.ALARM_STREAM, 0)
            counts["trimmed_reading_entries"] += trimmed.get(keys.READING_STREAM, 0)
            counts["trimmed_closed"] += housekeeping.trim_closed(self.r, self.closed_keep_s, now)
        except (redis.ConnectionError, redis.TimeoutError):
            raise
        except Exception:  # noqa: BLE001 - trimming must never stop the archive
            log.exception("archiver: trimming the live state failed")
        return counts

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """Hourly: prune readings, apply the retention of alarm changes and the audit trail,
        purge dead sessions and old login failures. Failures are logged, never raised."""
        counts: Counter[str] = Counter()
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

    def run_forever(self, stop: threading.Event) -> None:
        """Cycle until `stop` is set; outages back off and retry, they never end the loop."""
        log.info("archiver %s: started", self.consumer)
        backoff = 0.0
        while not stop.is_set():
            try:
                counts = self.run_once()
                backoff = 0.0
                if counts.get("failed"):
                    stop.wait(self.retry_delay_s)
            except Exception as exc:  # noqa: BLE001 - the archiver must outlive any outage
                backoff = min(max(backoff * 2, 0.5), 10.0)
                if _transient(exc):
                    log.warning("archiver: %s; retrying in %.1f s", _describe(exc), backoff)
                else:
                    log.exception("archiver: cycle failed; retrying in %.1f s", backoff)
                stop.wait(backoff)
            self._summary()
        log.info("archiver %s: stopped", self.consumer)

    # --- groups and restore ------------------------------------------------------------

    def ensure_groups(self) -> None:
        """Create the consumer group on both streams (and the streams) where missing."""
        for stream in STREAMS:
            try:
                self.r.xgroup_create(stream, GROUP, id="0", mkstream=True)
                self._claim_from[stream] = "0-0"
                log.info("archiver: created consumer group %s on %s", GROUP, stream)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    def _restore(self, counts: Counter[str]) -> None:
        # One archiver restores; the others wait for the marker (or the lease to lapse).
        if not self.live.lease("archiver-restore", self.consumer, 300):
            return
        started = time.monotonic()
        try:
            restored = rebuild_live_state(self.sources)
        except Exception as exc:  # noqa: BLE001 - archiving goes on; the restore is retried
            self._next_restore = time.monotonic() + RESTORE_RETRY_S
            if _transient(exc):
                log.warning("archiver: cannot restore the live state yet: %s", _describe(exc))
            else:
                log.exception("archiver: restoring the live state failed")
            return
        self.live.mark_restored()
        counts["restored_alarms"] += restored["alarms"]
        counts["restored_sensors"] += restored["sensors"]
        log.log(
            logging.INFO if restored["alarms"] or restored["sensors"] else logging.DEBUG,
            "archiver: live state restored from the warehouse in %.1f s: %d of %d alarms, "
            "%d sensors",
            time.monotonic() - started,
            restored["alarms"],
            restored["alarms_known"],
            restored["sensors"],
        )

    # --- reading -----------------------------------------------------------------------

    def _read(self, start: str, block: int | None) -> Read:
        streams = dict.fromkeys(STREAMS, start)
        try:
            reply = self.r.xreadgroup(GROUP, self.consumer, streams, count=self.batch, block=block)
        except redis.ResponseError:
            # NOGROUP: Redis lost the group (restarted empty). Recreate it and read again;
            # anything else fails again and surfaces.
            self.ensure_groups()
            reply = self.r.xreadgroup(GROUP, self.consumer, streams, count=self.batch, block=block)
        return [
            (stream, entry_id, fields)
            for stream, entries in reply or []
            for entry_id, fields in entries
        ]

    def _claim(self) -> Read:
        claimed: Read = []
        for stream in STREAMS:
            try:
                reply = self.r.xautoclaim(
                    stream,
                    GROUP,
                    self.consumer,
                    self.claim_idle_ms,
                    start_id=self._claim_from[stream],
                    count=self.batch,
                )
            except redis.ResponseError:
                self.ensure_groups()
                continue
            next_from, entries = reply[0], reply[1]
            self._claim_from[stream] = next_from
            claimed += [(stream, entry_id, fields) for entry_id, fields in entries]
            if entries:
                log.info(
                    "archiver %s: claimed %d idle entries of %s",
                    self.consumer,
                    len(entries),
                    stream,
                )
            self._forget_consumers(stream)
        return claimed

    def _forget_consumers(self, stream: str) -> None:
        # Each start is a new consumer name; drop the names of consumers long gone.
        for consumer in self.r.xinfo_consumers(stream, GROUP):
            if (
                consumer["name"] != self.consumer
                and consumer["pending"] == 0
                and consumer["idle"] > FORGET_CONSUMER_AFTER_MS
            ):
                self.r.xgroup_delconsumer(stream, GROUP, consumer["name"])

    # --- writing -----------------------------------------------------------------------

    def _process(self, read: Read, counts: Counter[str]) -> None:
        parsed: list[records.Entry] = []
        failed: list[tuple[str, str, dict[str, str], Exception]] = []
        gone: list[tuple[str, str]] = []
        for stream, entry_id, fields in read:
            if not fields:
                gone.append((stream, entry_id))  # trimmed or deleted before it was archived
                continue
            try:
                parsed.append(records.parse(stream, entry_id, fields))
            except Exception as exc:  # noqa: BLE001 - any parse failure is the entry's
                failed.append((stream, entry_id, fields, exc))
        if gone:
            counts["gone"] += len(gone)
            log.warning("archiver: %d entries vanished before archiving (trimmed)", len(gone))
            self._ack(gone)
        for chunk in _chunks(parsed):
            try:
                self._write(chunk)
                done = chunk
            except Exception as exc:
                if _transient(exc):
                    raise
                # Write one by one so that one bad entry does not hold up the good ones.
                done = []
                for entry in chunk:
                    try:
                        self._write([entry])
                        done.append(entry)
                    except Exception as entry_exc:
                        if _transient(entry_exc):
                            self._ack_entries(done, counts)
                            raise
                        failed.append((entry.stream, entry.id, dict(entry.fields), entry_exc))
            self._ack_entries(done, counts)
        if failed:
            self._failed(failed, counts)

    def _write(self, entries: Sequence[records.Entry]) -> None:
        steps = records.merge(entries)
        if steps:
            self.wh.execute_all(steps, timeout_s=self.write_timeout_s)

    def _ack_entries(self, entries: Sequence[records.Entry], counts: Counter[str]) -> None:
        self._ack([(e.stream, e.id) for e in entries])
        for entry in entries:
            if entry.stream == keys.ALARM_STREAM:
                counts["alarm_changes"] += 1
            else:
                counts["reading_batches"] += 1
                counts["readings"] += len(entry.readings)

    def _ack(self, entries: Sequence[tuple[str, str]]) -> None:
        by_stream: dict[str, list[str]] = {}
        for stream, entry_id in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        if not by_stream:
            return
        pipe = self.r.pipeline(transaction=False)
        for stream, ids in by_stream.items():
            pipe.xack(stream, GROUP, *ids)
        pipe.execute()

    def _failed(
        self, failed: list[tuple[str, str, dict[str, str], Exception]], counts: Counter[str]
    ) -> None:
        for stream, entry_id, fields, exc in failed:
            pending = self.r.xpending_range(stream, GROUP, min=entry_id, max=entry_id, count=1)
            if not pending:
                continue  # acked or claimed elsewhere meanwhile
            deliveries = int(pending[0]["times_delivered"])
            if deliveries < self.max_deliveries:
                counts["failed"] += 1
                log.warning(
                    "archiver: %s %s failed (delivery %d of %d): %s",
                    stream,
                    entry_id,
                    deliveries,
                    self.max_deliveries,
                    _describe(exc),
                )
                continue
            # The quarantine row commits before the ack: a crash in between quarantines the
            # entry once more (same stream and id: one row), never zero times. A warehouse
            # outage raises here, before the ack: nothing is quarantined, the entry waits.
            try:
                qid = quarantine.put(
                    self.wh,
                    source=_entry_source(fields),
                    channel=QUARANTINE_CHANNELS.get(stream, stream),
                    raw=raw_entry(stream, entry_id, fields),
                    error=f"{_describe(exc)} (after {deliveries} deliveries to {self.consumer})",
                    ref=entry_id,
                )
            except Exception as put_exc:
                if _transient(put_exc):
                    raise
                # Kept pending (never dropped) and tried again; the other entries go on.
                counts["failed"] += 1
                log.exception("archiver: cannot quarantine %s %s; kept pending", stream, entry_id)
                continue
            self.r.xack(stream, GROUP, entry_id)
            counts["quarantined"] += 1
            log.error(
                "archiver: %s %s quarantined as #%d after %d deliveries: %s",
                stream,
                entry_id,
                qid,
                deliveries,
                _describe(exc),
            )

    # --- reporting ---------------------------------------------------------------------

    def _summary(self) -> None:
        if time.monotonic() < self._next_summary:
            return
        self._next_summary = time.monotonic() + SUMMARY_EVERY_S
        totals = {k: v for k, v in self._since_summary.items() if v}
        self._since_summary.clear()
        log.info("archiver %s: last %.0f s: %s", self.consumer, SUMMARY_EVERY_S, totals or "idle")


def _chunks(entries: list[records.Entry]) -> Iterator[list[records.Entry]]:
    chunk: list[records.Entry] = []
    rows = 0
    for entry in entries:
        chunk.append(entry)
        rows += entry.rows
        if rows >= MAX_ROWS_PER_TRANSACTION:
            yield chunk
            chunk, rows = [], 0
    if chunk:
        yield chunk


def raw_entry(stream: str, entry_id: str, fields: Mapping[str, str]) -> str:
    """The raw text of a stream entry as quarantined: its stream, id and fields, as JSON."""
    return json.dumps(
        {"stream": stream, "id": entry_id, "fields": dict(fields)}, ensure_ascii=False
    )


def _entry_source(fields: Mapping[str, str]) -> str | None:
    # The upstream system of an alarm change, for the governance counts; best effort.
    try:
        source = json.loads(fields.get("body") or "{}").get("source")
    except (ValueError, AttributeError):
        return None
    return source if isinstance(source, str) else None


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:2000]


class ArchiverThread:
    """An archiver running in a daemon thread of this process; `stop()` ends it."""

    def __init__(self, archiver: Archiver) -> None:
        self.archiver = archiver
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=archiver.run_forever, args=(self._stop,), name="archiver", daemon=True
        )

    def start(self) -> ArchiverThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def start_in_process(sources: Sources, **options: Any) -> ArchiverThread:
    """Run an archiver beside the app (embedded defaults: one process owns the store)."""
    return ArchiverThread(Archiver(sources, **options)).start()
