"""Fixtures of the connector tests: the real Mosquitto broker and the real MariaDB server.

Each test gets its own MQTT topic prefix and client id (the broker is shared) and removes
its persistent session afterwards; each MariaDB test gets a database of its own, dropped
afterwards. `make test` (scripts/ensure_services.sh) starts both where none answers.
Loaded as a plugin by tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

TEST_MQTT_URL = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
TEST_MARIADB_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")


def wait_for(check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Publisher:
    """A plain MQTT client that publishes at QoS 1 and waits for the broker's PUBACK."""

    def __init__(self, url: str) -> None:
        import paho.mqtt.client as mqtt

        parts = urlsplit(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        self.client.loop_start()

    def publish(self, topic: str, payload: Any, qos: int = 1) -> None:
        if not isinstance(payload, bytes):
            payload = json.dumps(payload, ensure_ascii=False).encode()
        self.client.publish(topic, payload, qos=qos).wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def forget_session(url: str, client_id: str) -> None:
    """Remove a persistent session from the broker (clean start, expiry 0)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    parts = urlsplit(url)
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    client.connect(
        parts.hostname or "127.0.0.1", parts.port or 1883, clean_start=True, properties=props
    )
    client.loop_start()
    connected.wait(5)
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def mqtt_url() -> str:
    """The real broker; fails (not skips) when none answers: `make test` starts one."""
    import socket

    parts = urlsplit(TEST_MQTT_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 1883), timeout=2).close()
    except OSError as exc:
        pytest.fail(f"no MQTT broker at {TEST_MQTT_URL} ({exc}): run `make test`, which starts one")
    return TEST_MQTT_URL


@pytest.fixture
def mqtt_names(mqtt_url: str) -> Iterator[dict[str, str]]:
    """A topic prefix and client id of this test's own; its session is removed afterwards."""
    tag = uuid.uuid4().hex[:10]
    names = {"topic_prefix": f"test-{tag}/se", "client_id": f"se-test-{tag}"}
    yield names
    forget_session(mqtt_url, names["client_id"])


@pytest.fixture
def publisher(mqtt_url: str) -> Iterator[Publisher]:
    pub = Publisher(mqtt_url)
    yield pub
    pub.close()


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh database on the real MariaDB server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"se_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_MARIADB_URL, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        pytest.fail(f"no MariaDB at {TEST_MARIADB_URL} ({exc}): run `make test`, which starts one")
    try:
        yield make_url(TEST_MARIADB_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def write_config(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)
