"""The district duty rooms' check-ins kept by the archiver (archiver/checkins.py) on the real
Redis server and both warehouses, and read back as they were at a moment (`Replay.checkins`),
which is what the replayed wall's duty panel shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archiver import Archiver
from archiver.checkins import KEEP_EVERY_S
from callbacks.duty_panel import CHECKIN_WINDOW, room_states
from data_sources import Sources
from data_sources.warehouse import utc

pytestmark = pytest.mark.redis

# Within the alarm changes' retention (the purge keeps check-ins as long), as a real day is.
T0 = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
GUSU, WUZHONG = "320508", "320506"


def archiver(sources: Sources, consumer: str) -> Archiver:
    # Housekeeping (and with it the sampling) at every cycle.
    return Archiver(
        sources, consumer=consumer, block_ms=10, retention_days=0, housekeeping_every_s=0
    )


def kept(sources: Sources) -> list[tuple[str, datetime]]:
    rows = utc(
        sources.warehouse.query("SELECT unit, at FROM duty_checkin_history ORDER BY unit, at"),
        "at",
    )
    return [(u, at.to_pydatetime()) for u, at in zip(rows["unit"], rows["at"], strict=True)]


def test_check_ins_are_kept_to_the_minute_once_across_archivers_and_replayed(
    sources: Sources,
) -> None:
    status = sources.status
    a = archiver(sources, "A")
    # Gusu checks in every 15 s for five minutes; Wuzhong twice, then falls silent.
    for i in range(21):
        at = T0.timestamp() + 15 * i
        status.checkin(GUSU, at)
        if i < 2:
            status.checkin(WUZHONG, at)
        a.run_once()
    gusu = [T0 + timedelta(seconds=s) for s in range(0, 301, int(KEEP_EVERY_S))]
    assert kept(sources) == sorted([(GUSU, t) for t in gusu] + [(WUZHONG, T0)])

    # Another archiver (a second host, or this one restarted) has kept nothing itself: it
    # writes what is new (Wuzhong's second check-in) and no second copy of Gusu's last.
    archiver(sources, "B").run_once()
    assert kept(sources) == sorted(
        [(GUSU, t) for t in gusu] + [(WUZHONG, T0), (WUZHONG, T0 + timedelta(seconds=15))]
    )

    replay = sources.replay
    assert replay.checkins(T0 - timedelta(seconds=1)) is None  # nothing kept by then
    then = T0 + timedelta(seconds=100)
    assert replay.checkins(then) == {
        GUSU: (T0 + timedelta(seconds=60)).timestamp(),
        WUZHONG: (T0 + timedelta(seconds=15)).timestamp(),
    }
    # Eleven minutes on, the wall showed Wuzhong not answering and Gusu (whose last kept
    # check-in was at 5 min) answering; a day and more later, nothing is known.
    later = T0 + timedelta(minutes=11)
    districts = {GUSU: "姑苏区", WUZHONG: "吴中区"}
    states = {u: ok for u, _n, ok, _l in room_states(districts, replay.checkins(later), later)}
    assert states == {GUSU: True, WUZHONG: False}
    assert later - (T0 + timedelta(seconds=300)) < CHECKIN_WINDOW
    assert replay.checkins(T0 + timedelta(days=1, minutes=6)) is None


def test_the_purge_keeps_check_ins_as_long_as_the_alarm_changes(sources: Sources) -> None:
    from archiver.housekeeping import purge_warehouse

    now = datetime.now(UTC)
    old, recent = now - timedelta(days=400), now - timedelta(days=3)
    sources.warehouse.execute(
        "INSERT INTO duty_checkin_history (unit, at) VALUES (:unit, :at)",
        [{"unit": GUSU, "at": old}, {"unit": GUSU, "at": recent}],
    )
    done = purge_warehouse(sources.warehouse, alarm_events_days=365, audit_days=0, now=now)
    assert done["duty_checkins"] == 1
    assert kept(sources) == [(GUSU, recent)]


def test_a_warehouse_or_redis_outage_while_sampling_loses_no_check_in_and_stops_nothing(
    sources: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    """The warehouse refuses connections: the sample is logged, not counted as kept, and the
    next one writes it. Redis refuses connections: the error goes up to the archiver's cycle
    (which backs off and retries), nothing is written."""
    import redis

    from archiver.checkins import CheckinSampler
    from data_sources.status import Status
    from data_sources.warehouse import Warehouse, make_engine

    sources.status.checkin(GUSU, T0.timestamp())
    down = Warehouse(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    sampler = CheckinSampler(sources.status, down)
    assert sampler.sample() == 0
    assert "keeping 1 duty-room check-ins failed" in caplog.text
    assert kept(sources) == []
    sampler.wh = sources.warehouse  # the warehouse is back
    assert sampler.sample() == 1
    assert kept(sources) == [(GUSU, T0)]

    gone = Status(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1))
    with pytest.raises(redis.ConnectionError):
        CheckinSampler(gone, sources.warehouse).sample()
    assert kept(sources) == [(GUSU, T0)]


def test_after_redis_lost_its_data_the_rooms_last_kept_check_ins_are_put_back(
    sources: Sources,
) -> None:
    """Without this the wall showed every room 无签到 until each checked in again; a room
    that checked in after Redis came back keeps its newer check-in, and one kept more than a
    day ago is not put back (the wall would show 未应答 either way)."""
    status = sources.status
    now = datetime.now(UTC).replace(microsecond=0)
    gusu_at, wuzhong_at = now - timedelta(minutes=2), now - timedelta(minutes=3)
    status.checkin(GUSU, gusu_at.timestamp())
    status.checkin(WUZHONG, wuzhong_at.timestamp())
    status.checkin("320505", (now - timedelta(days=2)).timestamp())
    a = archiver(sources, "A")
    a.run_once()
    assert {u for u, _ in kept(sources)} == {GUSU, WUZHONG, "320505"}

    sources.redis.flushdb()
    assert status.checkins() == {}
    back_at = datetime.now(UTC).timestamp()
    status.checkin(WUZHONG, back_at)  # answered again before the restore ran
    counts = a.run_once()
    assert counts["restored_checkins"] == 1
    assert status.checkins() == {GUSU: gusu_at.timestamp(), WUZHONG: round(back_at, 3)}
    districts = {GUSU: "姑苏区", WUZHONG: "吴中区"}
    states = {u: ok for u, _n, ok, _l in room_states(districts, status.checkins(), now)}
    assert states == {GUSU: True, WUZHONG: True}
