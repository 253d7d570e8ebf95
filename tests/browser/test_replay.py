"""Replay of the wall (`/wall?at=`) in real Chromium: a scripted hour of alarms (raised,
acknowledged, escalated, closed), readings, an incident and rescue teams sent out and back
goes through the real ingest API, the team status path, the threshold worker and the archiver
into a real warehouse; at each recorded moment the replayed wall shows exactly the live state
of that moment (alarms, counts, incidents, teams ready per kind, the city's duty team), with
the 回放 banner, and replaying changes nothing in the live state (Redis)."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from archiver.worker import Archiver
from figures.forces import team_summary
from tests.helpers import GUSU_LAT, GUSU_LON, alarm_body, sources_of, store_snapshot
from thresholds.worker import ThresholdWorker

pytestmark = pytest.mark.browser

TOKEN = "replay-browser-token-0123456789"
INCIDENT_TOKEN = "replay-emergency-token-0123456789"  # incidents come from 应急平台
LOADED_MS = 90_000  # a generous bound for a page's first data on a busy machine


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    """The app on a copy of the Suzhou warehouse (a year of alarm history, its open alarms
    restored into the live state by the archiver, as at a real start)."""
    app = make_app(
        restored=False,
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN},emergency:{INCIDENT_TOKEN}",
        WALL_ROTATE_S=0,
    )
    running = serve(app)
    running.sources = sources_of(app)
    Archiver(running.sources, block_ms=1).run_once()  # restores the live state
    assert running.sources.restore.is_restored()
    return running


def post(server, path: str, body: object, token: str = TOKEN) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def settle(server) -> datetime:  # noqa: ANN001
    """Archive what happened, then return a moment strictly after it (and before the next)."""
    Archiver(server.sources, block_ms=1).run_once()
    time.sleep(0.05)
    moment = datetime.now(UTC)
    time.sleep(0.05)
    return moment


def live_picture(server) -> dict:  # noqa: ANN001
    """What the live wall shows now, from the live state: the feed's rows and the counts."""
    alarms = server.sources.alarms.active(limit=60)
    rows = {
        (r.id, r.level, str(r.escalation if r.status == "new" else 0), r.status)
        for r in alarms.itertuples(index=False)
    }
    incidents = len(server.sources.incidents.listed("open"))
    teams = team_summary(
        server.sources.registry.rescue_teams(), server.sources.status.team_status()
    )
    return {
        "rows": rows,
        "counts": server.sources.alarms.level_counts(),
        "incidents": incidents,
        "ready": {kind: int(n) for kind, n in teams["ready"].items()},
        "duty": on_duty_then(server, datetime.now(UTC)),
        "rooms": rooms_now(server),
    }


def rooms_now(server) -> dict[str, str]:  # noqa: ANN001
    """Each district duty room's state on the live wall now (answering or not)."""
    from callbacks.duty_panel import room_states

    districts = server.sources.registry.district_names("zh")
    states = room_states(districts, server.sources.status.checkins(), datetime.now(UTC))
    return {unit: "on-duty" if ok else "not-answering" for unit, _name, ok, _last in states}


def on_duty_then(server, moment: datetime) -> set[tuple[str, str]]:  # noqa: ANN001
    """(role, name) of the city's duty team at `moment`, straight from the roster table."""
    frame = server.sources.warehouse.query(
        "SELECT role, name FROM duty_roster WHERE unit = 'city' AND starts_at <= :at "
        "AND ends_at > :at",
        {"at": moment},
    )
    return set(zip(frame["role"], frame["name"], strict=True))


def replayed_picture(page) -> dict:  # noqa: ANN001
    rows = page.eval_on_selector_all(
        "#alarm-feed li[data-alarm-id]",
        "els => els.map(e => [e.dataset.alarmId, e.dataset.level, e.dataset.escalation,"
        " e.dataset.status])",
    )
    counts = page.eval_on_selector_all(
        "#alarm-counts .level-count",
        "els => els.map(e => [e.dataset.level, Number(e.querySelector('.n').textContent)])",
    )
    incidents = page.locator("#main-map .incident-marker").count()
    ready = page.eval_on_selector_all(
        "#forces-teams tr[data-kind]",
        "els => els.map(e => [e.dataset.kind, Number(e.dataset.ready)])",
    )
    duty = page.eval_on_selector_all(
        "#duty-city .duty-person",
        "els => els.map(e => [[...e.classList].find(c => c.startsWith('role-')).slice(5),"
        " e.querySelector('.name').textContent])",
    )
    rooms = page.eval_on_selector_all(
        "#duty-rooms li[data-unit]", "els => els.map(e => [e.dataset.unit, e.dataset.state])"
    )
    return {
        "rows": {tuple(r) for r in rows},
        "counts": dict(counts),
        "incidents": incidents,
        "ready": dict(ready),
        "duty": {tuple(d) for d in duty},
        "rooms": dict(rooms),
    }


def open_replay(page, server, moment: datetime) -> None:  # noqa: ANN001
    at = urllib.parse.quote(moment.isoformat())
    page.goto(f"{server.url}/wall?canvas=1920x1080&at={at}")
    # The feed's stamp is the replayed moment once the replayed read is drawn.
    page.wait_for_function(
        "at => document.getElementById('alarm-as-of')?.dataset.asOf === at",
        arg=moment.isoformat(),
    )


def test_the_replayed_wall_shows_each_moment_of_a_scripted_hour_and_leaves_redis_alone(
    server, page_factory
):  # noqa: ANN001
    place = {"lon": GUSU_LON, "lat": GUSU_LAT}
    start = datetime.now(UTC)
    moments: list[tuple[datetime, dict]] = []
    # Two district duty rooms: one checked in now, one 11 minutes ago (not answering).
    answering, silent = list(server.sources.registry.district_names("zh"))[:2]
    server.sources.status.checkin(answering, start.timestamp())
    server.sources.status.checkin(silent, (start - timedelta(minutes=11)).timestamp())

    # Only the city's alarms of before (restored from the warehouse), none of ours yet.
    moments.append((settle(server), live_picture(server)))

    # Three alarms; the red one occurred 11 minutes ago (escalation is due); a reading; an
    # incident opened.
    red = alarm_body(
        "R-1",
        level="red",
        title="红色 罐区泄漏",
        category="泄漏报警",
        occurred_at=(start - timedelta(minutes=11)).isoformat(),
        **place,
    )
    assert post(server, "/api/v1/alarms", red) == 201
    assert (
        post(
            server,
            "/api/v1/alarms",
            alarm_body("O-1", level="orange", title="橙色 液位高", category="液位报警", **place),
        )
        == 201
    )
    assert (
        post(
            server,
            "/api/v1/alarms",
            alarm_body("Y-1", level="yellow", title="黄色 温度高", category="温度报警", **place),
        )
        == 201
    )
    sensor = str(server.sources.registry.sensors()["id"].iloc[0])
    assert (
        post(
            server,
            "/api/v1/readings",
            [{"sensor_id": sensor, "ts": datetime.now(UTC).isoformat(), "value": 1.0}],
        )
        == 202
    )
    incident = {
        "id": "INC-R-1",
        "title": "姑苏区 罐区泄漏",
        "category": "危化品泄漏",
        "level": 3,
        "lon": place["lon"],
        "lat": place["lat"],
        "opened_at": datetime.now(UTC).isoformat(),
    }
    assert post(server, "/api/v1/incidents", incident, INCIDENT_TOKEN) in (200, 201)
    # A hazchem team is sent to it; a water rescue team stands down to rest.
    teams = server.sources.registry.rescue_teams().set_index("id")["kind"]
    sent, resting = teams[teams == "hazchem"].index[0], teams[teams == "water"].index[0]
    status = server.sources.status
    assert status.set_team_status(sent, "dispatched", by="值班长 王艳", via="test")
    assert status.set_team_status(resting, "off", by="值班长 王艳", via="test")
    status.checkin(silent)  # the silent room answers again
    moments.append((settle(server), live_picture(server)))

    # The red alarm escalates (nobody acknowledged it for ten minutes); the orange one is
    # acknowledged; a blue one arrives.
    ThresholdWorker(server.sources).run_once(block_ms=1)
    assert server.sources.alarms.get("R-1")["escalation"] == 1
    assert status.set_team_status(sent, "returning", by="值班长 王艳", via="test")
    assert post(server, "/api/v1/alarms/O-1/ack", {"by": "值班员 李萍"}) == 200
    assert (
        post(
            server,
            "/api/v1/alarms",
            alarm_body("B-1", level="blue", title="蓝色 设备离线", category="离线", **place),
        )
        == 201
    )
    moments.append((settle(server), live_picture(server)))

    # The red alarm is acknowledged, the yellow one closed, the incident closed.
    assert post(server, "/api/v1/alarms/R-1/ack", {"by": "值班长 王艳"}) == 200
    assert post(server, "/api/v1/alarms/Y-1/close", {"by": "值班长 王艳", "note": "误报"}) == 200
    assert post(server, "/api/v1/incidents", {**incident, "status": "closed"}, INCIDENT_TOKEN) in (
        200,
        201,
    )
    assert status.set_team_status(sent, "ready", by="值班长 王艳", via="test")
    moments.append((settle(server), live_picture(server)))

    # What the script did is what the live wall showed: the moments differ from each other.
    def ours(picture: dict) -> set:
        return {r for r in picture["rows"] if r[0] in {"R-1", "O-1", "Y-1", "B-1"}}

    assert ours(moments[0][1]) == set()
    assert ours(moments[1][1]) == {
        ("R-1", "red", "0", "new"),
        ("O-1", "orange", "0", "new"),
        ("Y-1", "yellow", "0", "new"),
    }
    assert ours(moments[2][1]) == {
        ("R-1", "red", "1", "new"),
        ("O-1", "orange", "0", "acknowledged"),
        ("Y-1", "yellow", "0", "new"),
        ("B-1", "blue", "0", "new"),
    }
    assert ours(moments[3][1]) == {
        ("R-1", "red", "0", "acknowledged"),
        ("O-1", "orange", "0", "acknowledged"),
        ("Y-1", "yellow", "0", "closed"),
        ("B-1", "blue", "0", "new"),
    }
    assert moments[1][1]["incidents"] == moments[0][1]["incidents"] + 1
    assert moments[3][1]["incidents"] == moments[0][1]["incidents"]
    hazchem = [picture["ready"]["hazchem"] for _, picture in moments]
    water = [picture["ready"]["water"] for _, picture in moments]
    n_hazchem, n_water = int((teams == "hazchem").sum()), int((teams == "water").sum())
    assert hazchem == [n_hazchem, n_hazchem - 1, n_hazchem - 1, n_hazchem]
    assert water == [n_water, n_water - 1, n_water - 1, n_water - 1]
    assert all(picture["duty"] for _, picture in moments)  # someone is on duty in the roster
    # The rooms as the live wall showed them: the silent one answered from the second moment.
    rooms = [picture["rooms"] for _, picture in moments]
    assert [r[silent] for r in rooms] == ["not-answering"] + ["on-duty"] * (len(rooms) - 1)
    assert all(r[answering] == "on-duty" for r in rooms)
    # An hour before this shift began the shift before was on duty, and every team was ready.
    shift = server.sources.warehouse.query(
        "SELECT starts_at FROM duty_roster WHERE unit = 'city' AND role = 'chief' "
        "AND starts_at <= :at AND ends_at > :at",
        {"at": moments[0][0]},
    )
    began = pd.to_datetime(shift["starts_at"], utc=True, format="ISO8601").min()
    earlier = began.to_pydatetime() - timedelta(hours=1)
    assert on_duty_then(server, earlier) != moments[0][1]["duty"]

    before = store_snapshot(server.sources)
    page = page_factory(1920, 1080)
    page.set_default_timeout(LOADED_MS)
    for moment, live in moments:
        open_replay(page, server, moment)
        # Every panel has drawn this moment (its stamp), and says 回放, never an age.
        page.wait_for_function(
            "at => [...document.querySelectorAll('.as-of')].every(e => e.dataset.asOf === at"
            " && e.textContent.startsWith('回放'))",
            arg=moment.isoformat(),
        )
        assert replayed_picture(page) == live, moment.isoformat()
        banner = page.locator("#replay-banner")
        assert "回放" in banner.inner_text()
        local = moment.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
        assert banner.locator(".replay-time").inner_text() == local
        # Not live: no pulse, no push stream, no panel stale.
        assert page.locator("#pulse").count() == 0
        assert page.evaluate("window.sePush.page") is None
        assert page.locator(".panel.stale").count() == 0
    open_replay(page, server, earlier)
    page.wait_for_function(
        "at => ['forces-as-of', 'duty-as-of'].every(id => document.getElementById(id)"
        "?.dataset.asOf === at)",
        arg=earlier.isoformat(),
    )
    then = replayed_picture(page)
    assert then["duty"] == on_duty_then(server, earlier)
    # No check-in was kept in the day before then: said, not shown as every room silent.
    assert then["rooms"] == {}
    assert page.inner_text("#duty-rooms li.unknown") == "该时刻前一天内无值班室签到记录"
    assert then["ready"] == moments[0][1]["ready"]
    escalated = page.locator('#alarm-feed li[data-alarm-id="R-1"]')
    open_replay(page, server, moments[2][0])
    assert "已报分管领导" in escalated.inner_text()
    assert page.console_errors == [], page.console_errors
    assert page.outside_requests == []

    # Replaying read the warehouse only: the live state is as it was, to the last field.
    assert store_snapshot(server.sources) == before


def test_replay_plays_at_sixty_times_and_goes_back_to_live(server, page_factory):  # noqa: ANN001
    assert (
        post(
            server,
            "/api/v1/alarms",
            alarm_body("P-1", lon=GUSU_LON, lat=GUSU_LAT),
        )
        == 201
    )
    Archiver(server.sources, block_ms=1).run_once()
    moment = datetime.now(UTC) - timedelta(hours=1)
    page = page_factory(1920, 1080)
    page.set_default_timeout(LOADED_MS)
    open_replay(page, server, moment)
    assert page.locator('#alarm-feed li[data-alarm-id="P-1"]').count() == 0  # not yet then
    drawn = replayed_picture(page)
    # A live change while the replay is on the screen reaches no panel of it.
    live = alarm_body("P-2", level="red", category="火灾报警", lon=GUSU_LON, lat=GUSU_LAT)
    assert post(server, "/api/v1/alarms", live) == 201
    Archiver(server.sources, block_ms=1).run_once()
    page.wait_for_timeout(3000)
    assert replayed_picture(page) == drawn
    page.click("#replay-speed-60")
    # At ×60 the replayed clock gains a minute a second, and the panels follow it.
    page.wait_for_function(
        "at => Date.parse(document.getElementById('alarm-as-of').dataset.asOf) - Date.parse(at)"
        " >= 120000",
        arg=moment.isoformat(),
    )
    assert page.locator("#replay-speed-60.on").count() == 1
    assert "at=" in page.url and "speed=60" in page.url
    page.click("#replay-pause")
    # The pause is taken when its button is lit (the click goes through Dash's queue first).
    page.wait_for_selector("#replay-pause.on")
    page.wait_for_timeout(300)  # the banner's clock redraws every 250 ms
    shown = page.locator("#replay-time").inner_text()
    page.wait_for_timeout(1500)
    assert page.locator("#replay-time").inner_text() == shown
    page.click("#replay-exit")
    page.wait_for_selector('#alarm-feed li[data-alarm-id="P-1"]')
    assert page.locator("#replay-banner").count() == 0
    assert page.locator("#pulse").count() == 1


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("yesterday", "无法识别"),
        ("2026-12-01T08:00:00", "缺少时区"),
        ("2999-01-01T00:00:00Z", "尚未到来"),
    ],
)
def test_a_time_that_cannot_be_replayed_is_said_on_the_page(server, page_factory, at, says):  # noqa: ANN001
    page = page_factory(1280, 800)
    page.goto(f"{server.url}/wall?at={urllib.parse.quote(at)}")
    refused = page.locator("#replay-refused")
    refused.wait_for()
    assert "无法回放" in refused.inner_text() and says in refused.inner_text()
    assert page.locator("#replay-refused a[href='/wall']").count() == 1
    assert page.locator("#pulse").count() == 0
