"""Rebuilding the live state after Redis lost it: one archiver holds the lease and restores."""

from __future__ import annotations

import logging
import time
from collections import Counter

from archiver.errors import describe, transient
from archiver.rebuild import rebuild_live_state
from data_sources import Sources
from data_sources.streams import Streams

log = logging.getLogger(__name__)

RESTORE_RETRY_S = 30.0


class RestoreLease:
    """The archiver's restore step; `Archiver.__init__` sets the attributes it uses."""

    sources: Sources
    streams: Streams
    consumer: str
    _next_restore: float

    def _restore(self, counts: Counter[str]) -> None:
        # One archiver restores; the others wait for the marker (or the lease to lapse).
        if not self.streams.lease("archiver-restore", self.consumer, 300):
            return
        started = time.monotonic()
        try:
            restored = rebuild_live_state(self.sources)
        except Exception as exc:  # noqa: BLE001 - archiving goes on; the restore is retried
            self._next_restore = time.monotonic() + RESTORE_RETRY_S
            if transient(exc):
                log.warning("archiver: cannot restore the live state yet: %s", describe(exc))
            else:
                log.exception("archiver: restoring the live state failed")
            return
        self.sources.restore.mark_restored()
        counts["restored_alarms"] += restored["alarms"]
        counts["restored_sensors"] += restored["sensors"]
        counts["restored_teams"] += restored["teams"]
        counts["restored_checkins"] += restored["checkins"]
        log.log(
            logging.INFO if any(restored.values()) else logging.DEBUG,
            "archiver: live state restored from the warehouse in %.1f s: %d of %d alarms, "
            "%d sensors, %d teams, %d duty rooms' check-ins",
            time.monotonic() - started,
            restored["alarms"],
            restored["alarms_known"],
            restored["sensors"],
            restored["teams"],
            restored["checkins"],
        )
