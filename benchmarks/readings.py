"""Readings at scale on PostgreSQL: the day-partitioned reading_history and its rollups.

Builds a fresh PostgreSQL database (dropped afterwards unless --keep), migrates it (0012:
partitions by day, BRIN on ts, the rollup trigger), and loads `--rows` readings of
`--sensors` sensors spread evenly over `--days` days in time order, by COPY in batches of
`--batch` rows (each batch one statement, so the rollup trigger upserts once per bucket and
batch). Then prints:

- insert throughput (rows/s) by COPY, and by the archiver's own batch INSERT (1,000 rows a
  statement) on a sample, both with the rollups kept up;
- the drill-down of one sensor over 24 h and over 30 days: from the rollups (what the
  hazchem screen reads) and, side by side as the bare reference, from the raw rows (the
  rows themselves, and their hourly aggregate computed from them);
- dropping one day's partition against a DELETE of another day of the same size.

    .venv/bin/python benchmarks/readings.py --rows 3000000 \\
        --warehouse postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test

Prints numbers; asserts nothing. Results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archiver import partitions  # noqa: E402
from archiver.records import INSERT_READINGS_PG, readings_as_arrays  # noqa: E402
from data_sources.warehouse import Warehouse, make_engine, upgrade  # noqa: E402

ROLLUP = (
    "SELECT bucket, total / n AS mean, min_value, max_value FROM reading_rollups "
    "WHERE sensor_id = %s AND step = 3600 AND bucket >= %s AND bucket < %s ORDER BY bucket"
)
RAW = "SELECT ts, value FROM reading_history WHERE sensor_id = %s AND ts >= %s AND ts < %s ORDER BY ts"
RAW_HOURLY = (
    "SELECT date_bin('1 hour', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, avg(value), "
    "min(value), max(value) FROM reading_history WHERE sensor_id = %s AND ts >= %s AND ts < %s "
    "GROUP BY 1 ORDER BY 1"
)


def _machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({model}), {mem:.1f} GiB RAM, "
        f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"
    )


def _timed(cur: psycopg.Cursor, sql: str, args: tuple, runs: int = 5) -> tuple[float, int]:
    times, n = [], 0
    cur.execute(sql, args)  # warm the cache: the screens ask the same thing again and again
    n = len(cur.fetchall())
    for _ in range(runs):
        start = time.perf_counter()
        cur.execute(sql, args)
        n = len(cur.fetchall())
        times.append(time.perf_counter() - start)
    return statistics.median(times), n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--sensors", type=int, default=100)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument(
        "--sample", type=int, default=20_000, help="rows by the archiver's batch INSERT"
    )
    parser.add_argument(
        "--warehouse", default="postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    admin = make_url(args.warehouse)
    name = f"readings_bench_{uuid.uuid4().hex[:8]}"
    admin_info = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    url = admin.set(database=name).render_as_string(hide_password=False)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_info, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        version = conn.execute("SHOW server_version").fetchone()[0]
    engine = make_engine(url)
    try:
        upgrade(engine)
        wh = Warehouse(engine)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(days=args.days)
        day = start.date()
        while day <= end.date() + timedelta(days=1):
            partitions.ensure(wh, day)
            day += timedelta(days=1)
        print(f"machine: {_machine()}; PostgreSQL {version}")
        per_sensor = args.rows // args.sensors
        step_s = args.days * 86400 / per_sensor
        total = per_sensor * args.sensors
        print(
            f"loading {total:,} readings: {args.sensors} sensors × {per_sensor:,} "
            f"(one every {step_s:.1f} s) over {args.days} days, COPY batches of {args.batch:,}"
        )
        sensors = [f"B{i:05d}" for i in range(args.sensors)]
        t0 = start.timestamp()
        loaded = 0
        began = time.perf_counter()
        with psycopg.connect(conninfo) as conn:
            i = 0
            while i < per_sensor:
                with conn.cursor() as cur:
                    with cur.copy("COPY reading_history (sensor_id, ts, value) FROM STDIN") as copy:
                        n = 0
                        while i < per_sensor and n < args.batch:
                            at = datetime.fromtimestamp(t0 + i * step_s, UTC)
                            for k, sensor in enumerate(sensors):
                                copy.write_row((sensor, at, 50.0 + ((i * 7 + k) % 41) - 20))
                            n += len(sensors)
                            i += 1
                conn.commit()
                loaded += n
                if loaded % (args.batch * 20) < n:
                    rate = loaded / (time.perf_counter() - began)
                    print(f"  {loaded:,} rows, {rate:,.0f} rows/s", flush=True)
        copy_s = time.perf_counter() - began
        copy_rate = loaded / copy_s
        print(
            f"insert by COPY (rollups kept up): {loaded:,} rows in {copy_s:.1f} s = {copy_rate:,.0f} rows/s"
        )

        # The archiver's path: INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING, a batch
        # of 1,000 a statement and transaction, just after the loaded period.
        sample = [
            {
                "sensor_id": sensors[j % len(sensors)],
                "ts": end + timedelta(seconds=j / 10),
                "value": 1.0,
            }
            for j in range(args.sample)
        ]
        began = time.perf_counter()
        for j in range(0, len(sample), 1000):
            wh.execute_all(
                [(INSERT_READINGS_PG, readings_as_arrays(sample[j : j + 1000]))], timeout_s=600
            )
        ins_s = time.perf_counter() - began
        print(
            f"insert by the archiver's batch INSERT (rollups kept up): {len(sample):,} rows "
            f"in {ins_s:.1f} s = {len(sample) / ins_s:,.0f} rows/s"
        )

        with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            sensor = sensors[len(sensors) // 2]
            for label, since in (
                ("24 h", end - timedelta(hours=24)),
                ("30 days", end - timedelta(days=30)),
            ):
                window = (sensor, since, end)
                r_s, r_n = _timed(cur, ROLLUP, window)
                raw_s, raw_n = _timed(cur, RAW, window)
                agg_s, agg_n = _timed(cur, RAW_HOURLY, window)
                print(
                    f"drill-down one sensor over {label}: rollups {r_s * 1000:.2f} ms ({r_n} hourly "
                    f"points); raw rows {raw_s * 1000:.2f} ms ({raw_n:,} rows); "
                    f"hourly aggregate of raw rows {agg_s * 1000:.2f} ms ({agg_n} points)"
                )

            # Two days of the same size, both well inside the loaded period.
            a, b = start.date() + timedelta(days=2), start.date() + timedelta(days=3)
            lo = datetime(a.year, a.month, a.day, tzinfo=UTC)
            n_a = cur.execute(f"SELECT count(*) FROM {partitions.name(a)}").fetchone()[0]
            began = time.perf_counter()
            cur.execute(
                "DELETE FROM reading_history WHERE ts >= %s AND ts < %s",
                (lo, lo + timedelta(days=1)),
            )
            delete_s = time.perf_counter() - began
            n_b = cur.execute(f"SELECT count(*) FROM {partitions.name(b)}").fetchone()[0]
            began = time.perf_counter()
            cur.execute(f"ALTER TABLE reading_history DETACH PARTITION {partitions.name(b)}")
            cur.execute(f"DROP TABLE {partitions.name(b)}")
            drop_s = time.perf_counter() - began
            print(
                f"retention of one day: DELETE {n_a:,} rows {delete_s:.2f} s; "
                f"DETACH + DROP partition of {n_b:,} rows {drop_s * 1000:.1f} ms"
            )
        if args.rows < 50_000_000:
            print(
                f"extrapolation (not measured): 50,000,000 rows by COPY at {copy_rate:,.0f} rows/s "
                f"≈ {50_000_000 / copy_rate / 60:.0f} min; a day's DELETE grows with its rows "
                f"(≈ {delete_s * 50_000_000 / args.days / max(n_a, 1):.0f} s for "
                f"{50_000_000 // args.days:,}), the partition drop does not"
            )
    finally:
        engine.dispose()
        if not args.keep:
            with psycopg.connect(admin_info, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
