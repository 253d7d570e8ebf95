"""An archiver running in a daemon thread beside the app (embedded defaults)."""

from __future__ import annotations

from typing import Any

from archiver.worker import Archiver
from data_sources import Sources
from loop_thread import LoopThread


class ArchiverThread(LoopThread):
    """An archiver running in a daemon thread of this process; `stop()` ends it."""

    def __init__(self, archiver: Archiver) -> None:
        super().__init__(archiver, "archiver")
        self.archiver = archiver


def start_in_process(sources: Sources, **options: Any) -> ArchiverThread:
    """Run an archiver beside the app (embedded defaults: one process owns the store)."""
    thread = ArchiverThread(Archiver(sources, **options))
    thread.start()
    return thread
