"""The archiver: drains the live alarm and reading streams into the warehouse.

It reads `se:stream:alarms` and `se:stream:readings` with the consumer group `archiver`,
writes idempotently (alarm_history by revision, alarm_events by stream entry id,
reading_history ignoring duplicates) and acknowledges after the commit. Entries of a
crashed consumer are reclaimed, poison entries end in the warehouse's quarantine table (seen
and re-driven with `python -m archiver quarantine`), the streams and the closed set are
trimmed once archived, and a Redis that came back empty gets its group back and its live
state refilled from the warehouse.

In production it runs as its own process, `python -m archiver` (needs REDIS_URL); with the
embedded defaults of `make run` the app runs it in a thread, `start_in_process(sources)`.
"""

from archiver.thread import ArchiverThread, start_in_process
from archiver.worker import GROUP, Archiver

__all__ = ["GROUP", "Archiver", "ArchiverThread", "start_in_process"]
