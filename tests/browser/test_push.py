"""Push, not poll: the wall hears of changes over its push stream, resumes after a restart,
polls where the stream is blocked, and its tiles follow one wall state from the server."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.helpers import api_post

pytestmark = pytest.mark.browser

TOKEN = "push-test-token-0123456789"
PUSHED = "() => window.sePush && window.sePush.mode === 'push'"


def post(server, body) -> int:  # noqa: ANN001
    return api_post(server.url, "/api/v1/alarms", body, TOKEN)


def alarm(alarm_id: str, level: str = "orange") -> dict:
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": f"推送{alarm_id}",
        "title": f"推送警情 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }


def live_of(server):  # noqa: ANN001, ANN201
    return server.app.server.extensions["smart_emergency_sources"]


@pytest.fixture
def push_server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
    )
    return serve(app)


def open_wall(page_factory, server, query="canvas=1920x1080", width=1920):  # noqa: ANN001, ANN201
    page = page_factory(width, 1080)
    page.goto(f"{server.url}/wall?{query}")
    page.wait_for_selector("#alarm-feed li", timeout=30000)
    return page


def feed_reads(page) -> list[str]:  # noqa: ANN001
    """Callback requests since the page opened that re-read the alarm feed from the server."""
    return [body for body in page.callback_bodies if "alarm-rows" in body]


def watch_callbacks(page) -> None:  # noqa: ANN001
    page.callback_bodies = []

    def record(request) -> None:  # noqa: ANN001
        if "/_dash-update-component" in request.url:
            page.callback_bodies.append(request.post_data or "")

    page.on("request", record)


def test_an_alarm_posted_reaches_the_wall_as_that_alarm_over_the_push_stream(
    push_server, page_factory
):
    page = open_wall(page_factory, push_server)
    page.wait_for_function(PUSHED, timeout=20000)
    page.wait_for_timeout(1000)  # the first full read after the stream's hello
    watch_callbacks(page)
    assert post(push_server, alarm("push-1", "orange")) == 201
    row = page.locator('#alarm-feed li[data-alarm-id="push-1"]')
    row.wait_for(timeout=15000)
    assert row.get_attribute("data-level") == "orange"
    assert "推送警情 push-1" in row.inner_text()
    # The counts moved with it, and the feed was not read again: the alarm came as itself.
    page.wait_for_function(
        "() => document.querySelector('#alarm-counts [data-level=orange] .n')?.textContent === '1'",
        timeout=10000,
    )
    assert feed_reads(page) == []
    # Nothing polled while the stream was up.
    assert not any("pulse-tick" in body for body in page.callback_bodies)
    assert page.console_errors == []


def map_reads(page) -> list[str]:  # noqa: ANN001
    """Callback requests since `watch_callbacks` that read the wall map's alarm layer (the
    layer itself or its full read)."""
    return [body for body in page.callback_bodies if "map-alarms" in body]


MARKERS = (
    "(level) => document.querySelectorAll('#main-map path.alarm-marker.level-' + level).length"
)


def test_an_alarm_reaches_the_wall_map_with_the_change_and_leaves_it_when_closed(
    push_server, page_factory
):
    page = open_wall(page_factory, push_server)
    page.wait_for_function(PUSHED, timeout=20000)
    page.wait_for_timeout(1500)  # the first full reads after the stream's hello
    red_before = page.evaluate(MARKERS, "red")
    shaded = "() => document.querySelectorAll('#main-map path.district-red').length"
    assert page.evaluate(shaded) == 0, "no district is red before the red alarm"
    watch_callbacks(page)

    assert post(push_server, alarm("map-1", "red")) == 201
    page.wait_for_function(f"() => ({MARKERS})('red') === {red_before + 1}", timeout=15000)
    # Gusu, where it lies, is shaded red now; and no longer once it is closed.
    page.wait_for_function(f"() => ({shaded})() === 1", timeout=10000)
    # The map's layer came with the change: neither it nor the feed was read again.
    assert map_reads(page) == [] and feed_reads(page) == []

    close = {"by": "值班员 王芳", "note": "已处置"}
    assert api_post(push_server.url, "/api/v1/alarms/map-1/close", close, TOKEN) == 200
    page.wait_for_function(f"() => ({MARKERS})('red') === {red_before}", timeout=15000)
    page.wait_for_function(f"() => ({shaded})() === 0", timeout=10000)
    assert map_reads(page) == []
    assert page.console_errors == []


def test_after_a_server_restart_the_wall_reconnects_and_shows_every_alarm_posted_meanwhile(
    push_server, page_factory
):
    page = open_wall(page_factory, push_server)
    page.wait_for_function(PUSHED, timeout=20000)
    page.evaluate("window.__notReloaded = true")
    opens = page.evaluate("window.sePush.opens")

    push_server.stop()
    live = live_of(push_server)
    missed = [f"missed-{i}" for i in range(3)]
    for alarm_id in missed:  # the server is down: what upstream posted went to Redis anyway
        body = alarm(alarm_id, "yellow")
        live.alarms.put(
            body
            | {
                "occurred_at": datetime.now(UTC),
                "site_id": None,
                "district": None,
                "detail": {},
            }
        )
        time.sleep(0.05)
    page.locator(".conn-banner").wait_for(state="visible", timeout=15000)

    push_server.restart()
    for alarm_id in missed:
        page.locator(f'#alarm-feed li[data-alarm-id="{alarm_id}"]').wait_for(timeout=30000)
    page.wait_for_function(PUSHED, timeout=30000)
    assert page.evaluate("window.sePush.opens") > opens
    page.locator(".conn-banner").wait_for(state="hidden", timeout=15000)
    assert page.evaluate("window.__notReloaded") is True

    # And the stream carries on after the reconnect.
    assert post(push_server, alarm("after-restart")) == 201
    page.locator('#alarm-feed li[data-alarm-id="after-restart"]').wait_for(timeout=15000)


def test_with_the_push_endpoint_blocked_polling_keeps_the_wall_current(push_server, page_factory):
    page = page_factory(1920, 1080)
    page.route("**/push/events*", lambda route: route.abort())
    page.goto(f"{push_server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#alarm-feed li", timeout=30000)
    page.wait_for_function("() => window.sePush && window.sePush.mode === 'poll'", timeout=20000)

    assert post(push_server, alarm("polled-1", "blue")) == 201
    row = page.locator('#alarm-feed li[data-alarm-id="polled-1"]')
    row.wait_for(timeout=30_000)  # generous: polled once a second, on a loaded machine
    assert row.get_attribute("data-level") == "blue"
    # The wall is current, not stale, and says nothing of a lost connection.
    page.wait_for_timeout(2000)
    assert "stale" not in (page.locator("#alarm-panel").get_attribute("class") or "")
    assert page.locator(".conn-banner").is_hidden()


def test_a_polled_wall_still_updates_when_the_server_answers_slower_than_the_tick(
    push_server, page_factory, monkeypatch
):  # noqa: ANN001
    # Each poll answer takes 1.5 s against a 1 s tick. Ungated, every tick superseded the ask
    # in flight and the page heard nothing at all.
    from data_sources import health

    quick = health.pulse

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(1.5)
        return quick(*args, **kwargs)

    monkeypatch.setattr(health, "pulse", slow)
    page = page_factory(1920, 1080)
    page.route("**/push/events*", lambda route: route.abort())
    page.goto(f"{push_server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#alarm-feed li", timeout=30000)
    page.wait_for_function("() => window.sePush && window.sePush.mode === 'poll'", timeout=20000)
    page.wait_for_function("() => window.sePush.answers >= 3", timeout=30000)

    assert post(push_server, alarm("slow-poll-1", "yellow")) == 201
    page.locator('#alarm-feed li[data-alarm-id="slow-poll-1"]').wait_for(timeout=30_000)
    assert page.locator(".conn-banner").is_hidden()


def test_two_tiles_of_one_wall_switch_views_together(
    make_app, serve, redis_url, reference_url, page_factory
):
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, WALL_ROTATE_S=3)
    server = serve(app)
    query = "canvas=1920x1080&tiles=2x1&tile="
    left = open_wall(page_factory, server, query + "1", 960)
    right = open_wall(page_factory, server, query + "2", 960)
    for page in (left, right):
        page.wait_for_function(PUSHED, timeout=20000)

    def view(page) -> str | None:  # noqa: ANN001
        return page.get_attribute("#wall-canvas", "data-view")

    seen = []
    for _ in range(3):
        before = view(left)
        left.wait_for_function(
            "v => document.querySelector('#wall-canvas').dataset.view !== v",
            arg=before,
            timeout=15000,
        )
        now = view(left)
        # The other tile shows the same view well before the next switch is due.
        right.wait_for_function(
            "v => document.querySelector('#wall-canvas')?.dataset.view === v",
            arg=now,
            timeout=2500,
        )
        seen.append(now)
    assert len(set(seen)) >= 2


def test_the_presenters_pick_reaches_the_wall_and_its_release_too(push_server, page_factory):
    page = open_wall(page_factory, push_server)
    page.wait_for_function(PUSHED, timeout=20000)
    live = live_of(push_server)
    live.focus.set(
        "district",
        "320582",
        by="张局长",
        at=time.time(),
        label="张家港市",
        bounds=[[31.78, 120.35], [32.05, 120.80]],
    )
    banner = page.locator("#wall-presenter")
    banner.wait_for(state="visible", timeout=10000)
    assert "张家港市" in banner.inner_text() and "张局长" in banner.inner_text()
    assert page.get_attribute("#wall-canvas", "data-view") == "presenter"

    live.focus.release(by="张局长", at=time.time())
    banner.wait_for(state="hidden", timeout=10000)
    assert page.console_errors == []
