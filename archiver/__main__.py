"""`python -m archiver`: the archiver as its own process (production, REDIS_URL set).

Stops cleanly on SIGTERM or SIGINT: the cycle in progress finishes (or its unacknowledged
entries are reclaimed later), then the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from settings import Settings, SettingsError


def main() -> int:
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"settings error: {exc}", file=sys.stderr)
        return 2
    if settings.REDIS_URL is None:
        print(
            "REDIS_URL is unset: with the embedded store the archiver runs inside the app "
            "(python app.py); set REDIS_URL to run it as its own process.",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from archiver import Archiver
    from data_sources import build_sources

    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logging.getLogger("archiver").info("%s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sources = build_sources(settings)
    try:
        Archiver(sources).run_forever(stop)
    finally:
        sources.warehouse.engine.dispose()
        sources.live.r.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
