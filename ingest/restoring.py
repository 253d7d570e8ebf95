"""Ingest while the live state is being restored: what Redis lost, the warehouse knows.

After Redis came back empty the archiver refills the live state from the warehouse, which
takes a while. Meanwhile an ack or close of an alarm the warehouse knows must be honoured,
never a 404, and a retried post of a known alarm must stay a duplicate: such an alarm is
put back on its own first (`archiver.rebuild.restore_alarm`, guarded by revision, so the
later bulk restore never overwrites the change made to it).
"""

from __future__ import annotations

import logging

from archiver.rebuild import restore_alarm
from data_sources import Sources

log = logging.getLogger(__name__)


def missing_alarm(sources: Sources, alarm_id: str) -> str:
    """An ack or close found no alarm `alarm_id` in the live state. Returns "restored" (put
    back from the warehouse: try again), "unknown" (the warehouse does not know it either)
    or "unavailable" (the live state is being restored and the warehouse cannot be asked)."""
    try:
        return "restored" if restore_alarm(sources, alarm_id) else "unknown"
    except Exception as exc:  # noqa: BLE001 - any failure to ask is the same answer
        if sources.restore.is_restored():
            # Nothing was lost: a warehouse outage cannot hide a live alarm, so 404 stands.
            log.warning("ingest: cannot look up %r in the warehouse: %s", alarm_id, exc)
            return "unknown"
        log.warning("ingest: %r not restored yet, warehouse unreachable: %s", alarm_id, exc)
        return "unavailable"


def known_alarm(sources: Sources, alarm_id: str) -> None:
    """Before a post while the live state is being restored: put the alarm back if the
    warehouse knows it, so that a retried post is a duplicate, not a second 'new'."""
    if sources.restore.is_restored():
        return
    try:
        restore_alarm(sources, alarm_id)
    except Exception as exc:  # noqa: BLE001 - the post is taken; the restore guards revisions
        log.warning("ingest: cannot look up %r in the warehouse during restore: %s", alarm_id, exc)
