"""`python -m thresholds`: the threshold worker as its own process (needs REDIS_URL)."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from settings import Settings, SettingsError
from thresholds.rules import RulesError, load_rules


def main() -> int:
    try:
        settings = Settings.load()
        rules = load_rules()
    except (SettingsError, RulesError) as exc:
        print(f"thresholds: {exc}", file=sys.stderr)
        return 2
    if not settings.redis_server:
        print(
            "thresholds: REDIS_URL (or REDIS_SENTINELS) is unset: with the embedded store the threshold engine runs "
            "inside the app (python app.py); set REDIS_URL to run it on its own",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from flask import Flask

    from data_sources import build_sources
    from thresholds.worker import ThresholdWorker

    # A Flask app only for the data-layer cache the screens share (registry lookups).
    sources = build_sources(settings, Flask("thresholds"))
    worker = ThresholdWorker(sources, rules)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    logging.getLogger("thresholds").info("threshold worker running (Ctrl-C stops it)")
    try:
        worker.run(stop)
    finally:
        worker.stop()
        sources.warehouse.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
