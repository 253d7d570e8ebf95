"""Restore of the live state after Redis came back empty, at 100,000 alarms in PostgreSQL.

Builds a warehouse (a fresh PostgreSQL database) holding `--alarms` alarms: 20 % active
(half of them acknowledged), 30 % closed within the last day (the closed window the screens
show), 50 % closed earlier (not restored), one repeat event for every tenth alarm, and
`--sensors` sensors with `--readings` readings each. Then, on an emptied Redis db, times
`rebuild_live_state` (what the archiver runs) and, as the bare reference, the raw SELECT
of the same rows.

    .venv/bin/python benchmarks/restore.py --redis redis://127.0.0.1:6380/14 \\
        --warehouse postgresql+psycopg://postgres@127.0.0.1:5432/test

Prints numbers; asserts nothing. Results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
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

from archiver.rebuild import _ALARMS, CLOSED_WINDOW, rebuild_live_state  # noqa: E402
from data_sources import build_sources  # noqa: E402
from settings import Settings  # noqa: E402


def _fill(conninfo: str, alarms: int, sensors: int, readings: int) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        rows, events = [], []
        for i in range(alarms):
            occurred = now - timedelta(days=3) + timedelta(seconds=i)
            share = i % 10
            status = "new" if share < 1 else "acknowledged" if share < 2 else "closed"
            closed_at = None
            if status == "closed":
                recent = share < 5
                closed_at = now - (timedelta(hours=12) if recent else timedelta(days=2))
            alarm_id = f"BENCH-{i:07d}"
            body_detail = json.dumps({"value": i % 97, "unit": "%LEL"})
            rows.append(
                (
                    alarm_id,
                    "hazchem",
                    ("red", "orange", "yellow", "blue")[i % 4],
                    f"类别{i % 40}",
                    f"基准测试告警 {i}",
                    occurred,
                    occurred,
                    120.5 + (i % 1000) / 2000,
                    31.2 + (i % 700) / 2000,
                    None,
                    "320508",
                    status,
                    1 + (i % 10 == 0),
                    "值班员" if status != "new" else None,
                    occurred + timedelta(minutes=1) if status != "new" else None,
                    "值班员" if closed_at else None,
                    closed_at,
                    "已处置" if closed_at else None,
                    body_detail,
                    2 if status != "new" else 1,
                    occurred,
                    f"hazchem|pos:{i}|类别{i % 40}",
                )
            )
            if i % 10 == 0:
                state = json.dumps({"last_id": f"{alarm_id}-repeat", "status": status})
                events.append((alarm_id, "repeat", occurred, "hazchem", 2, state, f"{i}-0"))
        cur.executemany(
            "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
            "received_at, lon, lat, site_id, district, status, count, ack_by, ack_at, closed_by, "
            "closed_at, close_note, detail, rev, last_at, dedupe) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s)",
            rows,
        )
        cur.executemany(
            "INSERT INTO alarm_events (alarm_id, op, at, actor, rev, state, stream_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            events,
        )
        with cur.copy("COPY reading_history (sensor_id, ts, value) FROM STDIN") as copy:
            for s in range(sensors):
                for k in range(readings):
                    copy.write_row((f"S{s:05d}", now - timedelta(seconds=60 * k), float(k % 50)))
        conn.commit()
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6380/14")
    parser.add_argument(
        "--warehouse", default="postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--alarms", type=int, default=100_000)
    parser.add_argument("--sensors", type=int, default=2_000)
    parser.add_argument("--readings", type=int, default=200, help="per sensor")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    admin = make_url(args.warehouse).set(drivername="postgresql")
    name = f"se_bench_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(args.warehouse).set(database=name)
    sources = None
    try:
        settings = Settings.load(
            {
                "REDIS_URL": args.redis,
                "WAREHOUSE_URL": url.render_as_string(hide_password=False),
                "REDIS_VOLATILE_OK": True,  # the benchmark flushes its db: no promise to keep
            }
        )
        sources = build_sources(settings)
        started = time.perf_counter()
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        _fill(conninfo, args.alarms, args.sensors, args.readings)
        print(
            f"warehouse: {args.alarms:,} alarms, {args.sensors:,} sensors x {args.readings} "
            f"readings, built in {time.perf_counter() - started:.1f} s"
        )
        since = datetime.now(UTC) - CLOSED_WINDOW
        params = {"new": "new", "acknowledged": "acknowledged", "closed": "closed"}
        raw, full = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            frame = sources.warehouse.query(
                _ALARMS, {**params, "since": since, "after": "", "batch": args.alarms * 2}
            )
            raw.append(time.perf_counter() - started)
            sources.redis.flushdb()
            started = time.perf_counter()
            restored = rebuild_live_state(sources)
            full.append(time.perf_counter() - started)
        print(
            f"raw SELECT of the {len(frame):,} alarms to restore: median {statistics.median(raw):.2f} s"
        )
        print(
            f"rebuild_live_state: {restored['alarms']:,} alarms and {restored['sensors']:,} "
            f"sensors restored, median {statistics.median(full):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in full)})"
        )
    finally:
        if sources is not None:
            sources.redis.flushdb()
            sources.warehouse.engine.dispose()
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
