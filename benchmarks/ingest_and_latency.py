"""Ingest throughput (alarms/s, readings/s) and alarm-to-wall latency (p50/p95) in Chromium.

Starts the app under gunicorn against a real Redis and warehouse, then:
1. posts alarms from several client threads (each a new id) and reports accepted alarms/s;
2. posts batches of readings (500 per request) and reports readings/s;
3. opens /wall in headless Chromium and, alarm by alarm, measures the time from the POST to
   the row appearing in #alarm-feed.

    .venv/bin/python benchmarks/ingest_and_latency.py \
        --redis redis://127.0.0.1:6379/3 --warehouse postgresql+psycopg://postgres@127.0.0.1/test

Prints numbers; asserts nothing. Results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import gunicorn_app

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "benchmark-token-0123456789abcdef"


def post(base: str, path: str, body) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def alarm(alarm_id: str, level: str = "yellow") -> dict:
    return {
        "id": alarm_id,
        "source": "iot",
        "level": level,
        "category": f"基准{alarm_id}",
        "title": f"基准测试 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the app did not become ready")


def sensors(base: str, warehouse: str) -> list[str]:
    from data_sources.warehouse import Warehouse, make_engine

    wh = Warehouse(make_engine(warehouse))
    return list(wh.query("SELECT id FROM sensors ORDER BY id")["id"])


def bench_alarms(base: str, n: int, threads: int) -> float:
    run = f"b{int(time.time())}"
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        codes = list(
            pool.map(lambda i: post(base, "/api/v1/alarms", alarm(f"{run}-{i}", "blue")), range(n))
        )
    elapsed = time.perf_counter() - started
    assert all(c in (200, 201) for c in codes), set(codes)
    return n / elapsed


def bench_readings(base: str, ids: list[str], batches: int, threads: int, size: int = 500) -> float:
    def one(i: int) -> int:
        ts = datetime.now(UTC).isoformat()
        batch = [
            {"sensor_id": ids[(i * size + k) % len(ids)], "ts": ts, "value": k * 0.1}
            for k in range(size)
        ]
        return post(base, "/api/v1/readings", batch)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        codes = list(pool.map(one, range(batches)))
    elapsed = time.perf_counter() - started
    assert all(c == 202 for c in codes), set(codes)
    return batches * size / elapsed


def bench_latency(base: str, n: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    latencies = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=args
        )
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(base + "/wall?canvas=1920x1080")
        page.wait_for_selector("#alarm-feed li")
        page.evaluate(
            """() => { window.__seen = {};
              new MutationObserver(() => document.querySelectorAll('#alarm-feed li[data-alarm-id]').forEach(li => {
                const id = li.dataset.alarmId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); }))
              .observe(document.getElementById('alarm-feed'), {childList: true, subtree: true}); }"""
        )
        run = f"lat{int(time.time())}"
        for i in range(n):
            alarm_id = f"{run}-{i}"
            sent = time.time() * 1000
            post(base, "/api/v1/alarms", alarm(alarm_id, "orange"))
            page.wait_for_function(f"'{alarm_id}' in window.__seen", timeout=10_000)
            latencies.append((page.evaluate(f"window.__seen['{alarm_id}']") - sent) / 1000)
            time.sleep(0.3)  # spread the posts over the refresh phase
        browser.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--warehouse", required=True, help="a warehouse with the reference data")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--alarms", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--latency-samples", type=int, default=40)
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(args.redis).flushdb()
    env = dict(
        os.environ,
        REDIS_URL=args.redis,
        WAREHOUSE_URL=args.warehouse,
        INGEST_TOKENS=f"iot:{TOKEN}",  # alarms and readings, both as the sensing network
        AUTH_REQUIRED="0",
        DEMO_FEED="0",
        INPROCESS_WORKERS="0",
        LOG_LEVEL="WARNING",
    )
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        gunicorn_app(args.workers, args.port),
        cwd=ROOT,
        env=env,
    )
    try:
        wait_ready(base)
        print(
            f"gunicorn: {args.workers} workers x 8 threads; Redis {args.redis}; warehouse {args.warehouse.split('@')[-1]}"
        )
        print(
            f"alarms:   {bench_alarms(base, args.alarms, 16):8.0f} alarms/s   ({args.alarms} new ids, 16 client threads)"
        )
        ids = sensors(base, args.warehouse)
        print(
            f"readings: {bench_readings(base, ids, args.batches, 8):8.0f} readings/s ({args.batches} batches of 500, 8 client threads)"
        )
        lat = bench_latency(base, args.latency_samples)
        q = statistics.quantiles(lat, n=20)
        print(
            f"alarm-to-wall latency: p50 {statistics.median(lat):.2f} s, p95 {q[18]:.2f} s, max {max(lat):.2f} s ({len(lat)} alarms, REFRESH_MS=1000)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    threading.excepthook = lambda a: None
    main()
