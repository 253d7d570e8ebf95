"""Property-based fuzz of every ingest endpoint (hypothesis), through Flask's test client on
the real Redis and a SQLite warehouse.

Properties, over thousands of cases: never a 5xx; every status is one the OpenAPI document
lists for that call; every 4xx is JSON with an `error`; a rejected request stores nothing
(live state and warehouse unchanged); an accepted one is visible.

- one test per endpoint: bodies that mix valid fields with arbitrary JSON values;
- one over every endpoint with hostile framing, each break certain to be refused with a
  known status (control characters, duplicate keys, deep nesting, UTF-16/32, charsets,
  numbers as text, truncation);
- stateful sequences (a RuleBasedStateMachine): alarms posted, re-posted, acknowledged and
  closed, readings, incidents, heartbeats and roll call answers in random orders, with
  hostile requests in between, checked against a model of what must be stored.

The app is built once per test and `@given` decorates a function defined inside the test,
so no function-scoped fixture is reused across examples; each example compares the store
before and after its own request. Case counts are printed; FUZZ_SCALE (default 1) scales
them for a longer run.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ingest.openapi import document
from tests.helpers import (
    GUSU,
    alarm_body,
    live_snapshot,
    seed_minimal_registry,
    sources_of,
    store_snapshot,
)

pytestmark = [pytest.mark.slow, pytest.mark.redis]

TOKEN = "f" * 24
# Each token posts only as its own system: one per system the bodies below name.
SYSTEMS = ("hazchem", "iot", "supervision", "monitor", "emergency", "enforcement", "gis")
TOKENS = {code: f"{code}-{TOKEN}" for code in SYSTEMS}
AUTH = {"Authorization": f"Bearer {TOKENS['hazchem']}"}


def auth_of(path: str, raw: Any) -> dict[str, str]:
    """The token a well-behaved system would use for this call: incidents come from the
    emergency platform, alarms and heartbeats from the system they name."""
    if path.endswith("/incidents"):
        return {"Authorization": f"Bearer {TOKENS['emergency']}"}
    if isinstance(raw, bytes | str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):  # hostile bodies: the door refuses them anyway
            raw = None
    return auth_for(raw)


def auth_for(body: Any) -> dict[str, str]:
    """The token of the system a body posts as (hazchem's when it names none we know)."""
    source = body.get("source") if isinstance(body, dict) else None
    token = TOKENS.get(source, TOKENS["hazchem"]) if isinstance(source, str) else TOKENS["hazchem"]
    return {"Authorization": f"Bearer {token}"}


SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
# FUZZ_NO_SHRINK=1 reports the first failing case as found (shrinking one can take minutes).
PHASES = [p for p in Phase if not (os.environ.get("FUZZ_NO_SHRINK") and p is Phase.shrink)]


def examples(n: int) -> int:
    return max(10, int(n * SCALE))


FUZZ = settings(
    deadline=None,
    database=None,
    phases=PHASES,
    # Bodies are large on purpose (long strings, nested detail).
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- arbitrary JSON ----------------------------------------------------------------------

lone_surrogates = st.sampled_from(["\ud800", "\udfff", "值\udc00班"])
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=150, max_size=400),
    st.sampled_from(["", " ", "红", "x" * 5000, "苏州" * 3000, "\x00", "' OR 1=1 --", "%s%n"]),
    lone_surrogates,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=24,
)


def rfc3339(seconds_from_now: float, offset_h: int) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    return moment.astimezone(timezone(timedelta(hours=offset_h))).isoformat()


def times(past: timedelta) -> st.SearchStrategy[str]:
    """Recent times (up to two minutes ahead) with an offset; the bounds are fixed numbers,
    so that hypothesis draws the same way each time and only the wall clock moves."""
    return st.builds(
        rfc3339,
        st.floats(min_value=-past.total_seconds(), max_value=120.0),
        st.integers(min_value=-12, max_value=14),
    )


codes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,30}", fullmatch=True)
SITES = ["E0001", "H0001", "H0001-L1"]
SENSORS = ["H0001-L1", "H0001-T1", "H0001-G1"]
ALARM_FIELDS = [
    "id",
    "source",
    "level",
    "category",
    "title",
    "occurred_at",
    "lon",
    "lat",
    "crs",
    "site_id",
    "detail",
]
READING_FIELDS = ["sensor_id", "ts", "value"]
# Mostly zero or one broken field, so that both sides of every check are exercised.
MUTATIONS = st.sampled_from([0, 0, 0, 1, 1, 1, 2, 3])


@st.composite
def mutated(draw: st.DrawFn, body: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Replace, drop or add a few fields of a valid body with arbitrary JSON."""
    body = dict(body)
    for _ in range(draw(MUTATIONS)):
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            body[name] = draw(json_values)
        elif action == "drop":
            body.pop(name, None)
        else:
            body[draw(st.text(max_size=12))] = draw(json_values)
    return body


@st.composite
def valid_alarms(draw: st.DrawFn) -> dict[str, Any]:
    body = {
        "id": draw(codes),
        "source": draw(st.sampled_from(["hazchem", "iot", "supervision", "monitor"])),
        "level": draw(st.sampled_from(["red", "orange", "yellow", "blue"])),
        "category": draw(
            st.sampled_from(["液位超限", "可燃气体报警", "设备离线"])
            | st.text(min_size=1, max_size=32)
        ),
        "title": draw(st.text(min_size=1, max_size=200)),
        "occurred_at": draw(times(timedelta(days=2))),
    }
    position = draw(st.sampled_from(["lonlat", "lonlat", "site", "both"]))
    if position != "site":
        body["lon"] = draw(st.floats(min_value=120.3, max_value=121.2))
        body["lat"] = draw(st.floats(min_value=30.8, max_value=32.0))
        if draw(st.booleans()):
            body["crs"] = draw(st.sampled_from(["wgs84", "gcj02"]))
    if position != "lonlat":
        body["site_id"] = draw(st.sampled_from(SITES))
    if draw(st.booleans()):
        body["detail"] = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=6))
    return body


def alarm_bodies() -> st.SearchStrategy[Any]:
    bodies = valid_alarms().flatmap(lambda body: mutated(body, ALARM_FIELDS))
    # Now and then the whole body is something else entirely.
    return st.one_of(*[bodies] * 9, json_values)


@st.composite
def valid_readings(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "sensor_id": draw(st.sampled_from(SENSORS)),
        "ts": draw(times(timedelta(days=2))),
        "value": draw(
            st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**6), 10**6)
        ),
    }


def reading_bodies() -> st.SearchStrategy[Any]:
    item = valid_readings().flatmap(lambda body: mutated(body, READING_FIELDS))
    clean = st.lists(valid_readings(), min_size=1, max_size=30)
    # A single broken item anywhere in a batch must sink the whole batch.
    one_bad = st.tuples(clean, item, st.integers(min_value=0, max_value=30)).map(
        lambda t: t[0][: t[2]] + [t[1]] + t[0][t[2] :]
    )
    return st.one_of(clean, clean, one_bad, one_bad, st.lists(item, max_size=5), json_values)


# Text a valid body may hold: no control characters, not blank.
clean_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1
).filter(lambda t: t.strip())


def short_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
        min_size=1,
        max_size=max_size,
    ).filter(lambda t: t.strip())


incident_ids = st.from_regex(r"INC-[A-Za-z0-9]{1,12}", fullmatch=True)
INCIDENT_FIELDS = [
    "id",
    "title",
    "category",
    "level",
    "status",
    "lon",
    "lat",
    "crs",
    "opened_at",
    "summary",
    "casualties",
    "wind_from_deg",
    "wind_speed_ms",
    "note",
]


@st.composite
def valid_incidents(draw: st.DrawFn, ids: st.SearchStrategy[str] = incident_ids) -> dict:
    body: dict[str, Any] = {
        "id": draw(ids),
        "title": draw(short_text(200)),
        "category": draw(short_text(24)),
        "level": draw(st.integers(min_value=1, max_value=4)),
        # Inside 姑苏区 either way, WGS-84 or GCJ-02.
        "lon": draw(st.floats(min_value=120.605, max_value=120.635)),
        "lat": draw(st.floats(min_value=31.300, max_value=31.320)),
        "opened_at": draw(times(timedelta(days=30))),
    }
    optional = {
        "status": st.sampled_from(["open", "closed"]),
        "crs": st.sampled_from(["wgs84", "gcj02"]),
        "summary": short_text(2000),
        "casualties": st.integers(min_value=0, max_value=100_000),
        "wind_from_deg": st.floats(min_value=0, max_value=359.9),
        "wind_speed_ms": st.floats(min_value=0, max_value=100),
        "note": short_text(500),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        body[name] = draw(optional[name])
    return body


@st.composite
def valid_transitions(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"by": draw(short_text(64))}
    if draw(st.booleans()):
        body["at"] = draw(times(timedelta(hours=2)))
    if draw(st.booleans()):
        body["note"] = draw(short_text(500))
    return body


SOURCES = ["hazchem", "iot", "supervision", "monitor", "emergency", "gis", "enforcement"]


@st.composite
def valid_heartbeats(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"source": draw(st.sampled_from(SOURCES))}
    if draw(st.booleans()):
        body["at"] = draw(times(timedelta(hours=1)))
    return body


UNITS = [GUSU, "姑苏区", " 320508 ", "320583", "city", "市本级", "火星区"]

# --- hostile framing: each break is certain to be refused, with this status --------------

# Per endpoint: the text fields a control character can go into, and a number field that
# must not arrive as text (or a text field that must not arrive as a number).
TEXTS = {
    "alarms": ["title", "category"],
    "readings": ["sensor_id"],
    "incidents": ["title", "category"],
    "heartbeat": ["source"],
    "transition": ["by"],
    "rollcall": ["unit"],
}
WRONG_TYPES = {
    "alarms": [("lon", "120.62"), ("lat", True), ("level", True), ("title", 5)],
    "readings": [("value", "1.5"), ("value", True), ("ts", 1764579600)],
    "incidents": [("level", True), ("level", "2"), ("casualties", "1"), ("lon", "120.62")],
    "heartbeat": [("at", 1764579600), ("source", 1)],
    "transition": [("by", 7), ("note", False)],
    "rollcall": [("unit", 320508), ("unit", True)],
}
CONTROL_CHARS = st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\r", "\x1b", "\x7f", "\ud800"])
OTHER_CHARSETS = st.sampled_from(["utf-16", "UTF-16LE", "utf-32", "latin-1", "gbk", "ascii"])
OTHER_TYPES = st.sampled_from(["text/plain", "application/xml", "application/x-json", ""])
WIDE = st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])


def _target(body: Any) -> dict[str, Any]:
    """The object a break goes into: the body, or the first item of a batch of readings."""
    return body[0] if isinstance(body, list) else body


@st.composite
def broken(draw: st.DrawFn, kind: str, body: Any) -> tuple[bytes, str, dict[str, str], int]:
    """(raw body, Content-Type, extra headers, the status it must get) for a valid `body` of
    endpoint `kind`, broken in one way."""
    body = json.loads(json.dumps(body))  # a copy
    how = draw(
        st.sampled_from(
            ["control", "duplicate", "deep", "wide", "charset", "ctype", "type", "cut", "gzip"]
        )
    )
    ctype, headers = "application/json", {}
    if how == "control":
        name = draw(st.sampled_from(TEXTS[kind]))
        at = draw(st.integers(min_value=0, max_value=3))
        text = str(_target(body).get(name, "x"))
        _target(body)[name] = text[:at] + draw(CONTROL_CHARS) + text[at:]
        return json.dumps(body).encode(), ctype, headers, 422
    if how == "type":
        name, value = draw(st.sampled_from(WRONG_TYPES[kind]))
        _target(body)[name] = value
        return json.dumps(body).encode(), ctype, headers, 422
    text = json.dumps(body, ensure_ascii=draw(st.booleans()))
    if any("\ud800" <= char <= "\udfff" for char in text):
        text = json.dumps(body)  # a lone surrogate travels only as an escape
    if how == "duplicate":
        target = _target(body)
        name = draw(st.sampled_from(sorted(target)))
        first = json.dumps(target[name] if draw(st.booleans()) else draw(json_values))
        start = text.index("{") + 1
        raw = text[:start] + json.dumps(name) + ": " + first + ", " + text[start:]
        return raw.encode(), ctype, headers, 400
    if how == "deep":
        opener = draw(st.sampled_from(["[", '{"k": ']))
        # Up to 400 KB of brackets; the 1 MiB limit would answer 413 first.
        levels = draw(
            st.sampled_from([17, 40, 500, 900, 5000, 200_000 if opener == "[" else 20_000])
        )
        closer = "]" if opener == "[" else "}"
        start = text.index(":") + 1
        raw = text[:start] + opener * levels + "1" + closer * levels + text[start:]
        # Malformed after the value (",..."), but the depth is found first: still 400.
        return raw.encode(), ctype, headers, 400
    if how == "wide":
        return text.encode(draw(WIDE)), ctype, headers, 400
    if how == "charset":
        return text.encode(), f"application/json; charset={draw(OTHER_CHARSETS)}", headers, 415
    if how == "ctype":
        return text.encode(), draw(OTHER_TYPES), headers, 415
    if how == "gzip":
        return (
            text.encode(),
            ctype,
            {"Content-Encoding": draw(st.sampled_from(["gzip", "br"]))},
            415,
        )
    cut = draw(st.integers(min_value=0, max_value=len(text) - 1))
    return text[:cut].encode(), ctype, headers, 400


def encode(body: Any) -> bytes:
    # allow_nan: NaN / Infinity go out as the bare tokens a careless client would send.
    return json.dumps(body, allow_nan=True).encode()


# --- the app, and what every response must satisfy ---------------------------------------

LIVE_ALARMS = ["F-1", "F-2", "F-3"]  # posted by the fixture, for ack and close


@pytest.fixture
def fuzz_app(make_app, redis_url: str, sqlite_url: str):  # noqa: ANN001, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=sqlite_url,
        INGEST_TOKENS=",".join(f"{c}:{t}" for c, t in TOKENS.items()),
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    # The fuzz is about bodies, not about who may send what (test_ingest_systems is): the
    # hazchem token may acknowledge or close every system's alarms.
    sources.systems.set_grants("hazchem", [c for c in TOKENS if c != "hazchem"])
    sources.systems.forget()
    client = app.server.test_client()
    for i, alarm_id in enumerate(LIVE_ALARMS):
        body = alarm_body(alarm_id, category=f"类别{i}")
        response = client.post("/api/v1/alarms", json=body, headers=AUTH)
        assert response.status_code == 201
    sources.rollcall.start([GUSU], 3600, "值班长")
    return app, sources


def documented(path: str, method: str = "post") -> set[int]:
    """The statuses the OpenAPI document lists for a call."""
    return {int(code) for code in document()["paths"][path][method]["responses"]}


def check_response(response: Any, before: dict, after: dict, ok: set[int], path: str) -> int:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    assert status in documented(path), f"{status} is not in the OpenAPI document for {path}"
    if status >= 400:
        assert response.mimetype == "application/json"
        payload = response.get_json()
        assert isinstance(payload, dict) and isinstance(payload.get("error"), str)
        assert payload["error"]
        assert after == before, "a rejected request changed what is stored"
    else:
        assert status in ok
    return status


def at_least(counts: Counter, key: Any, share: float) -> bool:
    """The fuzz reached this outcome in at least `share` of its cases."""
    return counts[key] >= share * sum(counts.values())


def report(name: str, statuses: Counter[int]) -> None:
    print(f"fuzz {name}: {sum(statuses.values())} cases, statuses {dict(sorted(statuses.items()))}")


# --- one endpoint at a time --------------------------------------------------------------


def test_fuzz_post_alarms_never_5xx_and_rejections_store_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    redis = sources.redis
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=examples(700))
    @given(body=alarm_bodies())
    def check(body: Any) -> None:
        before = live_snapshot(redis)
        response = client.post(
            "/api/v1/alarms",
            data=encode(body),
            content_type="application/json",
            headers=auth_for(body),
        )
        after = live_snapshot(redis)
        status = check_response(response, before, after, {200, 201}, "/api/v1/alarms")
        statuses[status] += 1
        if status < 400:
            result = response.get_json()
            assert result["outcome"] in {"new", "duplicate", "merged"}
            assert (status == 201) == (result["outcome"] == "new")
            stored = sources.alarms.get(result["alarm_id"])
            assert stored is not None
            assert math.isfinite(stored["lon"]) and math.isfinite(stored["lat"])
            if result["outcome"] == "new":
                assert stored["id"] == body["id"] and stored["level"] == body["level"]
                assert after["alarm_keys"] == before["alarm_keys"] + 1

    check()
    report("alarms", statuses)
    # The fuzz reached both sides: plenty accepted, plenty rejected.
    assert at_least(statuses, 201, 0.02) and at_least(statuses, 422, 0.15), statuses


def test_fuzz_post_readings_never_5xx_and_rejections_store_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    redis = sources.redis
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=examples(300))
    @given(body=reading_bodies())
    def check(body: Any) -> None:
        before = live_snapshot(redis)
        response = client.post(
            "/api/v1/readings", data=encode(body), content_type="application/json", headers=AUTH
        )
        after = live_snapshot(redis)
        status = check_response(response, before, after, {202}, "/api/v1/readings")
        statuses[status] += 1
        if status < 400:
            # Newest by event time wins: every sensor's latest is at least its newest here.
            latest = sources.readings.latest().set_index("sensor_id")["ts"]
            for item in body:
                ts = datetime.fromisoformat(item["ts"])
                assert latest[item["sensor_id"]] >= ts - timedelta(milliseconds=1)

    check()
    report("readings", statuses)
    assert at_least(statuses, 202, 0.04) and at_least(statuses, 422, 0.15), statuses


def incident_bodies() -> st.SearchStrategy[Any]:
    ids = st.sampled_from(["INC-1", "INC-2"]) | incident_ids
    bodies = valid_incidents(ids).flatmap(lambda body: mutated(body, INCIDENT_FIELDS))
    return st.one_of(*[bodies] * 9, json_values)


def test_fuzz_post_incidents_never_5xx_and_rejections_store_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    wh = sources.warehouse
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=examples(250))
    @given(body=incident_bodies())
    def check(body: Any) -> None:
        before = store_snapshot(sources, LIVE_ALARMS)
        response = client.post(
            "/api/v1/incidents",
            data=encode(body),
            content_type="application/json",
            headers=auth_of("/api/v1/incidents", body),
        )
        after = store_snapshot(sources, LIVE_ALARMS)
        status = check_response(response, before, after, {200, 201}, "/api/v1/incidents")
        statuses[status] += 1
        if status < 400:
            row = wh.query("SELECT title, level FROM incidents WHERE id = :id", {"id": body["id"]})
            assert (row["title"].iloc[0], row["level"].iloc[0]) == (
                body["title"].strip(),
                body["level"],
            )
            grew = after["warehouse"]["incidents"] - before["warehouse"]["incidents"]
            assert grew == (1 if status == 201 else 0)

    check()
    report("incidents", statuses)
    assert at_least(statuses, 201, 0.04) and at_least(statuses, 422, 0.15), statuses


def alarm_paths() -> st.SearchStrategy[str]:
    hostile_ids = st.text(max_size=30).map(lambda t: quote(t, safe=""))
    return st.sampled_from(LIVE_ALARMS + ["NOPE-1"]) | hostile_ids.filter(bool)


TRANSITION_FIELDS = ["by", "at", "note"]


def test_fuzz_ack_and_close_never_5xx_and_rejections_change_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    statuses: Counter[int] = Counter()
    bodies = valid_transitions().flatmap(lambda body: mutated(body, TRANSITION_FIELDS))

    @settings(FUZZ, max_examples=examples(300))
    @given(
        alarm_id=alarm_paths(),
        to=st.sampled_from(["ack", "close"]),
        body=st.one_of(*[bodies] * 9, json_values),
    )
    def check(alarm_id: str, to: str, body: Any) -> None:
        before = store_snapshot(sources, LIVE_ALARMS)
        response = client.post(
            f"/api/v1/alarms/{alarm_id}/{to}",
            data=encode(body),
            content_type="application/json",
            headers=AUTH,
        )
        after = store_snapshot(sources, LIVE_ALARMS)
        template = "/api/v1/alarms/{alarm_id}/" + to
        status = response.status_code
        if status == 404 and response.get_json()["error"].startswith("no such call"):
            template = "/api/v1/alarms"  # an id with a slash is another path: 404 is fine
            assert after == before
        else:
            check_response(response, before, after, {200}, template)
        statuses[status] += 1
        if status == 200:
            state = response.get_json()
            assert state["status"] in {"acknowledged", "closed"}
            assert state["closed_by"] if to == "close" else state["ack_by"]

    check()
    report("ack/close", statuses)
    assert at_least(statuses, 200, 0.04) and at_least(statuses, 422, 0.15), statuses
    assert at_least(statuses, 404, 0.03), statuses


def test_fuzz_heartbeats_roll_call_and_check_ins_never_5xx_and_rejections_store_nothing(
    fuzz_app,
) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    statuses: Counter[int] = Counter()
    beats = valid_heartbeats().flatmap(lambda body: mutated(body, ["source", "at"]))
    answers = st.builds(lambda unit: {"unit": unit}, st.sampled_from(UNITS) | texts).flatmap(
        lambda body: mutated(body, ["unit"])
    )

    @settings(FUZZ, max_examples=examples(300))
    @given(
        call=st.one_of(
            st.tuples(st.just("/api/v1/heartbeat"), st.one_of(*[beats] * 9, json_values)),
            st.tuples(st.just("/api/v1/rollcall/answer"), st.one_of(*[answers] * 9, json_values)),
            st.tuples(st.just("/api/v1/duty/checkin"), st.one_of(*[answers] * 9, json_values)),
        )
    )
    def check(call: tuple[str, Any]) -> None:
        path, body = call
        before = store_snapshot(sources, LIVE_ALARMS)
        sent = time.time()
        response = client.post(
            path, data=encode(body), content_type="application/json", headers=auth_of(path, body)
        )
        after = store_snapshot(sources, LIVE_ALARMS)
        status = check_response(response, before, after, {200}, path)
        statuses[status] += 1
        if status == 200 and path.endswith("heartbeat"):
            assert body["source"].strip() in after["heartbeats"]
        elif status == 200 and path.endswith("checkin"):
            checked_in = float(after["checkins"][response.get_json()["unit"]])
            assert checked_in >= sent - 0.001, "the check-in kept is this request's"
        elif status == 200:
            assert response.get_json()["unit"] in after["rollcall_answers"]

    check()
    report("heartbeat/rollcall", statuses)
    assert at_least(statuses, 200, 0.05) and at_least(statuses, 422, 0.15), statuses


# --- hostile framing on every endpoint ---------------------------------------------------

ENDPOINTS: dict[str, tuple[str, str, st.SearchStrategy[Any]]] = {
    # kind: (path, OpenAPI path, valid bodies)
    "alarms": ("/api/v1/alarms", "/api/v1/alarms", valid_alarms()),
    "readings": (
        "/api/v1/readings",
        "/api/v1/readings",
        st.lists(valid_readings(), min_size=1, max_size=5),
    ),
    "incidents": ("/api/v1/incidents", "/api/v1/incidents", valid_incidents()),
    "heartbeat": ("/api/v1/heartbeat", "/api/v1/heartbeat", valid_heartbeats()),
    "ack": ("/api/v1/alarms/F-1/ack", "/api/v1/alarms/{alarm_id}/ack", valid_transitions()),
    "close": ("/api/v1/alarms/F-2/close", "/api/v1/alarms/{alarm_id}/close", valid_transitions()),
    "rollcall": (
        "/api/v1/rollcall/answer",
        "/api/v1/rollcall/answer",
        st.sampled_from(UNITS).map(lambda unit: {"unit": unit}),
    ),
    "checkin": (
        "/api/v1/duty/checkin",
        "/api/v1/duty/checkin",
        st.sampled_from(UNITS).map(lambda unit: {"unit": unit}),
    ),
}


def kind_of(name: str) -> str:
    """The body rules an endpoint's bodies follow (a check-in's are a roll-call answer's)."""
    return {"ack": "transition", "close": "transition", "checkin": "rollcall"}.get(name, name)


@st.composite
def hostile_requests(draw: st.DrawFn) -> tuple[str, str, bytes, str, dict[str, str], int]:
    name = draw(st.sampled_from(sorted(ENDPOINTS)))
    path, doc_path, bodies = ENDPOINTS[name]
    raw, ctype, headers, status = draw(broken(kind_of(name), draw(bodies)))
    return path, doc_path, raw, ctype, headers, status


def test_fuzz_hostile_framing_on_every_endpoint_is_refused_and_stores_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    statuses: Counter[tuple[str, int]] = Counter()

    @settings(FUZZ, max_examples=examples(500))
    @given(request=hostile_requests())
    def check(request: tuple[str, str, bytes, str, dict[str, str], int]) -> None:
        path, doc_path, raw, ctype, headers, expected = request
        before = store_snapshot(sources, LIVE_ALARMS)
        response = client.post(path, data=raw, content_type=ctype, headers=AUTH | headers)
        after = store_snapshot(sources, LIVE_ALARMS)
        check_response(response, before, after, set(), doc_path)
        assert response.status_code == expected, response.get_json()
        statuses[(path.rsplit("/", 1)[1], response.status_code)] += 1

    check()
    print(f"fuzz hostile framing: {sum(statuses.values())} cases, {dict(sorted(statuses.items()))}")
    assert {status for _, status in statuses} == {400, 415, 422}


# --- stateful sequences ------------------------------------------------------------------


def test_fuzz_stateful_sequences_of_every_call_keep_the_store_as_the_model_says(fuzz_app) -> None:  # noqa: ANN001
    """Alarms posted, re-posted, acknowledged, closed; readings, incidents, heartbeats and
    roll call answers; hostile requests of every kind in between, in random orders. After
    every step the store is what a model of the accepted requests says it is."""
    app, sources = fuzz_app
    client = app.server.test_client()
    runs = itertools.count()
    steps: Counter[str] = Counter()

    def post(path: str, raw: bytes, ctype: str = "application/json", **headers: str) -> Any:
        auth = auth_of(path, raw)
        response = client.post(path, data=raw, content_type=ctype, headers=auth | headers)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        return response

    class Sequences(RuleBasedStateMachine):
        posted = Bundle("posted")

        def __init__(self) -> None:
            super().__init__()
            self.run = next(runs)
            self.alarms: dict[str, dict[str, Any]] = {}  # id → {"body", "status"}
            self.incidents: set[str] = set()
            self.serial = itertools.count()

        def snapshot(self) -> dict[str, Any]:
            return store_snapshot(sources, list(self.alarms) + LIVE_ALARMS)

        def expect(self, response: Any, doc_path: str, *statuses: int) -> None:
            assert response.status_code in statuses, response.get_data(as_text=True)[:300]
            assert response.status_code in documented(doc_path)

        @rule(
            target=posted,
            body=valid_alarms(),
            title=short_text(200),
            detail=st.dictionaries(short_text(12), st.integers() | short_text(40), max_size=5),
        )
        def post_alarm(self, body: dict[str, Any], title: str, detail: dict) -> str:
            # Its own id and category: new, never merged into another alarm.
            alarm_id = f"S{self.run}-{next(self.serial)}"
            body |= {
                "id": alarm_id,
                "category": f"类别{alarm_id}",
                "title": title,
                "detail": detail,
            }
            response = post("/api/v1/alarms", json.dumps(body).encode())
            self.expect(response, "/api/v1/alarms", 201)
            self.alarms[alarm_id] = {"body": body, "status": "new"}
            steps["alarm"] += 1
            return alarm_id

        @rule(alarm_id=posted)
        def post_again(self, alarm_id: str) -> None:
            before = self.snapshot()
            response = post("/api/v1/alarms", json.dumps(self.alarms[alarm_id]["body"]).encode())
            self.expect(response, "/api/v1/alarms", 200)
            assert response.get_json()["outcome"] == "duplicate"
            assert self.snapshot() == before, "a duplicate changed what is stored"
            steps["duplicate"] += 1

        @rule(alarm_id=posted | st.just("NOPE-0"), to=st.sampled_from(["ack", "close"]))
        def transition(self, alarm_id: str, to: str) -> None:
            body = {"by": f"值班员{self.run}", "note": "已核实"}
            response = post(f"/api/v1/alarms/{alarm_id}/{to}", json.dumps(body).encode())
            doc_path = "/api/v1/alarms/{alarm_id}/" + to
            if alarm_id not in self.alarms:
                self.expect(response, doc_path, 404)
            elif self.alarms[alarm_id]["status"] == "closed" and to == "ack":
                self.expect(response, doc_path, 409)
            else:
                self.expect(response, doc_path, 200)
                if to == "close":
                    self.alarms[alarm_id]["status"] = "closed"
                elif self.alarms[alarm_id]["status"] == "new":
                    self.alarms[alarm_id]["status"] = "acknowledged"
            steps[to] += 1

        @rule(batch=st.lists(valid_readings(), min_size=1, max_size=20))
        def readings(self, batch: list[dict[str, Any]]) -> None:
            response = post("/api/v1/readings", json.dumps(batch).encode())
            self.expect(response, "/api/v1/readings", 202)
            latest = sources.readings.latest().set_index("sensor_id")["ts"]
            for item in batch:
                ts = datetime.fromisoformat(item["ts"])
                assert latest[item["sensor_id"]] >= ts - timedelta(milliseconds=1)
            steps["readings"] += 1

        @rule(body=valid_incidents(st.sampled_from(["INC-A", "INC-B", "INC-C"])))
        def incident(self, body: dict[str, Any]) -> None:
            incident_id = f"{body['id']}-{self.run}"
            response = post("/api/v1/incidents", json.dumps(body | {"id": incident_id}).encode())
            self.expect(
                response, "/api/v1/incidents", 200 if incident_id in self.incidents else 201
            )
            self.incidents.add(incident_id)
            steps["incident"] += 1

        @rule(body=valid_heartbeats())
        def heartbeat(self, body: dict[str, Any]) -> None:
            response = post("/api/v1/heartbeat", json.dumps(body).encode())
            self.expect(response, "/api/v1/heartbeat", 200)
            assert body["source"] in sources.redis.hgetall("se:heartbeat")
            steps["heartbeat"] += 1

        @rule(unit=st.sampled_from(UNITS))
        def rollcall(self, unit: str) -> None:
            before = self.snapshot()
            response = post("/api/v1/rollcall/answer", json.dumps({"unit": unit}).encode())
            if unit.strip() in {GUSU, "姑苏区"}:
                self.expect(response, "/api/v1/rollcall/answer", 200)
                assert GUSU in self.snapshot()["rollcall_answers"]
            else:
                self.expect(response, "/api/v1/rollcall/answer", 422)
                assert self.snapshot() == before
            steps["rollcall"] += 1

        @rule(data=st.data(), name=st.sampled_from(sorted(ENDPOINTS)))
        def hostile(self, data: st.DataObject, name: str) -> None:
            path, doc_path, bodies = ENDPOINTS[name]
            if name in {"ack", "close"} and self.alarms:
                alarm_id = data.draw(st.sampled_from(sorted(self.alarms)))
                path = f"/api/v1/alarms/{alarm_id}/{name}"
            raw, ctype, headers, expected = data.draw(broken(kind_of(name), data.draw(bodies)))
            before = self.snapshot()
            response = post(path, raw, ctype, **headers)
            self.expect(response, doc_path, expected)
            assert response.get_json()["error"]
            assert self.snapshot() == before, f"a refused {name} changed what is stored"
            steps["hostile"] += 1

        @invariant()
        def alarms_are_as_the_model_says(self) -> None:
            for alarm_id, known in self.alarms.items():
                stored = sources.alarms.get(alarm_id)
                assert stored is not None and stored["status"] == known["status"], alarm_id
                assert stored["level"] == known["body"]["level"]
                assert stored["detail"] == known["body"]["detail"]

    run_state_machine_as_test(
        Sequences,
        settings=settings(FUZZ, max_examples=examples(40), stateful_step_count=25),
    )
    print(f"fuzz stateful: {sum(steps.values())} steps, {dict(sorted(steps.items()))}")
    for step in ("hostile", "close", "ack", "incident", "rollcall"):
        assert at_least(steps, step, 0.01), steps
    # A duplicate needs an alarm posted earlier in the same run: rarer, but it must happen.
    assert steps["duplicate"] > 0, steps
