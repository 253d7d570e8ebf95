"""The ingest API as upstream systems see it: status codes, field-named errors, idempotency,
the alarm lifecycle, incidents in the warehouse, GCJ-02 conversion, the OpenAPI document.

Most requests go through Flask's test client (the whole WSGI stack, no socket); a few go
over a real socket with urllib. Redis is the real server; the warehouse a SQLite file, or
the real PostgreSQL where it matters.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from geo.gcj02 import gcj02_to_wgs84
from tests.helpers import (
    GUSU,
    GUSU_LAT,
    GUSU_LON,
    alarm_body,
    live_snapshot,
    now_iso,
    seed_minimal_registry,
    sources_of,
)

pytestmark = pytest.mark.redis

# Each token belongs to one system: hazchem's posts the alarms and readings of these tests,
# the emergency platform's the incidents (hazchem is not registered to send incidents).
TOKEN = "a" * 20
OTHER_TOKEN = "b" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EMERGENCY = {"Authorization": f"Bearer {OTHER_TOKEN}"}


@dataclass
class Api:
    app: Any
    sources: Any
    client: Any

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: str | bytes | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False)
        if headers is None:
            headers = EMERGENCY if path.startswith("/incidents") else AUTH
        return self.client.post(
            "/api/v1" + path, data=data, content_type=content_type, headers=headers
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get("/api/v1" + path, headers=AUTH if headers is None else headers)

    def active(self) -> list[dict[str, Any]]:
        response = self.get("/alarms?status=active")
        assert response.status_code == 200
        page = response.get_json()
        assert page["total"] == len(page["items"]) and page["next_cursor"] is None
        return page["items"]

    def snapshot(self) -> dict[str, Any]:
        return live_snapshot(self.sources.redis)


def build_api(make_app, redis_url: str, warehouse_url: str) -> Api:  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=warehouse_url,
        INGEST_TOKENS=f"hazchem:{TOKEN},emergency:{OTHER_TOKEN}",
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    return Api(app, sources, app.server.test_client())


@pytest.fixture
def api(make_app, redis_url: str, sqlite_url: str) -> Api:  # noqa: ANN001
    return build_api(make_app, redis_url, sqlite_url)


@pytest.fixture
def any_api(make_app, redis_url: str, warehouse_url: str) -> Api:  # noqa: ANN001
    """The same, once on SQLite and once on the real PostgreSQL."""
    return build_api(make_app, redis_url, warehouse_url)


def assert_rejected(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body.get("error"), str) and body["error"]
    if field is not None:
        assert field in body["error"], body
    return body


# --- alarms: idempotency -----------------------------------------------------------------


def test_a_new_alarm_is_201_and_the_same_id_again_is_200_duplicate(api: Api) -> None:
    first = api.post("/alarms", alarm_body("HC-1"))
    assert first.status_code == 201
    assert first.get_json()["outcome"] == "new"
    for _ in range(4):
        again = api.post("/alarms", alarm_body("HC-1"))
        assert again.status_code == 200
        assert again.get_json()["outcome"] == "duplicate"
    active = api.active()
    assert [a["id"] for a in active] == ["HC-1"]
    assert active[0]["count"] == 1
    assert active[0]["district"] == GUSU
    assert api.snapshot()["alarm_stream"] == 1


def test_a_repeat_from_the_same_place_merges_and_says_so(api: Api) -> None:
    assert api.post("/alarms", alarm_body("HC-1")).status_code == 201
    merged = api.post("/alarms", alarm_body("HC-2"))
    assert merged.status_code == 200
    assert merged.get_json() == {"id": "HC-2", "outcome": "merged", "alarm_id": "HC-1"}
    active = api.active()
    assert len(active) == 1 and active[0]["count"] == 2


def test_an_alarm_by_site_id_takes_the_site_position_and_district(api: Api) -> None:
    body = alarm_body("HC-9", site_id="H0001", lon=None, lat=None)
    assert api.post("/alarms", body).status_code == 201
    (alarm,) = api.active()
    assert alarm["site_id"] == "H0001"
    assert alarm["district"] == GUSU
    assert alarm["lon"] == pytest.approx(GUSU_LON + 0.001)
    assert alarm["lat"] == pytest.approx(GUSU_LAT + 0.001)


def test_a_gcj02_alarm_is_stored_in_wgs84(api: Api) -> None:
    lon, lat = 120.62, 31.31
    body = alarm_body("AMAP-1", lon=lon, lat=lat, crs="gcj02")
    assert api.post("/alarms", body).status_code == 201
    (alarm,) = api.active()
    # Around Suzhou GCJ-02 lies about 0.0042° east and 0.0022° south of WGS-84.
    assert -0.0055 < alarm["lon"] - lon < -0.0035
    assert 0.0015 < alarm["lat"] - lat < 0.003
    expected = gcj02_to_wgs84(lon, lat)
    assert alarm["lon"] == pytest.approx(expected[0], abs=1e-6)
    assert alarm["lat"] == pytest.approx(expected[1], abs=1e-6)
    # The same point sent as WGS-84 is kept as it is.
    assert (
        api.post("/alarms", alarm_body("WGS-1", category="x", lon=lon, lat=lat)).status_code == 201
    )
    wgs = next(a for a in api.active() if a["id"] == "WGS-1")
    assert (wgs["lon"], wgs["lat"]) == (lon, lat)


# --- alarms: rejected requests store nothing ---------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer " + "x" * 20},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
    ],
    ids=["none", "wrong", "longer", "basic", "no-scheme", "empty"],
)
def test_a_missing_or_wrong_token_is_401_and_stores_nothing(api: Api, headers: dict) -> None:
    before = api.snapshot()
    assert_rejected(api.post("/alarms", alarm_body(), headers=headers), 401)
    assert_rejected(api.post("/readings", [], headers=headers), 401)
    assert_rejected(api.get("/alarms?status=active", headers=headers), 401)
    assert_rejected(api.post("/alarms/HC-0001/ack", {"by": "x"}, headers=headers), 401)
    assert api.snapshot() == before


def test_every_configured_token_is_accepted(api: Api) -> None:
    headers = {"Authorization": f"Bearer {OTHER_TOKEN}"}
    body = alarm_body("T-2", source="emergency")
    assert api.post("/alarms", body, headers=headers).status_code == 201


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None, "application/xml"]
)
def test_a_wrong_content_type_is_415_and_stores_nothing(api: Api, content_type: str | None) -> None:
    before = api.snapshot()
    response = api.post("/alarms", raw=json.dumps(alarm_body("CT-1")), content_type=content_type)
    assert_rejected(response, 415, "Content-Type")
    assert api.snapshot() == before


def test_json_with_a_charset_is_accepted(api: Api) -> None:
    response = api.post(
        "/alarms",
        raw=json.dumps(alarm_body("CS-1")),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201


def test_a_body_over_one_mebibyte_is_413_and_stores_nothing(api: Api) -> None:
    before = api.snapshot()
    body = alarm_body("BIG-1", detail={"blob": "x" * (1024 * 1024)})
    assert_rejected(api.post("/alarms", body), 413)
    readings = [{"sensor_id": "H0001-L1", "ts": now_iso(), "value": 1.0, "pad": "y" * 300}] * 4000
    assert_rejected(api.post("/readings", readings), 413)
    assert api.snapshot() == before


@pytest.mark.parametrize(
    "raw",
    ["{", "", "{'id': 'x'}", "alarm", '{"id": "x",}', b"\xff\xfe{}", "[" * 100_000 + "]" * 100_000],
    ids=["truncated", "empty", "python-dict", "word", "trailing-comma", "bad-utf8", "deep-nesting"],
)
def test_a_body_that_is_not_json_is_400_and_stores_nothing(api: Api, raw: str | bytes) -> None:
    before = api.snapshot()
    assert_rejected(api.post("/alarms", raw=raw), 400)
    assert_rejected(api.post("/readings", raw=raw), 400)
    assert api.snapshot() == before


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def _raw(**fields: Any) -> str:
    # ASCII escapes: lone surrogates travel as JSON escapes, the way a client sends them.
    return json.dumps(alarm_body("BAD-1", **fields))


# (raw body, the field the 422 must name)
ALARM_422 = [
    pytest.param(_replace(_raw(), "120.62", "NaN"), "lon", id="lon-NaN"),
    pytest.param(_replace(_raw(), "31.31", "Infinity"), "lat", id="lat-Infinity"),
    pytest.param(_replace(_raw(), "120.62", "-Infinity"), "lon", id="lon-minus-inf"),
    pytest.param(_replace(_raw(), "120.62", "1e400"), "lon", id="lon-overflows-to-inf"),
    pytest.param(_replace(_raw(), "23.5", "NaN"), "detail", id="detail-NaN"),
    pytest.param(_replace(_raw(), "23.5", "1e400"), "detail", id="detail-overflows-to-inf"),
    pytest.param(_raw(lon=10.0), "lon", id="lon-outside-china"),
    pytest.param(_raw(lat=60.0), "lat", id="lat-outside-china"),
    pytest.param(_raw(lon=GUSU_LAT, lat=GUSU_LON), "lon", id="lon-lat-swapped"),
    pytest.param(_raw(occurred_at="2026-05-01T10:00:00"), "occurred_at", id="time-no-offset"),
    pytest.param(_raw(occurred_at="2026-05-01"), "occurred_at", id="time-date-only"),
    pytest.param(_raw(occurred_at="yesterday"), "occurred_at", id="time-garbage"),
    pytest.param(_raw(occurred_at=now_iso(timedelta(days=1))), "occurred_at", id="time-far-future"),
    pytest.param(
        _raw(occurred_at=now_iso(timedelta(days=800))), "occurred_at", id="time-years-ahead"
    ),
    pytest.param(
        _raw(occurred_at=now_iso(timedelta(days=-800))), "occurred_at", id="time-years-ago"
    ),
    pytest.param(
        _raw(occurred_at=int(datetime.now(UTC).timestamp())),
        "occurred_at",
        id="time-epoch-number",
    ),
    pytest.param(_raw(priority="high"), "priority", id="unknown-field"),
    pytest.param(_raw(level="purple"), "level", id="level-not-one-of-four"),
    pytest.param(_raw(level="RED"), "level", id="level-upper-case"),
    pytest.param(_raw(level=1), "level", id="level-number"),
    pytest.param(_raw(title=None), "title", id="title-missing"),
    pytest.param(_raw(title="   "), "title", id="title-blank"),
    pytest.param(_raw(title="险" * 201), "title", id="title-too-long"),
    pytest.param(_raw(id=None), "id", id="id-missing"),
    pytest.param(_raw(id="a b"), "id", id="id-with-space"),
    pytest.param(_raw(id="x" * 65), "id", id="id-too-long"),
    pytest.param(_raw(id=17), "id", id="id-number"),
    pytest.param(_raw(source="HAZCHEM"), "source", id="source-upper-case"),
    pytest.param(_raw(category=None), "category", id="category-missing"),
    pytest.param(_raw(lat=None), "lat", id="lon-without-lat"),
    # The pair is checked on lat (validated after lon); its message names both.
    pytest.param(_raw(lon=None), "lat", id="lat-without-lon"),
    pytest.param(_raw(crs="bd09"), "crs", id="crs-unknown"),
    pytest.param(_raw(site_id="NO-SUCH-SITE"), "site_id", id="site-id-unknown"),
    pytest.param(_raw(site_id="../etc"), "site_id", id="site-id-bad-pattern"),
    pytest.param(_raw(detail="text"), "detail", id="detail-not-object"),
    pytest.param(_raw(detail={"blob": "x" * 9000}), "detail", id="detail-over-8k"),
    pytest.param(_raw(detail={"note": "\ud800"}), "detail.note", id="detail-lone-surrogate"),
    pytest.param(_raw(title="\udfff"), "title", id="title-lone-surrogate"),
    pytest.param(json.dumps([alarm_body("ARR-1")]), "body", id="body-is-an-array"),
    pytest.param("null", "body", id="body-is-null"),
]


@pytest.mark.parametrize(("raw", "field"), ALARM_422)
def test_an_invalid_alarm_is_422_naming_the_field_and_stores_nothing(
    api: Api, raw: str, field: str
) -> None:
    before = api.snapshot()
    body = assert_rejected(api.post("/alarms", raw=raw), 422, field)
    assert body["field"] == field
    assert api.snapshot() == before
    assert api.active() == []


def test_an_alarm_without_any_position_is_422_and_says_what_is_needed(api: Api) -> None:
    before = api.snapshot()
    body = assert_rejected(api.post("/alarms", alarm_body(lon=None, lat=None)), 422)
    assert "site_id" in body["error"] and "lon" in body["error"]
    assert api.snapshot() == before


def test_a_deeply_nested_detail_is_rejected_not_a_server_error(api: Api) -> None:
    raw = _replace(_raw(), "23.5", "[" * 50_000 + "]" * 50_000)
    before = api.snapshot()
    response = api.post("/alarms", raw=raw)
    assert response.status_code in (400, 422), response.status_code
    assert api.snapshot() == before


# --- readings ----------------------------------------------------------------------------


def reading(sensor_id: str, ts: datetime, value: float) -> dict[str, Any]:
    return {"sensor_id": sensor_id, "ts": ts.isoformat(), "value": value}


def latest(api: Api) -> dict[str, float]:
    frame = api.sources.readings.latest()
    return dict(zip(frame["sensor_id"], frame["value"]))


def test_readings_are_accepted_and_the_newest_by_event_time_wins(api: Api) -> None:
    t = datetime.now(UTC) - timedelta(minutes=10)
    batch = [
        reading("H0001-L1", t + timedelta(seconds=30), 57.0),
        reading("H0001-L1", t, 55.0),  # older, arrives later in the batch
        reading("H0001-T1", t, 24.5),
    ]
    response = api.post("/readings", batch)
    assert response.status_code in (200, 201, 202)
    assert response.get_json()["accepted"] == 3
    assert latest(api) == {"H0001-L1": 57.0, "H0001-T1": 24.5}
    # A late delivery of an old value changes nothing.
    assert api.post("/readings", [reading("H0001-L1", t, 1.0)]).status_code in (200, 201, 202)
    assert latest(api)["H0001-L1"] == 57.0


def test_a_batch_with_one_unknown_sensor_stores_none_of_it(api: Api) -> None:
    t = datetime.now(UTC) - timedelta(minutes=1)
    api.post("/readings", [reading("H0001-L1", t - timedelta(minutes=5), 50.0)])
    before = api.snapshot()
    batch = [
        reading("H0001-L1", t, 60.0),
        reading("H0001-T1", t, 30.0),
        reading("NO-SUCH-SENSOR", t, 1.0),
    ]
    body = assert_rejected(api.post("/readings", batch), 422, "sensor_id")
    assert "NO-SUCH-SENSOR" in body["error"]
    assert "2" in body["field"]  # which element of the array
    assert api.snapshot() == before
    assert latest(api) == {"H0001-L1": 50.0}


READINGS_422 = [
    pytest.param(
        '{"sensor_id": "H0001-L1", "ts": "%s", "value": 1}', "body", id="object-not-array"
    ),
    pytest.param('"H0001-L1"', "body", id="string-not-array"),
    pytest.param("[]", "readings", id="empty-array"),
    pytest.param('[{"sensor_id": "H0001-L1", "ts": "%s", "value": NaN}]', "value", id="NaN"),
    pytest.param('[{"sensor_id": "H0001-L1", "ts": "%s", "value": 1e999}]', "value", id="inf"),
    pytest.param('[{"sensor_id": "H0001-L1", "ts": "%s", "value": "high"}]', "value", id="word"),
    pytest.param('[{"sensor_id": "H0001-L1", "ts": "%s"}]', "value", id="value-missing"),
    pytest.param(
        '[{"sensor_id": "H0001-L1", "ts": "2026-05-01T10:00:00", "value": 1}]', "ts", id="no-offset"
    ),
    pytest.param(
        '[{"sensor_id": "H0001-L1", "ts": "%s", "value": 1, "unit": "m"}]', "unit", id="extra"
    ),
    pytest.param("[1, 2, 3]", "readings[0]", id="numbers"),
]


@pytest.mark.parametrize(("template", "field"), READINGS_422)
def test_an_invalid_readings_batch_is_422_naming_the_field_and_stores_nothing(
    api: Api, template: str, field: str
) -> None:
    raw = template.replace("%s", now_iso(timedelta(minutes=-1)))
    before = api.snapshot()
    assert_rejected(api.post("/readings", raw=raw), 422, field)
    assert api.snapshot() == before


def test_readings_far_in_the_future_are_refused(api: Api) -> None:
    before = api.snapshot()
    future = datetime.now(UTC) + timedelta(hours=2)
    body = assert_rejected(api.post("/readings", [reading("H0001-L1", future, 1.0)]), 422, "ts")
    assert "future" in body["error"]
    assert api.snapshot() == before


# --- lifecycle ---------------------------------------------------------------------------


def test_ack_and_close_through_the_api_record_who_and_when(api: Api) -> None:
    assert api.post("/alarms", alarm_body("LC-1", level="red")).status_code == 201
    ack_at = datetime.now(UTC) - timedelta(seconds=20)
    ack = api.post("/alarms/LC-1/ack", {"by": "值班员 张伟", "at": ack_at.isoformat()})
    assert ack.status_code == 200
    state = ack.get_json()
    assert state["status"] == "acknowledged" and state["ack_by"] == "值班员 张伟"
    assert state["ack_at"] == pytest.approx(ack_at.timestamp(), abs=0.01)
    (listed,) = api.active()
    assert listed["status"] == "acknowledged" and listed["ack_by"] == "值班员 张伟"

    close = api.post("/alarms/LC-1/close", {"by": "值班长 李娜", "note": "现场确认，已处置"})
    assert close.status_code == 200
    state = close.get_json()
    assert state["status"] == "closed" and state["closed_by"] == "值班长 李娜"
    assert state["close_note"] == "现场确认，已处置"
    assert state["closed_at"] == pytest.approx(datetime.now(UTC).timestamp(), abs=10)
    assert api.active() == []
    everything = api.get("/alarms?status=all").get_json()["items"]
    assert [(a["id"], a["status"]) for a in everything] == [("LC-1", "closed")]


def test_ack_of_an_unknown_alarm_is_404_and_ack_after_close_is_409(api: Api) -> None:
    assert_rejected(api.post("/alarms/NOPE-1/ack", {"by": "张伟"}), 404)
    assert_rejected(api.post("/alarms/NOPE-1/close", {"by": "张伟"}), 404)
    api.post("/alarms", alarm_body("LC-2"))
    assert api.post("/alarms/LC-2/close", {"by": "李娜"}).status_code == 200
    before = api.snapshot()
    assert_rejected(api.post("/alarms/LC-2/ack", {"by": "张伟"}), 409)
    assert api.snapshot() == before
    assert api.sources.alarms.get("LC-2")["ack_by"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "by"),
        ({"by": ""}, "by"),
        ({"by": "张伟", "at": "2026-05-01T10:00:00"}, "at"),
        ({"by": "张伟", "who": "x"}, "who"),
    ],
    ids=["no-by", "empty-by", "at-no-offset", "unknown-field"],
)
def test_a_bad_transition_body_is_422_and_changes_nothing(api: Api, body: dict, field: str) -> None:
    api.post("/alarms", alarm_body("LC-3"))
    before = api.snapshot()
    assert_rejected(api.post("/alarms/LC-3/ack", body), 422, field)
    assert api.snapshot() == before
    assert api.sources.alarms.get("LC-3")["status"] == "new"


def test_the_alarm_list_refuses_an_unknown_status(api: Api) -> None:
    assert_rejected(api.get("/alarms?status=bogus"), 422, "status")


# --- incidents ---------------------------------------------------------------------------


def incident(incident_id: str = "INC-20260501-001", **fields: Any) -> dict[str, Any]:
    body = {
        "id": incident_id,
        "title": "姑苏区某化工企业储罐泄漏",
        "category": "危化品泄漏",
        "level": 3,
        "lon": GUSU_LON,
        "lat": GUSU_LAT,
        "opened_at": now_iso(timedelta(minutes=-5)),
        "summary": "甲醇储罐法兰泄漏，已疏散周边人员",
    }
    return body | fields


def test_an_incident_is_opened_then_updated_with_a_timeline_row_each_time(any_api: Api) -> None:
    wh = any_api.sources.warehouse
    opened = any_api.post("/incidents", incident())
    assert opened.status_code == 201, opened.get_data(as_text=True)
    assert opened.get_json()["outcome"] == "new"
    row = wh.query("SELECT * FROM incidents WHERE id = :id", {"id": "INC-20260501-001"})
    assert len(row) == 1
    assert (row["status"].iloc[0], row["district"].iloc[0], row["level"].iloc[0]) == (
        "open",
        GUSU,
        3,
    )

    updated = any_api.post(
        "/incidents", incident(status="closed", casualties=2, note="险情排除，现场恢复")
    )
    assert updated.status_code == 200
    assert updated.get_json()["outcome"] == "updated"
    row = wh.query(
        "SELECT status, casualties, closed_at FROM incidents WHERE id = :id",
        {"id": "INC-20260501-001"},
    )
    assert row["status"].iloc[0] == "closed" and row["casualties"].iloc[0] == 2
    assert pd.notna(row["closed_at"].iloc[0])
    timeline = wh.query(
        "SELECT kind, text FROM incident_timeline WHERE incident_id = :id ORDER BY at",
        {"id": "INC-20260501-001"},
    )
    assert list(timeline["kind"]) == ["report", "update"]
    assert timeline["text"].iloc[1] == "险情排除，现场恢复"
    assert wh.count("incidents") == 1


def test_a_gcj02_incident_is_stored_in_wgs84(api: Api) -> None:
    assert api.post("/incidents", incident("INC-GCJ", crs="gcj02")).status_code == 201
    row = api.sources.warehouse.query("SELECT lon, lat FROM incidents WHERE id = 'INC-GCJ'")
    expected = gcj02_to_wgs84(GUSU_LON, GUSU_LAT)
    assert row["lon"].iloc[0] == pytest.approx(expected[0], abs=1e-6)
    assert row["lat"].iloc[0] == pytest.approx(expected[1], abs=1e-6)


def test_an_incident_outside_suzhou_is_422_and_stores_nothing(api: Api) -> None:
    assert_rejected(api.post("/incidents", incident(lon=116.39, lat=39.91)), 422, "lon")
    assert api.sources.warehouse.count("incidents") == 0
    assert api.sources.warehouse.count("incident_timeline") == 0


def test_the_longest_incident_id_the_api_accepts_is_stored(any_api: Api) -> None:
    """Every id the API's own validation lets through must fit the warehouse."""
    longest = "INC-" + "9" * 60  # 64 characters, the Code limit in ingest/models.py
    response = any_api.post("/incidents", incident(longest))
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert response.get_json()["field"] == "id"
    else:
        assert any_api.sources.warehouse.count("incidents") == 1


# --- the OpenAPI document ----------------------------------------------------------------


CONTRACT_CALLS = [
    ("post", "/api/v1/alarms"),
    ("get", "/api/v1/alarms"),
    ("post", "/api/v1/readings"),
    ("post", "/api/v1/incidents"),
    ("post", "/api/v1/alarms/{alarm_id}/ack"),
    ("post", "/api/v1/alarms/{alarm_id}/close"),
    ("get", "/api/v1/openapi.json"),
]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_is_served_without_a_token_and_covers_every_call(api: Api) -> None:
    response = api.get("/openapi.json", headers={})
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    for method, path in CONTRACT_CALLS:
        op = doc["paths"][path][method]
        assert op["responses"], (method, path)
        assert all(code.isdigit() or code == "default" for code in op["responses"])
        if method == "post":
            assert op["requestBody"]["content"]["application/json"]["schema"]
        if "{alarm_id}" in path:
            params = [p for p in op["parameters"] if p["in"] == "path"]
            assert [p["name"] for p in params] == ["alarm_id"] and params[0]["required"]
    # Every reference resolves inside the document.
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    alarm = schemas["AlarmIn"]
    assert {"id", "source", "level", "category", "title", "occurred_at"} <= set(alarm["required"])
    assert alarm.get("additionalProperties") is False
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_the_openapi_document_lists_each_call_s_statuses_paging_and_time_window(api: Api) -> None:
    doc = api.get("/openapi.json", headers={}).get_json()
    paths = doc["paths"]
    for path, item in paths.items():
        for method, op in item.items():
            if method == "post":
                assert {"400", "401", "413", "415", "422"} <= set(op["responses"]), path
    for call in ("ack", "close"):
        assert {"200", "404", "409"} <= set(
            paths[f"/api/v1/alarms/{{alarm_id}}/{call}"]["post"]["responses"]
        )
    assert {"200", "201"} <= set(paths["/api/v1/alarms"]["post"]["responses"])
    assert "202" in paths["/api/v1/readings"]["post"]["responses"]
    listing = paths["/api/v1/alarms"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"status", "limit", "cursor"}
    page = doc["components"]["schemas"]["AlarmPage"]
    assert set(page["required"]) == {"items", "total", "next_cursor"}
    # The accepted time window, on every time field and in the description.
    occurred = doc["components"]["schemas"]["AlarmIn"]["properties"]["occurred_at"]
    assert "5 minutes in the future" in occurred["description"]
    assert "a year" in occurred["description"]
    assert "405" in doc["info"]["description"]


# --- over a real socket ------------------------------------------------------------------


def _http(url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_over_http_an_upstream_system_posts_lists_and_acknowledges(api: Api, serve) -> None:  # noqa: ANN001
    base = serve(api.app).url + "/api/v1"
    status, body = _http(base + "/alarms", alarm_body("NET-1", level="red"), AUTH)
    assert (status, body["outcome"]) == (201, "new")
    status, body = _http(base + "/alarms", alarm_body("NET-1", level="red"), AUTH)
    assert (status, body["outcome"]) == (200, "duplicate")
    status, page = _http(base + "/alarms?status=active", headers=AUTH)
    assert status == 200 and [a["id"] for a in page["items"]] == ["NET-1"]
    assert page["items"][0]["level"] == "red" and page["total"] == 1
    status, state = _http(base + "/alarms/NET-1/ack", {"by": "张伟"}, AUTH)
    assert status == 200 and state["ack_by"] == "张伟"


def test_over_http_a_missing_token_is_401_and_openapi_needs_none(api: Api, serve) -> None:  # noqa: ANN001
    base = serve(api.app).url + "/api/v1"
    before = api.snapshot()
    status, body = _http(base + "/alarms", alarm_body("NET-2"))
    assert status == 401 and body["error"]
    status, body = _http(base + "/alarms", alarm_body("NET-2"), {"Authorization": "Bearer nope"})
    assert status == 401
    assert api.snapshot() == before
    status, doc = _http(base + "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1.")


def test_over_http_a_chunked_body_over_one_mebibyte_is_413(api: Api, serve) -> None:  # noqa: ANN001
    """Without a Content-Length (chunked, as gunicorn and werkzeug pass it on) the limit holds
    too, and is reported as too large rather than as broken JSON."""
    server = serve(api.app)
    body = json.dumps(alarm_body("CHUNK-1", detail={"blob": "x" * (1100 * 1024)})).encode()
    before = api.snapshot()
    conn = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/v1/alarms",
            body=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
            headers=AUTH | {"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        payload = json.loads(response.read())
    finally:
        conn.close()
    assert api.snapshot() == before
    assert response.status == 413, payload


def test_over_http_a_small_chunked_body_is_accepted(api: Api, serve) -> None:  # noqa: ANN001
    server = serve(api.app)
    body = json.dumps(alarm_body("CHUNK-2")).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/v1/alarms",
            body=iter([body[:7], body[7:]]),
            headers=AUTH | {"Content-Type": "application/json"},
            encode_chunked=True,
        )
        assert conn.getresponse().status == 201
    finally:
        conn.close()


def test_over_http_the_same_id_sent_concurrently_is_stored_once(api: Api, serve) -> None:  # noqa: ANN001
    base = serve(api.app).url + "/api/v1"
    statuses: list[int] = []
    start = threading.Barrier(16)

    def send() -> None:
        start.wait()
        statuses.append(_http(base + "/alarms", alarm_body("RACE-1"), AUTH)[0])

    threads = [threading.Thread(target=send) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200] * 15 + [201]
    assert [a["id"] for a in api.active()] == ["RACE-1"]
    assert api.snapshot()["alarm_stream"] == 1


def test_a_fresh_app_is_set_up_before_its_first_request(api: Api, serve) -> None:  # noqa: ANN001
    # Dash sets itself up in the first request's hooks; two first requests at once raced there
    # (the pages router added while the other iterated the callbacks) and one answered 500.
    assert any("_pages_content" in key for key in api.app.callback_map)
    base = serve(api.app).url
    start = threading.Barrier(12)
    statuses: list[int] = []

    def ask(path: str) -> None:
        start.wait()
        try:
            with urllib.request.urlopen(base + path, timeout=20) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    paths = ["/healthz", "/readyz", "/wall", "/login"] * 3
    threads = [threading.Thread(target=ask, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(statuses) == 12
    assert all(s < 500 for s in statuses), statuses


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("post", "/api/v1/alarm", 404, None),
        ("put", "/api/v1/alarms", 405, "GET, POST"),
        ("delete", "/api/v1/alarms/HC-1/ack", 405, "POST"),
        ("get", "/api/v1/alarms/HC-1/close", 405, "POST"),
        ("get", "/api/v1/readings", 405, "POST"),
        ("patch", "/api/v1/incidents", 405, "POST"),
        ("get", "/api/v1/heartbeat", 405, "POST"),
        ("get", "/api/v1/rollcall/answer", 405, "POST"),
        ("post", "/api/v1/openapi.json", 405, "GET"),
        ("get", "/api/v1/no-such-call", 404, None),
    ],
)
def test_a_wrong_path_is_404_and_a_wrong_method_405_with_a_json_error(
    api: Api, method: str, path: str, status: int, allow: str | None
) -> None:
    """ingest/api.py promises JSON errors, never an HTML page, to upstream systems."""
    before = api.snapshot()
    response = getattr(api.client, method)(path, headers=AUTH, json={})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]
    if allow is not None:
        assert response.headers["Allow"] == allow
    assert api.snapshot() == before


@pytest.mark.parametrize("quoted_id", ["%2F%0A", "0%2F%0A"])
def test_an_id_with_a_slash_or_newline_gets_a_json_404_not_a_redirect(api: Api, quoted_id) -> None:  # noqa: ANN001
    # Found by the fuzz: "//" was merged into "/" with a 308, and a newline escaped the
    # catch-all, whose 404 then came as Flask's HTML page.
    response = api.client.post(f"/api/v1/alarms/{quoted_id}/ack", json={"by": "张伟"}, headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"].startswith("no such call")
