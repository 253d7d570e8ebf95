"""Hostile input at the one door (ingest/body.py) and in the strict models, endpoint by
endpoint: every case that got in or gave a 500 before (issue 10, "Why" 1, 6, 7, 8) is a hand
case here. Each is refused with the status and the field it must name, and leaves the live
state and the warehouse exactly as they were.

Real Redis, a SQLite warehouse seeded with the minimal registry, Flask's test client.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from tests.helpers import (
    GUSU,
    alarm_body,
    now_iso,
    seed_minimal_registry,
    sources_of,
    store_snapshot,
)

pytestmark = pytest.mark.redis

TOKEN = "i" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Incidents come from the emergency platform (a system registered to send them).
INCIDENT_AUTH = {"Authorization": f"Bearer e{TOKEN}"}
LIVE = "LIVE-1"  # an alarm that exists, for ack and close


@dataclass
class Door:
    app: Any
    sources: Any
    client: Any

    def post(self, path: str, raw: bytes | str, content_type: str = "application/json", **kw: Any):
        data = raw.encode() if isinstance(raw, str) else raw
        return self.client.post(
            "/api/v1" + path,
            data=data,
            content_type=content_type,
            headers=(INCIDENT_AUTH if path.startswith("/incidents") else AUTH) | kw,
        )

    def snapshot(self) -> dict[str, Any]:
        return store_snapshot(self.sources)


@pytest.fixture
def door(make_app, redis_url: str, sqlite_url: str) -> Door:  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=sqlite_url,
        INGEST_TOKENS=f"hazchem:{TOKEN},emergency:e{TOKEN}",
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    result = Door(app, sources, app.server.test_client())
    assert result.post("/alarms", json.dumps(alarm_body(LIVE))).status_code == 201
    sources.rollcall.start([GUSU], 300, "值班长")
    return result


def incident(**fields: Any) -> dict[str, Any]:
    return {
        "id": "INC-IN-1",
        "title": "姑苏区某化工企业储罐泄漏",
        "category": "危化品泄漏",
        "level": 3,
        "lon": 120.62,
        "lat": 31.31,
        "opened_at": now_iso(timedelta(minutes=-5)),
    } | fields


def readings(**fields: Any) -> list[dict[str, Any]]:
    return [{"sensor_id": "H0001-L1", "ts": now_iso(timedelta(minutes=-1)), "value": 1.0} | fields]


# Every endpoint with a body, and a valid body for it (each is accepted as it is).
VALID: dict[str, Callable[[], Any]] = {
    "/alarms": lambda: alarm_body("IN-2", category="设备离线"),
    "/readings": readings,
    "/incidents": incident,
    "/heartbeat": lambda: {"source": "hazchem", "at": now_iso()},
    f"/alarms/{LIVE}/ack": lambda: {"by": "值班员 张伟", "note": "已电话核实"},
    f"/alarms/{LIVE}/close": lambda: {"by": "值班长 李娜", "note": "已处置"},
    "/rollcall/answer": lambda: {"unit": GUSU},
    "/duty/checkin": lambda: {"unit": GUSU},
}
ENDPOINTS = list(VALID)


def refused(door: Door, response: Any, status: int, field: str | None, before: dict) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    if field is not None:
        assert body["field"] == field, body
        assert field in body["error"], body
    assert door.snapshot() == before, "a refused request changed what is stored"


def test_every_valid_body_is_accepted(door: Door) -> None:
    """The other side of every refusal below: the same bodies, unbroken, get in."""
    for path in ENDPOINTS:
        before = door.snapshot()
        response = door.post(path, json.dumps(VALID[path]()))
        assert response.status_code < 300, (path, response.get_data(as_text=True)[:300])
        assert door.snapshot() != before, path


# --- U+0000 and the other control characters ("Why" 1 and 7) ----------------------------

# (endpoint, field, how to put a text into the body)
TEXT_FIELDS = [
    ("/alarms", "title", lambda t: alarm_body("IN-3", title=f"储罐{t}泄漏")),
    ("/alarms", "category", lambda t: alarm_body("IN-3", category=f"泄漏{t}")),
    ("/alarms", "detail.note", lambda t: alarm_body("IN-3", detail={"note": f"a{t}b"})),
    ("/alarms", "detail.a.b[1]", lambda t: alarm_body("IN-3", detail={"a": {"b": [1, t]}})),
    ("/alarms", "detail", lambda t: alarm_body("IN-3", detail={f"k{t}": 1})),
    ("/readings", "[0].sensor_id", lambda t: readings(sensor_id=f"H0001-L1{t}")),
    ("/incidents", "title", lambda t: incident(title=f"{t}储罐泄漏")),
    ("/incidents", "category", lambda t: incident(category=f"泄漏{t}")),
    ("/incidents", "summary", lambda t: incident(summary=f"疏散{t}")),
    ("/incidents", "note", lambda t: incident(note=f"续报{t}")),
    ("/heartbeat", "source", lambda t: {"source": f"hazchem{t}"}),
    (f"/alarms/{LIVE}/ack", "by", lambda t: {"by": f"张伟{t}"}),
    (f"/alarms/{LIVE}/ack", "note", lambda t: {"by": "张伟", "note": f"{t}"}),
    (f"/alarms/{LIVE}/close", "by", lambda t: {"by": f"{t}李娜"}),
    (f"/alarms/{LIVE}/close", "note", lambda t: {"by": "李娜", "note": f"已处置{t}"}),
    ("/rollcall/answer", "unit", lambda t: {"unit": f"{GUSU}{t}"}),
    ("/duty/checkin", "unit", lambda t: {"unit": f"{t}{GUSU}"}),
]
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\r", "\x1b", "\x1f", "\x7f", "\ud800"]


@pytest.mark.parametrize(
    ("path", "field", "build"), TEXT_FIELDS, ids=[f"{p}-{f}" for p, f, _ in TEXT_FIELDS]
)
def test_a_control_character_in_any_text_field_is_422_naming_it(
    door: Door, subtests: Any, path: str, field: str, build: Callable[[str], Any]
) -> None:
    for char in CONTROLS:
        with subtests.test(char=f"U+{ord(char):04X}"):
            before = door.snapshot()
            # ensure_ascii: the character travels as a JSON escape, as a client sends it.
            response = door.post(path, json.dumps(build(char), ensure_ascii=True))
            refused(door, response, 422, field, before)
            assert f"U+{ord(char):04X}" in response.get_json()["error"]


def test_a_raw_control_byte_in_a_body_is_400(door: Door, subtests: Any) -> None:
    for path in ENDPOINTS:
        text = json.dumps(VALID[path](), ensure_ascii=False)
        at = text.index('"', text.index(":")) + 1  # inside the first string value
        for char in ("\x00", "\x01", "\x1b"):
            with subtests.test(path=path, char=repr(char)):
                before = door.snapshot()
                refused(door, door.post(path, text[:at] + char + text[at:]), 400, None, before)


def test_tab_and_newline_are_text_and_kept(door: Door) -> None:
    title = "储罐\t泄漏\n第二行"
    assert (
        door.post("/alarms", json.dumps(alarm_body("IN-4", title=title, category="x"))).status_code
        == 201
    )
    assert door.sources.alarms.get("IN-4")["title"] == title
    note = "现场确认：\n\t1. 已关阀"
    response = door.post(f"/alarms/{LIVE}/close", json.dumps({"by": "李娜", "note": note}))
    assert response.status_code == 200
    assert door.sources.alarms.get(LIVE)["close_note"] == note


# --- depth ("Why" 6 and 7) -----------------------------------------------------------------


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(levels):
        value = {"k": value} if i % 2 else [value]
    return value


def test_a_deep_detail_is_refused_and_stores_nothing(door: Door, subtests: Any) -> None:
    """The 3.5 KB alarm of "Why" 6 (500 levels) that later knocked out the wall, and others."""
    for levels in (9, 16, 20, 500, 900, 50_000):
        with subtests.test(levels=levels):
            detail = {"k": nested(levels - 1)}  # `detail` itself is the first level
            if levels < 900:
                raw = json.dumps(alarm_body("DEEP-1", detail=detail))
            else:  # json.dumps itself would recurse too deep
                raw = json.dumps(alarm_body("DEEP-1", detail={"k": 0})).replace(
                    '{"k": 0}', '{"k": ' + "[" * levels + "]" * levels + "}"
                )
            before = door.snapshot()
            response = door.post("/alarms", raw)
            status = response.status_code
            assert status in (400, 422), response.get_data(as_text=True)[:300]
            refused(door, response, status, "detail" if status == 422 else None, before)
            assert door.sources.alarms.get("DEEP-1") is None


def test_a_detail_of_eight_levels_is_stored_and_the_wall_can_cache_it(door: Door) -> None:
    detail = {"k": nested(7, "底")}
    assert (
        door.post(
            "/alarms", json.dumps(alarm_body("DEEP-8", detail=detail, category="x"))
        ).status_code
        == 201
    )
    assert door.sources.alarms.get("DEEP-8")["detail"] == detail
    # The wall's cache pickles what it reads: a detail that got in must pickle.
    pickle.dumps(door.sources.alarms.active())


def test_a_deeply_nested_body_on_any_endpoint_is_400(door: Door, subtests: Any) -> None:
    """Roll call answered with deep JSON gave a 500 ("Why" 7); so may no endpoint."""
    for path in ENDPOINTS:
        for levels in (17, 500, 100_000):
            for raw in (
                "[" * levels + "]" * levels,
                '{"unit": ' + "[" * levels + "]" * levels + "}",
            ):
                with subtests.test(path=path, levels=levels, raw=raw[:12]):
                    before = door.snapshot()
                    refused(door, door.post(path, raw), 400, None, before)


# --- duplicate keys, key counts ("Why" 8) ------------------------------------------------


def with_duplicate(body: dict[str, Any], name: str, first: Any) -> str:
    text = json.dumps(body, ensure_ascii=False)
    return "{" + json.dumps(name) + ": " + json.dumps(first) + ", " + text[1:]


DUPLICATES = [
    ("/alarms", with_duplicate(alarm_body("DUP-1", level="red"), "level", "blue"), "level"),
    ("/alarms", with_duplicate(alarm_body("DUP-1"), "id", "DUP-0"), "id"),
    (
        "/alarms",
        json.dumps(alarm_body("DUP-2")).replace('"unit": "%LEL"', '"unit": "%LEL", "unit": "ppm"'),
        "unit",
    ),
    ("/readings", "[" + with_duplicate(readings()[0], "value", 99.0) + "]", "value"),
    ("/incidents", with_duplicate(incident(level=1), "level", 4), "level"),
    ("/heartbeat", '{"source": "hazchem", "source": "iot"}', "source"),
    (f"/alarms/{LIVE}/ack", '{"by": "张伟", "by": "李娜"}', "by"),
    (f"/alarms/{LIVE}/close", '{"by": "李娜", "note": "a", "note": "b"}', "note"),
    ("/rollcall/answer", '{"unit": "320508", "unit": "320583"}', "unit"),
    ("/duty/checkin", '{"unit": "320508", "unit": "320583"}', "unit"),
]


def test_a_key_twice_in_one_object_is_400_naming_it(door: Door, subtests: Any) -> None:
    """Last-wins stored `level` blue-then-red as red ("Why" 8)."""
    for path, raw, key in DUPLICATES:
        with subtests.test(path=path, key=key):
            before = door.snapshot()
            response = door.post(path, raw)
            refused(door, response, 400, key, before)
            assert "twice" in response.get_json()["error"]


def test_an_object_with_too_many_keys_is_400_and_a_detail_with_too_many_422(door: Door) -> None:
    before = door.snapshot()
    body = alarm_body("KEYS-1", detail={"x": {f"k{i}": i for i in range(300)}})
    refused(door, door.post("/alarms", json.dumps(body)), 400, None, before)
    body = alarm_body(
        "KEYS-1", detail={f"g{g}": {f"k{i}": i for i in range(200)} for g in range(2)}
    )
    refused(door, door.post("/alarms", json.dumps(body)), 422, "detail", before)


def test_a_batch_of_too_many_readings_is_422(door: Door) -> None:
    before = door.snapshot()
    refused(door, door.post("/readings", json.dumps(readings() * 5001)), 422, "readings", before)
    refused(door, door.post("/readings", "[" + "0," * 200_000 + "0]"), 422, "readings", before)


# --- strict types ("Why" 8) --------------------------------------------------------------

STRICT = [
    ("/alarms", alarm_body("T-1", lon="120.62"), "lon"),
    ("/alarms", alarm_body("T-1", lat="31.31"), "lat"),
    ("/alarms", alarm_body("T-1", lon=True), "lon"),
    ("/alarms", alarm_body("T-1", level=True), "level"),
    ("/alarms", alarm_body("T-1", title=5), "title"),
    ("/alarms", alarm_body("T-1", occurred_at=1764579600), "occurred_at"),
    ("/readings", readings(value="1.5"), "readings[0].value"),
    ("/readings", readings(value=True), "readings[0].value"),
    ("/readings", readings(value=[1.5]), "readings[0].value"),
    ("/incidents", incident(level=True), "level"),
    ("/incidents", incident(level="1"), "level"),
    ("/incidents", incident(level=1.0), "level"),
    ("/incidents", incident(casualties="2"), "casualties"),
    ("/incidents", incident(casualties=False), "casualties"),
    ("/incidents", incident(wind_speed_ms="1.5"), "wind_speed_ms"),
    ("/incidents", incident(lon="120.62"), "lon"),
    ("/heartbeat", {"source": "hazchem", "at": 1764579600}, "at"),
    (f"/alarms/{LIVE}/ack", {"by": 17}, "by"),
    (f"/alarms/{LIVE}/close", {"by": "李娜", "note": False}, "note"),
    ("/rollcall/answer", {"unit": 320508}, "unit"),
    ("/rollcall/answer", {"unit": GUSU, "by": "x"}, "by"),
    ("/duty/checkin", {"unit": 320508}, "unit"),
    ("/duty/checkin", {"unit": GUSU, "at": "2026-12-03T08:00:00+08:00"}, "at"),
]


def test_a_number_as_text_or_a_boolean_as_number_is_422(door: Door, subtests: Any) -> None:
    """`"1.5"` was a number and `"level": true` incident level I ("Why" 8)."""
    for i, (path, body, field) in enumerate(STRICT):
        with subtests.test(case=i, path=path, field=field):
            before = door.snapshot()
            refused(door, door.post(path, json.dumps(body)), 422, field, before)


def test_an_integer_lon_is_still_a_number(door: Door) -> None:
    body = alarm_body("INT-1", lon=121, lat=31)
    assert door.post("/alarms", json.dumps(body)).status_code == 201


# --- encoding and content type ("Why" 8) -------------------------------------------------


def test_a_body_not_in_plain_utf8_is_400(door: Door, subtests: Any) -> None:
    """UTF-16 with a BOM was accepted ("Why" 8); without one, UTF-32 and UTF-8 behind a
    byte order mark are refused too."""
    for path in ENDPOINTS:
        for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"):
            with subtests.test(path=path, encoding=encoding):
                before = door.snapshot()
                raw = json.dumps(VALID[path](), ensure_ascii=False).encode(encoding)
                response = door.post(path, raw)
                refused(door, response, 400, None, before)
                assert "UTF-8" in response.get_json()["error"]


def test_a_body_of_invalid_utf8_is_400(door: Door, subtests: Any) -> None:
    for path in ENDPOINTS:
        raw = json.dumps(VALID[path](), ensure_ascii=False).encode()
        # A stray byte, and a surrogate encoded as if it were a character (CESU-8).
        for broken in (raw.replace(b'"', b'"\xff', 1), raw.replace(b'"', b'"\xed\xa0\x80', 1)):
            with subtests.test(path=path, broken=broken[:8]):
                before = door.snapshot()
                refused(door, door.post(path, broken), 400, None, before)


def test_a_charset_other_than_utf8_is_415(door: Door, subtests: Any) -> None:
    for path in ENDPOINTS:
        for charset in ("utf-16", "iso-8859-1", "gbk", "ascii"):
            with subtests.test(path=path, charset=charset):
                before = door.snapshot()
                raw = json.dumps(VALID[path]())  # ASCII: it would parse, but the sender says
                ctype = f"application/json; charset={charset}"
                refused(door, door.post(path, raw, content_type=ctype), 415, "Content-Type", before)


def test_utf8_may_be_named_as_the_charset(door: Door) -> None:
    for charset in ("utf-8", "UTF-8", "utf8", '"utf-8"'):
        ctype = f"application/json; charset={charset}"
        response = door.post("/heartbeat", '{"source": "hazchem"}', content_type=ctype)
        assert response.status_code == 200, charset


def test_every_endpoint_refuses_what_is_not_a_plain_json_body(door: Door, subtests: Any) -> None:
    """Compressed (415), another content type (415), not JSON (400), over 1 MiB (413)."""
    big = '{"pad": "' + "x" * (1024 * 1024) + '"}'
    not_json = ["", "   ", "{", "nul", "[1,]", '{"a": 1} {"b": 2}', "{'a': 1}"]
    for path in ENDPOINTS:
        raw = json.dumps(VALID[path]())
        cases = [
            (
                "gzip",
                raw,
                {"Content-Encoding": "gzip"},
                "application/json",
                415,
                "Content-Encoding",
            ),
            ("text/plain", raw, {}, "text/plain", 415, "Content-Type"),
            ("form", raw, {}, "application/x-www-form-urlencoded", 415, "Content-Type"),
            ("1 MiB", big, {}, "application/json", 413, None),
        ] + [(f"not json {t!r}", t, {}, "application/json", 400, None) for t in not_json]
        for name, body, headers, ctype, status, field in cases:
            with subtests.test(path=path, case=name):
                before = door.snapshot()
                response = door.post(path, body, content_type=ctype, **headers)
                refused(door, response, status, field, before)


def test_the_incident_title_with_nul_that_gave_a_500_is_422(door: Door) -> None:
    """The incident case of "Why" 7 as it was found: U+0000 straight into PostgreSQL's path."""
    before = door.snapshot()
    raw = json.dumps(incident(title="泄漏\u0000"))
    refused(door, door.post("/incidents", raw), 422, "title", before)
    assert door.sources.warehouse.count("incidents") == 0
