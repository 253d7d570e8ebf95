"""Connector logic without servers: payloads read by the HTTP body door, topic routing, the
configuration file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from connectors.config import ConfigError, load, mqtt_config
from connectors.deliver import Refused
from connectors.mqtt import route
from ingest import MAX_BODY
from ingest.body import MAX_DEPTH, ApiError, decode

README = Path(__file__).resolve().parents[2] / "README.md"


def parse(raw: bytes) -> Any:
    """What the MQTT connector does with a payload."""
    return decode(raw, limit=MAX_BODY)


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"\xef\xbb\xbf{}", 400, "body must be UTF-8 (no byte order mark"),
        ('{"a": "é"}'.encode("utf-16"), 400, "body must be UTF-8"),
        (b'{"title": "\xff"}', 400, "body is not valid UTF-8 (byte 11)"),
        (b'{"id": 1, "id": 2}', 400, 'key "id" appears twice in one object'),
        (b'{"a": {"b": 1, "b": 2}}', 400, 'key "b" appears twice in one object'),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), 400, "nested deeper"),
        (b"[" * 5000 + b"]" * 5000, 400, "nested deeper"),
        (b'{"t": "\\ud800"}', 422, "t: contains U+D800"),
        (b'{"t": "a\\u0007b"}', 422, "t: contains U+0007"),
        (b"", 400, "body is empty"),
        (b"{} {}", 400, "not valid JSON"),
    ],
)
def test_a_payload_http_would_refuse_is_refused_with_the_reason_http_gives(
    raw: bytes, status: int, message: str
) -> None:
    with pytest.raises(ApiError, match=re.escape(message)) as refused:
        parse(raw)
    assert refused.value.status == status


def test_an_oversized_payload_is_413() -> None:
    with pytest.raises(ApiError) as refused:
        parse(b'"' + b"x" * MAX_BODY + b'"')
    assert refused.value.status == 413


def test_a_good_payload_parses_and_nan_is_left_for_the_model_to_name() -> None:
    assert parse('{"title": "泄漏", "v": [1, 2.5]}'.encode()) == {"title": "泄漏", "v": [1, 2.5]}
    assert parse(b'{"value": NaN}')["value"] != parse(b'{"value": NaN}')["value"]


def test_topics_name_the_kind_and_the_alarm() -> None:
    config = mqtt_config("iot", {})
    assert route(config, "se/iot/alarms") == ("alarms", None)
    assert route(config, "se/iot/readings") == ("readings", None)
    assert route(config, "se/iot/heartbeat") == ("heartbeat", None)
    assert route(config, "se/iot/alarms/IOT-7/ack") == ("ack", "IOT-7")
    assert route(config, "se/iot/alarms/IOT-7/close") == ("close", "IOT-7")
    for bad in ("se/iot/alarm", "se/iot/alarms/IOT-7", "se/iot/alarms//ack", "se/hazchem/alarms"):
        with pytest.raises(Refused) as refused:
            route(config, bad)
        assert refused.value.status == 404


def test_the_readme_example_configuration_loads(tmp_path: Path) -> None:
    block = re.search(r"```toml\n(\[dbpull\.emergency\].*?)```", README.read_text(), re.S)
    assert block, "README has no [dbpull.emergency] example"
    path = tmp_path / "connectors.toml"
    path.write_text(block.group(1) + '\n[mqtt.iot]\ntopic_prefix = "se"\n', encoding="utf-8")
    config = load(path, environ={"EMERGENCY_DB_URL": "mysql+pymysql://reader@db/legacy"})
    pull = config.dbpull["emergency"]
    assert (pull.watermark, pull.watermark_kind, pull.tiebreak) == ("updated_at", "time", "rec_id")
    assert pull.values["level"]["1"] == "red"
    assert pull.prefix == "emergency-" and pull.name == "dbpull:emergency"
    assert config.mqtt["iot"].client == "se-connector-iot"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[mqtt.iot]\nqos = 2\n", "mqtt.iot: unknown key 'qos'"),
        ("[mqtt.IoT]\n", "not a system code"),
        ('[mqtt.iot]\ntopic_prefix = "se/#"\n', "mqtt.iot.topic_prefix"),
        ('[dbpull.emergency]\ntable = "t"\nwatermark = "id"\n', "needs url or url_env"),
        (
            '[dbpull.emergency]\nurl = "mysql+pymysql://h/db"\ntable = "t; DROP TABLE x"\n'
            'watermark = "id"\n',
            "not a plain column or table name",
        ),
        (
            '[dbpull.emergency]\nurl = "mysql+pymysql://h/db"\ntable = "t"\nwatermark = "id"\n'
            '[dbpull.emergency.columns]\nid = "id"\ntitle = "t"\n',
            "needs level",
        ),
        (
            '[dbpull.emergency]\nurl = "mysql+pymysql://h/db"\ntable = "t"\nwatermark = "id"\n'
            '[dbpull.emergency.columns]\nid = "id"\nlevel = "g"\ncategory = "c"\ntitle = "t"\n'
            'occurred_at = "o"\nlon = "x"\nlat = "y"\n[dbpull.emergency.values.level]\n1 = "crimson"\n',
            "our levels are red, orange, yellow, blue",
        ),
        ('[dbpull.emergency]\nurl_env = "NOPE_URL"\n', "NOPE_URL is not set"),
        ("not toml = = 1", "not valid TOML"),
    ],
)
def test_a_bad_configuration_stops_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "connectors.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load(path, environ={})


def test_the_settings_refuse_a_bad_connectors_file_at_start(tmp_path: Path) -> None:
    from settings import Settings, SettingsError

    path = tmp_path / "connectors.toml"
    path.write_text("[mqtt.iot]\nqos = 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="CONNECTORS_CONFIG=.*unknown key 'qos'"):
        Settings.load({"CONNECTORS_CONFIG": str(path)}, environ={})
    with pytest.raises(SettingsError, match="MQTT_URL"):
        Settings.load({"MQTT_URL": "http://broker"}, environ={})
