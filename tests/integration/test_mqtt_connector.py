"""The MQTT connector on the real Mosquitto broker, the real Redis and a real warehouse:
what is published reaches the live state and the warehouse once, across connector restarts,
crashes before the acknowledgement and outages; what HTTP would refuse is quarantined."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from archiver import Archiver
from connectors import ConnectorThread
from connectors.config import MqttConfig, mqtt_config
from connectors.mqtt import MqttConnector
from data_sources import Sources, quarantine
from ingest import service
from ingest.models import AlarmIn
from settings import ROOT
from tests.connector_helpers import Publisher, wait_for, write_config
from tests.helpers import alarm_body, now_iso, open_sources, seed_minimal_registry

pytestmark = [pytest.mark.redis, pytest.mark.mqtt]


class Crash(BaseException):
    """The connector process dies at this point (nothing of it runs on)."""


@pytest.fixture
def sources(tmp_path: Path, redis_url: str, sqlite_url: str) -> Iterator[Sources]:
    with open_sources(redis_url, sqlite_url, tmp_path) as built:
        seed_minimal_registry(built.warehouse)
        yield built


@pytest.fixture
def config(mqtt_url: str, mqtt_names: dict[str, str]) -> MqttConfig:
    return mqtt_config("iot", {**mqtt_names, "session_expiry_s": 600}, mqtt_url)


@pytest.fixture
def running(sources: Sources, config: MqttConfig) -> Iterator[Any]:
    """Start (and restart) connectors of `config`; all are stopped at the end."""
    threads: list[ConnectorThread] = []

    def start() -> MqttConnector:
        connector = MqttConnector(sources, config)
        threads.append(ConnectorThread(connector, "mqtt-test").start())
        wait_for(connector.subscribed.is_set, "the connector's subscription")
        return connector

    def stop() -> None:
        threads[-1].stop()
        assert not threads[-1].alive

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for thread in threads:
        thread.stop()


def iot_alarm(alarm_id: str, i: int = 0, **fields: Any) -> dict[str, Any]:
    """A valid alarm of the sensing network; a different `i` is another place (no merge)."""
    return alarm_body(alarm_id, source="iot", lon=round(120.60 + 0.002 * i, 6), **fields)


def topic(config: MqttConfig, kind: str) -> str:
    return f"{config.topic_prefix}/iot/{kind}"


def drain(sources: Sources) -> None:
    arch = Archiver(sources, consumer="test", block_ms=10, claim_every_s=0, retention_days=0)
    for _ in range(50):
        counts = arch.run_once()
        if not counts.get("alarm_changes") and not counts.get("reading_batches"):
            return
    raise AssertionError("the archiver is still busy after 50 cycles")


def active_ids(sources: Sources) -> list[str]:
    return sorted(sources.alarms.active(limit=10_000)["id"])


# --- 1. it arrives ------------------------------------------------------------------------


def test_an_alarm_published_to_mosquitto_reaches_the_live_state_and_the_warehouse(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
) -> None:
    running()
    publisher.publish(topic(config, "alarms"), iot_alarm("IOT-1", level="red"))
    alarm = wait_for(lambda: sources.alarms.get("IOT-1"), "the alarm in the live state")
    assert (alarm["source"], alarm["level"], alarm["count"]) == ("iot", "red", 1)

    drain(sources)
    rows = sources.warehouse.query("SELECT id, source, level FROM alarm_history")
    assert rows.to_dict("records") == [{"id": "IOT-1", "source": "iot", "level": "red"}]


def test_readings_heartbeats_and_transitions_use_the_topics_of_their_http_calls(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
) -> None:
    running()
    publisher.publish(
        topic(config, "readings"), [{"sensor_id": "H0001-L1", "ts": now_iso(), "value": 61.5}]
    )
    publisher.publish(topic(config, "heartbeat"), {"source": "iot"})
    publisher.publish(topic(config, "alarms"), iot_alarm("IOT-2"))
    publisher.publish(topic(config, "alarms/IOT-2/ack"), {"by": "感知网络值守"})
    publisher.publish(topic(config, "alarms/IOT-2/close"), {"by": "感知网络值守", "note": "已复位"})

    wait_for(lambda: (sources.alarms.get("IOT-2") or {}).get("status") == "closed", "the close")
    latest = sources.readings.latest().set_index("sensor_id")
    assert float(latest.loc["H0001-L1", "value"]) == 61.5
    assert "iot" in sources.status.heartbeats()
    assert sources.alarms.get("IOT-2")["ack_by"] == "感知网络值守"
    assert quarantine.list(sources.warehouse) == []


# --- 2. nothing lost while it is down, nothing doubled -----------------------------------


def test_messages_published_while_the_connector_is_stopped_all_arrive_once_after_it_restarts(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
) -> None:
    running()
    publisher.publish(topic(config, "alarms"), iot_alarm("UP-0"))
    wait_for(lambda: sources.alarms.get("UP-0"), "the first alarm")
    running.stop()

    ids = [f"DOWN-{i}" for i in range(1, 41)]
    for i, alarm_id in enumerate(ids, start=1):
        publisher.publish(topic(config, "alarms"), iot_alarm(alarm_id, i))
    assert sources.alarms.get("DOWN-1") is None  # nobody is consuming

    running()
    wait_for(lambda: len(active_ids(sources)) >= 41, "the 40 alarms published meanwhile")
    drain(sources)
    assert active_ids(sources) == sorted(["UP-0", *ids])
    frame = sources.alarms.active(limit=100)
    assert set(frame["count"]) == {1}
    history = sources.warehouse.query("SELECT id FROM alarm_history")
    assert sorted(history["id"]) == sorted(["UP-0", *ids])
    events = sources.warehouse.query("SELECT alarm_id, op FROM alarm_events")
    assert len(events) == 41 and set(events["op"]) == {"new"}


def test_a_connector_killed_after_the_write_but_before_the_ack_gets_it_again_and_stores_it_once(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doomed = MqttConnector(sources, config)

    def crash(*_args: Any) -> None:
        raise Crash

    monkeypatch.setattr(doomed.client, "ack", crash)
    died = threading.Event()

    def run() -> None:
        try:
            doomed.run_forever(threading.Event())
        except Crash:
            died.set()

    runner = threading.Thread(target=run)
    runner.start()
    wait_for(doomed.subscribed.is_set, "the doomed connector's subscription")
    publisher.publish(topic(config, "alarms"), iot_alarm("ONCE-1"))
    runner.join(timeout=15)
    assert died.is_set(), "the connector did not die at the acknowledgement"
    assert sources.alarms.get("ONCE-1") is not None  # written, never acknowledged

    outcomes = []
    real = service.put_alarm

    def spy(*args: Any) -> Any:
        outcomes.append((args[1].id, (result := real(*args))[0]))
        return result

    monkeypatch.setattr(service, "put_alarm", spy)
    running()  # the same client id: the broker hands the unacknowledged message over again
    publisher.publish(topic(config, "alarms"), iot_alarm("ONCE-2", 1))
    # The spy notes an outcome after the write it watches: wait for the note, not the write.
    wait_for(lambda: len(outcomes) >= 2, "the next alarm")
    assert outcomes == [("ONCE-1", "duplicate"), ("ONCE-2", "new")]  # delivered again
    assert sources.alarms.get("ONCE-1")["count"] == 1
    drain(sources)
    assert sorted(sources.warehouse.query("SELECT id FROM alarm_history")["id"]) == [
        "ONCE-1",
        "ONCE-2",
    ]
    events = sources.warehouse.query("SELECT op FROM alarm_events")
    assert events["op"].tolist() == ["new", "new"]
    sock = doomed.client.socket()
    if sock is not None:
        sock.close()


def test_an_ingest_outage_acknowledges_nothing_and_the_message_arrives_when_it_is_over(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = service.put_alarm
    refusals = []

    def redis_down_twice(*args: Any) -> Any:
        if len(refusals) < 2:
            refusals.append(args[1].id)
            raise redis.ConnectionError("Connection refused (simulated outage)")
        return real(*args)

    monkeypatch.setattr(service, "put_alarm", redis_down_twice)
    running()
    publisher.publish(topic(config, "alarms"), iot_alarm("OUT-1"))
    publisher.publish(topic(config, "alarms"), iot_alarm("OUT-2", 1))
    wait_for(lambda: sources.alarms.get("OUT-1") and sources.alarms.get("OUT-2"), "both alarms", 30)
    assert refusals == ["OUT-1", "OUT-1"]  # the first one twice: it was not acknowledged
    assert quarantine.list(sources.warehouse) == []  # an outage is not the message's fault


# --- 3. bad messages -----------------------------------------------------------------------


def test_bad_messages_are_quarantined_with_the_reason_and_the_good_ones_still_arrive(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
) -> None:
    running()
    bad = [
        (topic(config, "alarms"), b"{not json}", "400 body is not valid JSON"),
        (topic(config, "alarms"), b'{"id": "A", "id": "B"}', '400 key "id" appears twice'),
        (
            topic(config, "alarms"),
            '{"title": "\xff"}'.encode("latin-1"),
            "400 body is not valid UTF-8",
        ),
        (topic(config, "alarms"), b"[" * 100 + b"]" * 100, "nested deeper"),
        (topic(config, "alarms"), iot_alarm("BAD-1", level="purple"), "422 level:"),
        (
            topic(config, "alarms"),
            iot_alarm("BAD-2", occurred_at=now_iso(timedelta(hours=2))),
            "422 occurred_at",
        ),
        (topic(config, "alarms"), alarm_body("BAD-3", source="hazchem"), "403 source: 'hazchem'"),
        (topic(config, "alarms/NOPE/ack"), {"by": "x"}, "404 id: no active alarm"),
        (
            topic(config, "readings"),
            [{"sensor_id": "NO-SUCH", "ts": now_iso(), "value": 1}],
            "422 [0].sensor_id",
        ),
        (f"{config.topic_prefix}/iot/whatever", {"a": 1}, "404 no such topic"),
    ]
    for where, payload, _reason in bad:
        publisher.publish(where, payload)
    publisher.publish(topic(config, "alarms"), iot_alarm("GOOD-1"))

    wait_for(lambda: sources.alarms.get("GOOD-1"), "the good alarm after the bad ones")
    wait_for(
        lambda: len(quarantine.list(sources.warehouse, source="iot")) >= len(bad),
        "every bad message in the quarantine",
    )
    kept = quarantine.list(sources.warehouse, source="iot")
    assert {entry["channel"] for entry in kept} == {"mqtt"}
    for _where, _payload, reason in bad:
        assert any(reason in entry["error"] for entry in kept), reason
    assert "{not json}" in {entry["raw"] for entry in kept}
    assert active_ids(sources) == ["GOOD-1"]


def test_another_systems_alarm_cannot_be_acknowledged_over_this_systems_topics(
    sources: Sources,
    config: MqttConfig,
    running: Any,
    publisher: Publisher,
) -> None:
    outcome, _ = service.put_alarm(sources, AlarmIn.model_validate(alarm_body("HZ-1")))
    assert outcome == "new"
    running()
    publisher.publish(topic(config, "alarms/HZ-1/ack"), {"by": "感知网络"})
    publisher.publish(topic(config, "alarms"), iot_alarm("AFTER-1"))
    wait_for(lambda: sources.alarms.get("AFTER-1"), "the alarm after the ack")
    assert sources.alarms.get("HZ-1")["status"] == "new"
    errors = [entry["error"] for entry in quarantine.list(sources.warehouse)]
    assert len(errors) == 1 and errors[0].startswith("403 id: alarm 'HZ-1' belongs to 'hazchem'")


# --- 4. its own process ------------------------------------------------------------------


def test_python_m_connectors_mqtt_takes_messages_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
    redis_url: str,
    sources: Sources,
    config: MqttConfig,
    publisher: Publisher,
) -> None:
    path = write_config(
        tmp_path / "connectors.toml",
        f'[mqtt.iot]\ntopic_prefix = "{config.topic_prefix}"\nclient_id = "{config.client}"\n'
        "session_expiry_s = 600\n",
    )
    warehouse = str(sources.warehouse.engine.url)
    sources.warehouse.execute(
        "INSERT INTO source_systems (code, name, heartbeat_s) VALUES ('iot', '感知网络', 60)"
    )
    env = os.environ | {
        "REDIS_URL": redis_url,
        "WAREHOUSE_URL": warehouse,
        "DATA_DIR": str(tmp_path),
        "CONNECTORS_CONFIG": path,
        "MQTT_URL": config.url,
        "LOG_LEVEL": "INFO",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "connectors", "mqtt", "--system", "iot"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Published before it subscribed the first time: kept only once its session exists,
        # so publish until one arrives.
        def arrived() -> bool:
            assert proc.poll() is None, proc.communicate()
            publisher.publish(topic(config, "alarms"), iot_alarm("PROC-1"))
            return sources.alarms.get("PROC-1") is not None

        wait_for(arrived, "an alarm through the connector process", 30)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "SIGTERM: stopping" in err and "mqtt iot: stopped" in err
    assert sources.alarms.get("PROC-1")["count"] == 1


def test_python_m_connectors_refuses_an_unknown_system_by_name(
    tmp_path: Path,
    redis_url: str,
    sources: Sources,
) -> None:
    env = os.environ | {
        "REDIS_URL": redis_url,
        "WAREHOUSE_URL": str(sources.warehouse.engine.url),
        "DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "connectors", "mqtt", "--system", "iot_sensing"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown system 'iot_sensing'" in done.stderr and "hazchem" in done.stderr
