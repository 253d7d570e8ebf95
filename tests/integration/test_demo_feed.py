"""The demo feed touches only what it created: it posts as each system with that system's own
demo token, marks its alarms as demo data, and acknowledges and closes its own alarms only; an
alarm a real system posted through the API is left exactly as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_sources.incidents import sent_teams
from ingest import credentials
from simulator.feed import OFFICER, DemoFeed
from simulator.rates import Planned
from tests.helpers import alarm_body, live_snapshot, sources_of
from vocabulary import LEVELS, TEAM_STATUS, reading_fault, title_colour, title_disagrees

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
    return sources.alarms.get(alarm_id)


def test_a_real_alarm_is_untouched_after_the_feed_has_acked_and_closed_its_own(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    before = real_alarm(app, "REAL-1")
    feed = DemoFeed(app.server, sources, seed=7)
    feed._load()
    now = datetime.now(UTC)
    for i in range(60):  # past the feed's cap of forty open alarms: it closes the oldest
        feed._alarm(now, Planned(now, ("yellow", "blue", "orange")[i % 3]))
    own = sources.alarms.demo_ids()  # fewer than sent: repeats at a hot spot merge
    assert len(own) > 40 and all(i.startswith("demo-") for i in own)
    later = now + timedelta(hours=1)  # every alarm is old enough to be acked and closed
    for _ in range(120):
        feed._lifecycle(later)
    closed = sources.alarms.active(closed_window_s=86400)
    mine = closed[closed["id"].isin(own)]
    assert (mine["status"] == "closed").sum() >= 40
    assert set(mine["closed_by"].dropna()) == {OFFICER}
    assert set(mine["ack_by"].dropna()) == {OFFICER}  # some went through acknowledged
    assert all(d.get("demo") is True for d in mine["detail"])
    # The real alarm: the same state, the same revision, no one's name on it.
    assert sources.alarms.get("REAL-1") == before
    assert before["status"] == "new" and before["ack_by"] is None and before["rev"] == 1
    assert "REAL-1" not in sources.alarms.demo_ids()


def test_each_simulated_system_posts_only_as_itself_with_its_own_token(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=3)
    feed._load()
    assert set(feed.tokens) == set(sources.systems.all()["code"])
    assert len(set(feed.tokens.values())) == len(feed.tokens)
    feed._heartbeats(datetime.now(UTC))
    assert set(sources.status.heartbeats()) == set(feed.tokens)
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
        "demo-x-1", lon=None, lat=None, site_id=sources.alarms.get("REAL-2")["site_id"], level="red"
    )
    response = client.post(
        "/api/v1/alarms", json=same_place, headers={"Authorization": f"Bearer {demo_token}"}
    )
    assert response.status_code == 201 and response.get_json()["alarm_id"] == "demo-x-1"
    assert sources.alarms.get("demo-x-1")["detail"]["demo"] is True
    assert sources.alarms.get("REAL-2")["count"] == 1
    # A real system cannot dress its alarm up as demo data.
    forged = alarm_body("REAL-3", detail={"demo": True})
    response = client.post(
        "/api/v1/alarms", json=forged, headers={"Authorization": f"Bearer {REAL}"}
    )
    assert response.status_code == 422 and response.get_json()["field"] == "detail.demo"
    assert sources.alarms.get("REAL-3") is None


def test_the_feed_running_in_its_thread_posts_demo_alarms_and_leaves_a_real_one_alone(
    make_app, redis_url: str, reference_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, INGEST_TOKENS=f"hazchem:{REAL}"
    )
    before = real_alarm(app, "REAL-4")
    sources = sources_of(app)
    monkeypatch.setattr(DemoFeed, "READING_EVERY_S", 0.05)
    monkeypatch.setattr(DemoFeed, "RATE_SCALE", 5000.0)  # a few alarms a second
    feed = DemoFeed(app.server, sources, seed=11)
    feed.start()
    try:
        for _ in range(600):  # until twenty demo alarms are in (a minute at most)
            if len(sources.alarms.demo_ids()) >= 20:
                break
            feed._stop.wait(0.1)
    finally:
        feed.stop()
    assert len(sources.alarms.demo_ids()) >= 20
    assert sources.alarms.get("REAL-4") == before


def test_now_and_then_one_system_goes_quiet_and_one_sends_a_malformed_message(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=5)
    feed._load()
    now = datetime.now(UTC)
    feed._governance(now)  # schedules the first of each, later
    assert feed.quiet is None
    feed.next_quiet = feed.next_malformed = now.timestamp()
    before = live_snapshot(sources.redis)
    feed._governance(now)
    assert live_snapshot(sources.redis) == before  # the malformed alarm was refused, not stored
    quiet = feed.quiet[0]
    feed._heartbeats(now)
    assert set(sources.status.heartbeats()) == set(feed.tokens) - {quiet}
    feed._heartbeats(now + timedelta(seconds=feed.QUIET_FOR_S + 1))
    assert quiet in sources.status.heartbeats()


@pytest.mark.mqtt
def test_with_a_broker_the_sensing_network_speaks_mqtt_and_its_malformed_message_is_quarantined(
    app,
    mqtt_url: str,
    mqtt_names: dict[str, str],  # noqa: ANN001
) -> None:
    import connectors
    from connectors.config import Config, MqttConfig
    from data_sources import quarantine
    from simulator.broker import DemoBroker
    from tests.connector_helpers import wait_for

    sources = sources_of(app)
    config = MqttConfig(
        "iot",
        url=mqtt_url,
        topic_prefix=mqtt_names["topic_prefix"],
        client_id=mqtt_names["client_id"],
    )
    workers = connectors.start_in_process(sources, Config(mqtt={"iot": config}))
    broker = DemoBroker(mqtt_url, mqtt_names["topic_prefix"])
    feed = DemoFeed(app.server, sources, seed=5, broker=broker, workers=workers)
    try:
        feed._load()
        now = datetime.now(UTC)
        # Heartbeats: the sensing network's over MQTT (published until the connector has
        # subscribed; QoS 1 from then on), everyone else's over HTTP.
        wait_for(
            lambda: feed._heartbeats(now) or "iot" in sources.status.heartbeats(),
            "the sensing network's heartbeat through the MQTT connector",
            timeout=60,
        )
        assert broker.published >= 1
        assert set(sources.status.heartbeats()) == set(feed.tokens)
        feed.next_quiet, feed.next_malformed = now.timestamp() + 3600, now.timestamp()
        feed._governance(now)
        wait_for(
            lambda: quarantine.counts_by_source(sources.warehouse, channel="mqtt").get("iot"),
            "the malformed message in the quarantine",
            timeout=60,
        )
        (entry,) = quarantine.list(sources.warehouse, source="iot", limit=5)
        assert b'"purple"' in entry["raw_bytes"]
        assert "level" in entry["error"]
    finally:
        feed.stop()


def test_without_a_broker_the_demo_stays_on_http(app) -> None:  # noqa: ANN001
    from simulator import _mqtt

    assert sources_of(app).settings.MQTT_URL is None
    assert _mqtt(sources_of(app)) == (None, [])


def test_on_an_unbuilt_warehouse_the_feed_says_how_to_build_it_and_stays_off(
    make_app, redis_url: str, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url)
    feed = DemoFeed(app.server, sources_of(app), seed=7)
    with caplog.at_level("ERROR", logger="simulator.feed"):
        feed._run()  # returns at once: nothing to simulate
    assert "refdata.build" in caplog.text
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
    assert sources_of(app).alarms.active().empty


def test_the_feeds_alarm_titles_never_name_another_colour_than_their_level(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=13)
    feed._load()
    now = datetime.now(UTC)
    for i in range(400):
        feed._alarm(now, Planned(now, LEVELS[i % len(LEVELS)]))
    alarms = sources.alarms.active(closed_window_s=86400)
    weather = alarms[alarms["category"] == "气象预警"]
    assert len(weather) >= 5 and weather["title"].map(title_colour).notna().all()
    assert [t for t, lv in zip(alarms["title"], alarms["level"]) if title_disagrees(t, lv)] == []


def test_teams_sent_to_an_open_incident_stay_dispatched_and_every_team_has_one_state(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=17)
    feed._load()
    teams = sources.registry.rescue_teams()
    sent = set()
    for incident_id in sources.incidents.listed("open")["id"]:
        sent |= set(sent_teams(sources.incidents.timeline(incident_id), teams)["id"])
    assert sent, "the reference data has open incidents with teams sent"
    for _ in range(300):
        feed._teams_and_duty()
    status = sources.status.team_status()
    assert {status.get(t) for t in sent} == {"dispatched"}
    assert set(status.values()) <= set(TEAM_STATUS)
    moved = {t for t, s in status.items() if t not in sent and s != "ready"}
    assert moved  # the others do come and go
    # Nothing moves a team across the machine, the feed included.
    team = next(iter(sent))
    with pytest.raises(ValueError, match="cannot go"):
        sources.status.set_team_status(team, "ready")


def test_the_feeds_readings_stay_within_what_their_sensors_can_read(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=19)
    feed._load()
    now = datetime.now(UTC)
    for i in range(40):
        feed._readings(now + timedelta(seconds=3 * i))
    sensors = sources.registry.sensors().set_index("id")
    latest = sources.readings.latest().join(sensors, on="sensor_id")
    gas = latest[latest["kind"] == "gas_lel"]
    assert len(gas) > 50 and (gas["value"] >= 0).all()
    faults = [reading_fault(*r) for r in zip(latest["kind"], latest["unit"], latest["value"])]
    assert not any(faults)
