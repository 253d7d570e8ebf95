"""Redis Sentinel: ingest goes on through a failover, and no alarm that got a 2xx is lost.

Every part a real process of this test's own, on loopback (ports + 20 per pytest-xdist
worker): a master with AOF (26400), two replicas with AOF (26401, 26402: after the failover
the new master still has one, so REDIS_WAIT_REPLICAS=1 can be met) and three sentinels
(26403..26405, `redis-server <conf> --sentinel`, down after 1 s). The app reaches Redis only
through REDIS_SENTINELS; with REDIS_WAIT_REPLICAS=1 a 2xx means a replica has the alarm too,
so promoting a replica loses none of them.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from data_sources import keys
from tests.helpers import GUSU_LAT, GUSU_LON, alarm_body, now_iso, seed_minimal_registry, sources_of
from tests.servers import RedisServer, wait_until, worker_port

pytestmark = [pytest.mark.redis, pytest.mark.slow]

MASTER, REPLICAS, SENTINELS = worker_port(26400), (26401, 26402), (26403, 26404, 26405)
NAME = "se-live"
TOKEN = "sentinel-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class SentinelServer:
    """`redis-server sentinel.conf --sentinel` watching NAME (it rewrites its own conf)."""

    def __init__(self, port: int, master: int, tmp: Path) -> None:
        self.port = port
        self.conf = tmp / f"sentinel-{port}.conf"
        self.conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {tmp}\nlogfile {tmp}/sentinel-{port}.log\n"
            f"sentinel monitor {NAME} 127.0.0.1 {master} 2\n"
            f"sentinel down-after-milliseconds {NAME} 1000\n"
            f"sentinel failover-timeout {NAME} 5000\n"
            f"sentinel parallel-syncs {NAME} 2\n"
        )
        self.proc = subprocess.Popen(
            ["redis-server", str(self.conf), "--sentinel"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=port, socket_timeout=2)
        wait_until(f"sentinel on {port}", client.ping, timeout=30)
        client.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict]:
    servers: list = []
    try:
        master = RedisServer(MASTER).start()
        servers.append(master)
        for port in REPLICAS:
            replica = RedisServer(worker_port(port), "--replicaof", "127.0.0.1", str(MASTER))
            servers.append(replica.start())
        probe = redis.Redis(port=MASTER, decode_responses=True, socket_timeout=2)
        wait_until(
            "both replicas in sync",
            lambda: (
                probe.info("replication")["connected_slaves"] == 2
                and all(probe.info("replication")[f"slave{i}"]["state"] == "online" for i in (0, 1))
            ),
        )
        sentinels = [SentinelServer(worker_port(p), MASTER, tmp_path) for p in SENTINELS]
        servers.extend(sentinels)
        watcher = redis.Redis(port=sentinels[0].port, decode_responses=True, socket_timeout=2)
        wait_until(
            "the sentinels know each other and both replicas",
            lambda: (
                int(watcher.sentinel_master(NAME)["num-other-sentinels"]) == 2
                and len(watcher.sentinel_slaves(NAME)) == 2
            ),
        )
        yield {"master": master, "watcher": watcher, "sentinels": sentinels}
    finally:
        for server in reversed(servers):
            server.stop()


def _master_port(watcher: redis.Redis) -> int:
    return int(watcher.sentinel_get_master_addr_by_name(NAME)[1])


def test_ingest_survives_a_sentinel_failover_and_the_wall_sees_alarms_after_it(
    make_app,  # noqa: ANN001
    sqlite_url: str,
    cluster: dict,
) -> None:
    sentinels = ",".join(f"127.0.0.1:{s.port}" for s in cluster["sentinels"])
    app = make_app(
        REDIS_SENTINELS=sentinels,
        REDIS_MASTER_NAME=NAME,
        REDIS_WAIT_REPLICAS=1,
        REDIS_WAIT_TIMEOUT_MS=2000,
        WAREHOUSE_URL=sqlite_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    client = app.server.test_client()
    watcher = cluster["watcher"]

    accepted: list[str] = []
    statuses: list[int] = []

    def post(i: int) -> int:
        # A cell of its own per alarm (20x20 of ~100 m in 姑苏区): new alarms, not repeats.
        body = alarm_body(
            f"SENT-{i:04d}",
            lon=GUSU_LON + (i % 20) * 0.001,
            lat=GUSU_LAT + (i // 20 % 20) * 0.001,
            occurred_at=now_iso(timedelta(seconds=-5)),
        )
        response = client.post(
            "/api/v1/alarms", data=json.dumps(body), content_type="application/json", headers=AUTH
        )
        statuses.append(response.status_code)
        if 200 <= response.status_code < 300:
            accepted.append(body["id"])
        else:
            # Errors while the master is gone: only "retry later", never a 4xx or a 500.
            assert response.status_code == 503, response.get_data(as_text=True)
        return response.status_code

    for i in range(30):
        assert post(i) == 201
    before = len(accepted)
    cluster["master"].kill()

    # Keep posting as an upstream would, each id until it is accepted (a retry after a 503
    # is the same id), until the failover is done and alarms are accepted again.
    i, after_failover = 30, []
    deadline = time.monotonic() + 60  # a failed sentinel election retries later
    while len(after_failover) < 10:
        assert time.monotonic() < deadline, f"ingest did not recover: {statuses[-20:]}"
        if post(i) in (200, 201):
            if _master_port(watcher) != MASTER:
                after_failover.append(f"SENT-{i:04d}")
            if len(after_failover) == 5:
                # A new master's script cache may be empty: the Lua scripts must re-load.
                redis.Redis(port=_master_port(watcher)).script_flush()
            i += 1
        else:
            time.sleep(0.1)

    new_master = _master_port(watcher)
    assert new_master in {worker_port(p) for p in REPLICAS}
    assert 503 in statuses, "the kill went unnoticed: no request was refused"

    # Every alarm that got a 2xx is on the new master (read there directly, by port).
    direct = redis.Redis(port=new_master, decode_responses=True)
    missing = [a for a in accepted if not direct.exists(keys.SEEN + a)]
    assert not missing, f"{len(missing)} of {len(accepted)} acknowledged alarms lost: {missing}"
    assert len(accepted) > before

    # The wall's data layer, through the sentinels, shows the alarms posted after it.
    shown = set(sources.alarms.active()["id"])
    assert set(after_failover) <= shown
    assert set(accepted) <= shown


@pytest.fixture
def lone_master() -> Iterator[RedisServer]:
    server = RedisServer(worker_port(26406)).start()
    yield server
    server.stop()


def test_ingest_answers_503_when_no_replica_confirms_the_write_in_time(
    make_app,  # noqa: ANN001
    sqlite_url: str,
    lone_master: RedisServer,
) -> None:
    def build(replicas: int):  # noqa: ANN202
        app = make_app(
            REDIS_URL=lone_master.url,
            REDIS_WAIT_REPLICAS=replicas,
            REDIS_WAIT_TIMEOUT_MS=200,
            WAREHOUSE_URL=sqlite_url,
            INGEST_TOKENS=f"hazchem:{TOKEN}",
        )
        return app.server.test_client()

    seed_minimal_registry(
        sources_of(make_app(REDIS_URL=lone_master.url, WAREHOUSE_URL=sqlite_url)).warehouse
    )
    body = json.dumps(alarm_body("WAIT-0001"))
    refused = build(1).post(
        "/api/v1/alarms", data=body, content_type="application/json", headers=AUTH
    )
    assert refused.status_code == 503, refused.get_data(as_text=True)
    assert "REDIS_WAIT_REPLICAS" in refused.get_json()["error"]
    # Without the setting the same Redis takes it (the retry of an upstream: a duplicate).
    taken = build(0).post(
        "/api/v1/alarms", data=body, content_type="application/json", headers=AUTH
    )
    assert taken.status_code in (200, 201), taken.get_data(as_text=True)
