"""The threshold worker on the real Redis and a real SQLite warehouse: readings posted to the
stream become alarms through the ingest path, replays do not double them, values returning
to normal close them, and unacknowledged red alarms escalate once per stage."""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data_sources import Sources, build_sources, keys
from ingest import service
from ingest.models import AlarmIn
from settings import Settings
from thresholds.engine import episode_of
from thresholds.rules import RULES_PATH, Rules, parse_rules
from thresholds.worker import CONSUMER, GROUP, STATE_KEY, ThresholdWorker, alarm_id

pytestmark = pytest.mark.redis

GUSU = {
    "type": "Polygon",
    "coordinates": [[[120.57, 31.28], [120.66, 31.28], [120.66, 31.34], [120.57, 31.34], [120.57, 31.28]]],
}  # fmt: skip


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sources(redis_url: str, sqlite_url: str, tmp_path: Path) -> Iterator[Sources]:
    settings = Settings.load(
        {"REDIS_URL": redis_url, "WAREHOUSE_URL": sqlite_url, "DATA_DIR": str(tmp_path)}
    )
    src = build_sources(settings)
    wh = src.warehouse
    wh.execute(
        "INSERT INTO districts (adcode, name, name_en, geojson, population) "
        "VALUES ('320508', '姑苏区', 'Gusu', :g, 920000)",
        {"g": json.dumps(GUSU)},
    )
    wh.execute(
        "INSERT INTO enterprises (id, name, district, park_id, industry, hazchem, risk, "
        "employees, contact, phone, lon, lat) VALUES (:id, :name, '320508', NULL, '化工', "
        ":hazchem, 'red', 120, '张工', '0512-00000000', 120.61, 31.30)",
        [{"id": "E1", "name": "苏州甲化工有限公司", "hazchem": True}],
    )
    wh.execute(
        "INSERT INTO hazard_sources (id, enterprise_id, name, grade, chemicals, capacity_t, "
        "district, lon, lat) VALUES (:id, 'E1', :name, :grade, '液氯', 50, '320508', "
        "120.611, 31.301)",
        [
            {"id": "H1", "name": "液氯储罐区", "grade": 1},
            {"id": "H4", "name": "甲醇储罐区", "grade": 4},
        ],
    )
    wh.execute(
        "INSERT INTO sensors (id, hazard_source_id, kind, name, unit, normal, low_low, low, "
        "high, high_high) VALUES (:id, :hs, 'level', :name, '%', 50, 10, 20, 80, 90)",
        [
            {"id": "LT-101", "hs": "H1", "name": "1#储罐液位"},
            {"id": "LT-401", "hs": "H4", "name": "4#储罐液位"},
        ],
    )
    yield src
    src.redis.close()
    src.warehouse.engine.dispose()


def make_worker(sources: Sources, clock: Clock, rules: Rules | None = None) -> ThresholdWorker:
    worker = ThresholdWorker(sources, rules, clock=clock)
    worker.run_once()  # takes the lease, creates its consumer group
    return worker


def limits_only(kinds: tuple[str, ...] = ("level",)) -> Rules:
    """The shipped rules without the rate rule on `kinds` (the jumps below are fast)."""
    with RULES_PATH.open("rb") as fh:
        data = tomllib.load(fh)
    for kind in kinds:
        data["kinds"][kind]["rate_per_min"] = 0
    return parse_rules(data)


def test_a_high_high_reading_raises_one_red_alarm_that_closes_when_the_value_returns(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0), limits_only())
    sources.readings.put([("LT-101", t0, 50.0), ("LT-101", t0 + 10, 95.0)])
    assert worker.run_once() == 1

    aid = alarm_id("LT-101", "high_high", episode_of(t0 + 10))
    alarms = sources.alarms.active().set_index("id")
    alarm = alarms.loc[aid]
    assert alarm["level"] == "red"  # high-high on a grade-1 major hazard source
    assert alarm["source"] == "hazchem"
    assert alarm["category"] == "液位高高报警"
    assert alarm["title"] == "苏州甲化工有限公司 1#储罐液位 高高报警 (95%)"
    assert alarm["site_id"] == "LT-101"
    assert alarm["district"] == "320508"
    assert alarm["status"] == "new"
    assert alarm["detail"]["limit"] == 90.0
    assert list(alarms.index) == [aid]

    sources.readings.put([("LT-101", t0 + 20, 85.0), ("LT-101", t0 + 30, 50.0)])
    worker.run_once()
    closed = sources.alarms.get(aid)
    assert closed["status"] == "closed"
    assert closed["closed_by"] == "阈值引擎"
    assert closed["close_note"] == "恢复正常"
    assert closed["closed_at"] == pytest.approx(t0 + 30, abs=0.01)
    assert sources.alarms.active(closed_window_s=0).empty


def test_an_oxygen_analyser_below_its_low_low_limit_raises_a_red_deficiency_alarm(sources):
    sources.warehouse.execute(
        "INSERT INTO sensors (id, hazard_source_id, kind, name, unit, normal, low_low, low, "
        "high, high_high) VALUES ('OX-101', 'H1', 'oxygen', '1#罐区氧含量', '%VOL', 20.9, "
        "18.0, 19.5, 23.5, NULL)"
    )
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.readings.put([("OX-101", t0, 20.9), ("OX-101", t0 + 60, 17.2)])
    worker.run_once()
    alarm = sources.alarms.get(alarm_id("OX-101", "low_low", episode_of(t0 + 60)))
    assert (alarm["level"], alarm["category"]) == ("red", "氧含量低低报警")
    assert alarm["title"] == "苏州甲化工有限公司 1#罐区氧含量 低低报警 (17.2%VOL)"


def add_gas_detector(sources: Sources) -> None:
    sources.warehouse.execute(
        "INSERT INTO sensors (id, hazard_source_id, kind, name, unit, normal, low_low, low, "
        "high, high_high) VALUES ('GT-101', 'H1', 'gas_lel', '1#罐区可燃气体', '%LEL', 0, "
        "NULL, NULL, 20, 40)"
    )


def test_a_gas_reading_past_100_lel_raises_a_sensor_fault_not_a_high_high_alarm(sources):
    add_gas_detector(sources)
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0), limits_only(("gas_lel",)))
    sources.readings.put([("GT-101", t0, 0.0), ("GT-101", t0 + 30, 150.0)])
    worker.run_once()

    aid = alarm_id("GT-101", "fault", episode_of(t0 + 30))
    alarms = sources.alarms.active().set_index("id")
    assert list(alarms.index) == [aid]  # no 高高 (nor 高) alarm on an impossible value
    alarm = alarms.loc[aid]
    assert (alarm["level"], alarm["category"]) == ("yellow", "传感器故障")
    assert alarm["title"] == "苏州甲化工有限公司 1#罐区可燃气体 传感器故障 (读数 150%LEL 超出量程)"
    assert (alarm["detail"]["value"], alarm["detail"]["limit"]) == (150.0, 100.0)
    latest = sources.readings.latest().set_index("sensor_id")
    assert latest.loc["GT-101", "value"] == 150.0  # the reading is kept as it came

    # Still faulty: the same alarm, not a second one.
    sources.readings.put([("GT-101", t0 + 60, 150.0), ("GT-101", t0 + 90, -3.0)])
    worker.run_once()
    alarms = sources.alarms.active()
    assert list(alarms["id"]) == [aid] and list(alarms["count"]) == [1]

    # Repaired: the fault closes as the engine closes every alarm on recovery.
    sources.readings.put([("GT-101", t0 + 120, 0.0)])
    worker.run_once()
    closed = sources.alarms.get(aid)
    assert (closed["status"], closed["close_note"]) == ("closed", "恢复正常")
    assert closed["closed_by"] == "阈值引擎"
    assert sources.alarms.active(closed_window_s=0).empty


def test_a_gas_reading_in_range_past_high_high_raises_the_red_alarm(sources):
    add_gas_detector(sources)
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0), limits_only(("gas_lel",)))
    sources.readings.put([("GT-101", t0, 0.0), ("GT-101", t0 + 30, 45.0)])
    worker.run_once()
    aid = alarm_id("GT-101", "high_high", episode_of(t0 + 30))
    alarms = sources.alarms.active().set_index("id")
    assert list(alarms.index) == [aid]
    assert (alarms.loc[aid, "level"], alarms.loc[aid, "category"]) == ("red", "可燃气体高高报警")
    assert alarms.loc[aid, "title"] == "苏州甲化工有限公司 1#罐区可燃气体 高高报警 (45%LEL)"

    # A faulty reading during the excursion is no sign the gas is gone: the red alarm stays.
    sources.readings.put([("GT-101", t0 + 60, 150.0)])
    worker.run_once()
    fault = alarm_id("GT-101", "fault", episode_of(t0 + 60))
    alarms = sources.alarms.active().set_index("id")
    assert sorted(alarms.index) == sorted([aid, fault])
    assert alarms.loc[aid, "status"] == "new"

    sources.readings.put([("GT-101", t0 + 90, 0.0)])
    worker.run_once()
    assert sources.alarms.get(aid)["status"] == "closed"
    assert sources.alarms.get(fault)["status"] == "closed"


def test_a_fast_rise_raises_a_rate_alarm_showing_the_rate(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.readings.put([("LT-401", t0, 50.0), ("LT-401", t0 + 30, 70.0)])
    worker.run_once()
    alarm = sources.alarms.get(alarm_id("LT-401", "rate", episode_of(t0 + 30)))
    assert (alarm["level"], alarm["category"]) == ("yellow", "变化速率过快")
    assert alarm["title"] == "苏州甲化工有限公司 4#储罐液位 变化速率过快 (+40%/min)"


def test_a_high_reading_on_a_grade_4_source_is_yellow(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.readings.put([("LT-401", t0, 79.0), ("LT-401", t0 + 30, 84.0)])
    worker.run_once()
    alarm = sources.alarms.get(alarm_id("LT-401", "high", episode_of(t0 + 30)))
    assert (alarm["level"], alarm["category"]) == ("yellow", "液位高报警")


def test_a_replay_of_the_stream_from_scratch_stores_nothing_twice(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.readings.put([("LT-101", t0, 50.0), ("LT-101", t0 + 30, 95.0)])
    worker.run_once()
    sources.readings.put([("LT-101", t0 + 60, 50.0), ("LT-401", t0 + 60, 85.0)])
    worker.run_once()
    before = sources.alarms.active().sort_values("id").reset_index(drop=True)
    version = sources.versions.current()

    # A crash that lost the engine's state and every acknowledgement: all is delivered again.
    worker.stop()
    r = sources.redis
    r.delete(STATE_KEY)
    r.xgroup_setid(keys.READING_STREAM, GROUP, "0")
    again = ThresholdWorker(sources, clock=Clock(t0))
    assert again.run_once() == 2

    after = sources.alarms.active().sort_values("id").reset_index(drop=True)
    assert after[["id", "status", "count", "level"]].equals(
        before[["id", "status", "count", "level"]]
    )
    assert (after["count"] == 1).all()
    assert sources.versions.current() == version  # nothing changed at all


def test_entries_a_crashed_worker_read_but_never_acknowledged_are_processed(sources):
    t0 = time.time() - 300
    make_worker(sources, Clock(t0)).stop()
    sources.readings.put([("LT-101", t0, 50.0), ("LT-101", t0 + 30, 95.0)])
    # the crashed worker got the entry and died before its XACK
    r = sources.redis
    assert r.xreadgroup(GROUP, CONSUMER, {keys.READING_STREAM: ">"}, count=10)
    worker = ThresholdWorker(sources, clock=Clock(t0))
    assert worker.run_once() == 1
    assert sources.alarms.get(alarm_id("LT-101", "high_high", episode_of(t0 + 30)))
    assert r.xpending(keys.READING_STREAM, GROUP)["pending"] == 0


def test_a_silent_sensor_raises_a_blue_alarm_on_the_sweep(sources):
    t0 = time.time() - 900
    clock = Clock(t0)
    worker = make_worker(sources, clock)
    sources.readings.put([("LT-101", t0, 50.0)])
    clock.now = t0 + 200
    worker.run_once()
    assert sources.alarms.active().empty
    clock.now = t0 + 400
    worker.run_once()
    aid = alarm_id("LT-101", "silent", episode_of(t0 + 300))
    alarm = sources.alarms.get(aid)
    assert (alarm["level"], alarm["category"]) == ("blue", "传感器离线")
    sources.readings.put([("LT-101", t0 + 500, 50.0)])
    worker.run_once()
    assert sources.alarms.get(aid)["status"] == "closed"


def test_the_engine_state_survives_a_restart(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.readings.put([("LT-101", t0, 50.0), ("LT-101", t0 + 30, 85.0)])
    worker.run_once()
    worker.stop()
    assert json.loads(sources.redis.hget(STATE_KEY, "LT-101"))["raised"]["high"][0] == "high"

    restarted = ThresholdWorker(sources, clock=Clock(t0))
    sources.readings.put([("LT-101", t0 + 60, 50.0)])
    restarted.run_once()
    aid = alarm_id("LT-101", "high", episode_of(t0 + 30))
    assert sources.alarms.get(aid)["status"] == "closed"


def test_the_consumer_group_comes_back_when_redis_loses_the_stream(sources):
    t0 = time.time() - 300
    worker = make_worker(sources, Clock(t0))
    sources.redis.delete(keys.READING_STREAM)  # as after a restart with an empty Redis
    assert worker.run_once() == 0
    sources.readings.put([("LT-101", t0, 50.0), ("LT-101", t0 + 30, 95.0)])
    assert worker.run_once() == 1
    assert sources.alarms.get(alarm_id("LT-101", "high_high", episode_of(t0 + 30)))


def put_red_alarm(sources: Sources, aid: str, occurred_at: float) -> None:
    service.put_alarm(
        sources,
        AlarmIn(
            id=aid,
            source="hazchem",
            level="red",
            category=f"测试{aid}",
            title="苏州甲化工有限公司 液氯泄漏",
            occurred_at=datetime.fromtimestamp(occurred_at, UTC),
            site_id="H1",
        ),
    )


def test_an_unacknowledged_red_alarm_escalates_once_per_stage(sources):
    now = time.time()
    clock = Clock(now)
    worker = make_worker(sources, clock)
    put_red_alarm(sources, "up-1", now - 11 * 60)
    put_red_alarm(sources, "up-2", now - 40 * 60)
    sources.alarms.transition("up-2", "acknowledged", who="值班员", at=now - 35 * 60)
    r = sources.redis

    clock.now += 10
    worker.run_once()
    assert r.hget(keys.alarm("up-1"), "escalation") == "1"
    assert r.hget(keys.alarm("up-2"), "escalation") is None  # acknowledged
    version = sources.versions.current()

    clock.now += 10
    worker.run_once()
    assert sources.versions.current() == version  # recorded once

    clock.now += 20 * 60
    worker.run_once()
    assert r.hget(keys.alarm("up-1"), "escalation") == "2"
    assert float(r.hget(keys.alarm("up-1"), "escalated_at")) == pytest.approx(clock.now)


def _has_group(sources: Sources) -> bool:
    try:
        groups = sources.redis.xinfo_groups(keys.READING_STREAM)
    except Exception:  # noqa: BLE001 - no stream yet
        return False
    return any(g["name"] == GROUP for g in groups)


def test_the_worker_thread_turns_live_readings_into_alarms_until_stopped(sources):
    from thresholds import start_in_process

    worker = start_in_process(sources)
    try:
        now = time.time()
        deadline = now + 10
        # Readings older than the group are not the engine's (it starts at the stream's end).
        while not _has_group(sources) and time.time() < deadline:
            time.sleep(0.05)
        sources.readings.put([("LT-401", now, 50.0), ("LT-401", now + 0.5, 12.0)])
        aid = alarm_id("LT-401", "low", episode_of(now + 0.5))
        while sources.alarms.get(aid) is None and time.time() < deadline:
            time.sleep(0.05)
        alarm = sources.alarms.get(aid)
        assert alarm is not None and alarm["category"] == "液位低报警"
    finally:
        worker.stop()
    assert not worker._thread.is_alive()
    assert not sources.redis.exists(keys.lock("thresholds"))  # the lease is given back
