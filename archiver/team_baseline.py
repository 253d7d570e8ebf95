"""The rescue teams' status as the archiver first finds it, kept where history has none.

`team_status_history` (migration 0013) holds every change that went through the team stream.
A team that was already out (dispatched, returning, off) when that began, and has not changed
since, has no row: the replayed wall showed it ready, and a Redis that lost its data got it
back as ready. Once per archiver process, after the live state is known to be whole (restored,
or never lost), each such team gets one row: its live status at that moment, `via` baseline,
with the stream id `baseline:<team>`, so that two archivers, or a restarted one, write it once
ever. A team with any row already is left alone (its changes are in the stream). A warehouse
failure is logged and tried at the next housekeeping; a Redis outage goes up to the cycle.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from archiver.records import INSERT_TEAM_STATUS
from data_sources.status import Status
from data_sources.warehouse import Warehouse
from vocabulary import TEAM_DEFAULT, TEAM_STATUS

log = logging.getLogger(__name__)

VIA = "baseline"
TEAM_ID_MAX = 32  # team_status_history.team_id


class TeamBaseline:
    """Done once per process (`done`), then a no-op."""

    def __init__(self, status: Status, warehouse: Warehouse) -> None:
        self.status = status
        self.wh = warehouse
        self.done = False

    def record(self) -> int:
        """Write the missing baseline rows; return how many were sent."""
        if self.done:
            return 0
        # Only what the history's columns can hold (a stray key must not fail every batch).
        out = {
            t: s
            for t, s in self.status.team_status().items()
            if s != TEAM_DEFAULT and s in TEAM_STATUS and 0 < len(t) <= TEAM_ID_MAX
        }
        try:
            known = set()
            if out:
                frame = self.wh.query("SELECT DISTINCT team_id FROM team_status_history")
                known = set(frame["team_id"])
            now = datetime.now(UTC)
            rows = [
                {
                    "team_id": team,
                    "status": status,
                    "at": now,
                    "actor": None,
                    "via": VIA,
                    "stream_id": f"{VIA}:{team}",
                }
                for team, status in sorted(out.items())
                if team not in known
            ]
            if rows:
                self.wh.execute(INSERT_TEAM_STATUS, rows)
        except Exception:  # noqa: BLE001 - tried again at the next housekeeping
            log.exception("archiver: recording the teams' baseline status failed")
            return 0
        self.done = True
        if rows:
            log.info("archiver: %d teams out with no history recorded as of now", len(rows))
        return len(rows)
