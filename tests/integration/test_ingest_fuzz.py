"""Property-based fuzz of the ingest API (hypothesis), through Flask's test client on the
real Redis and a SQLite warehouse.

Properties, for thousands of bodies that mix valid fields with arbitrary JSON values:
never a 5xx; every 4xx is JSON with an `error`; a rejected request stores nothing; an
accepted one is 200/201 (alarms) or 2xx (readings) and is visible in the live state.

The app is built once per test and `@given` decorates a function defined inside the test,
so no function-scoped fixture is reused across examples (the health check for that does not
arise); each example compares the live state before and after its own request.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import live_snapshot, seed_minimal_registry, sources_of

pytestmark = [pytest.mark.slow, pytest.mark.redis]

TOKEN = "f" * 24
# Each token posts only as its own system: one per system the bodies below name.
TOKENS = {code: f"{code}-{TOKEN}" for code in ("hazchem", "iot", "supervision", "monitor")}
AUTH = {"Authorization": f"Bearer {TOKENS['hazchem']}"}


def auth_for(body: Any) -> dict[str, str]:
    """The token of the system a body posts as (hazchem's when it names none we know)."""
    source = body.get("source") if isinstance(body, dict) else None
    token = TOKENS.get(source, TOKENS["hazchem"]) if isinstance(source, str) else TOKENS["hazchem"]
    return {"Authorization": f"Bearer {token}"}


FUZZ = settings(
    deadline=None,
    database=None,
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


def encode(body: Any) -> bytes:
    # allow_nan: NaN / Infinity go out as the bare tokens a careless client would send.
    return json.dumps(body, allow_nan=True).encode()


@pytest.fixture
def fuzz_app(make_app, redis_url: str, sqlite_url: str):  # noqa: ANN001, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=sqlite_url,
        INGEST_TOKENS=",".join(f"{c}:{t}" for c, t in TOKENS.items()),
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    return app, sources


def check_response(response: Any, before: dict, after: dict, ok: set[int]) -> int:
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:500]
    if status >= 400:
        assert response.mimetype == "application/json"
        payload = response.get_json()
        assert isinstance(payload, dict) and isinstance(payload.get("error"), str)
        assert payload["error"]
        assert after == before, "a rejected request changed the live state"
    else:
        assert status in ok
    return status


def test_fuzz_post_alarms_never_5xx_and_rejections_store_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    redis = sources.live.r
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=1500)
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
        status = check_response(response, before, after, {200, 201})
        statuses[status] += 1
        if status < 400:
            result = response.get_json()
            assert result["outcome"] in {"new", "duplicate", "merged"}
            assert (status == 201) == (result["outcome"] == "new")
            stored = sources.live.alarm(result["alarm_id"])
            assert stored is not None
            assert math.isfinite(stored["lon"]) and math.isfinite(stored["lat"])
            if result["outcome"] == "new":
                assert stored["id"] == body["id"] and stored["level"] == body["level"]
                assert after["alarm_keys"] == before["alarm_keys"] + 1

    check()
    # The fuzz reached both sides: plenty accepted, plenty rejected.
    assert statuses[201] >= 50, statuses
    assert statuses[422] >= 300, statuses


def test_fuzz_post_readings_never_5xx_and_rejections_store_nothing(fuzz_app) -> None:  # noqa: ANN001
    app, sources = fuzz_app
    client = app.server.test_client()
    redis = sources.live.r
    statuses: Counter[int] = Counter()

    @settings(FUZZ, max_examples=500)
    @given(body=reading_bodies())
    def check(body: Any) -> None:
        before = live_snapshot(redis)
        response = client.post(
            "/api/v1/readings", data=encode(body), content_type="application/json", headers=AUTH
        )
        after = live_snapshot(redis)
        status = check_response(response, before, after, {200, 201, 202})
        statuses[status] += 1
        if status < 400:
            # Newest by event time wins: every sensor's latest is at least its newest here.
            latest = sources.live.latest_readings().set_index("sensor_id")["ts"]
            for item in body:
                ts = datetime.fromisoformat(item["ts"])
                assert latest[item["sensor_id"]] >= ts - timedelta(milliseconds=1)

    check()
    assert statuses[202] + statuses[200] + statuses[201] >= 20, statuses
    assert statuses[422] >= 100, statuses
