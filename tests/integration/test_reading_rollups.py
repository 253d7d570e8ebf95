"""Readings at scale on both warehouses: the 1-minute and 1-hour rollups match the raw rows
whatever order the readings come in, the hazchem drill-down reads them, and on PostgreSQL
retention drops whole day partitions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import redis

from archiver import partitions
from archiver.records import INSERT_READING, INSERT_READINGS_PG, readings_as_arrays
from archiver.retention import Retention
from data_sources.readings import Readings, rollup_step
from data_sources.warehouse import Warehouse, make_engine, upgrade
from tests.helpers import seed_minimal_registry

# An hour boundary and a minute boundary inside the data, so buckets split where they must.
T0 = datetime(2026, 11, 20, 9, 58, 30, tzinfo=UTC)


def open_warehouse(url: str) -> Iterator[Warehouse]:
    engine = make_engine(url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


@pytest.fixture
def wh(warehouse_url: str) -> Iterator[Warehouse]:
    yield from open_warehouse(warehouse_url)


@pytest.fixture
def pg_wh(pg_url: str) -> Iterator[Warehouse]:
    yield from open_warehouse(pg_url)


def insert(wh: Warehouse, rows: list[dict]) -> None:
    # The archiver's own statement, in one transaction as it writes a batch.
    if wh.dialect == "postgresql":
        wh.execute_all([(INSERT_READINGS_PG, readings_as_arrays(rows))])
    else:
        wh.execute_all([(INSERT_READING, rows)])


def raw_aggregates(wh: Warehouse, step: int) -> pd.DataFrame:
    raw = wh.query("SELECT sensor_id, ts, value FROM reading_history")
    raw["ts"] = pd.to_datetime(raw["ts"], utc=True, format="mixed")
    raw["bucket"] = raw["ts"].dt.floor(f"{step}s")
    raw = raw.sort_values("ts")
    grouped = raw.groupby(["sensor_id", "bucket"])["value"]
    return pd.DataFrame(
        {
            "n": grouped.count(),
            "mean": grouped.mean(),
            "min": grouped.min(),
            "max": grouped.max(),
            "last": grouped.last(),
        }
    ).sort_index()


def rollups(wh: Warehouse, step: int) -> pd.DataFrame:
    frame = wh.query(
        "SELECT sensor_id, bucket, n, total / n AS mean, min_value AS min, max_value AS max, "
        "last_value AS last FROM reading_rollups WHERE step = :step",
        {"step": step},
    )
    frame["bucket"] = pd.to_datetime(frame["bucket"], utc=True, format="mixed")
    frame["n"] = frame["n"].astype("int64")
    return frame.set_index(["sensor_id", "bucket"]).sort_index()


def test_rollups_equal_the_raw_aggregates_after_shuffled_late_and_repeated_readings(
    wh: Warehouse,
) -> None:
    rng = random.Random(16)
    rows = [
        {
            "sensor_id": s,
            "ts": T0 + timedelta(seconds=7 * i + rng.random()),
            "value": rng.uniform(-5, 95),
        }
        for s in ("H0001-L1", "H0001-T1")
        for i in range(400)  # ~47 minutes across the 10:00 hour boundary
    ]
    rng.shuffle(rows)
    on_time, late = rows[:600], rows[600:]
    for start in range(0, len(on_time), 100):
        insert(wh, on_time[start : start + 100])
    # Late readings fall into buckets that already exist (older and newer than their last);
    # a redelivered batch repeats readings already there and must not count twice.
    insert(wh, late)
    insert(wh, on_time[:150] + late[:50])
    assert wh.count("reading_history") == 800
    for step in (60, 3600):
        expected, got = raw_aggregates(wh, step), rollups(wh, step)
        assert list(got.index) == list(expected.index)
        assert got["n"].tolist() == expected["n"].tolist()
        for column in ("mean", "min", "max", "last"):
            assert got[column].tolist() == pytest.approx(expected[column].tolist()), column
    assert len(rollups(wh, 3600)) == 4  # two sensors × the 9:00 and 10:00 hours


def test_a_30_day_drill_down_gives_hourly_points_with_the_true_min_and_max(
    wh: Warehouse, redis_client: redis.Redis
) -> None:
    registry = seed_minimal_registry(wh)
    sensor = registry.sensor_ids[0]
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    start = now - timedelta(days=30)
    rows = [
        {"sensor_id": sensor, "ts": start + timedelta(minutes=10 * i), "value": 50.0 + (i % 6)}
        for i in range(30 * 24 * 6)
    ]
    # One spike and one dip, each a single reading inside an hour: a mean would hide them.
    spike_at, dip_at = (
        start + timedelta(days=3, hours=4, minutes=20),
        start + timedelta(days=20, minutes=40),
    )
    for row in rows:
        if row["ts"] == spike_at:
            row["value"] = 99.5
        if row["ts"] == dip_at:
            row["value"] = 3.25
    for i in range(0, len(rows), 1000):
        insert(wh, rows[i : i + 1000])
    readings = Readings(redis_client, wh, cache=None)

    month = readings.sensor_history(registry.hazard_source_id, start, now)
    assert rollup_step(now - start) == 3600
    assert len(month) == 30 * 24
    assert (month["ts"].diff().dropna() == pd.Timedelta(hours=1)).all()
    assert (month["n"] == 6).all()
    spike = month[month["ts"] == spike_at.replace(minute=0)].iloc[0]
    assert spike["max"] == 99.5 and spike["min"] == 50.0
    dip = month[month["ts"] == dip_at.replace(minute=0)].iloc[0]
    assert dip["min"] == 3.25 and dip["max"] == 55.0
    assert month["max"].max() == 99.5 and month["min"].min() == 3.25
    # Away from the spike and dip the hourly mean is the mean of 50..55.
    assert month["value"].iloc[-1] == pytest.approx(52.5)

    # A short window draws the 1-minute rollup: one point per reading here.
    hours = readings.sensor_history(registry.hazard_source_id, now - timedelta(hours=2), now)
    assert rollup_step(timedelta(hours=2)) == 60
    assert len(hours) == 12 and (hours["n"] == 1).all()


def test_retention_drops_the_old_day_partitions_and_keeps_the_rest(pg_wh: Warehouse) -> None:
    now = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
    rows = [
        {"sensor_id": "H0001-L1", "ts": now - timedelta(days=d, hours=h), "value": float(d)}
        for d in range(0, 36)
        for h in (0, 1)
    ]
    insert(pg_wh, rows)
    keeper = Retention()
    keeper.wh, keeper.retention_days = pg_wh, 30
    # The days that landed in the default partition move into their own day partitions.
    assert keeper.partition(now) > 0
    made = partitions.days(pg_wh)
    assert {r["ts"].date() for r in rows} <= set(made)
    assert pg_wh.count(partitions.DEFAULT) == 0
    assert pg_wh.count("reading_history") == 72
    assert now.date() + timedelta(days=partitions.AHEAD_DAYS) in made

    cutoff = now - timedelta(days=30)
    gone = keeper.prune(now)
    left = partitions.days(pg_wh)
    whole_old_days = {d for d in made if d < cutoff.date()}
    assert whole_old_days and not whole_old_days & set(left)
    assert set(left) == set(made) - whole_old_days
    kept = pg_wh.query("SELECT ts FROM reading_history")["ts"]
    assert gone == 72 - len(kept)
    # Every reading inside the period is kept; at most a day's worth past it waits.
    assert sum(r["ts"] >= cutoff for r in rows) <= len(kept)
    assert min(kept) >= datetime.combine(cutoff.date(), datetime.min.time(), UTC)
    # The rollups go with them.
    oldest = pg_wh.query("SELECT min(bucket) AS b FROM reading_rollups")["b"].iloc[0]
    assert oldest >= cutoff - timedelta(hours=1)


def test_migration_0012_converts_a_table_that_already_holds_readings(warehouse_url: str) -> None:
    from alembic import command

    from data_sources.warehouse import _alembic_config

    engine = make_engine(warehouse_url)
    try:
        with engine.begin() as conn:
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0011")
        wh = Warehouse(engine)
        old = [
            {"sensor_id": "H0001-T1", "ts": T0 + timedelta(days=d, minutes=m), "value": d + m / 10}
            for d in (0, 1, 5)
            for m in (0, 1, 2, 61)
        ]
        wh.execute(
            "INSERT INTO reading_history (sensor_id, ts, value) VALUES (:sensor_id, :ts, :value)",
            old,
        )
        upgrade(engine)
        assert wh.count("reading_history") == len(old)
        for step in (60, 3600):
            expected, got = raw_aggregates(wh, step), rollups(wh, step)
            assert got["n"].tolist() == expected["n"].tolist()
            assert got["max"].tolist() == expected["max"].tolist()
            assert got["last"].tolist() == expected["last"].tolist()
        if wh.dialect == "postgresql":
            # Every day of the old rows got its partition (the days between too); none in default.
            assert {T0.date() + timedelta(days=d) for d in range(6)} <= set(partitions.days(wh))
            assert wh.count(partitions.DEFAULT) == 0
            brin = wh.query(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'reading_history' "
                "AND indexdef LIKE '%brin%'"
            )
            assert len(brin) == 1
        # New readings go on being rolled up after the conversion.
        insert(wh, [{"sensor_id": "H0001-T1", "ts": T0 + timedelta(seconds=15), "value": 100.0}])
        assert rollups(wh, 60).loc[("H0001-T1", pd.Timestamp(T0.replace(second=0)))]["max"] == 100.0
    finally:
        engine.dispose()
