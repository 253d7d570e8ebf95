"""Sampling the district duty rooms' check-ins into the warehouse (`duty_checkin_history`,
migration 0014), so that a replayed wall shows the rooms as they were.

A check-in is a heartbeat (every ~15 s from each room), kept live as one hash of epoch
seconds (`se:duty:checkin`). Between cycles the archiver reads that hash and keeps a room's
check-in when it is at least `KEEP_EVERY_S` newer than the last one it kept: what decides a
room's state on the wall (a check-in within 10 minutes) is then known to the minute, at
about 1,440 rows a room a day. The rows are keyed by (unit, at), so archivers on two hosts,
or one after a restart (it has forgotten what it kept), write each sample once. A Redis outage
is raised into the cycle (it retries); a warehouse failure is logged and tried next time:
sampling never stops the archive.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from data_sources.status import Status
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

# A room's check-in is kept when it is this much newer than the last one kept.
KEEP_EVERY_S = 60.0

# The same in PostgreSQL and SQLite.
_INSERT = (
    "INSERT INTO duty_checkin_history (unit, at) VALUES (:unit, :at) "
    "ON CONFLICT (unit, at) DO NOTHING"
)


class CheckinSampler:
    """What one archiver has kept: unit → epoch seconds of its last kept check-in."""

    def __init__(self, status: Status, warehouse: Warehouse) -> None:
        self.status = status
        self.wh = warehouse
        self.kept: dict[str, float] = {}

    def sample(self) -> int:
        """Keep the check-ins that moved on by KEEP_EVERY_S; return how many rows were sent."""
        checkins = self.status.checkins()  # a Redis outage goes up: the cycle retries
        due = {
            unit: at
            for unit, at in checkins.items()
            if at - self.kept.get(unit, float("-inf")) >= KEEP_EVERY_S
        }
        if not due:
            return 0
        rows = [{"unit": unit, "at": datetime.fromtimestamp(at, UTC)} for unit, at in due.items()]
        try:
            self.wh.execute(_INSERT, rows)
        except Exception:  # noqa: BLE001 - a lost sample costs a minute of replay, not the archive
            log.exception("archiver: keeping %d duty-room check-ins failed", len(rows))
            return 0
        self.kept.update(due)
        return len(rows)
