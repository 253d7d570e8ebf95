"""The demo feed's MQTT side: the sensing network (感知网络) speaks MQTT, as its real devices do.

With MQTT_URL set, the feed publishes the sensing network's heartbeats, and now and then a
malformed message, to `<prefix>/iot/...` at QoS 1; the MQTT connector takes them through the
same ingest service and validation as HTTP, and quarantines the malformed one (so it shows on
/governance). Without MQTT_URL (the embedded defaults) the feed stays on HTTP only.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
SYSTEM = "iot"


class DemoBroker:
    """A QoS 1 publisher of one system's topics; publishing never blocks the feed for long."""

    def __init__(self, url: str, topic_prefix: str = "se", system: str = SYSTEM) -> None:
        parts = urlsplit(url)
        self.system = system
        self.prefix = f"{topic_prefix}/{system}"
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        if parts.scheme == "mqtts":
            self.client.tls_set()
        tls = parts.scheme == "mqtts"
        self.client.connect_async(
            parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883)
        )
        self.client.loop_start()
        self.published = 0

    def publish(self, kind: str, payload: Any) -> bool:
        """Publish `payload` (JSON, or bytes as they are) on `<prefix>/<system>/<kind>`."""
        raw = (
            payload
            if isinstance(payload, bytes)
            else json.dumps(payload, ensure_ascii=False).encode()
        )
        info = self.client.publish(f"{self.prefix}/{kind}", raw, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            log.debug(
                "demo feed: MQTT publish on %s/%s not queued (%s)", self.prefix, kind, info.rc
            )
            return False
        self.published += 1
        return True

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
