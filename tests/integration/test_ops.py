"""Operations endpoints as a load balancer and Prometheus see them: /healthz, /readyz,
/metrics, on the real Redis and warehouses, and with Redis unreachable."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from tests.helpers import alarm_body, now_iso, seed_minimal_registry, sources_of
from tests.servers import RedisServer, worker_port

TOKEN = "m" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Nothing listens here: Redis is "down" for the app.
CLOSED_REDIS = "redis://127.0.0.1:6399/0"

# One sample line of the Prometheus text format: name{labels} value
SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? '
    r"(-?[0-9.]+([eE][+-]?[0-9]+)?|NaN|[+-]Inf)$"
)


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def parse_metrics(text: str) -> dict[str, float]:
    """Sample lines as {'name{labels}': value}; every line must be valid exposition format."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            assert not line or re.match(r"^# (TYPE|HELP) [a-zA-Z_:][a-zA-Z0-9_:]* ", line), line
            continue
        assert SAMPLE.match(line), f"not Prometheus text format: {line!r}"
        key, _, value = line.rpartition(" ")
        assert key not in samples, f"sample twice: {key}"
        samples[key] = float(value)
    return samples


@pytest.mark.redis
def test_healthz_and_readyz_are_200_with_redis_and_the_warehouse_up(
    make_app, serve, redis_url: str, warehouse_url: str
) -> None:
    server = serve(make_app(REDIS_URL=redis_url, WAREHOUSE_URL=warehouse_url))
    status, content_type, body = get(server.url + "/healthz")
    assert status == 200 and content_type.startswith("application/json")
    assert json.loads(body)["status"] == "ok"
    status, _, body = get(server.url + "/readyz")
    assert status == 200, body
    ready = json.loads(body)
    assert ready["ready"] is True
    assert (ready["redis"], ready["warehouse"]) == ("ok", "ok")


def test_readyz_is_200_with_the_embedded_defaults(make_app) -> None:
    client = make_app().server.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["ready"] is True


def test_with_redis_unreachable_the_app_starts_and_readyz_is_503_naming_redis(
    make_app, serve, sqlite_url: str
) -> None:
    # REDIS_VOLATILE_OK: past the durability gate, so that a write meets the dead Redis.
    app = make_app(
        REDIS_URL=CLOSED_REDIS,
        WAREHOUSE_URL=sqlite_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        REDIS_VOLATILE_OK=True,
    )
    server = serve(app)
    status, _, _ = get(server.url + "/healthz")
    assert status == 200  # alive, though not ready
    started = time.monotonic()
    status, content_type, body = get(server.url + "/readyz")
    assert time.monotonic() - started < 10  # a probe must not hang on a dead Redis
    assert status == 503
    assert content_type.startswith("application/json")
    ready = json.loads(body)
    assert ready["ready"] is False
    assert ready["redis"] != "ok" and ready["redis"]
    assert ready["warehouse"] == "ok"

    # A write that reaches Redis and finds it gone is a 503 to retry, never a 500.
    answer = app.server.test_client().post(
        "/api/v1/alarms", json=alarm_body("DOWN-1"), headers=AUTH
    )
    assert answer.status_code == 503 and "unavailable" in answer.get_json()["error"]

    status, _, text = get(server.url + "/metrics")
    assert status == 200
    samples = parse_metrics(text)
    assert samples['se_up{service="redis"}'] == 0
    assert samples['se_up{service="warehouse"}'] == 1


@pytest.mark.redis
def test_metrics_are_prometheus_text_with_up_and_active_alarms_per_level(
    make_app, serve, redis_url: str, sqlite_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    seed_minimal_registry(sources_of(app).warehouse)
    client = app.server.test_client()
    posted: list[dict[str, Any]] = [
        alarm_body("M-1", level="red", category="c1"),
        alarm_body("M-2", level="red", category="c2"),
        alarm_body("M-3", level="blue", category="c3"),
    ]
    for body in posted:
        assert client.post("/api/v1/alarms", json=body, headers=AUTH).status_code == 201
    assert (
        client.post("/api/v1/alarms/M-3/close", json={"by": "李娜"}, headers=AUTH).status_code
        == 200
    )
    beat = client.post("/api/v1/heartbeat", json={"source": "hazchem"}, headers=AUTH)
    assert beat.status_code == 200

    server = serve(app)
    status, content_type, text = get(server.url + "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain")
    assert "version=0.0.4" in content_type
    assert "# TYPE se_up gauge" in text and "# TYPE se_active_alarms gauge" in text
    samples = parse_metrics(text)
    assert samples['se_up{service="redis"}'] == 1
    assert samples['se_up{service="warehouse"}'] == 1
    assert samples["se_redis_persistent"] == 1
    assert {k: v for k, v in samples.items() if k.startswith("se_active_alarms{")} == {
        'se_active_alarms{level="red"}': 2,
        'se_active_alarms{level="orange"}': 0,
        'se_active_alarms{level="yellow"}': 0,
        'se_active_alarms{level="blue"}': 0,
    }
    assert 0 <= samples['se_heartbeat_age_seconds{source="hazchem"}'] < 60


@pytest.mark.redis
def test_metrics_count_accepted_and_rejected_ingest_requests(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    seed_minimal_registry(sources_of(app).warehouse)
    client = app.server.test_client()

    def counters() -> dict[str, float]:
        samples = parse_metrics(client.get("/metrics").get_data(as_text=True))
        return {k: v for k, v in samples.items() if k.startswith("se_ingest_")}

    before = counters()
    client.post("/api/v1/alarms", json=alarm_body("CNT-1"), headers=AUTH)
    client.post("/api/v1/alarms", json=alarm_body("CNT-2", level="purple"), headers=AUTH)
    client.post("/api/v1/alarms", json=alarm_body("CNT-3"))
    after = counters()

    def grew(pattern: str) -> float:
        return sum(v - before.get(k, 0) for k, v in after.items() if re.search(pattern, k))

    assert grew(r'^se_ingest_accepted_total\{.*outcome="new"') == 1
    assert grew(r'^se_ingest_rejected_total\{.*status="422"') == 1
    assert grew(r'^se_ingest_rejected_total\{.*status="401"') == 1


# --- the durability promise: a 2xx only from a Redis that keeps what it acknowledged ------


def post(client, path: str, body: Any):  # noqa: ANN001, ANN201
    return client.post(path, json=body, headers=AUTH)


@pytest.mark.redis
def test_on_a_redis_without_aof_readyz_says_no_persistence_and_ingest_answers_503(
    make_app, sqlite_url: str
) -> None:
    volatile = RedisServer(worker_port(6411), aof=False).start()
    try:
        app = make_app(
            REDIS_URL=volatile.url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}"
        )
        seed_minimal_registry(sources_of(app).warehouse)
        client = app.server.test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["redis"] == "no persistence"
        assert ready.get_json()["persistence"] == "appendonly no"
        refused = post(client, "/api/v1/alarms", alarm_body("VOL-1"))
        assert refused.status_code == 503
        assert refused.is_json and "no persistence" in refused.get_json()["error"]
        assert post(client, "/api/v1/heartbeat", {"source": "hazchem"}).status_code == 503
        assert client.get("/api/v1/alarms", headers=AUTH).status_code == 200  # reads go on
        assert (
            parse_metrics(client.get("/metrics").get_data(as_text=True))["se_redis_persistent"] == 0
        )
        assert sources_of(app).alarms.get("VOL-1") is None  # nothing of it was stored
        # Unauthenticated callers learn nothing about Redis: 401 first.
        assert client.post("/api/v1/alarms", json=alarm_body("VOL-2")).status_code == 401

        accepting = make_app(
            REDIS_URL=volatile.url,
            WAREHOUSE_URL=sqlite_url,
            INGEST_TOKENS=f"hazchem:{TOKEN}",
            REDIS_VOLATILE_OK=True,
        ).server.test_client()
        ready = accepting.get("/readyz")
        assert ready.status_code == 200, ready.get_json()
        assert "REDIS_VOLATILE_OK" in ready.get_json()["persistence"]
        assert post(accepting, "/api/v1/alarms", alarm_body("VOL-1")).status_code == 201
    finally:
        volatile.stop()


@pytest.mark.redis
def test_a_redis_restarted_without_aof_is_refused_at_once_and_with_aof_again_accepted(
    make_app, sqlite_url: str
) -> None:
    server = RedisServer(worker_port(6412), aof=False)
    try:
        server.start("--appendonly", "yes", "--appendfsync", "everysec")
        app = make_app(
            REDIS_URL=server.url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}"
        )
        seed_minimal_registry(sources_of(app).warehouse)
        client = app.server.test_client()
        assert client.get("/readyz").get_json()["persistence"] == (
            "appendonly yes, appendfsync everysec"
        )
        assert post(client, "/api/v1/alarms", alarm_body("RE-1")).status_code == 201

        server.kill()
        server.start()  # the same port, now without AOF
        # The settings are read again before the very first write.
        assert post(client, "/api/v1/alarms", alarm_body("RE-2", category="c2")).status_code == 503
        assert sources_of(app).alarms.get("RE-2") is None
        assert client.get("/readyz").get_json()["redis"] == "no persistence"

        server.kill()
        server.start("--appendonly", "yes", "--appendfsync", "no")
        assert post(client, "/api/v1/alarms", alarm_body("RE-4")).status_code == 503
        answer = client.get("/readyz").get_json()
        assert (answer["redis"], answer["persistence"]) == (
            "no persistence",
            "appendonly yes, appendfsync no",
        )

        server.kill()
        server.start("--appendonly", "yes", "--appendfsync", "always")
        assert post(client, "/api/v1/alarms", alarm_body("RE-5", category="c5")).status_code == 201
    finally:
        server.stop()


@pytest.mark.redis
def test_a_redis_with_config_renamed_is_judged_by_info_persistence(
    make_app, sqlite_url: str
) -> None:
    for aof, expected in ((True, 200), (False, 503)):
        server = RedisServer(worker_port(6413), "--rename-command", "CONFIG", "", aof=aof).start()
        try:
            app = make_app(REDIS_URL=server.url, WAREHOUSE_URL=sqlite_url)
            ready = app.server.test_client().get("/readyz")
            assert ready.status_code == expected, ready.get_json()
            assert "CONFIG refused" in ready.get_json()["persistence"]
        finally:
            server.stop()


def test_readyz_names_the_embedded_store_as_exempt(make_app) -> None:
    answer = make_app().server.test_client().get("/readyz").get_json()
    assert answer["ready"] is True
    assert "embedded" in answer["persistence"] and "not persistent" in answer["persistence"]


@pytest.mark.redis
def test_readyz_is_503_restoring_until_the_live_state_is_restored(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, restored=False)
    client = app.server.test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["live_state"] == "restoring"
    sources_of(app).restore.mark_restored()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["live_state"] == "ok"


@pytest.mark.redis
def test_metrics_per_system_count_messages_rejects_and_lateness_for_registered_systems_only(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    seed_minimal_registry(sources_of(app).warehouse)
    client = app.server.test_client()

    def samples() -> dict[str, float]:
        return parse_metrics(client.get("/metrics").get_data(as_text=True))

    before = samples()
    late = alarm_body("PER-SYS-1", occurred_at=now_iso(timedelta(seconds=-90)))
    assert client.post("/api/v1/alarms", json=late, headers=AUTH).status_code == 201
    assert client.post("/api/v1/alarms", json=late, headers=AUTH).status_code == 200
    bad = alarm_body("PER-SYS-2", level="purple")
    assert client.post("/api/v1/alarms", json=bad, headers=AUTH).status_code == 422
    invented = alarm_body("PER-SYS-3", source="invented_system")
    assert client.post("/api/v1/alarms", json=invented, headers=AUTH).status_code == 422
    after = samples()

    def grew(key: str) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert grew('se_system_messages_total{kind="alarms",outcome="new",system="hazchem"}') == 1
    assert grew('se_system_messages_total{kind="alarms",outcome="duplicate",system="hazchem"}') == 1
    # Both refusals are the token's system's: the bad level and the invented source.
    assert grew('se_system_rejects_total{reason="422",system="hazchem"}') == 2
    # 90 s late: in the 120 s bucket, not in the 60 s one.
    assert grew('se_system_lateness_seconds_bucket{le="120.0",system="hazchem"}') == 2
    assert grew('se_system_lateness_seconds_bucket{le="60.0",system="hazchem"}') == 0
    assert not [k for k in after if "invented_system" in k], "an unknown source made a label"
    # Latency histograms of the HTTP requests, by route rule; and the process's own metrics.
    assert (
        grew(
            'se_http_request_duration_seconds_count{method="POST",route="/api/v1/alarms",status="201"}'
        )
        == 1
    )
    assert (
        "process_cpu_seconds_total" in after
        or 'python_gc_objects_collected_total{generation="0"}' in after
    )


@pytest.mark.redis
def test_heartbeat_figures_name_registered_systems_only(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url)
    sources = sources_of(app)
    sources.status.heartbeat("hazchem")
    sources.status.heartbeat("fuzzed_system_47")  # left in Redis by something long ago
    text = app.server.test_client().get("/metrics").get_data(as_text=True)
    samples = parse_metrics(text)
    assert 'se_system_last_heartbeat_timestamp_seconds{system="hazchem"}' in samples
    assert "fuzzed_system_47" not in text
