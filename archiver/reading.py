"""Reading the streams as one consumer of the archiver's group: new, pending and claimed entries."""

from __future__ import annotations

import logging

import redis

from data_sources import keys
from data_sources.streams import Streams

log = logging.getLogger(__name__)

GROUP = "archiver"
STREAMS = (keys.ALARM_STREAM, keys.READING_STREAM, keys.TEAM_STREAM)
# A consumer that has nothing pending and has not read for this long is gone: forget it.
FORGET_CONSUMER_AFTER_MS = 3_600_000

Read = list[tuple[str, str, dict[str, str]]]


class StreamReading:
    """The reading half of the archiver; `Archiver.__init__` sets the attributes it uses."""

    streams: Streams
    consumer: str
    batch: int
    claim_idle_ms: int
    _claim_from: dict[str, str]
    _groups_ready: bool

    def ensure_groups(self) -> None:
        """Create the consumer group on every stream (and the streams) where missing."""
        for stream in STREAMS:
            if self.streams.ensure_group(stream, GROUP, "0"):
                self._claim_from[stream] = "0-0"
                log.info("archiver: created consumer group %s on %s", GROUP, stream)
        self._groups_ready = True

    def _read(self, start: str, block: int | None) -> Read:
        streams = dict.fromkeys(STREAMS, start)
        try:
            reply = self.streams.read(GROUP, self.consumer, streams, self.batch, block)
        except redis.ResponseError:
            # NOGROUP: Redis lost the group (restarted empty). Recreate it and read again;
            # anything else fails again and surfaces.
            self.ensure_groups()
            reply = self.streams.read(GROUP, self.consumer, streams, self.batch, block)
        return [
            (stream, entry_id, fields)
            for stream, entries in reply or []
            for entry_id, fields in entries
        ]

    def _claim(self) -> Read:
        claimed: Read = []
        for stream in STREAMS:
            try:
                reply = self.streams.autoclaim(
                    stream,
                    GROUP,
                    self.consumer,
                    self.claim_idle_ms,
                    self._claim_from[stream],
                    self.batch,
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
        for consumer in self.streams.consumers(stream, GROUP):
            if (
                consumer["name"] != self.consumer
                and consumer["pending"] == 0
                and consumer["idle"] > FORGET_CONSUMER_AFTER_MS
            ):
                self.streams.drop_consumer(stream, GROUP, consumer["name"])
