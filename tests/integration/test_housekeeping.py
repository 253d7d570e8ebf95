"""Bounded state on the real Redis and both warehouses: archived stream entries and the closed
window are trimmed, old warehouse rows purged, and nothing not yet archived is touched."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver import GROUP, Archiver, housekeeping
from auth import store
from data_sources import Sources, build_sources, keys
from settings import Settings, SettingsError

pytestmark = pytest.mark.redis

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def archiver(sources: Sources, consumer: str = "keeper", **options) -> Archiver:
    options = {"block_ms": 10, "claim_idle_ms": 50, "claim_every_s": 3600} | options
    return Archiver(sources, consumer=consumer, retention_days=0, **options)


def alarm(alarm_id: str, i: int) -> dict:
    return {
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
        "detail": {},
    }


def ids(sources: Sources, stream: str) -> list[str]:
    return [entry_id for entry_id, _ in sources.redis.xrange(stream)]


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_archived_stream_entries_are_trimmed_and_unarchived_ones_kept(sources: Sources) -> None:
    live, r = sources, sources.redis
    arch = archiver(sources, housekeeping_every_s=0)
    arch.run_once()  # groups, restore marker
    for i in range(3):
        live.alarms.put(alarm(f"A{i}", i))
    live.readings.put([("S1", T0.timestamp() + i, float(i)) for i in range(3)])
    # Another group on the readings stream (the threshold engine) that has read only one batch.
    r.xgroup_create(keys.READING_STREAM, "thresholds", id="0")
    r.xreadgroup("thresholds", "t", {keys.READING_STREAM: ">"}, count=1)
    (slow,) = r.xreadgroup("thresholds", "t", {keys.READING_STREAM: "0"})[0][1]
    r.xack(keys.READING_STREAM, "thresholds", slow[0])
    live.readings.put([("S1", T0.timestamp() + 10, 10.0)])
    counts = arch.run_once()
    assert counts["alarm_changes"] == 3 and counts["reading_batches"] == 2
    assert counts["trimmed_alarm_entries"] == 3
    assert ids(sources, keys.ALARM_STREAM) == []
    # The second batch is archived but the threshold engine has not read it yet: kept.
    assert counts["trimmed_reading_entries"] == 1
    assert len(ids(sources, keys.READING_STREAM)) == 1

    # Two entries delivered to a consumer that then died (pending), two not delivered at all.
    for i in range(3, 5):
        live.alarms.put(alarm(f"A{i}", i))
    r.xreadgroup(GROUP, "crashed", {keys.ALARM_STREAM: ">"}, count=2)
    for i in range(5, 7):
        live.alarms.put(alarm(f"A{i}", i))
    unarchived = ids(sources, keys.ALARM_STREAM)
    assert housekeeping.trim_archived(r, [keys.ALARM_STREAM])[keys.ALARM_STREAM] == 0
    assert ids(sources, keys.ALARM_STREAM) == unarchived
    # Delivered to the live consumer too, not acked yet (a write in flight): still kept.
    r.xreadgroup(GROUP, "keeper", {keys.ALARM_STREAM: ">"}, count=2)
    assert housekeeping.trim_archived(r, [keys.ALARM_STREAM])[keys.ALARM_STREAM] == 0
    assert ids(sources, keys.ALARM_STREAM) == unarchived

    time.sleep(0.1)  # the crashed consumer's entries are idle: claimed and archived
    arch = archiver(sources, "rescuer", claim_every_s=0, housekeeping_every_s=0)
    for _ in range(3):
        arch.run_once()
    assert sources.warehouse.count("alarm_history") == 7
    assert ids(sources, keys.ALARM_STREAM) == []
    # The stream and its group survive being trimmed empty; new entries flow on.
    live.alarms.put(alarm("A7", 7))
    assert arch.run_once()["alarm_changes"] == 1
    assert sources.warehouse.count("alarm_history") == 8


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_a_stream_without_a_consumer_group_is_never_trimmed(sources: Sources) -> None:
    for i in range(3):
        sources.alarms.put(alarm(f"N{i}", i))
    assert housekeeping.trim_archived(sources.redis, [keys.ALARM_STREAM, "se:stream:none"]) == {
        keys.ALARM_STREAM: 0,
        "se:stream:none": 0,
    }
    assert len(ids(sources, keys.ALARM_STREAM)) == 3


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_closed_alarms_leave_the_closed_set_with_their_hashes_after_the_window(
    sources: Sources,
) -> None:
    live, r = sources, sources.redis
    now = time.time()
    for i, name in enumerate(["OLD-1", "OLD-2", "RECENT", "OPEN", "AGAIN"]):
        live.alarms.put(alarm(name, i))
    live.alarms.transition("OLD-1", "closed", "值班员", now - 2 * 86400)
    live.alarms.transition("OLD-2", "closed", "值班员", now - 86400 - 60)
    live.alarms.transition("RECENT", "closed", "值班员", now - 3600)
    live.alarms.transition("AGAIN", "closed", "值班员", now - 3 * 86400)
    # AGAIN came back under the same id (its idempotency window passed): active again.
    r.zadd(keys.ALARMS_ACTIVE, {"AGAIN": now})
    r.hset(keys.alarm("AGAIN"), "status", "new")

    arch = archiver(sources, housekeeping_every_s=0)
    counts = arch.trim(now)
    assert counts["trimmed_closed"] == 3
    assert r.zrange(keys.ALARMS_CLOSED, 0, -1) == ["RECENT"]
    assert not r.exists(keys.alarm("OLD-1")) and not r.exists(keys.alarm("OLD-2"))
    for kept in ("RECENT", "OPEN", "AGAIN"):
        assert r.exists(keys.alarm(kept)), kept
    shown = set(live.alarms.active(closed_window_s=86400 * 7)["id"])
    assert shown == {"RECENT", "OPEN", "AGAIN"}
    assert arch.trim(now)["trimmed_closed"] == 0


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_the_closed_window_is_a_setting(sources: Sources, tmp_path: Path, redis_url: str) -> None:
    settings = Settings.load(
        {
            "REDIS_URL": redis_url,
            "WAREHOUSE_URL": sources.settings.WAREHOUSE_URL,
            "DATA_DIR": str(tmp_path),
            "CLOSED_ALARMS_KEEP_S": 600,
        }
    )
    short = build_sources(settings)
    now = time.time()
    short.alarms.put(alarm("TEN-MIN", 1))
    short.alarms.transition("TEN-MIN", "closed", "值班员", now - 700)
    assert archiver(short, housekeeping_every_s=0).trim(now)["trimmed_closed"] == 1
    assert not short.redis.exists(keys.alarm("TEN-MIN"))
    short.redis.close()
    short.warehouse.engine.dispose()


def test_old_alarm_changes_audit_rows_sessions_and_login_failures_are_purged(
    sources: Sources,
) -> None:
    wh, now = sources.warehouse, datetime.now(UTC)
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    wh.execute(
        "INSERT INTO alarm_events (alarm_id, op, at, actor, rev, state, stream_id) "
        "VALUES (:a, 'new', :at, 'x', 1, '{}', :sid)",
        [{"a": f"E{n}", "at": days(n), "sid": f"{n}-0"} for n in (800, 400, 366, 364, 1)],
    )
    wh.execute(
        "INSERT INTO audit_log (at, action, outcome) VALUES (:at, 'login', 'ok')",
        [{"at": days(n)} for n in (500, 200, 182, 10)],
    )
    store.create_user(wh, "duty", "值班员", "duty_officer", "x", days(30))
    store.create_display(wh, "D1", "指挥大厅主屏", "h", days(29), "admin", days(30))
    sessions = {
        "ended-long-ago": {"now": days(3), "ended": days(2)},
        "ended-just-now": {"now": now - timedelta(hours=1), "ended": now - timedelta(minutes=5)},
        "expired": {"now": days(3), "expires_at": days(2)},
        "idle": {"now": days(3), "expires_at": now + timedelta(hours=1)},
        "live": {"now": now, "expires_at": now + timedelta(hours=12)},
    }
    for name, s in sessions.items():
        store.create_session(
            wh,
            id_hash=name,
            kind="user",
            username="duty",
            now=s["now"],
            **({"expires_at": s["expires_at"]} if "expires_at" in s else {}),
        )
        if "ended" in s:
            store.end_session(wh, name, "logout", s["ended"])
    store.create_session(wh, id_hash="display", kind="display", display_id="D1", now=days(20))
    wh.execute(
        "INSERT INTO login_failures (username, address, failures, first_at, last_at, "
        "blocked_until) VALUES (:u, '10.0.0.1', 9, :at, :at, :until)",
        [
            {"u": "old", "at": days(1), "until": days(1)},
            {"u": "recent", "at": now - timedelta(minutes=10), "until": None},
            {"u": "blocked", "at": now - timedelta(hours=2), "until": now + timedelta(minutes=5)},
        ],
    )

    counts = archiver(sources, housekeeping_every_s=0).purge(now)
    assert counts["purged_alarm_events"] == 3
    assert counts["purged_audit_log"] == 2
    assert counts["purged_sessions"] == 3 and counts["purged_login_failures"] == 1
    left = wh.query("SELECT alarm_id FROM alarm_events ORDER BY alarm_id")["alarm_id"]
    assert list(left) == ["E1", "E364"]
    assert wh.count("audit_log") == 2
    left = set(wh.query("SELECT id_hash FROM auth_sessions")["id_hash"])
    assert left == {"ended-just-now", "live", "display"}
    left = set(wh.query("SELECT username FROM login_failures")["username"])
    assert left == {"recent", "blocked"}
    assert archiver(sources, housekeeping_every_s=0).purge(now)["purged_alarm_events"] == 0


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_purges_go_in_chunks_and_keep_what_is_younger(sources: Sources) -> None:
    wh, now = sources.warehouse, datetime.now(UTC)
    wh.execute(
        "INSERT INTO alarm_events (alarm_id, op, at, actor, rev, state, stream_id) "
        "VALUES (:a, 'new', :at, 'x', 1, '{}', :sid)",
        [{"a": f"E{n}", "at": now - timedelta(days=400 + n), "sid": f"{n}-0"} for n in range(7)]
        + [{"a": "young", "at": now, "sid": "young-0"}],
    )
    cutoff = now - timedelta(days=365)
    assert housekeeping.purge_older(wh, "alarm_events", "at", cutoff, chunk=2) == 7
    assert list(wh.query("SELECT alarm_id FROM alarm_events")["alarm_id"]) == ["young"]


def test_retention_settings_default_to_a_year_of_alarms_and_half_a_year_of_audit() -> None:
    settings = Settings.load({}, environ={})
    assert settings.ALARM_EVENTS_RETENTION_DAYS == 365
    assert settings.AUDIT_RETENTION_DAYS == 183
    assert Settings.load({"AUDIT_RETENTION_DAYS": 0}, environ={}).AUDIT_RETENTION_DAYS == 0
    with pytest.raises(SettingsError, match="AUDIT_RETENTION_DAYS"):
        Settings.load({"AUDIT_RETENTION_DAYS": 90}, environ={})


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_an_upstream_alarm_id_is_known_for_alarm_ids_keep_s(
    sources: Sources, tmp_path: Path, redis_url: str
) -> None:
    sources.alarms.put(alarm("WEEK", 1))
    assert 604790 < sources.redis.ttl(keys.SEEN + "WEEK") <= 604800
    settings = Settings.load(
        {
            "REDIS_URL": redis_url,
            "WAREHOUSE_URL": sources.settings.WAREHOUSE_URL,
            "DATA_DIR": str(tmp_path),
            "ALARM_IDS_KEEP_S": 3600,
        }
    )
    short = build_sources(settings)
    assert short.alarms.put(alarm("HOUR", 2)) == ("new", "HOUR")
    assert short.alarms.put(alarm("HOUR", 2)) == ("duplicate", "HOUR")
    assert 3590 < short.redis.ttl(keys.SEEN + "HOUR") <= 3600
    short.redis.close()
    short.warehouse.engine.dispose()
