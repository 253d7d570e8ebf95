"""The demo feed touches only what it created: it posts as each system with that system's own
demo token, marks its alarms as demo data, and acknowledges and closes its own alarms only; an
alarm a real system posted through the API is left exactly as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest import credentials
from simulator.feed import OFFICER, DemoFeed
from tests.helpers import alarm_body, live_snapshot, sources_of

pytestmark = pytest.mark.redis

REAL = "real-hazchem-token-0123456789"


@pytest.fixture
def app(make_app, redis_url: str, reference_url: str):  # noqa: ANN001, ANN201
    return make_app(
        REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, INGEST_TOKENS=f"hazchem:{REAL}"
    )


def real_alarm(app, alarm_id: str, **fields) -> dict:  # noqa: ANN001, ANN003
    sources = sources_of(app)
    site = sources.registry.hazard_sources().iloc[0]
    body = alarm_body(alarm_id, lon=None, lat=None, site_id=site["id"], level="red", **fields)
    body["occurred_at"] = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    response = app.server.test_client().post(
        "/api/v1/alarms", json=body, headers={"Authorization": f"Bearer {REAL}"}
    )
    assert response.status_code == 201, response.get_json()
    return sources.live.alarm(alarm_id)


def test_a_real_alarm_is_untouched_after_the_feed_has_acked_and_closed_its_own(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    before = real_alarm(app, "REAL-1")
    feed = DemoFeed(app.server, sources, seed=7)
    feed._load()
    now = datetime.now(UTC)
    for _ in range(60):  # past the feed's cap of forty open alarms: it closes the oldest
        feed._alarm(now)
    own = sources.live.demo_alarms()  # fewer than sent: repeats at a hot spot merge
    assert len(own) > 40 and all(i.startswith("demo-") for i in own)
    later = now + timedelta(hours=1)  # every alarm is old enough to be acked and closed
    for _ in range(120):
        feed._lifecycle(later)
    closed = sources.live.active_alarms(closed_window_s=86400)
    mine = closed[closed["id"].isin(own)]
    assert (mine["status"] == "closed").sum() >= 40
    assert set(mine["closed_by"].dropna()) == {OFFICER}
    assert set(mine["ack_by"].dropna()) == {OFFICER}  # some went through acknowledged
    assert all(d.get("demo") is True for d in mine["detail"])
    # The real alarm: the same state, the same revision, no one's name on it.
    assert sources.live.alarm("REAL-1") == before
    assert before["status"] == "new" and before["ack_by"] is None and before["rev"] == 1
    assert "REAL-1" not in sources.live.demo_alarms()


def test_each_simulated_system_posts_only_as_itself_with_its_own_token(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=3)
    feed._load()
    assert set(feed.tokens) == set(sources.systems.all()["code"])
    assert len(set(feed.tokens.values())) == len(feed.tokens)
    feed._heartbeats(datetime.now(UTC))
    assert set(sources.live.heartbeats()) == set(feed.tokens)
    # A demo token is bound like any other: iot's cannot beat for hazchem.
    response = app.server.test_client().post(
        "/api/v1/heartbeat",
        json={"source": "hazchem"},
        headers={"Authorization": f"Bearer {feed.tokens['iot']}"},
    )
    assert response.status_code == 403


def test_demo_and_real_alarms_never_merge_and_only_demo_tokens_mark_demo(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    real_alarm(app, "REAL-2")
    demo_token = credentials.get(app.server).make_demo_tokens()["hazchem"]
    client = app.server.test_client()
    same_place = alarm_body(
        "demo-x-1", lon=None, lat=None, site_id=sources.live.alarm("REAL-2")["site_id"], level="red"
    )
    response = client.post(
        "/api/v1/alarms", json=same_place, headers={"Authorization": f"Bearer {demo_token}"}
    )
    assert response.status_code == 201 and response.get_json()["alarm_id"] == "demo-x-1"
    assert sources.live.alarm("demo-x-1")["detail"]["demo"] is True
    assert sources.live.alarm("REAL-2")["count"] == 1
    # A real system cannot dress its alarm up as demo data.
    forged = alarm_body("REAL-3", detail={"demo": True})
    response = client.post(
        "/api/v1/alarms", json=forged, headers={"Authorization": f"Bearer {REAL}"}
    )
    assert response.status_code == 422 and response.get_json()["field"] == "detail.demo"
    assert sources.live.alarm("REAL-3") is None


def test_the_feed_running_in_its_thread_posts_demo_alarms_and_leaves_a_real_one_alone(
    make_app, redis_url: str, reference_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, INGEST_TOKENS=f"hazchem:{REAL}"
    )
    before = real_alarm(app, "REAL-4")
    sources = sources_of(app)
    monkeypatch.setattr(DemoFeed, "READING_EVERY_S", 0.05)
    monkeypatch.setattr(DemoFeed, "ALARM_EVERY_S", (0.0, 0.01))
    feed = DemoFeed(app.server, sources, seed=11)
    feed.start()
    try:
        for _ in range(600):  # until twenty demo alarms are in (a minute at most)
            if len(sources.live.demo_alarms()) >= 20:
                break
            feed._stop.wait(0.1)
    finally:
        feed.stop()
    assert len(sources.live.demo_alarms()) >= 20
    assert sources.live.alarm("REAL-4") == before


def test_now_and_then_one_system_goes_quiet_and_one_sends_a_malformed_message(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=5)
    feed._load()
    now = datetime.now(UTC)
    feed._governance(now)  # schedules the first of each, later
    assert feed.quiet is None
    feed.next_quiet = feed.next_malformed = now.timestamp()
    before = live_snapshot(sources.live.r)
    feed._governance(now)
    assert live_snapshot(sources.live.r) == before  # the malformed alarm was refused, not stored
    quiet = feed.quiet[0]
    feed._heartbeats(now)
    assert set(sources.live.heartbeats()) == set(feed.tokens) - {quiet}
    feed._heartbeats(now + timedelta(seconds=feed.QUIET_FOR_S + 1))
    assert quiet in sources.live.heartbeats()
