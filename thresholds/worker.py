"""The threshold worker: readings stream → engine → alarms, plus the escalation of red alarms.

It reads `se:stream:readings` in its own consumer group (`thresholds`), so the archiver's
progress and its own are independent. One worker acts per Redis (a lease); it keeps the
engine's state in the hash `se:thresholds:state` (sensor id → JSON), written in the same
MULTI as the XACK of the entries that changed it. After a crash the unacknowledged entries
come back and produce the same events with the same alarm ids
(`thr-<sensor>-<rule>-<episode>`), which the live state takes as duplicates: nothing is lost,
nothing doubled. Raised events become alarms through `ingest.service.put_alarm`, the path
every alarm takes; cleared ones close their alarm.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pandas as pd
import redis
from pydantic import ValidationError

from data_sources import Sources, keys
from data_sources.alarms import Alarms
from ingest import service
from thresholds.alarms import WHO, alarm_id, alarm_of, close_note
from thresholds.engine import Engine, Event
from thresholds.escalation import due_escalations, escalation_text
from thresholds.rules import Rules, load_rules

log = logging.getLogger(__name__)

# Belongs in data_sources.keys (the lead moves it): sensor id → engine state (JSON).
STATE_KEY = keys.THRESHOLD_STATE
GROUP = "thresholds"
# One name for every process: the lease holder inherits the pending entries of the last one.
CONSUMER = "engine"
LEASE = "thresholds"


def record_escalation(alarms: Alarms, alarm: str, stage: int, at: float) -> bool:
    """Write `stage` into the alarm once (and into the audit stream); True when written."""
    return alarms.escalate(alarm, stage, at)


class LeaseLost(RuntimeError):
    """Another worker took over; this one starts again from the saved state."""


class ThresholdWorker:
    """Runs the engine over the readings stream; `run_once` is one step, `start` a thread."""

    def __init__(
        self,
        sources: Sources,
        rules: Rules | None = None,
        *,
        batch: int = 200,
        block_ms: int = 1000,
        sweep_every_s: float = 5.0,
        registry_every_s: float = 60.0,
        lease_ttl_s: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sources = sources
        self.alarms = sources.alarms
        self.streams = sources.streams
        self.rules = rules if rules is not None else load_rules()
        self.batch = batch
        self.block_ms = block_ms
        self.sweep_every_s = sweep_every_s
        self.registry_every_s = registry_every_s
        self.lease_ttl_s = lease_ttl_s
        self.clock = clock
        self.owner = uuid.uuid4().hex
        self.engine: Engine | None = None
        self._info: dict[str, dict[str, Any]] = {}
        self._pending = True
        self._leader = False
        self._last_sweep = -math.inf
        self._registry_at = -math.inf
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> ThresholdWorker:
        self._thread = threading.Thread(
            target=self.run, args=(self._stop,), name="thresholds", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(redis.RedisError):  # else the lease runs out by itself
            self.streams.release(LEASE, self.owner)

    def run(self, stop: threading.Event) -> None:
        """Step until `stop` is set; a failed step starts again from the saved state."""
        while not stop.is_set():
            try:
                self.run_once(block_ms=self.block_ms)
                if not self._leader:
                    stop.wait(self.lease_ttl_s / 3)
            except redis.RedisError as exc:
                log.warning("thresholds: Redis: %s; retrying from the saved state", exc)
                self.engine = None
                stop.wait(1.0)
            except Exception:  # noqa: BLE001 - the worker must outlive a bad step
                log.exception("thresholds: step failed; retrying from the saved state")
                self.engine = None
                stop.wait(1.0)

    # --- one step ------------------------------------------------------------------------

    def run_once(self, block_ms: int | None = None) -> int:
        """Process one batch of stream entries (and sweep when due); return how many."""
        if not self.streams.lease(LEASE, self.owner, self.lease_ttl_s):
            self._leader = False
            return 0
        if not self._leader or self.engine is None:
            # Just became the leader (or recovering): start from what the last one saved.
            self._load()
            self._leader = True
        engine = self.engine
        assert engine is not None
        now = self.clock()
        if now - self._registry_at >= self.registry_every_s:
            self._apply_all(engine.update_registry(*self._registry()))
            self._commit([])
        entries = self._read(block_ms)
        if entries:
            readings: list[tuple[str, float, float]] = []
            for entry_id, fields in entries:
                readings += _parse_batch(entry_id, fields)
            self._apply_all(engine.observe_many(readings))
            self._commit([entry_id for entry_id, _ in entries])
        # Silence is judged against the clock only once the backlog is read: a worker
        # catching up would otherwise find every sensor silent.
        caught_up = len(entries) < self.batch and not self._pending
        if caught_up and now - self._last_sweep >= self.sweep_every_s:
            self._last_sweep = now
            self._apply_all(engine.sweep(now))
            self._commit([])
            self._escalate(now)
        return len(entries)

    def _registry(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        registry = self.sources.registry
        sensors, hazards = registry.sensors(), registry.hazard_sources()
        enterprise = dict(zip(hazards["id"], hazards["enterprise"])) if len(hazards) else {}
        self._info = {}
        for row in sensors.to_dict("records"):
            kind = self.rules.kind(str(row["kind"]))
            self._info[str(row["id"])] = {
                "enterprise": enterprise.get(row["hazard_source_id"], ""),
                "name": row["name"],
                "unit": row["unit"] or "",
                "kind": row["kind"],
                "kind_name": kind.name,
                "hazard_source_id": row["hazard_source_id"],
            }
        self._registry_at = self.clock()
        return sensors, pd.DataFrame(hazards[["id", "grade"]]) if len(hazards) else hazards

    def _load(self) -> None:
        sensors, hazards = self._registry()
        engine = Engine(self.rules, sensors, hazards)
        saved = {}
        for sensor_id, raw in self.streams.threshold_states().items():
            try:
                saved[sensor_id] = json.loads(raw)
            except ValueError:
                log.warning(
                    "thresholds: unreadable saved state of %s; starting it afresh", sensor_id
                )
        engine.load_states(saved)
        self.engine = engine
        self._pending = True
        self._ensure_group("$")

    def _ensure_group(self, start: str) -> None:
        self.streams.ensure_group(keys.READING_STREAM, GROUP, start)

    def _read(self, block_ms: int | None) -> list[tuple[str, dict[str, str] | None]]:
        try:
            if self._pending:
                # Our own unacknowledged entries first (a crash or a lost leader left them).
                reply = self.streams.read(GROUP, CONSUMER, {keys.READING_STREAM: "0"}, self.batch)
                entries = reply[0][1] if reply else []
                if entries:
                    return entries
                self._pending = False
            reply = self.streams.read(
                GROUP, CONSUMER, {keys.READING_STREAM: ">"}, self.batch, block_ms
            )
            return reply[0][1] if reply else []
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            # Redis came back empty: everything in the new stream is unread, so start at 0,
            # and write the whole engine state again.
            log.warning("thresholds: consumer group gone; recreating it")
            self._ensure_group("0")
            assert self.engine is not None
            self.engine.mark_all_dirty()
            self._commit([])
            return []

    def _commit(self, entry_ids: list[str]) -> None:
        """Save the changed engine state and acknowledge the entries, in one transaction."""
        assert self.engine is not None
        dirty = self.engine.take_dirty()
        if not dirty and not entry_ids:
            return
        self.streams.save_threshold_states(dirty, keys.READING_STREAM, GROUP, entry_ids)

    # --- events → alarms -----------------------------------------------------------------

    def _apply_all(self, events: list[Event]) -> None:
        renewed = time.monotonic()
        for event in events:
            if time.monotonic() - renewed > self.lease_ttl_s / 3:
                # A flood of alarms takes a while: keep the lease, or stop if it was lost.
                if not self.streams.lease(LEASE, self.owner, self.lease_ttl_s):
                    raise LeaseLost("thresholds: lease lost while storing alarms")
                renewed = time.monotonic()
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Raise: store the alarm through the ingest path. Clear: close it."""
        aid = alarm_id(event.sensor_id, event.rule, event.episode)
        if event.kind == "clear":
            note = close_note(event, self._info.get(event.sensor_id, {}))
            outcome = self.alarms.transition(aid, "closed", who=WHO, at=event.ts, note=note)
            if outcome == "missing":
                log.info("thresholds: no alarm %s to close", aid)
            return
        try:
            alarm = alarm_of(aid, event, self._info.get(event.sensor_id))
            service.put_alarm(self.sources, alarm)
        except (ValidationError, service.Rejected) as exc:
            # Not retryable (a reading dated a year back, a sensor no longer in the sites):
            # log it and go on, or the batch would come back forever.
            log.warning("thresholds: alarm %s not stored: %s", aid, exc)

    # --- escalation ----------------------------------------------------------------------

    def _escalate(self, now: float) -> None:
        """Record each stage an unacknowledged alarm reaches, once, on the alarm."""
        rules = self.rules.escalation
        alarms = self.alarms.active(limit=10_000, closed_window_s=0)
        alarms = alarms[alarms["level"].isin(sorted(rules.levels)) & (alarms["status"] == "new")]
        if alarms.empty:
            return
        already = self.alarms.escalations(list(alarms["id"]))
        for aid, stage in due_escalations(alarms, now, already, rules.after_s, rules.levels):
            if record_escalation(self.alarms, aid, stage, now):
                log.warning("thresholds: alarm %s %s", aid, escalation_text(stage, rules.after_s))


def _parse_batch(entry_id: str, fields: dict[str, str] | None) -> list[tuple[str, float, float]]:
    """The readings of one stream entry; a malformed entry or reading is logged and skipped."""
    if not fields or "batch" not in fields:
        # Trimmed from the stream before we read it, or not a readings entry at all.
        return []
    try:
        raw = json.loads(fields["batch"])
    except ValueError:
        log.warning("thresholds: entry %s is not JSON; skipped", entry_id)
        return []
    readings = []
    for item in raw if isinstance(raw, list) else []:
        try:
            sensor_id, ts, value = item
            readings.append((str(sensor_id), float(ts), float(value)))
        except (TypeError, ValueError):
            log.warning("thresholds: entry %s has a bad reading %r; skipped", entry_id, item)
    return readings


def start_in_process(sources: Sources, rules: Rules | None = None) -> ThresholdWorker:
    """Run the worker in a daemon thread of this process; `.stop()` ends it."""
    return ThresholdWorker(sources, rules).start()
