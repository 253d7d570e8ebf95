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

The jobs live beside this loop: `reading` (the group, pending and claimed entries), `writing`
(applying alarm, reading and team status entries, the acks), `quarantining`,
`restore_lease`, `retention` (trim, prune, purge), `team_baseline` (the teams out before
their history began), `checkins` (sampling the duty rooms'
check-ins, with the housekeeping) and `thread` (running it inside the app).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections import Counter

from archiver.checkins import CheckinSampler
from archiver.errors import describe, transient
from archiver.reading import GROUP, STREAMS, StreamReading
from archiver.restore_lease import RestoreLease
from archiver.retention import PRUNE_EVERY_S, Retention
from archiver.team_baseline import TeamBaseline
from archiver.writing import EntryWriting
from data_sources import Sources

log = logging.getLogger(__name__)

SUMMARY_EVERY_S = 60.0

__all__ = ["GROUP", "Archiver"]


class Archiver(StreamReading, EntryWriting, RestoreLease, Retention):
    """Drains `se:stream:alarms`, `se:stream:readings` and `se:stream:teams` into the warehouse."""

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
        self.streams = sources.streams
        self.wh = sources.warehouse
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.batch = batch
        # A blocking read must return before the client's socket timeout fires.
        socket_timeout = self.streams.socket_timeout
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
        self.checkins = CheckinSampler(sources.status, self.wh)
        self.team_baseline = TeamBaseline(sources.status, self.wh)
        self._groups_ready = False
        self._since_summary: Counter[str] = Counter()
        self._next_summary = time.monotonic() + SUMMARY_EVERY_S

    # --- one cycle ---------------------------------------------------------------------

    def run_once(self) -> dict[str, int]:
        """One read-and-write cycle; return its counts (entries, rows, failures, ...)."""
        counts: Counter[str] = Counter()
        if not self._groups_ready:
            self.ensure_groups()
        if not self.sources.restore.is_restored() and time.monotonic() >= self._next_restore:
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
                counts["checkins_kept"] += self.checkins.sample()
                if self.sources.restore.is_restored():  # else the live state may be partial
                    counts["team_baselines"] += self.team_baseline.record()
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
                if transient(exc):
                    log.warning("archiver: %s; retrying in %.1f s", describe(exc), backoff)
                else:
                    log.exception("archiver: cycle failed; retrying in %.1f s", backoff)
                stop.wait(backoff)
            self._summary()
        log.info("archiver %s: stopped", self.consumer)

    def _summary(self) -> None:
        if time.monotonic() < self._next_summary:
            return
        self._next_summary = time.monotonic() + SUMMARY_EVERY_S
        totals = {k: v for k, v in self._since_summary.items() if v}
        self._since_summary.clear()
        log.info("archiver %s: last %.0f s: %s", self.consumer, SUMMARY_EVERY_S, totals or "idle")
