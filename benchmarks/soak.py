"""Soak: does the state stay bounded under steady load? (issue 10, "Done when")

Runs the production shape on this machine: its own Redis with AOF, a fresh PostgreSQL
database with the reference data, the app under gunicorn and `python -m archiver` as
processes. Then, for `--minutes`, posts `--alarms-per-s` new alarms (each closed
`--close-after-s` later, so the closed set and its window are exercised) and
`--readings-per-s` readings in batches, and every `--every` seconds prints Redis memory, key
counts by kind, stream lengths and lag, the AOF size, the warehouse's table sizes, the load
average and what the load generator achieved. At the end it waits for the archiver to drain
and checks that every accepted alarm and reading is in the warehouse.

    .venv/bin/python benchmarks/soak.py                       # 30 minutes
    .venv/bin/python benchmarks/soak.py --minutes 10 --closed-keep-s 300

`--closed-keep-s` sets CLOSED_ALARMS_KEEP_S (default a day, as in production): with a short
window a soak of minutes shows the level the closed set settles at; with a day's window it
grows for a day. Idempotency keys (`se:seen:*`, 7 days) grow for 7 days at any window; the
per-key bytes printed let one project both plateaus. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import gunicorn_app
from vocabulary import LEVELS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "soak-token-0123456789abcdef"


class Client:
    """One keep-alive HTTP connection per thread to the app."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def post(self, path: str, body: object) -> int:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        for attempt in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=30
                )
            try:
                conn.request("POST", path, body=data, headers=headers)
                response = conn.getresponse()
                response.read()
                return response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt:
                    return 0
        return 0


class Load:
    """Paced posters: alarms, their closes, and reading batches, at fixed rates."""

    def __init__(self, client: Client, args: argparse.Namespace, sensors: list[str]) -> None:
        self.client, self.args, self.sensors = client, args, sensors
        self.stop = threading.Event()
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.latencies: deque[float] = deque(maxlen=5000)
        self.to_close: deque[tuple[float, str]] = deque()
        self.accepted_alarms = 0
        self.accepted_readings = 0
        self.run = uuid.uuid4().hex[:6]
        self.rng = random.Random(7)
        self.last_ms = 0

    def _count(self, kind: str, status: int, elapsed: float) -> None:
        with self.lock:
            self.counts[f"{kind} {status}"] += 1
            self.latencies.append(elapsed)

    def _paced(self, rate: float, step) -> None:  # noqa: ANN001
        interval, due = 1.0 / rate, time.monotonic()
        while not self.stop.is_set():
            step()
            due += interval
            delay = due - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)
            elif delay < -5:
                due = time.monotonic()  # fell behind by more than 5 s: do not burst

    def alarm(self, i: int) -> None:
        alarm_id = f"SOAK-{self.run}-{i}"
        body = {
            "id": alarm_id,
            "source": "iot",
            "level": self.rng.choice(LEVELS),
            "category": "感知报警",
            "title": f"浸泡测试 {i}",
            "occurred_at": datetime.now(UTC).isoformat(),
            # Each at its own ~100 m cell: no merges, every alarm its own hash.
            "lon": round(120.45 + self.rng.random() * 0.35, 5),
            "lat": round(31.20 + self.rng.random() * 0.2, 5),
            "detail": {"value": round(self.rng.random() * 100, 2), "unit": "%LEL"},
        }
        started = time.perf_counter()
        status = self.client.post("/api/v1/alarms", body)
        self._count("alarm", status, time.perf_counter() - started)
        if status == 201:
            with self.lock:
                self.accepted_alarms += 1
                self.to_close.append((time.monotonic() + self.args.close_after_s, alarm_id))

    def close_due(self) -> None:
        with self.lock:
            if not self.to_close or self.to_close[0][0] > time.monotonic():
                return
            _, alarm_id = self.to_close.popleft()
        started = time.perf_counter()
        status = self.client.post(
            f"/api/v1/alarms/{alarm_id}/close", {"by": "浸泡测试", "note": "已处置"}
        )
        self._count("close", status, time.perf_counter() - started)

    def _unique_ms(self) -> int:
        # Each batch its own millisecond: equal (sensor, ts) pairs of two batches would be one
        # reading in the warehouse, and the count at the end would not add up.
        with self.lock:
            self.last_ms = max(self.last_ms + 1, int(time.time() * 1000))
            return self.last_ms

    def readings(self) -> None:
        ts = datetime.fromtimestamp(self._unique_ms() / 1000, UTC).isoformat()
        size = self.args.batch
        batch = [
            {"sensor_id": self.rng.choice(self.sensors), "ts": ts, "value": round(k * 0.1, 1)}
            for k in range(size)
        ]
        started = time.perf_counter()
        status = self.client.post("/api/v1/readings", batch)
        self._count("readings", status, time.perf_counter() - started)
        if status == 202:
            with self.lock:
                # Equal (sensor, ts) pairs in a batch are one reading in the warehouse.
                self.accepted_readings += len({b["sensor_id"] for b in batch})

    def start(self) -> list[threading.Thread]:
        counter = iter(range(10**9))
        alarm_rate = self.args.alarms_per_s
        batch_rate = self.args.readings_per_s / self.args.batch
        # Several threads per kind so that one slow request does not stall the pace.
        n = self.args.threads
        lock = threading.Lock()

        def next_alarm() -> None:
            with lock:
                i = next(counter)
            self.alarm(i)

        jobs = (
            [(alarm_rate / n, next_alarm)] * n
            + [(alarm_rate / n * 1.2, self.close_due)] * n
            + [(batch_rate / n, self.readings)] * n
        )
        threads = [
            threading.Thread(target=self._paced, args=job, daemon=True) for job in jobs if job[0]
        ]
        for t in threads:
            t.start()
        return threads

    def snapshot(self) -> tuple[Counter[str], list[float]]:
        with self.lock:
            counts, lat = Counter(self.counts), sorted(self.latencies)
            self.latencies.clear()
        return counts, lat


# --- measuring ---------------------------------------------------------------------------


def redis_numbers(r) -> dict:  # noqa: ANN001
    info = r.info("memory") | r.info("persistence") | r.info("keyspace")
    kinds: Counter[str] = Counter()
    for key in r.scan_iter(count=5000):
        parts = key.split(":")
        kinds[
            ":".join(parts[:2]) + (":*" if len(parts) > 2 and parts[1] in {"alarm", "seen"} else "")
        ] += 1
    streams = {}
    for stream in ("se:stream:alarms", "se:stream:readings"):
        length = r.xlen(stream)
        lag = pending = None
        try:
            for group in r.xinfo_groups(stream):
                if group["name"] == "archiver":
                    lag, pending = group.get("lag"), group["pending"]
        except Exception:  # noqa: BLE001 - no stream yet
            pass
        streams[stream] = (length, lag, pending, r.memory_usage(stream) or 0)
    return {
        "used_memory": info["used_memory"],
        "rss": info["used_memory_rss"],
        "aof": info.get("aof_current_size", 0),
        "keys": sum(v.get("keys", 0) for k, v in info.items() if k.startswith("db")),
        "kinds": kinds,
        "streams": streams,
        "closed": r.zcard("se:alarms:closed"),
        "active": r.zcard("se:alarms:active"),
    }


def warehouse_numbers(wh) -> dict:  # noqa: ANN001
    frame = wh.query(
        "SELECT relname, n_live_tup, pg_total_relation_size(relid) AS bytes "
        "FROM pg_stat_user_tables WHERE relname IN "
        "('alarm_history', 'alarm_events', 'reading_history', 'quarantine', 'audit_log')"
    )
    return {r["relname"]: (int(r["n_live_tup"]), int(r["bytes"])) for _, r in frame.iterrows()}


def mib(n: float) -> str:
    return f"{n / 2**20:8.1f}"


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total / 2**20


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def report(label: str, elapsed: float, r, wh, load: Load, pids: list[int]) -> dict:  # noqa: ANN001
    red, tables = redis_numbers(r), warehouse_numbers(wh)
    counts, lat = load.snapshot()
    p50 = lat[len(lat) // 2] * 1000 if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else float("nan")
    load1 = os.getloadavg()[0]
    kinds = red["kinds"]
    print(
        f"[{label} t={elapsed / 60:5.1f} min] Redis used {mib(red['used_memory'])} MiB, "
        f"rss {mib(red['rss'])} MiB, AOF {mib(red['aof'])} MiB, keys {red['keys']:,} "
        f"(alarm hashes {kinds.get('se:alarm:*', 0):,}, seen {kinds.get('se:seen:*', 0):,}, "
        f"cache {kinds.get('se:cache', 0):,}); active {red['active']:,}, closed set "
        f"{red['closed']:,}; load avg {load1:.1f}; app+archiver RSS {rss_mib(pids):.0f} MiB",
        flush=True,
    )
    for stream, (length, lag, pending, size) in red["streams"].items():
        print(
            f"    {stream}: {length:,} entries ({mib(size).strip()} MiB), archiver lag {lag}, "
            f"pending {pending}",
            flush=True,
        )
    print(
        "    warehouse: "
        + ", ".join(
            f"{name} ~{rows:,} rows {mib(size).strip()} MiB"
            for name, (rows, size) in sorted(tables.items())
        ),
        flush=True,
    )
    print(
        f"    posted so far: {dict(sorted(counts.items()))}; request p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms",
        flush=True,
    )
    return {"redis": red, "tables": tables}


# --- processes ---------------------------------------------------------------------------


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--dir",
            str(workdir),
            "--logfile",
            str(workdir / "redis.log"),
        ]
    )
    import redis

    r = redis.Redis(port=port)
    for _ in range(100):
        try:
            r.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the app did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=180, help="seconds between reports")
    parser.add_argument("--alarms-per-s", type=float, default=50)
    parser.add_argument("--readings-per-s", type=float, default=2000)
    parser.add_argument("--batch", type=int, default=100, help="readings per request")
    parser.add_argument("--close-after-s", type=float, default=60)
    parser.add_argument("--threads", type=int, default=4, help="client threads per kind")
    parser.add_argument(
        "--ids-keep-s", type=int, default=604800, help="ALARM_IDS_KEEP_S (idempotency window)"
    )
    parser.add_argument("--closed-keep-s", type=int, default=86400)
    parser.add_argument("--redis-port", type=int, default=6421)
    parser.add_argument("--port", type=int, default=8421, help="the app's port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; the soak creates (and drops) its own database there",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and Redis dir")
    args = parser.parse_args()

    import psycopg
    import redis
    from sqlalchemy.engine import make_url

    from data_sources.warehouse import Warehouse, make_engine

    admin = make_url(args.postgres)
    name = f"se_soak_{uuid.uuid4().hex[:8]}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    warehouse_url = admin.set(database=name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="se-soak-"))
    redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    env = dict(
        os.environ,
        REDIS_URL=redis_url,
        WAREHOUSE_URL=warehouse_url,
        INGEST_TOKENS=f"iot:{TOKEN}",  # alarms and readings, as the sensing network
        AUTH_REQUIRED="0",
        DEMO_FEED="0",
        INPROCESS_WORKERS="0",
        LOG_LEVEL="WARNING",
        CLOSED_ALARMS_KEEP_S=str(args.closed_keep_s),
        ALARM_IDS_KEEP_S=str(args.ids_keep_s),
        DATA_DIR=str(workdir / "var"),
    )
    python = str(ROOT / ".venv/bin/python")
    procs: list[subprocess.Popen] = []
    redis_proc = start_redis(args.redis_port, workdir)
    try:
        subprocess.run(
            [python, "-m", "refdata.build"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        app = subprocess.Popen(
            gunicorn_app(args.workers, args.port),
            cwd=ROOT,
            env=env,
        )
        procs.append(app)
        archiver_log = open(workdir / "archiver.log", "w")  # noqa: SIM115
        archiver = subprocess.Popen(
            [python, "-m", "archiver"],
            cwd=ROOT,
            env=env | {"LOG_LEVEL": "INFO"},
            stderr=archiver_log,
        )
        procs.append(archiver)
        wait_ready(args.port)

        r = redis.Redis.from_url(redis_url, decode_responses=True)
        wh = Warehouse(make_engine(warehouse_url), timeout_s=60)
        sensors = list(wh.query("SELECT id FROM sensors ORDER BY id")["id"])
        base_alarms = wh.count("alarm_history")
        base_readings = wh.count("reading_history")
        pids = [app.pid, archiver.pid, *children(app.pid)]
        print(
            f"soak: {args.alarms_per_s:g} alarms/s (each closed after {args.close_after_s:g} s), "
            f"{args.readings_per_s:g} readings/s in batches of {args.batch}, {args.minutes:g} "
            f"min; gunicorn {args.workers} workers x 8 threads + python -m archiver; Redis "
            f"{redis_url} (AOF everysec); PostgreSQL database {name}; CLOSED_ALARMS_KEEP_S="
            f"{args.closed_keep_s}, ALARM_IDS_KEEP_S={args.ids_keep_s}; {os.cpu_count()} CPUs, load avg "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}",
            flush=True,
        )
        load = Load(Client(args.port), args, sensors)
        started = time.monotonic()
        samples = [report("start", 0, r, wh, load, pids)]
        threads = load.start()
        end = started + args.minutes * 60
        next_report = started + args.every
        while time.monotonic() < end:
            time.sleep(min(5, max(0.1, end - time.monotonic())))
            if time.monotonic() >= next_report:
                next_report += args.every
                samples.append(report("run", time.monotonic() - started, r, wh, load, pids))
        load.stop.set()
        for t in threads:
            t.join(timeout=35)
        samples.append(report("end", time.monotonic() - started, r, wh, load, pids))

        # Drain: the archiver writes what is left, then the warehouse is checked.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            behind = [
                g
                for stream in ("se:stream:alarms", "se:stream:readings")
                for g in r.xinfo_groups(stream)
                if g["name"] == "archiver" and (g.get("lag") != 0 or g["pending"])
            ]
            if not behind:
                break
            time.sleep(2)
        time.sleep(3)
        archived_alarms = wh.count("alarm_history") - base_alarms
        archived_readings = wh.count("reading_history") - base_readings
        quarantined = wh.count("quarantine")
        print(
            f"drained: {archived_alarms:,} of {load.accepted_alarms:,} accepted alarms and "
            f"{archived_readings:,} of {load.accepted_readings:,} accepted readings "
            f"in the warehouse; {quarantined} quarantined",
            flush=True,
        )
        first, last = samples[1] if len(samples) > 2 else samples[0], samples[-1]
        print(
            f"Redis used memory: start {mib(samples[0]['redis']['used_memory']).strip()} MiB, "
            f"first report {mib(first['redis']['used_memory']).strip()} MiB, end "
            f"{mib(last['redis']['used_memory']).strip()} MiB",
            flush=True,
        )
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        redis_proc.terminate()
        redis_proc.wait(30)
        if not args.keep:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept: database {name}, {workdir}")


if __name__ == "__main__":
    main()
