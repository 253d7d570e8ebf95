"""The wall in real headless Chromium, fed through the MQTT connector the app runs itself
(CONNECTORS_CONFIG with INPROCESS_WORKERS) from the real Mosquitto broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.connector_helpers import Publisher, wait_for, write_config
from tests.helpers import alarm_body, sources_of

pytestmark = [pytest.mark.browser, pytest.mark.mqtt, pytest.mark.redis]


@pytest.fixture
def wall_server(make_app, serve, redis_url, reference_url, mqtt_url, mqtt_names, tmp_path: Path):  # noqa: ANN001
    path = write_config(
        tmp_path / "connectors.toml",
        f'[mqtt.iot]\ntopic_prefix = "{mqtt_names["topic_prefix"]}"\n'
        f'client_id = "{mqtt_names["client_id"]}"\nsession_expiry_s = 600\n',
    )
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS="iot:wall-connector-token-0123456789",
        WALL_ROTATE_S=0,
        INPROCESS_WORKERS=True,
        CONNECTORS_CONFIG=path,
        MQTT_URL=mqtt_url,
    )
    return serve(app)


def test_an_alarm_published_to_mosquitto_reaches_the_wall_alarm_feed(
    wall_server,
    page_factory,
    publisher: Publisher,
    mqtt_names,  # noqa: ANN001
) -> None:
    sources = sources_of(wall_server.app)
    page = page_factory(1920, 1080)
    page.goto(f"{wall_server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector("#alarm-feed", state="attached")

    body = alarm_body("MQTT-WALL-1", source="iot", title="感知网络 视频智能分析告警")
    topic = f"{mqtt_names['topic_prefix']}/iot/alarms"
    # The connector thread subscribes when the app starts; publish until it has (QoS 1 from
    # then on: nothing is lost, and repeats of the same id are duplicates).
    wait_for(
        lambda: publisher.publish(topic, body) or sources.alarms.get("MQTT-WALL-1"),
        "the connector to take the alarm",
    )
    # One read of the row in the page: its level and its text, as the wall shows them.
    shown = page.wait_for_function(
        """() => {
          const li = document.querySelector('#alarm-feed li[data-alarm-id="MQTT-WALL-1"]');
          return li && [li.dataset.level, li.innerText];
        }""",
        timeout=60_000,  # generous: a loaded 2-core machine renders slowly
    ).json_value()
    assert shown[0] == "orange"
    assert "感知网络 视频智能分析告警" in shown[1]
    assert sources.alarms.get("MQTT-WALL-1")["count"] == 1
    assert page.console_errors == []
    assert page.outside_requests == []


def test_a_bad_message_through_the_connector_is_shown_on_governance_as_text(
    wall_server,
    page_factory,
    publisher: Publisher,
    mqtt_names,  # noqa: ANN001
) -> None:
    sources = sources_of(wall_server.app)
    topic = f"{mqtt_names['topic_prefix']}/iot/alarms"
    hostile = alarm_body(
        "MQTT-BAD-1", source="iot", level="purple", title="<img src=x onerror=alert(1)>"
    )
    good = alarm_body("MQTT-GOOD-1", source="iot")
    # Once the connector is subscribed (the good alarm arrives), the bad one is taken too.
    wait_for(
        lambda: publisher.publish(topic, good) or sources.alarms.get("MQTT-GOOD-1"),
        "the connector to take the alarm",
    )
    publisher.publish(topic, hostile)
    page = page_factory(1920, 1080)
    page.goto(f"{wall_server.url}/governance")
    reject = page.locator("#gov-rejects [data-system=iot]", has_text="level:")
    reject.wait_for(timeout=60_000)  # the page's next read after the connector quarantined it
    assert "<img src=x onerror=alert(1)>" in reject.locator("pre.payload").inner_text()
    assert page.locator("#gov-rejects img").count() == 0
    assert page.console_errors == []
    assert page.outside_requests == []
