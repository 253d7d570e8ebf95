"""Connectors: upstream systems that do not push to the HTTP API, brought in through it.

- `mqtt`: the sensing network publishes over MQTT (paho-mqtt, a Mosquitto broker);
- `dbpull`: a legacy system keeps its alarms in its own database table.

Both validate and apply every message through `connectors.deliver`, i.e. the pydantic
models and the ingest service that `POST /api/v1/...` uses, and quarantine what HTTP would
refuse. In production each runs as its own command (`python -m connectors mqtt --system iot`,
`python -m connectors dbpull --system emergency`); with the embedded defaults the app runs
the connectors of `CONNECTORS_CONFIG` in threads (`start_in_process`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loop_thread import Loop, LoopThread

if TYPE_CHECKING:
    from connectors.config import Config
    from data_sources import Sources


class ConnectorThread(LoopThread):
    """A connector running in a daemon thread of this process; `stop()` ends it."""

    def __init__(self, connector: Loop, name: str) -> None:
        super().__init__(connector, name)
        self.connector = connector


def start_in_process(sources: Sources, config: Config) -> list[ConnectorThread]:
    """Run every connector of `config` beside the app (embedded defaults: one process)."""
    from connectors.dbpull import DbPull
    from connectors.mqtt import MqttConnector

    threads = []
    for system, mqtt_config in config.mqtt.items():
        threads.append(ConnectorThread(MqttConnector(sources, mqtt_config), f"mqtt-{system}"))
    for system, dbpull_config in config.dbpull.items():
        threads.append(ConnectorThread(DbPull(sources, dbpull_config), f"dbpull-{system}"))
    for thread in threads:
        thread.start()
    return threads
