"""`python -m connectors mqtt|dbpull --system CODE`: one connector as its own process.

Settings from the environment as for the app (REDIS_URL, WAREHOUSE_URL, MQTT_URL,
CONNECTORS_CONFIG). Stops cleanly on SIGTERM or SIGINT: the message or batch in progress
finishes (or, unacknowledged or uncommitted, comes again), then the process exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from settings import Settings, SettingsError


def _known_systems(sources: object) -> set[str]:
    # The registry of upstream systems (issue 12 item 1) where it exists, else the old table.
    registry = getattr(sources, "systems", None)
    if registry is not None:
        frame = registry.all()
        return set(frame.loc[frame["enabled"], "code"])
    return set(sources.warehouse.query("SELECT code FROM source_systems")["code"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors", description=__doc__.splitlines()[0]
    )
    parser.add_argument("kind", choices=("mqtt", "dbpull"), help="which connector")
    parser.add_argument("--system", required=True, help="the upstream system's code, e.g. iot")
    args = parser.parse_args(argv)

    from connectors.config import ConfigError, load, mqtt_config

    try:
        settings = Settings.load()
        config = load(settings.CONNECTORS_CONFIG, settings.MQTT_URL)
    except (SettingsError, ConfigError) as exc:
        print(f"connectors: {exc}", file=sys.stderr)
        return 2
    if not settings.redis_server:
        print(
            "connectors: REDIS_URL (or REDIS_SENTINELS) is unset: with the embedded store the connectors run inside "
            "the app (python app.py with CONNECTORS_CONFIG); set REDIS_URL to run one on its own",
            file=sys.stderr,
        )
        return 2
    if args.kind == "mqtt":
        # The MQTT connector needs no configuration file: the defaults name its topics.
        chosen = config.mqtt.get(args.system) or mqtt_config(args.system, {}, settings.MQTT_URL)
    else:
        chosen = config.dbpull.get(args.system)
        if chosen is None:
            where = settings.CONNECTORS_CONFIG or "CONNECTORS_CONFIG (unset)"
            print(f"connectors: {where} has no [dbpull.{args.system}]", file=sys.stderr)
            return 2
    logging.basicConfig(
        level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from data_sources import build_sources

    sources = build_sources(settings)
    known = _known_systems(sources)
    if args.system not in known:
        print(
            f"connectors: unknown system {args.system!r} (registered: {', '.join(sorted(known))})",
            file=sys.stderr,
        )
        return 2
    if args.kind == "mqtt":
        from connectors.mqtt import MqttConnector

        connector = MqttConnector(sources, chosen)
    else:
        from connectors.dbpull import DbPull

        connector = DbPull(sources, chosen)
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logging.getLogger("connectors").info("%s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        connector.run_forever(stop)
    finally:
        sources.warehouse.engine.dispose()
        sources.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
