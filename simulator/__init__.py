"""The demo feed (`DEMO_FEED=1`): simulated upstream systems that keep the live state moving.

It posts through the ingest API, over the same HTTP handling, token check and validation
that real upstream systems go through (in-process, via the Flask test client), so `make run`
exercises the real path. One feed runs per Redis (a lease), however many workers start.
With MQTT_URL set, the sensing network speaks MQTT through the MQTT connector
(simulator/broker.py).
"""

from __future__ import annotations

from flask import Flask

from data_sources import Sources
from simulator.broker import SYSTEM, DemoBroker
from simulator.feed import DemoFeed


def start(server: Flask, sources: Sources) -> DemoFeed:
    broker, workers = _mqtt(sources)
    feed = DemoFeed(server, sources, broker=broker, workers=workers)
    feed.start()
    return feed


def _mqtt(sources: Sources) -> tuple[DemoBroker | None, list]:
    """With MQTT_URL set: the sensing network's publisher, and a connector taking its topics
    in unless CONNECTORS_CONFIG names one (in this process or its own; its prefix is used)."""
    settings = sources.settings
    if not settings.MQTT_URL:
        return None, []
    import connectors
    from connectors.config import Config, MqttConfig, load

    configured = load(settings.CONNECTORS_CONFIG, settings.MQTT_URL).mqtt.get(SYSTEM)
    workers = []
    if configured is None:
        # Nobody takes the sensing network's topics in: the demo runs its own connector.
        configured = MqttConfig(SYSTEM, url=settings.MQTT_URL, client_id=f"se-demo-{SYSTEM}")
        workers = connectors.start_in_process(sources, Config(mqtt={SYSTEM: configured}))
    return DemoBroker(settings.MQTT_URL, configured.topic_prefix), workers
