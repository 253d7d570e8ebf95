"""The archiver on the real Redis server and both warehouses (SQLite file, PostgreSQL):
nothing lost and nothing doubled across crashes, redeliveries, poison entries and a Redis
that comes back empty."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.exc import OperationalError

from archiver import GROUP, Archiver, start_in_process
from data_sources import Sources, keys, quarantine
from data_sources.warehouse import Warehouse, make_engine
from settings import ROOT

pytestmark = pytest.mark.redis

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


class Crash(BaseException):
    """The archiver process dies at this point (nothing of it runs on)."""


def archiver(sources: Sources, consumer: str = "test", **options: Any) -> Archiver:
    # The fixed dates below are older than any retention period: keep readings forever here.
    options = {
        "block_ms": 10,
        "claim_idle_ms": 50,
        "claim_every_s": 0,
        "retention_days": 0,
        "housekeeping_every_s": None,
    } | options
    return Archiver(sources, consumer=consumer, **options)


def drain(arch: Archiver, cycles: int = 50) -> None:
    """Run cycles until one finds nothing to do."""
    for _ in range(cycles):
        counts = arch.run_once()
        if not any(counts.get(k) for k in ("alarm_changes", "reading_batches", "team_changes")):
            return
    raise AssertionError(f"still busy after {cycles} cycles")


def alarm(alarm_id: str, i: int = 0, **fields: Any) -> dict[str, Any]:
    """An alarm; a different `i` puts it at another place (no merge with the others)."""
    record = {
        "id": alarm_id,
        "source": "hazchem",
        "level": "orange",
        "category": "可燃气体报警",
        "title": "罐区可燃气体浓度超标",
        "occurred_at": T0 + timedelta(seconds=i),
        "lon": round(120.5 + 0.01 * i, 6),
        "lat": 31.31,
        "site_id": None,
        "district": "320508",
        "detail": {"value": 23.5, "i": i},
    }
    return record | fields


def times(column: pd.Series) -> list[datetime]:
    """Warehouse times as UTC datetimes (PostgreSQL gives datetimes, SQLite UTC text)."""
    return [t.to_pydatetime() for t in pd.to_datetime(column, utc=True, format="ISO8601")]


def stream_ids(sources: Sources, stream: str) -> set[str]:
    return {entry_id for entry_id, _ in sources.redis.xrange(stream)}


def pending(sources: Sources, stream: str) -> int:
    return int(sources.redis.xpending(stream, GROUP)["pending"])


def history(sources: Sources) -> pd.DataFrame:
    return sources.warehouse.query("SELECT * FROM alarm_history ORDER BY id")


def events(sources: Sources) -> pd.DataFrame:
    return sources.warehouse.query("SELECT * FROM alarm_events ORDER BY id")


def readings(sources: Sources) -> set[tuple[str, datetime, float]]:
    frame = sources.warehouse.query("SELECT sensor_id, ts, value FROM reading_history")
    return set(zip(frame["sensor_id"], times(frame["ts"]), frame["value"].astype(float)))


def expected_readings(batches: list[list[tuple[str, float, float]]]) -> set[tuple]:
    return {
        (s, datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=round(t * 1000)), v)
        for batch in batches
        for s, t, v in batch
    }


# --- 1. crash mid-batch ----------------------------------------------------------------


@pytest.mark.parametrize(
    "crash_at", ["_write", "_ack_entries"], ids=["before-commit", "before-ack"]
)
def test_a_consumer_killed_mid_batch_loses_and_doubles_nothing(
    sources: Sources, crash_at: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = sources
    for i in range(30):
        live.alarms.put(alarm(f"A{i:03d}", i), now=T0.timestamp() + i)
    for i in range(0, 30, 3):
        live.alarms.transition(f"A{i:03d}", "acknowledged", "值班员", T0.timestamp() + 100 + i)
    batches = [
        [(f"S{j:02d}", T0.timestamp() + b + j / 1000, float(b * 100 + j)) for j in range(20)]
        for b in range(12)
    ]
    for batch in batches:
        live.readings.put(batch)

    a = archiver(sources, "A", batch=10)

    def crash(*_args: Any) -> None:
        raise Crash

    monkeypatch.setattr(a, crash_at, crash)
    with pytest.raises(Crash):
        a.run_once()
    # A read a batch of each stream and never acknowledged it.
    assert pending(sources, keys.ALARM_STREAM) == 10
    assert pending(sources, keys.READING_STREAM) == 10
    if crash_at == "_ack_entries":
        assert sources.warehouse.count("alarm_history") == 10  # committed, then died

    time.sleep(0.06)  # A's entries are now idle longer than claim_idle_ms
    b = archiver(sources, "B", batch=10)
    first = b.run_once()
    assert first["claimed"] == 20
    drain(b)

    assert pending(sources, keys.ALARM_STREAM) == pending(sources, keys.READING_STREAM) == 0
    frame = history(sources)
    assert list(frame["id"]) == [f"A{i:03d}" for i in range(30)]
    acked = frame.set_index("id")["status"]
    assert all(acked[f"A{i:03d}"] == ("acknowledged" if i % 3 == 0 else "new") for i in range(30))
    log = events(sources)
    assert len(log) == 40
    assert set(log["stream_id"]) == stream_ids(sources, keys.ALARM_STREAM)
    assert log.groupby("op").size().to_dict() == {"acknowledged": 10, "new": 30}
    assert readings(sources) == expected_readings(batches)
    assert sources.warehouse.count("reading_history") == 240


# --- 2. the same id five times ---------------------------------------------------------


def test_the_same_alarm_posted_five_times_is_one_row_and_one_event(sources: Sources) -> None:
    outcomes = [sources.alarms.put(alarm("DUP-1")) for _ in range(5)]
    assert outcomes == [("new", "DUP-1")] + [("duplicate", "DUP-1")] * 4
    arch = archiver(sources)
    drain(arch)
    # Every entry delivered once more (as after a lost acknowledgement): still one of each.
    sources.redis.xgroup_setid(keys.ALARM_STREAM, GROUP, "0")
    drain(arch)

    frame = history(sources)
    assert list(frame["id"]) == ["DUP-1"]
    assert (frame.iloc[0]["status"], frame.iloc[0]["count"], frame.iloc[0]["rev"]) == ("new", 1, 1)
    log = events(sources)
    assert list(zip(log["alarm_id"], log["op"])) == [("DUP-1", "new")]


# --- 3. a thousand readings, shuffled --------------------------------------------------


def test_a_thousand_shuffled_readings_are_stored_once_and_the_newest_is_latest(
    sources: Sources,
) -> None:
    rng = random.Random(20260501)
    unique = [
        (f"S{s:02d}", T0.timestamp() + k * 0.5 + s / 1000, round(rng.uniform(0, 100), 3))
        for s in range(20)
        for k in range(50)
    ]
    sent = unique + rng.sample(unique, 150)  # redelivered readings
    rng.shuffle(sent)
    batches = [sent[i : i + 37] for i in range(0, len(sent), 37)]
    for batch in batches:
        sources.readings.put(batch)
    drain(archiver(sources))

    stored = readings(sources)
    assert len(unique) == 1000
    assert stored == expected_readings([unique])
    assert sources.warehouse.count("reading_history") == 1000

    newest = {}
    for sensor_id, ts, value in unique:
        if sensor_id not in newest or ts > newest[sensor_id][0]:
            newest[sensor_id] = (ts, value)
    latest = sources.readings.latest().set_index("sensor_id")
    assert set(latest.index) == set(newest)
    for sensor_id, (ts, value) in newest.items():
        assert latest.loc[sensor_id, "value"] == value
        assert latest.loc[sensor_id, "ts"].timestamp() == pytest.approx(ts, abs=1e-3)


# --- 4. poison entries -----------------------------------------------------------------


def test_a_poison_entry_goes_to_the_warehouse_quarantine_and_the_good_ones_are_archived(
    sources: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    live, r = sources, sources.redis
    live.alarms.put(alarm("GOOD-1", 1))
    bad_alarm = r.xadd(
        keys.ALARM_STREAM, {"op": "new", "id": "BAD-1", "status": "new", "body": "{not json"}
    )
    live.alarms.put(alarm("GOOD-2", 2))
    live.readings.put([("S01", T0.timestamp(), 1.0)])
    bad_batch = r.xadd(keys.READING_STREAM, {"batch": json.dumps([["S01", "yesterday", 2.0]])})
    live.readings.put([("S01", T0.timestamp() + 1, 3.0)])

    arch = archiver(sources, max_deliveries=5, claim_every_s=3600)
    with caplog.at_level(logging.WARNING, logger="archiver"):
        for cycle in range(1, 5):
            counts = arch.run_once()
            assert counts["failed"] == 2, cycle
            assert quarantine.list(sources.warehouse) == []
            # The good entries around the bad ones are in from the first cycle on.
            assert list(history(sources)["id"]) == ["GOOD-1", "GOOD-2"]
            assert sources.warehouse.count("reading_history") == 2
        counts = arch.run_once()

    assert counts["quarantined"] == 2
    # Ids of two streams can be equal: a quarantined entry is known by its channel and ref.
    held = {(q["channel"], q["ref"]): q for q in quarantine.list(sources.warehouse)}
    bad_alarm, bad_batch = ("archiver:alarms", bad_alarm), ("archiver:readings", bad_batch)
    assert set(held) == {bad_alarm, bad_batch}
    assert "JSONDecodeError" in held[bad_alarm]["error"]
    assert "finite" in held[bad_batch]["error"]
    assert "after 5 deliveries" in held[bad_alarm]["error"]
    assert json.loads(held[bad_alarm]["raw"])["fields"]["body"] == "{not json"
    assert pending(sources, keys.ALARM_STREAM) == pending(sources, keys.READING_STREAM) == 0
    errors = [rec for rec in caplog.records if rec.levelno == logging.ERROR]
    assert len(errors) == 2 and all("quarantined" in rec.getMessage() for rec in errors)
    assert not r.exists(keys.DEAD_STREAM)
    assert arch.run_once() == {}  # nothing left to retry
    assert sources.warehouse.count("alarm_events") == 2


@pytest.mark.parametrize("warehouse_url", ["postgres"], indirect=True)
def test_an_entry_the_database_refuses_does_not_hold_up_the_rest_of_its_batch(
    sources: Sources,
) -> None:
    # PostgreSQL enforces varchar(24) on site_id; the batch fails, entry by entry it is one.
    live = sources
    live.alarms.put(alarm("OK-1", 1))
    live.alarms.put(alarm("TOO-LONG", 2, site_id="S" * 30))
    live.alarms.put(alarm("OK-2", 3))
    arch = archiver(sources, max_deliveries=2, claim_every_s=3600)
    assert arch.run_once()["failed"] == 1
    assert list(history(sources)["id"]) == ["OK-1", "OK-2"]
    assert arch.run_once()["quarantined"] == 1
    (held,) = quarantine.list(sources.warehouse)
    assert "DataError" in held["error"] and "TOO-LONG" in held["raw"]
    assert held["source"] == "hazchem"
    assert list(events(sources)["alarm_id"]) == ["OK-1", "OK-2"]


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_a_warehouse_outage_is_waited_out_and_never_quarantines(sources: Sources) -> None:
    archiver(sources).run_once()  # the live state is marked as restored
    for i in range(3):
        sources.alarms.put(alarm(f"W{i}", i))
    down = dataclasses.replace(
        sources, warehouse=Warehouse(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/x"))
    )
    arch = archiver(down, "W", max_deliveries=2)
    for _ in range(4):
        with pytest.raises(OperationalError):
            arch.run_once()
    assert quarantine.list(sources.warehouse) == []
    assert pending(sources, keys.ALARM_STREAM) == 3
    # Back up: the same consumer (or another, by claiming) writes what it holds.
    drain(archiver(sources, "W"))
    assert list(history(sources)["id"]) == ["W0", "W1", "W2"]
    assert pending(sources, keys.ALARM_STREAM) == 0
    down.warehouse.engine.dispose()


# --- 5. Redis restarted empty ----------------------------------------------------------


def test_redis_restarted_empty_gets_its_group_back_and_the_live_state_refilled(
    sources: Sources,
) -> None:
    live, r = sources, sources.redis
    now = time.time()
    for i in range(6):
        live.alarms.put(alarm(f"R{i}", i), now=now - 600 + i)
    assert live.alarms.put(alarm("R0-again", 0), now=now - 300) == ("merged", "R0")
    live.alarms.transition("R1", "acknowledged", "值班员甲", now - 200)
    live.alarms.transition("R2", "acknowledged", "值班员乙", now - 190)
    live.alarms.transition("R5", "closed", "值班员甲", now - 100, "误报")
    live.readings.put([("S01", now - 60, 1.5), ("S02", now - 50, 2.5), ("S01", now - 70, 9.9)])
    arch = archiver(sources)
    drain(arch)
    columns = ["id", "status", "count", "ack_by", "ack_at", "closed_by", "closed_at", "rev"]
    before = live.alarms.active()[columns].sort_values("id").reset_index(drop=True)
    latest_before = live.readings.latest().sort_values("sensor_id").reset_index(drop=True)
    assert list(before["id"]) == ["R0", "R1", "R2", "R3", "R4", "R5"]

    r.flushdb()  # what a restart without persistence looks like
    assert live.alarms.active().empty

    counts = arch.run_once()
    assert counts["restored_alarms"] == 6
    assert {g["name"] for g in r.xinfo_groups(keys.ALARM_STREAM)} == {GROUP}
    assert {g["name"] for g in r.xinfo_groups(keys.READING_STREAM)} == {GROUP}
    after = live.alarms.active()[columns].sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(after, before)
    latest_after = live.readings.latest().sort_values("sensor_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(latest_after, latest_before)
    assert live.versions.current() > 0
    # Retried posts stay duplicates, also of an id that was merged as a repeat.
    assert live.alarms.put(alarm("R3", 3)) == ("duplicate", "R3")
    assert live.alarms.put(alarm("R0-again", 0)) == ("duplicate", "R0")
    assert arch.run_once().get("restored_alarms") is None  # restored once, not every cycle

    # Life goes on: new alarms and changes to restored ones archive as newer revisions.
    assert live.alarms.put(alarm("R6", 6)) == ("new", "R6")
    assert live.alarms.put(alarm("R3-repeat", 3)) == ("merged", "R3")
    assert live.alarms.transition("R1", "closed", "值班员丙", now, "已处置") == "closed"
    drain(arch)
    frame = history(sources).set_index("id")
    assert list(frame.index) == ["R0", "R1", "R2", "R3", "R4", "R5", "R6"]
    assert (frame.loc["R1", "status"], frame.loc["R1", "rev"]) == ("closed", 3)
    assert (frame.loc["R3", "count"], frame.loc["R3", "rev"]) == (2, 2)
    assert frame.loc["R6", "status"] == "new"
    assert pending(sources, keys.ALARM_STREAM) == 0


def test_team_status_changes_are_archived_once_each_and_come_back_after_redis_emptied(
    sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, r = sources, sources.redis
    now = time.time()
    moves = [
        ("T01", "dispatched", now - 300),
        ("T02", "off", now - 290),
        ("T01", "returning", now - 200),
        ("T01", "ready", now - 100),
        ("T03", "dispatched", now - 50),
    ]
    for team, state, at in moves:
        assert live.status.set_team_status(team, state, by="值班长 王艳", via="test", at=at)
    assert not live.status.set_team_status("T03", "dispatched")  # no change, nothing written
    with pytest.raises(ValueError):
        live.status.set_team_status("T02", "dispatched")  # off must be ready first
    assert r.xlen(keys.TEAM_STREAM) == len(moves)

    # Killed after the commit, before the ack: the entries are archived again, and stay one
    # row each.
    a = archiver(sources, "A")

    def crash(*_args: Any) -> None:
        raise Crash

    monkeypatch.setattr(a, "_ack_entries", crash)
    with pytest.raises(Crash):
        a.run_once()
    assert pending(sources, keys.TEAM_STREAM) == len(moves)
    time.sleep(0.06)
    b = archiver(sources, "B")
    drain(b)
    assert pending(sources, keys.TEAM_STREAM) == 0
    rows = sources.warehouse.query("SELECT * FROM team_status_history ORDER BY id")
    got = list(zip(rows["team_id"], rows["status"], times(rows["at"]), strict=True))
    assert got == [
        (team, state, datetime.fromtimestamp(round(at, 3), UTC)) for team, state, at in moves
    ]
    assert set(rows["actor"]) == {"值班长 王艳"} and set(rows["via"]) == {"test"}
    assert set(rows["stream_id"]) == stream_ids(sources, keys.TEAM_STREAM)

    before = live.status.team_status()
    assert before == {"T01": "ready", "T02": "off", "T03": "dispatched"}
    r.flushdb()
    assert live.status.team_status() == {}
    counts = b.run_once()
    assert counts["restored_teams"] == 3
    assert live.status.team_status() == before
    assert {g["name"] for g in r.xinfo_groups(keys.TEAM_STREAM)} == {GROUP}


def test_a_malformed_team_status_entry_is_quarantined_and_the_good_ones_archived(
    sources: Sources,
) -> None:
    sources.status.set_team_status("T01", "dispatched", by="值班员", via="test")
    sources.redis.xadd(keys.TEAM_STREAM, {"team_id": "T02", "status": "<b>gone</b>"})
    sources.status.set_team_status("T02", "off")
    a = archiver(sources, max_deliveries=2, claim_every_s=3600)
    assert a.run_once()["failed"] == 1
    assert a.run_once()["quarantined"] == 1
    rows = sources.warehouse.query("SELECT team_id, status FROM team_status_history ORDER BY id")
    assert list(zip(rows["team_id"], rows["status"], strict=True)) == [
        ("T01", "dispatched"),
        ("T02", "off"),
    ]
    held = quarantine.list(sources.warehouse, channel=quarantine.ARCHIVER_TEAMS)
    assert len(held) == 1 and "'<b>gone</b>' is not one of" in held[0]["error"]
    assert pending(sources, keys.TEAM_STREAM) == 0


# --- 6. the lifecycle ------------------------------------------------------------------


def test_new_acknowledged_closed_is_three_events_and_the_final_row(sources: Sources) -> None:
    live = sources
    t_new, t_ack, t_close = T0.timestamp() + 5, T0.timestamp() + 65.25, T0.timestamp() + 600.5
    live.alarms.put(alarm("L-1"), now=t_new)
    live.alarms.transition("L-1", "acknowledged", "张三", t_ack)
    live.alarms.transition("L-1", "closed", "李四", t_close, "现场已处置完毕")
    arch = archiver(sources)
    drain(arch)

    log = events(sources)
    assert list(log["op"]) == ["new", "acknowledged", "closed"]
    assert list(log["actor"]) == ["hazchem", "张三", "李四"]
    assert list(log["rev"]) == [1, 2, 3]
    at = [datetime.fromtimestamp(t, UTC) for t in (t_new, t_ack, t_close)]
    assert times(log["at"]) == at
    final = json.loads(log["state"].iloc[-1])
    assert (final["status"], final["close_note"], final["body"]["id"]) == (
        "closed",
        "现场已处置完毕",
        "L-1",
    )

    row = history(sources).iloc[0]
    assert (row["status"], row["ack_by"], row["closed_by"], row["close_note"], row["rev"]) == (
        "closed",
        "张三",
        "李四",
        "现场已处置完毕",
        3,
    )
    frame = history(sources)
    assert times(frame["ack_at"]) == [at[1]] and times(frame["closed_at"]) == [at[2]]
    assert times(frame["occurred_at"]) == [T0]

    # Old entries delivered again never roll the alarm back to an earlier state.
    sources.redis.xgroup_setid(keys.ALARM_STREAM, GROUP, "0")
    drain(arch)
    assert history(sources).iloc[0]["status"] == "closed"
    assert len(events(sources)) == 3


# --- running it ------------------------------------------------------------------------


def test_the_archiver_runs_in_a_thread_of_the_app_until_stopped(sources: Sources) -> None:
    handle = start_in_process(sources, block_ms=50)
    try:
        sources.alarms.put(alarm("T-1"))
        deadline = time.monotonic() + 10
        while sources.warehouse.count("alarm_history") == 0:
            assert time.monotonic() < deadline, "not archived within 10 s"
            time.sleep(0.05)
    finally:
        handle.stop()
    assert not handle.alive


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_python_m_archiver_stops_cleanly_on_sigterm(
    tmp_path: Path, redis_url: str, warehouse_url: str, redis_client: Any
) -> None:
    env = os.environ | {
        "REDIS_URL": redis_url,
        "WAREHOUSE_URL": warehouse_url,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "archiver"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not redis_client.exists(keys.RESTORED):  # its first cycle is done
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the archiver did not start within 30 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "SIGTERM: stopping" in err and "stopped" in err


def test_readings_older_than_the_retention_period_are_pruned(sources: Sources) -> None:
    now = datetime.now(UTC)
    rows = [
        {"sensor_id": "S1", "ts": now - timedelta(days=40), "value": 1.0},
        {"sensor_id": "S1", "ts": now - timedelta(days=29), "value": 2.0},
        {"sensor_id": "S2", "ts": now - timedelta(hours=1), "value": 3.0},
    ]
    sources.warehouse.execute(
        "INSERT INTO reading_history (sensor_id, ts, value) VALUES (:sensor_id, :ts, :value)", rows
    )
    arch = archiver(sources, retention_days=30)
    assert arch.prune(now) == 1
    assert sorted(v for _, _, v in readings(sources)) == [2.0, 3.0]
    # Kept forever when the retention is 0: the archiving loop never prunes.
    keep = archiver(sources, consumer="keep", retention_days=0)
    assert "pruned" not in keep.run_once()


# --- 6. quarantine ---------------------------------------------------------------------


def quarantine_command(tmp_path: Path, redis_url: str, warehouse_url: str, *args: str) -> str:
    env = os.environ | {
        "REDIS_URL": redis_url,
        "WAREHOUSE_URL": warehouse_url,
        "DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "archiver", "quarantine", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("warehouse_url", ["postgres"], indirect=True)
def test_an_alarm_with_nul_in_its_title_is_quarantined_in_the_warehouse_and_survives_redis_emptied(
    sources: Sources, tmp_path: Path, redis_url: str, warehouse_url: str
) -> None:
    # Accepted at the door today (a poisoned entry): PostgreSQL text cannot hold U+0000.
    live, r = sources, sources.redis
    live.alarms.put(alarm("NUL-1", 1, title="罐区\x00可燃气体浓度超标", category="气体\x00"))
    live.alarms.put(alarm("FINE-1", 2))
    nul_id = sources.redis.xrange(keys.ALARM_STREAM, count=1)[0][0]
    arch = archiver(sources, max_deliveries=3, claim_every_s=3600)
    quarantined = sum(arch.run_once().get("quarantined", 0) for _ in range(3))
    assert quarantined == 1
    assert list(history(sources)["id"]) == ["FINE-1"]
    assert pending(sources, keys.ALARM_STREAM) == 0

    # Redis restarted empty (FLUSHDB of the test db: FLUSHALL would empty the other dbs of a
    # shared test server too); what was quarantined is not in Redis anyway.
    r.flushdb()

    (held,) = quarantine.list(sources.warehouse)
    assert (held["channel"], held["source"], held["ref"]) == ("archiver:alarms", "hazchem", nul_id)
    body = json.loads(json.loads(held["raw"])["fields"]["body"])
    assert body["title"] == "罐区\x00可燃气体浓度超标" and body["id"] == "NUL-1"
    assert "NUL" in held["error"] or "0x00" in held["error"]
    listed = quarantine_command(tmp_path, redis_url, warehouse_url, "list")
    assert f"#{held['id']}\t" in listed and "archiver:alarms" in listed
    assert "1 quarantined entries" in listed and "\x00" not in listed
    shown = quarantine_command(tmp_path, redis_url, warehouse_url, "show", str(held["id"]))
    assert "NUL-1" in shown and "\x00" not in shown and f"ref: {nul_id}" in shown

    # The fix for what is already in: store it with U+FFFD in place of U+0000.
    redriven = quarantine_command(
        tmp_path, redis_url, warehouse_url, "redrive", str(held["id"]), "--replace-nul"
    )
    assert "re-enqueued onto se:stream:alarms" in redriven
    drain(archiver(sources, "after-fix"))
    stored = history(sources).set_index("id")
    assert stored.loc["NUL-1", "title"] == "罐区\ufffd可燃气体浓度超标"
    assert stored.loc["NUL-1", "category"] == "气体\ufffd"
    assert quarantine.list(sources.warehouse) == []


@pytest.mark.parametrize("warehouse_url", ["postgres"], indirect=True)
def test_a_quarantined_entry_is_redriven_after_the_fix_and_recorded_as_redriven(
    sources: Sources, tmp_path: Path, redis_url: str, warehouse_url: str
) -> None:
    from archiver.quarantine_cli import main as quarantine_main

    live = sources
    live.alarms.put(alarm("LONG-SITE-1", 1, site_id="S" * 30))
    live.alarms.put(alarm("LONG-SITE-2", 2, site_id="T" * 30))
    arch = archiver(sources, max_deliveries=1, claim_every_s=3600)
    assert arch.run_once()["quarantined"] == 2
    first, second = sorted(q["id"] for q in quarantine.list(sources.warehouse))
    # The fix: the warehouse takes longer site ids.
    sources.warehouse.execute("ALTER TABLE alarm_history ALTER COLUMN site_id TYPE varchar(64)")

    out = io.StringIO()
    assert quarantine_main(["redrive", str(first)], sources, out=out) == 0
    assert "re-enqueued onto se:stream:alarms" in out.getvalue()
    drain(arch)
    assert list(history(sources)["id"]) == ["LONG-SITE-1"]
    assert quarantine_main(["redrive", "--all", "--direct"], sources, out=out) == 0
    assert list(history(sources)["id"]) == ["LONG-SITE-1", "LONG-SITE-2"]
    assert sorted(events(sources)["alarm_id"]) == ["LONG-SITE-1", "LONG-SITE-2"]

    assert quarantine.list(sources.warehouse) == []
    redriven = quarantine.list(sources.warehouse, include_redriven=True)
    assert all(q["redriven_at"] is not None for q in redriven)
    assert "directly" in quarantine.get(sources.warehouse, second)["redriven_note"]
    again = io.StringIO()
    assert quarantine_main(["redrive", str(first)], sources, out=again) == 1
    assert "already re-driven" in again.getvalue()
    listed = quarantine_command(tmp_path, redis_url, warehouse_url, "list", "--redriven")
    assert "2 quarantined entries" in listed and "re-driven" in listed


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_a_poison_entry_stays_pending_while_the_warehouse_cannot_take_its_quarantine_row(
    sources: Sources,
) -> None:
    archiver(sources).run_once()  # the live state is marked as restored
    sources.redis.xadd(keys.READING_STREAM, {"batch": "not json"})
    down = dataclasses.replace(
        sources, warehouse=Warehouse(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/x"))
    )
    arch = archiver(down, "Q", max_deliveries=2, claim_every_s=3600)
    assert arch.run_once()["failed"] == 1
    for _ in range(2):
        with pytest.raises(OperationalError):
            arch.run_once()  # the last delivery: its quarantine row cannot be written
    assert pending(sources, keys.READING_STREAM) == 1
    assert quarantine.list(sources.warehouse) == []
    # The warehouse is back: the entry is quarantined, then acked.
    assert archiver(sources, "Q", max_deliveries=2).run_once()["quarantined"] == 1
    assert pending(sources, keys.READING_STREAM) == 0
    (held,) = quarantine.list(sources.warehouse)
    assert json.loads(held["raw"])["fields"] == {"batch": "not json"}
    down.warehouse.engine.dispose()


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_legacy_dead_letters_move_from_redis_into_the_quarantine_table(sources: Sources) -> None:
    from archiver.quarantine_cli import import_dead

    r = sources.redis
    fields = {"op": "new", "id": "OLD-1", "status": "new", "body": '{"source": "gis"}'}
    r.xadd(
        keys.DEAD_STREAM,
        {
            "stream": keys.ALARM_STREAM,
            "id": "1700000000000-0",
            "error": "KeyError: 'title'",
            "deliveries": 5,
            "consumer": "old",
            "fields": json.dumps(fields),
        },
    )
    assert import_dead(sources) == 1
    assert r.xlen(keys.DEAD_STREAM) == 0
    (held,) = quarantine.list(sources.warehouse)
    assert (held["channel"], held["source"], held["ref"]) == (
        "archiver:alarms",
        "gis",
        "1700000000000-0",
    )
    assert json.loads(held["raw"])["fields"] == fields


@pytest.mark.parametrize("warehouse_url", ["postgres"], indirect=True)
def test_an_entry_that_cannot_even_be_quarantined_stays_pending_and_does_not_wedge_the_rest(
    sources: Sources,
) -> None:
    archiver(sources).run_once()  # the live state is marked as restored
    sources.warehouse.execute("ALTER TABLE quarantine RENAME TO quarantine_away")
    sources.redis.xadd(keys.READING_STREAM, {"batch": "not json"})
    sources.alarms.put(alarm("AFTER-1", 1))
    arch = archiver(sources, "Q", max_deliveries=1, claim_every_s=3600)
    assert arch.run_once()["failed"] == 1
    sources.alarms.put(alarm("AFTER-2", 2))
    assert arch.run_once()["failed"] == 1
    assert list(history(sources)["id"]) == ["AFTER-1", "AFTER-2"]
    assert pending(sources, keys.READING_STREAM) == 1
    # The table is back: the entry is quarantined, then acked.
    sources.warehouse.execute("ALTER TABLE quarantine_away RENAME TO quarantine")
    assert arch.run_once()["quarantined"] == 1
    assert pending(sources, keys.READING_STREAM) == 0
