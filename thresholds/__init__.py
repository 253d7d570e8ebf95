"""The threshold engine: sensor readings become alarms by rule (limits with hysteresis, rate
of change, silence, stuck values), and unacknowledged red alarms escalate.

`engine` and `rules` are pure logic; `worker` runs them over the readings stream;
`python -m thresholds` runs the worker on its own (needs REDIS_URL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_sources import Sources
    from thresholds.worker import ThresholdWorker


def start_in_process(sources: Sources) -> ThresholdWorker:
    """Run the worker in a daemon thread of this process; `.stop()` ends it."""
    from thresholds.worker import start_in_process as start

    return start(sources)
