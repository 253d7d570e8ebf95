"""A worker loop (`run_forever(stop)`) in a daemon thread of this process; `stop()` ends it.

The archiver and the connectors run this way beside the app with the embedded defaults; in
production each is its own process and no thread is involved.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class Loop(Protocol):
    def run_forever(self, stop: threading.Event) -> None: ...


class LoopThread:
    """`loop.run_forever` in a daemon thread named `name`; a crash is logged, never raised."""

    def __init__(self, loop: Loop, name: str) -> None:
        self._stop = threading.Event()
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self._loop.run_forever(self._stop)
        except Exception:
            log.exception("thread %s died", self._thread.name)

    def start(self) -> LoopThread:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
