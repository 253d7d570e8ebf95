"""MQTT: the sensing network's messages from a broker (Mosquitto), into the ingest service.

Topics, one scheme per system (`<prefix>` is `se` unless configured):

| topic | payload (the JSON of the same HTTP call) |
|---|---|
| `<prefix>/<system>/alarms` | one alarm (`POST /api/v1/alarms`) |
| `<prefix>/<system>/readings` | an array of readings (`POST /api/v1/readings`) |
| `<prefix>/<system>/heartbeat` | `{"source": "<system>"}` (`POST /api/v1/heartbeat`) |
| `<prefix>/<system>/incidents` | an incident (`POST /api/v1/incidents`) |
| `<prefix>/<system>/alarms/<id>/ack`, `.../close` | `{"by": …}` (`POST /api/v1/alarms/<id>/ack`) |

Delivery: MQTT v5, QoS 1, a fixed client id per system and a persistent session
(clean start off, a long session expiry), so the broker keeps what is published while the
connector is down and hands it over when it is back. Each message is acknowledged (PUBACK,
paho's manual ack) only after the ingest write returned: a crash before that makes the
broker send it again, and the alarm id makes the second delivery a duplicate. A message HTTP
would refuse (bad JSON, a bad field, another system's `source`) is quarantined and
acknowledged; an outage (Redis or the warehouse unreachable) acknowledges nothing,
disconnects, and the broker redelivers after the reconnect.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

import ops
from connectors.config import MqttConfig
from connectors.deliver import Refused, deliver, transient
from data_sources import Sources, connector_status, quarantine
from ingest import MAX_BODY
from ingest.body import ApiError, decode

log = logging.getLogger(__name__)
CHANNEL = "mqtt"
RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)


def route(config: MqttConfig, topic: str) -> tuple[str, str | None]:
    """(message kind, alarm id or None) of `topic`; Refused(404) when it means nothing."""
    base = f"{config.topic_prefix}/{config.system}/"
    rest = topic[len(base) :].split("/") if topic.startswith(base) else None
    if rest in (["alarms"], ["readings"], ["heartbeat"], ["incidents"]):
        return rest[0], None
    if rest and len(rest) == 3 and rest[0] == "alarms" and rest[2] in ("ack", "close") and rest[1]:
        return rest[2], rest[1]
    raise Refused(
        404,
        f"no such topic {topic!r}: use {base}alarms, readings, heartbeat, incidents "
        "or alarms/<id>/ack|close"[:300],
    )


class MqttConnector:
    """One system's MQTT connector; `run_forever(stop)` connects, consumes, reconnects."""

    def __init__(self, sources: Sources, config: MqttConfig) -> None:
        self.sources = sources
        self.config = config
        self.subscribed = threading.Event()  # the broker confirmed the subscription
        self._outage = False  # an ingest write failed: acknowledge nothing until reconnected
        self._closing = False
        self._reported = 0.0
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.config.client,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        username, password = self.config.credentials
        if username:
            client.username_pw_set(username, password)
        if self.config.host_port[2]:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    @property
    def topic(self) -> str:
        return f"{self.config.topic_prefix}/{self.config.system}/#"

    # --- callbacks (paho's network thread, which is the thread of run_forever) ------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, flags: Any, reason, _props) -> None:  # noqa: ANN001
        if reason.is_failure:
            log.error("mqtt %s: broker refused the connection: %s", self.config.system, reason)
            return
        log.info(
            "mqtt %s: connected as %s (session %s)",
            self.config.system,
            self.config.client,
            "resumed" if flags.session_present else "new",
        )
        client.subscribe(
            self.topic,
            options=SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB),
        )

    def _on_subscribe(self, _client, _userdata, _mid, reasons, _props) -> None:  # noqa: ANN001
        if any(r.is_failure for r in reasons):
            log.error(
                "mqtt %s: subscription to %s refused: %s", self.config.system, self.topic, reasons
            )
            return
        self.subscribed.set()
        self._report()

    def _on_disconnect(self, _client, _userdata, _flags, reason, _props) -> None:  # noqa: ANN001
        self.subscribed.clear()
        self._report()
        if reason.is_failure and not self._closing:
            log.warning("mqtt %s: disconnected: %s", self.config.system, reason)

    def _on_message(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if self._outage:
            return  # not acknowledged: the broker sends it again after the reconnect
        try:
            outcome = self.handle(message)
        except Exception as exc:  # noqa: BLE001 - an outage; handle() quarantines the rest
            log.warning("mqtt %s: %s; will reconnect and take it again", self.config.system, exc)
            self._outage = True
            return
        ops.count(
            "se_connector_messages_total",
            system=self.config.system,
            connector=CHANNEL,
            outcome=outcome,
        )
        client.ack(message.mid, message.qos)
        self._report(processed_at=time.time())

    def _report(self, **fields: Any) -> None:
        # Connector lag for /governance: at most one Redis write a second per connector.
        now = time.monotonic()
        if "processed_at" in fields and now - self._reported < 1.0:
            return
        self._reported = now
        try:
            connected = self.subscribed.is_set()
            connector_status.report(
                self.sources,
                f"mqtt:{self.config.system}",
                self.config.system,
                CHANNEL,
                connected=connected,
                **fields,
            )
        except Exception:  # noqa: BLE001 - lag is a figure, not the delivery
            log.debug("mqtt %s: could not report its lag", self.config.system, exc_info=True)

    # --- one message -------------------------------------------------------------------------

    def handle(self, message: mqtt.MQTTMessage) -> str:
        """Apply one message; return its outcome ("quarantined" for a refused one).

        Raises only for an outage, when the message must not be acknowledged.
        """
        raw = bytes(message.payload)
        # The topic's bytes: paho's `topic` property raises on bytes that are not UTF-8.
        topic = message._topic.decode("utf-8", errors="replace")
        try:
            kind, alarm_id = route(self.config, topic)
            data = decode(raw, limit=MAX_BODY)  # the one body door of HTTP
            return deliver(self.sources, self.config.system, kind, data, alarm_id)
        except ApiError as exc:
            error = f"{exc.status} {exc.message}"
        except Refused as exc:
            error = str(exc)
        except Exception as exc:
            if transient(exc):
                raise
            log.exception("mqtt %s: message on %s failed", self.config.system, topic)
            error = f"500 {type(exc).__name__}: {exc}"[:500]
        ops.reject(self.sources, self.config.system, "quarantined")
        quarantine.put(
            self.sources.warehouse,
            source=self.config.system,
            channel=CHANNEL,
            raw=raw,
            error=f"{error} (topic {topic})"[:2000],
        )
        log.info("mqtt %s: quarantined a message on %s: %s", self.config.system, topic, error[:200])
        return "quarantined"

    # --- the loop ----------------------------------------------------------------------------

    def _connect(self, first: bool) -> None:
        host, port, _tls = self.config.host_port
        if not first:
            self.client.reconnect()
            return
        props = Properties(PacketTypes.CONNECT)
        # The broker keeps the session (subscription and queued QoS 1 messages) this long
        # after a disconnect; clean_start=False resumes it on every connect, the first too.
        props.SessionExpiryInterval = self.config.session_expiry_s
        self.client.connect(
            host, port, keepalive=self.config.keepalive_s, clean_start=False, properties=props
        )

    def run_forever(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; reconnect after a lost connection or an outage."""
        first, connected, failures = True, False, 0
        while not stop.is_set():
            if not connected:
                try:
                    self._connect(first)
                except (OSError, ValueError) as exc:
                    wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
                    failures += 1
                    log.warning(
                        "mqtt %s: cannot connect: %s; retrying in %.0f s",
                        self.config.system,
                        exc,
                        wait,
                    )
                    stop.wait(wait)
                    continue
                first, connected, self._outage = False, True, False
            rc = self.client.loop(timeout=0.5)
            if self._outage or rc != mqtt.MQTT_ERR_SUCCESS:
                if self._outage:
                    self.client.disconnect()
                connected = False
                wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                stop.wait(wait)
            elif self.subscribed.is_set():
                failures = 0
        if connected:
            self._closing = True
            self.client.disconnect()
            self.client.loop(timeout=0.1)
        log.info("mqtt %s: stopped", self.config.system)
