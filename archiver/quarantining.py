"""Entries that keep failing: count a delivery, and after `max_deliveries` quarantine them.

The quarantine row commits before the ack, so the archiver never drops an entry; a warehouse
or Redis outage is not the entry's fault and never quarantines anything (the entry waits).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping

from archiver.errors import describe, transient
from archiver.reading import GROUP
from data_sources import keys, quarantine
from data_sources.streams import Streams
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

QUARANTINE_CHANNELS = {
    keys.ALARM_STREAM: quarantine.ARCHIVER_ALARMS,
    keys.READING_STREAM: quarantine.ARCHIVER_READINGS,
    keys.TEAM_STREAM: quarantine.ARCHIVER_TEAMS,
}

Failed = list[tuple[str, str, dict[str, str], Exception]]


class Quarantining:
    """What the archiver does with entries that failed; `Archiver.__init__` sets the attributes."""

    streams: Streams
    wh: Warehouse
    consumer: str
    max_deliveries: int

    def _failed(self, failed: Failed, counts: Counter[str]) -> None:
        for stream, entry_id, fields, exc in failed:
            pending = self.streams.pending_entry(stream, GROUP, entry_id)
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
                    describe(exc),
                )
                continue
            # The quarantine row commits before the ack: a crash in between quarantines the
            # entry once more (same stream and id: one row), never zero times. A warehouse
            # outage raises here, before the ack: nothing is quarantined, the entry waits.
            try:
                qid = quarantine.put(
                    self.wh,
                    source=entry_source(fields),
                    channel=QUARANTINE_CHANNELS.get(stream, stream),
                    raw=raw_entry(stream, entry_id, fields),
                    error=f"{describe(exc)} (after {deliveries} deliveries to {self.consumer})",
                    ref=entry_id,
                )
            except Exception as put_exc:
                if transient(put_exc):
                    raise
                # Kept pending (never dropped) and tried again; the other entries go on.
                counts["failed"] += 1
                log.exception("archiver: cannot quarantine %s %s; kept pending", stream, entry_id)
                continue
            self.streams.ack(stream, GROUP, entry_id)
            counts["quarantined"] += 1
            log.error(
                "archiver: %s %s quarantined as #%d after %d deliveries: %s",
                stream,
                entry_id,
                qid,
                deliveries,
                describe(exc),
            )


def raw_entry(stream: str, entry_id: str, fields: Mapping[str, str]) -> str:
    """The raw text of a stream entry as quarantined: its stream, id and fields, as JSON."""
    return json.dumps(
        {"stream": stream, "id": entry_id, "fields": dict(fields)}, ensure_ascii=False
    )


def entry_source(fields: Mapping[str, str]) -> str | None:
    """The upstream system of an alarm change, for the governance counts; best effort."""
    try:
        source = json.loads(fields.get("body") or "{}").get("source")
    except (ValueError, AttributeError):
        return None
    return source if isinstance(source, str) else None
