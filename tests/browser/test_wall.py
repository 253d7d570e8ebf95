"""The video wall in real headless Chromium, fed by the real Redis and a real warehouse."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from layouts.common import SHANGHAI
from tests.helpers import sources_of

pytestmark = pytest.mark.browser

TOKEN = "wall-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def post(server, path: str, body) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def alarm(alarm_id: str, level: str, **extra) -> dict:  # noqa: ANN003
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": f"测试{alarm_id}",
        "title": f"测试警情 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
        **extra,
    }


@pytest.fixture
def wall_server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
    )
    running = serve(app)
    running.sources = sources_of(app)
    return running


def open_wall(page_factory, server, width=1920, height=1080, query="canvas=1920x1080"):  # noqa: ANN001
    page = page_factory(width, height)
    page.goto(f"{server.url}/wall?{query}")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector("#alarm-feed li")
    return page


def test_wall_shows_the_nine_districts_and_a_new_alarm_as_it_is_posted(wall_server, page_factory):
    page = open_wall(page_factory, wall_server)
    page.wait_for_function("document.querySelectorAll('#main-map path.district').length >= 9")
    assert page.locator("#main-map path.district").count() == 9

    assert post(wall_server, "/api/v1/alarms", alarm("wall-1", "orange")) == 201
    # How fast is benchmarks/push.py's to measure; here only that it arrives, unreloaded.
    item = page.locator('#alarm-feed li[data-alarm-id="wall-1"]')
    item.wait_for(timeout=15_000)
    assert item.get_attribute("data-level") == "orange"
    assert "测试警情 wall-1" in item.inner_text()

    assert page.console_errors == []
    assert page.outside_requests == []


def marker_offset_from_map_centre(page) -> float:  # noqa: ANN001
    """Distance (screen px) from the red alarm marker to the centre of the map."""
    return page.evaluate(
        """() => {
          const m = document.querySelector('#main-map').getBoundingClientRect();
          const r = document.querySelector('#main-map path.alarm-marker.level-red').getBoundingClientRect();
          return Math.hypot(r.x + r.width / 2 - (m.x + m.width / 2), r.y + r.height / 2 - (m.y + m.height / 2));
        }"""
    )


def test_a_red_alarm_takes_over_the_map_until_acknowledged(wall_server, page_factory):
    page = open_wall(page_factory, wall_server)
    # Far from the city centre, so the map must move to centre it.
    assert post(wall_server, "/api/v1/alarms", alarm("red-1", "red", lon=120.55, lat=31.88)) == 201
    takeover = page.locator("#wall-takeover")
    takeover.wait_for(state="visible", timeout=15_000)
    assert "测试警情 red-1" in takeover.inner_text()
    page.wait_for_selector("#main-map path.alarm-marker.level-red")
    page.wait_for_timeout(2500)  # the fly-to animation
    assert marker_offset_from_map_centre(page) < 30

    assert post(wall_server, "/api/v1/alarms/red-1/ack", {"by": "值班员"}) == 200
    takeover.wait_for(state="hidden", timeout=15_000)
    assert page.console_errors == []


@pytest.mark.parametrize("canvas", ["1920x1080", "3840x2160", "5760x3240", "7680x2160"])
def test_every_canvas_shows_every_panel_without_scrollbars_or_small_text(
    wall_server, page_factory, canvas
):
    width, height = (int(v) for v in canvas.split("x"))
    post(wall_server, "/api/v1/alarms", alarm(f"c-{canvas}", "yellow"))
    page = open_wall(page_factory, wall_server, width, height, f"canvas={canvas}")
    page.wait_for_selector("#stats-trend .main-svg")
    page.wait_for_selector("#forces-teams tr[data-kind]")
    page.wait_for_timeout(1500)

    for panel in (
        "#alarm-counts-panel",
        "#stats-panel",
        "#map-panel",
        "#forces-panel",
        "#alarm-panel",
        "#duty-panel",
    ):
        box = page.locator(panel).bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, panel
        assert box["x"] >= 0 and box["y"] >= 0, panel
        assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, (
            panel
        )

    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll[0] <= width and scroll[1] <= height
    # No number the browser failed to work out (a system that never sent a heartbeat has no
    # age: it says so in words).
    text = page.inner_text("#wall-canvas")
    assert "NaN" not in text and "undefined" not in text
    # The trend chart is drawn by plotly.js's partial bundle; the 4.8 MB full one never loads.
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [s for s in scripts if "plotly.min.js" in s]

    # Font sizes are in canvas pixels (before the scale transform); the limit is height / 90.
    smallest = page.evaluate(
        """(limit) => {
          const small = [];
          const walker = document.createTreeWalker(document.getElementById('wall-canvas'), NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.textContent.trim()) continue;
            const el = node.parentElement;
            if (!el.getClientRects().length) continue;  // not rendered
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < limit - 0.01) small.push([el.className.baseVal ?? el.className, node.textContent.trim().slice(0, 20), size]);
          }
          return small;
        }""",
        height / 90,
    )
    assert smallest == []

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"wall-{canvas}.png"))
    assert page.console_errors == []
    assert page.outside_requests == []


def test_the_wall_follows_a_presenter_focus_until_it_is_released(wall_server, page_factory):
    page = open_wall(page_factory, wall_server)
    live = wall_server.app.server.extensions["smart_emergency_sources"]
    live.focus.set(
        "district",
        "320582",
        by="张局长",
        at=time.time(),
        label="张家港市",
        bounds=[[31.78, 120.35], [32.05, 120.80]],
    )
    banner = page.locator("#wall-presenter")
    banner.wait_for(state="visible", timeout=15_000)
    assert "张家港市" in banner.inner_text() and "张局长" in banner.inner_text()

    live.focus.release(by="张局长", at=time.time())
    banner.wait_for(state="hidden", timeout=15_000)
    assert page.console_errors == []


def test_two_browsers_each_show_their_half_of_one_canvas(wall_server, page_factory):
    left = open_wall(page_factory, wall_server, 960, 1080, "canvas=1920x1080&tiles=2x1&tile=1")
    right = open_wall(page_factory, wall_server, 960, 1080, "canvas=1920x1080&tiles=2x1&tile=2")

    def on_screen(page, selector: str) -> bool:  # noqa: ANN001
        box = page.locator(selector).bounding_box()
        return box is not None and box["x"] + box["width"] > 0 and box["x"] < 960

    # The feed sits in the right third of the canvas, the statistics in the left third.
    assert on_screen(left, "#stats-panel") and not on_screen(left, "#alarm-panel")
    assert on_screen(right, "#alarm-panel") and not on_screen(right, "#stats-panel")
    # Same scale in both: the canvas is 1080 high and so are the windows.
    assert left.get_attribute("#wall-viewport", "data-scale") == "1.0000"
    assert right.get_attribute("#wall-viewport", "data-scale") == "1.0000"


def test_the_wall_rotates_its_focus_views_in_step_with_the_clock(
    make_app, serve, redis_url, reference_url, page_factory
):
    server = serve(
        make_app(
            REDIS_URL=redis_url,
            WAREHOUSE_URL=reference_url,
            WALL_ROTATE_S=2,
            WALL_VIEWS="overview,duty",
        )
    )
    page = open_wall(page_factory, server)
    names = set()
    deadline = time.monotonic() + 7
    while time.monotonic() < deadline:
        names.add(page.locator("#wall-view-name").inner_text())
        page.wait_for_timeout(250)
    assert {"全市总览", "值班值守"} <= names
    # The duty view highlights the duty panel.
    page.wait_for_selector("#duty-panel.focus", timeout=15_000)
    assert page.console_errors == []


def test_kiosk_mode_hides_the_cursor_and_the_map_controls(wall_server, page_factory):
    page = open_wall(page_factory, wall_server, query="canvas=1920x1080&kiosk=1")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('#wall-canvas')).cursor") == "none"
    )
    assert page.locator(".leaflet-control-zoom").is_hidden()


def test_a_district_room_that_checks_in_shows_on_duty_and_one_silent_for_10_minutes_does_not(
    wall_server, page_factory
):  # noqa: ANN001
    """A district duty room's client checks in over the ingest API; the wall's duty panel
    turns that room 在岗 with the time of its check-in, while a room last heard from 11
    minutes ago stands 未应答."""
    server = wall_server
    server.sources.status.checkin("320583", time.time() - 11 * 60)
    page = open_wall(page_factory, server)
    rooms = page.locator("#duty-rooms li[data-unit]")
    rooms.first.wait_for()
    gusu = page.locator('#duty-rooms li[data-unit="320508"]')
    assert gusu.get_attribute("data-state") == "not-answering"
    assert "无签到" in gusu.inner_text()

    assert post(server, "/api/v1/duty/checkin", {"unit": "姑苏区"}) == 200
    page.wait_for_selector('#duty-rooms li[data-unit="320508"][data-state="on-duty"]')
    shown = datetime.now(SHANGHAI).strftime("%H:%M")
    assert "在岗" in gusu.inner_text()
    assert gusu.locator(".room-last").inner_text() in (
        f"签到 {shown}",
        f"签到 {(datetime.now(SHANGHAI) - timedelta(minutes=1)).strftime('%H:%M')}",
    )
    kunshan = page.locator('#duty-rooms li[data-unit="320583"]')
    assert kunshan.get_attribute("data-state") == "not-answering"
    assert "未应答" in kunshan.inner_text()
    assert page.console_errors == []
