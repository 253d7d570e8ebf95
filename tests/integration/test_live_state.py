"""The live state on the real Redis server: idempotent alarms, merged repeats, the alarm
lifecycle, newest-reading-wins, versions, heartbeats and leases."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from data_sources import keys
from tests.helpers import live_sources

pytestmark = pytest.mark.redis

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def live(redis_client):  # noqa: ANN001, ANN201
    return live_sources(redis_client)


def alarm(alarm_id: str, **fields: Any) -> dict[str, Any]:
    record = {
        "id": alarm_id,
        "source": "hazchem",
        "level": "orange",
        "category": "可燃气体报警",
        "title": "罐区可燃气体浓度超标",
        "occurred_at": T0,
        "lon": 120.62,
        "lat": 31.31,
        "site_id": None,
        "district": "320508",
        "detail": {"value": 23.5},
    }
    return record | fields


def test_a_new_alarm_is_active_with_its_fields(live) -> None:
    assert live.alarms.put(alarm("A1", level="red")) == ("new", "A1")
    frame = live.alarms.active()
    assert list(frame["id"]) == ["A1"]
    row = frame.iloc[0]
    assert (row["level"], row["status"], row["count"]) == ("red", "new", 1)
    assert row["occurred_at"] == T0
    assert row["detail"] == {"value": 23.5}
    assert row["title"] == "罐区可燃气体浓度超标"
    assert live.alarms.level_counts() == {"red": 1, "orange": 0, "yellow": 0, "blue": 0}


def test_the_same_id_five_times_is_one_alarm(live) -> None:
    outcomes = [live.alarms.put(alarm("A1")) for _ in range(5)]
    assert outcomes == [("new", "A1")] + [("duplicate", "A1")] * 4
    frame = live.alarms.active()
    assert len(frame) == 1 and frame.iloc[0]["count"] == 1
    # One stream entry for the archiver, not five.
    assert live.redis.xlen(keys.ALARM_STREAM) == 1


def test_a_repeat_from_the_same_source_site_and_category_merges_with_a_count(
    live,
) -> None:
    assert live.alarms.put(alarm("A1"))[0] == "new"
    assert live.alarms.put(alarm("A2", occurred_at=T0 + timedelta(minutes=1))) == ("merged", "A1")
    # The repeat's own id is remembered: sending it again is a duplicate of the merged alarm.
    assert live.alarms.put(alarm("A2")) == ("duplicate", "A1")
    frame = live.alarms.active()
    assert list(frame["id"]) == ["A1"]
    assert frame.iloc[0]["count"] == 2
    # Another category at the same place, or another place, is an alarm of its own.
    assert live.alarms.put(alarm("B1", category="温度超限"))[0] == "new"
    assert live.alarms.put(alarm("C1", lon=120.70, lat=31.35))[0] == "new"
    assert live.alarms.put(alarm("D1", site_id="H0001", lon=None, lat=None))[0] == "new"
    assert live.alarms.put(alarm("D2", site_id="H0001", lon=None, lat=None)) == ("merged", "D1")
    assert sorted(live.alarms.active()["id"]) == ["A1", "B1", "C1", "D1"]


def test_ack_then_close_records_who_and_when(live) -> None:
    live.alarms.put(alarm("A1"))
    t_ack = time.time() - 30
    assert live.alarms.transition("A1", "acknowledged", "值班员 张伟", t_ack) == "acknowledged"
    state = live.alarms.get("A1")
    assert state["status"] == "acknowledged" and state["ack_by"] == "值班员 张伟"
    assert state["ack_at"] == pytest.approx(t_ack, abs=0.01)
    assert list(live.alarms.active(closed_window_s=0)["id"]) == ["A1"]

    t_close = time.time()
    assert live.alarms.transition("A1", "closed", "值班长 李娜", t_close, note="误报") == "closed"
    state = live.alarms.get("A1")
    assert (state["status"], state["closed_by"], state["close_note"]) == (
        "closed",
        "值班长 李娜",
        "误报",
    )
    assert state["ack_by"] == "值班员 张伟"
    assert state["closed_at"] == pytest.approx(t_close, abs=0.01)
    # Closed alarms leave the active set and show in the closed window only.
    assert live.alarms.active(closed_window_s=0).empty
    recent = live.alarms.active(closed_window_s=3600)
    assert list(recent["id"]) == ["A1"] and recent.iloc[0]["status"] == "closed"
    assert live.alarms.level_counts()["orange"] == 0


def test_a_closed_alarm_cannot_be_acknowledged_and_a_missing_one_is_missing(
    live,
) -> None:
    live.alarms.put(alarm("A1"))
    live.alarms.transition("A1", "closed", "李娜", time.time())
    assert live.alarms.transition("A1", "acknowledged", "张伟", time.time()) == "closed"
    assert live.alarms.get("A1")["ack_by"] is None
    assert live.alarms.transition("nope", "acknowledged", "张伟", time.time()) == "missing"
    assert live.alarms.get("nope") is None
    with pytest.raises(ValueError):
        live.alarms.transition("A1", "reopened", "张伟", time.time())


def test_a_transition_by_a_merged_repeat_id_reaches_the_alarm_it_lives_under(
    live,
) -> None:
    live.alarms.put(alarm("A1"))
    live.alarms.put(alarm("A2"))
    assert live.alarms.transition("A2", "acknowledged", "张伟", time.time()) == "acknowledged"
    assert live.alarms.get("A1")["ack_by"] == "张伟"


def test_after_closing_the_same_place_and_category_opens_a_new_alarm(live) -> None:
    live.alarms.put(alarm("A1"))
    live.alarms.transition("A1", "closed", "李娜", time.time())
    assert live.alarms.put(alarm("A3")) == ("new", "A3")
    assert list(live.alarms.active(closed_window_s=0)["id"]) == ["A3"]


def test_active_alarms_are_newest_first_by_event_time(live) -> None:
    for i, minutes in enumerate([5, 1, 9, 3]):
        live.alarms.put(
            alarm(f"A{i}", category=f"c{i}", occurred_at=T0 + timedelta(minutes=minutes))
        )
    assert list(live.alarms.active()["id"]) == ["A2", "A0", "A3", "A1"]


def test_a_thousand_shuffled_readings_leave_the_newest_per_sensor(live) -> None:
    rng = random.Random(20261129)
    base = T0.timestamp()
    readings = []
    for s in range(40):
        for k in range(25):
            readings.append(
                (f"S{s:03d}", base + rng.uniform(0, 3600) + k * 1e-3, float(s * 100 + k))
            )
    assert len(readings) == 1000
    newest = {}
    for sensor, ts, value in readings:
        if sensor not in newest or ts > newest[sensor][0]:
            newest[sensor] = (ts, value)
    rng.shuffle(readings)
    # Several batches, as several upstream deliveries would arrive; then all again (a replay).
    for start in range(0, 1000, 137):
        live.readings.put(readings[start : start + 137])
    assert live.readings.put(readings) == 0

    latest = live.readings.latest().set_index("sensor_id")
    assert len(latest) == 40
    for sensor, (ts, value) in newest.items():
        assert latest.loc[sensor, "value"] == value
        assert latest.loc[sensor, "ts"].value // 1_000_000 == round(ts * 1000)  # ms


def test_a_late_reading_never_overwrites_a_newer_one(live) -> None:
    t = T0.timestamp()
    assert live.readings.put([("S1", t, 1.0)]) == 1
    assert live.readings.put([("S1", t - 60, 99.0)]) == 0
    assert live.readings.put([("S1", t, 42.0)]) == 0  # same event time: the first one stays
    assert live.readings.latest().set_index("sensor_id").loc["S1", "value"] == 1.0
    assert live.readings.put([("S1", t + 1, 2.5)]) == 1
    assert live.readings.latest().set_index("sensor_id").loc["S1", "value"] == 2.5


def test_versions_move_when_alarms_or_readings_change(live) -> None:
    state, readings = live.versions.both()
    live.alarms.put(alarm("A1"))
    assert live.versions.both()[0] > state
    state = live.versions.both()[0]
    live.alarms.put(alarm("A1"))  # a duplicate changes nothing on screen
    assert live.versions.both()[0] == state
    live.alarms.put(alarm("A2"))  # a merge changes the count on screen
    assert live.versions.both()[0] > state
    state = live.versions.both()[0]
    live.alarms.transition("A1", "acknowledged", "张伟", time.time())
    assert live.versions.both()[0] > state

    assert live.versions.both()[1] == readings
    live.readings.put([("S1", T0.timestamp(), 1.0)])
    assert live.versions.both()[1] > readings
    readings = live.versions.both()[1]
    live.readings.put([("S1", T0.timestamp() - 1, 1.0)])  # stale: nothing to redraw
    assert live.versions.both()[1] == readings


def test_heartbeats_are_kept_per_source(live) -> None:
    assert live.status.heartbeats() == {}
    live.status.heartbeat("hazchem", at=1_780_000_000.5)
    live.status.heartbeat("iot")
    beats = live.status.heartbeats()
    assert beats["hazchem"] == pytest.approx(1_780_000_000.5)
    assert beats["iot"] == pytest.approx(time.time(), abs=5)
    live.status.heartbeat("hazchem", at=1_780_000_060.0)
    assert live.status.heartbeats()["hazchem"] == pytest.approx(1_780_000_060.0)


def test_a_lease_is_exclusive_renewable_and_expires(live) -> None:
    assert live.streams.lease("archiver", "worker-a", ttl_s=0.5)
    assert not live.streams.lease("archiver", "worker-b", ttl_s=0.5)
    time.sleep(0.3)
    assert live.streams.lease("archiver", "worker-a", ttl_s=0.5)  # renewed: another 0.5 s from now
    time.sleep(0.3)
    assert not live.streams.lease("archiver", "worker-b", ttl_s=0.5)
    assert live.streams.lease("demo-feed", "worker-b", ttl_s=0.5)  # other names are independent
    time.sleep(0.6)
    assert live.streams.lease("archiver", "worker-b", ttl_s=5)
    assert not live.streams.lease("archiver", "worker-a", ttl_s=5)


class SlowFirstAnswer:
    """A TCP proxy in front of the real Redis that holds back its first answer to a script
    (EVALSHA) for `hold_s`: the command runs, its answer comes after the client's timeout."""

    def __init__(self, target: tuple[str, int], hold_s: float) -> None:
        import socket
        import threading

        self.target, self.hold_s, self.held = target, hold_s, threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            asked = threading.Event()
            threading.Thread(target=self._pipe, args=(client, upstream, asked), daemon=True).start()
            threading.Thread(target=self._back, args=(upstream, client, asked), daemon=True).start()

    def _pipe(self, src, dst, asked) -> None:  # noqa: ANN001
        while data := _recv(src):
            if b"EVALSHA" in data.upper() and not self.held.is_set():
                asked.set()
            dst.sendall(data)
        dst.close()

    def _back(self, src, dst, asked) -> None:  # noqa: ANN001
        while data := _recv(src):
            if asked.is_set() and not self.held.is_set():
                self.held.set()
                time.sleep(self.hold_s)
            try:
                dst.sendall(data)
            except OSError:
                break
        dst.close()

    def close(self) -> None:
        self.listener.close()


def _recv(sock) -> bytes:  # noqa: ANN001
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def test_an_alarm_whose_answer_timed_out_and_was_retried_is_still_new(redis_url: str) -> None:
    """The client retries a command whose answer did not come in time; the script had run, and
    its retry must say `new` (the upstream gets its 201), not `duplicate` of itself."""
    from urllib.parse import urlsplit

    from data_sources import connect

    parts = urlsplit(redis_url)
    proxy = SlowFirstAnswer((parts.hostname, parts.port), hold_s=2.5)  # the timeout is 1.5 s
    client = connect(f"redis://127.0.0.1:{proxy.port}{parts.path}")
    try:
        live = live_sources(client)
        client.ping()  # the script is loaded through this client before the held answer
        outcome, target = live.alarms.put(alarm("RETRIED-1"))
        assert proxy.held.is_set(), "the first answer was not held back: nothing was tested"
        assert (outcome, target) == ("new", "RETRIED-1")
        assert live.alarms.get("RETRIED-1")["count"] == 1
        # A real repeat by the upstream is still a duplicate.
        assert live.alarms.put(alarm("RETRIED-1"))[0] == "duplicate"
    finally:
        client.close()
        proxy.close()


# --- rescue teams: one state at a time ---------------------------------------------------


def test_a_team_moves_along_its_transitions_and_each_move_is_one_stream_entry(live) -> None:
    r = live.status.r
    version = int(r.get(keys.VERSION) or 0)
    assert live.status.set_team_status("T-1", "dispatched", by="duty1") is True
    assert live.status.set_team_status("T-1", "dispatched") is False  # already there
    assert live.status.team_status() == {"T-1": "dispatched"}
    with pytest.raises(ValueError, match="cannot go from 'dispatched' to 'ready'"):
        live.status.set_team_status("T-1", "ready")  # it comes back by way of returning
    with pytest.raises(ValueError, match="unknown team status 'en_route'"):
        live.status.set_team_status("T-1", "en_route")
    assert live.status.set_team_status("T-1", "returning", via="demo") is True
    entries = r.xrange(keys.TEAM_STREAM)
    assert [(e["team_id"], e["status"], e.get("by"), e.get("via")) for _, e in entries] == [
        ("T-1", "dispatched", "duty1", None),
        ("T-1", "returning", None, "demo"),
    ]
    assert int(r.get(keys.VERSION)) == version + 2  # the refused and unchanged wrote nothing
    assert live.status.team_status() == {"T-1": "returning"}


def test_two_desks_moving_one_team_at_once_cannot_both_pass_the_check(live) -> None:
    """From ready a team may be dispatched or stood down, not both: of a dispatch and a
    stand-down sent together, one moves the team and the other is refused."""
    import threading

    for round_ in range(30):
        team = f"T-race-{round_}"
        outcomes: list[str] = []
        start = threading.Barrier(2)

        def move(status: str, team: str = team, outcomes: list = outcomes, start=start) -> None:  # noqa: ANN001
            start.wait()
            try:
                live.status.set_team_status(team, status)
                outcomes.append(status)
            except ValueError:
                outcomes.append("refused")

        threads = [threading.Thread(target=move, args=(s,)) for s in ("dispatched", "off")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(outcomes) in (["dispatched", "refused"], ["off", "refused"]), outcomes
        moved = [s for s in outcomes if s != "refused"]
        assert live.status.team_status()[team] == moved[0]
    entries = live.status.r.xrange(keys.TEAM_STREAM)
    assert len(entries) == 30  # one entry per team: the refused move wrote nothing
