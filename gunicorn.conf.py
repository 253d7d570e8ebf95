"""gunicorn's settings file (read from the working directory by `gunicorn app:server`).

With several workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory before starting:
each worker writes its metrics there and /metrics sums them whichever worker answers. A
worker that exits is marked dead so that its live figures stop counting.
"""

import os


def child_exit(_server, worker) -> None:  # noqa: ANN001
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
