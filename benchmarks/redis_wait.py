"""The cost of REDIS_WAIT_REPLICAS: ingest latency of one alarm with and without WAIT.

Starts its own Redis master (AOF, appendfsync always, as production) and one replica on
loopback, in a temp dir, builds the app against the master (a SQLite warehouse) and posts
alarms one after another through the whole WSGI stack (Flask's test client: no socket, so the
difference is Redis's), first with REDIS_WAIT_REPLICAS=0, then 1. Prints p50/p95/p99 side by
side; asserts nothing. Results are kept in docs/benchmarks.md.

    .venv/bin/python -m benchmarks.redis_wait --alarms 500 --port 26410
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

TOKEN = "benchmark-wait-token-0123456789"


def _alarm(i: int, run: str) -> dict:
    return {
        "id": f"WAIT-{run}-{i:05d}",
        "source": "iot",
        "level": "yellow",
        "category": f"基准{run}{i}",
        "title": f"基准测试 {i}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }


def _latencies(url: str, replicas: int, alarms: int, data_dir: Path) -> list[float]:
    from app import create_app, shutdown
    from tests.helpers import seed_minimal_registry, sources_of

    app = create_app(
        {
            "REDIS_URL": url,
            "REDIS_WAIT_REPLICAS": replicas,
            "WAREHOUSE_URL": f"sqlite:///{data_dir / f'w{replicas}.sqlite'}",
            "DATA_DIR": str(data_dir),
            "INGEST_TOKENS": f"iot:{TOKEN}",
            "DEMO_FEED": False,
            "INPROCESS_WORKERS": False,
            "AUTH_REQUIRED": False,
        }
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    sources.restore.mark_restored()
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    spent = []
    for i in range(-20, alarms):  # the first 20 warm up (registry cache, scripts)
        body = json.dumps(_alarm(i + 20, f"r{replicas}"))
        started = time.perf_counter()
        response = client.post(
            "/api/v1/alarms", data=body, content_type="application/json", headers=headers
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise SystemExit(f"unexpected {response.status_code}: {response.get_data()}")
        if i >= 0:
            spent.append(elapsed * 1000)
    shutdown(app)
    return spent


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[94], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=500)
    parser.add_argument("--port", type=int, default=26410, help="master; the replica is +1")
    args = parser.parse_args()

    from tests.servers import RedisServer, wait_until

    master = RedisServer(args.port).start()
    replica = RedisServer(args.port + 1, "--replicaof", "127.0.0.1", str(args.port)).start()
    try:
        import redis

        probe = redis.Redis(port=args.port, decode_responses=True)
        wait_until(
            "the replica in sync",
            lambda: probe.info("replication").get("slave0", {}).get("state") == "online",
        )
        with tempfile.TemporaryDirectory(prefix="se-wait-") as tmp:
            results = {n: _latencies(master.url, n, args.alarms, Path(tmp)) for n in (0, 1)}
    finally:
        replica.stop()
        master.stop()
    load = os.getloadavg()[0]
    print(f"{args.alarms} alarms posted one at a time; load average {load:.2f}; AOF always")
    print(f"{'REDIS_WAIT_REPLICAS':<22}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for n, values in results.items():
        p50, p95, p99 = _quantiles(values)
        print(f"{n:<22}{p50:>10.2f}{p95:>10.2f}{p99:>10.2f}{statistics.fmean(values):>10.2f}")


if __name__ == "__main__":
    main()
