"""Applying the alarm, reading and team status entries to the warehouse, then acknowledging them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence

from archiver import records
from archiver.errors import transient
from archiver.quarantining import Failed, Quarantining
from archiver.reading import GROUP, Read
from data_sources import keys
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

MAX_ROWS_PER_TRANSACTION = 10_000


class EntryWriting(Quarantining):
    """The writing half of the archiver; `Archiver.__init__` sets the attributes it uses."""

    wh: Warehouse
    write_timeout_s: float

    def _process(self, read: Read, counts: Counter[str]) -> None:
        parsed: list[records.Entry] = []
        failed: Failed = []
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
                if transient(exc):
                    raise
                # Write one by one so that one bad entry does not hold up the good ones.
                done = []
                for entry in chunk:
                    try:
                        self._write([entry])
                        done.append(entry)
                    except Exception as entry_exc:
                        if transient(entry_exc):
                            self._ack_entries(done, counts)
                            raise
                        failed.append((entry.stream, entry.id, dict(entry.fields), entry_exc))
            self._ack_entries(done, counts)
        if failed:
            self._failed(failed, counts)

    def _write(self, entries: Sequence[records.Entry]) -> None:
        steps = records.merge(entries)
        if self.wh.dialect == "postgresql":
            steps = [
                (records.INSERT_READINGS_PG, records.readings_as_arrays(params))
                if sql == records.INSERT_READING
                else (sql, params)
                for sql, params in steps
            ]
        if steps:
            self.wh.execute_all(steps, timeout_s=self.write_timeout_s)

    def _ack_entries(self, entries: Sequence[records.Entry], counts: Counter[str]) -> None:
        self._ack([(e.stream, e.id) for e in entries])
        for entry in entries:
            if entry.stream == keys.ALARM_STREAM:
                counts["alarm_changes"] += 1
            elif entry.stream == keys.TEAM_STREAM:
                counts["team_changes"] += 1
            else:
                counts["reading_batches"] += 1
                counts["readings"] += len(entry.readings)

    def _ack(self, entries: Sequence[tuple[str, str]]) -> None:
        by_stream: dict[str, list[str]] = {}
        for stream, entry_id in entries:
            by_stream.setdefault(stream, []).append(entry_id)
        if not by_stream:
            return
        self.streams.ack_all(GROUP, by_stream)


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
