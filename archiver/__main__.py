"""`python -m archiver`: the archiver as its own process (production, REDIS_URL set).

Stops cleanly on SIGTERM or SIGINT: the cycle in progress finishes (or its unacknowledged
entries are reclaimed later), then the process exits 0.

`python -m archiver quarantine list|show ID|redrive ID...|--all|import-dead` sees and
re-drives what the archiver could not store (archiver/quarantine_cli.py).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"settings error: {exc}", file=sys.stderr)
        return 2
    if argv[:1] == ["quarantine"]:
        return _quarantine(argv[1:], settings)
    if argv:
        print("usage: python -m archiver [quarantine ...]", file=sys.stderr)
        return 2
    if not settings.redis_server:
        print(
            "REDIS_URL (or REDIS_SENTINELS) is unset: with the embedded store the archiver runs inside the app "
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
        sources.close()
    return 0


def _quarantine(argv: list[str], settings: Settings) -> int:
    logging.basicConfig(level="WARNING", format="%(levelname)s %(name)s: %(message)s")
    from archiver.quarantine_cli import main as quarantine_main
    from data_sources import build_sources

    sources = build_sources(settings)
    try:
        return quarantine_main(argv, sources)
    finally:
        sources.warehouse.engine.dispose()
        sources.close()


if __name__ == "__main__":
    sys.exit(main())
