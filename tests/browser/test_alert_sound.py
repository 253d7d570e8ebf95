"""The alert tone (assets/alert.js) in real headless Chromium, fed through the ingest API and
the real Redis: a red alarm asks the tone to play, again and again, until it is acknowledged
or silenced; an escalation sounds again; a blue alarm stays silent with the default setting;
the wall in kiosk mode plays without a click, the other screens ask once.

Playing is counted by wrapping HTMLMediaElement.prototype.play before any page script runs;
the wrapped call still plays (headless Chromium has no speakers, the count is what matters).
"""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TOKEN = "alert-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
COUNT_PLAYS = """
window.__plays = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__plays.push(this.currentSrc || this.src);
  return play.call(this).catch(() => undefined);
};
"""


def post(server, path: str, body) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def alarm(alarm_id: str, level: str, minutes_ago: float = 0) -> dict:
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": "可燃气体报警",
        "title": f"声音测试 {alarm_id}",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }


def make_server(make_app, serve, redis_url, reference_url, **settings):  # noqa: ANN001, ANN003, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
        **settings,
    )
    server = serve(app)
    server.sources = app.server.extensions["smart_emergency_sources"]
    return server


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001, ANN201
    return make_server(make_app, serve, redis_url, reference_url)


def open_screen(page_factory, server, path: str, width=1920, height=1080, sound=None):  # noqa: ANN001, ANN201
    page = page_factory(width, height)
    page.add_init_script(COUNT_PLAYS)
    if sound is not None:
        page.add_init_script(f"localStorage.setItem('se-alert-sound', {json.dumps(sound)})")
    page.goto(server.url + path)
    page.wait_for_selector("#alert-controls", state="attached")
    return page


def plays(page) -> int:  # noqa: ANN001
    return page.evaluate("window.__plays.length")


def wait_plays(page, at_least: int, timeout: float = 30000) -> None:  # noqa: ANN001
    page.wait_for_function(f"window.__plays.length >= {at_least}", timeout=timeout)


def test_a_red_alarm_on_the_kiosk_wall_plays_until_acknowledged(server, page_factory):
    page = open_screen(page_factory, server, "/wall?canvas=1920x1080&kiosk=1")
    page.wait_for_selector("#alarm-feed li")
    assert page.locator("#alert-ask").is_hidden()  # the kiosk wall never asks
    assert plays(page) == 0
    assert post(server, "/api/v1/alarms", alarm("snd-red", "red")) == 201
    page.wait_for_selector('#alarm-feed li[data-alarm-id="snd-red"]')
    wait_plays(page, 1)
    assert page.evaluate("window.__plays[0]").endswith("/assets/alert-tone.wav")
    assert page.locator("#alert-mute").is_visible()
    wait_plays(page, 2)  # it repeats while nobody has acknowledged it
    page.screenshot(path=str(SHOTS / "alert-wall-1920x1080.png"))
    assert post(server, "/api/v1/alarms/snd-red/ack", {"by": "值班员 张伟"}) == 200
    page.wait_for_selector('#alarm-feed li[data-alarm-id="snd-red"][data-status="acknowledged"]')
    page.wait_for_selector("#alert-mute", state="hidden")
    settled = plays(page)
    page.wait_for_timeout(5000)  # longer than the repeat period
    assert plays(page) == settled
    assert page.console_errors == [] and page.outside_requests == []


def test_silence_stops_the_tone_and_an_escalation_sounds_again(server, page_factory):
    page = open_screen(page_factory, server, "/wall?canvas=1920x1080&kiosk=1")
    page.wait_for_selector("#alarm-feed li")
    assert post(server, "/api/v1/alarms", alarm("snd-esc", "red", minutes_ago=11)) == 201
    wait_plays(page, 1)
    page.click("#alert-mute")
    page.wait_for_selector("#alert-mute", state="hidden")
    silenced = plays(page)
    page.wait_for_timeout(5000)
    assert plays(page) == silenced
    # The threshold engine's escalation, as its worker records it: stage 1 sounds again.
    assert server.sources.alarms.escalate("snd-esc", 1, time.time())
    page.wait_for_selector('#alarm-feed li[data-alarm-id="snd-esc"].stage-1')
    wait_plays(page, silenced + 1)
    assert page.locator("#alert-mute").is_visible()


def test_a_blue_alarm_is_silent_with_the_default_setting(server, page_factory):
    page = open_screen(page_factory, server, "/wall?canvas=1920x1080&kiosk=1")
    page.wait_for_selector("#alarm-feed li")
    assert post(server, "/api/v1/alarms", alarm("snd-blue", "blue")) == 201
    page.wait_for_selector('#alarm-feed li[data-alarm-id="snd-blue"]')
    page.wait_for_timeout(2000)
    assert plays(page) == 0 and page.locator("#alert-mute").is_hidden()


def test_the_levels_that_sound_are_a_setting(
    make_app, serve, redis_url, reference_url, page_factory
):  # noqa: ANN001
    server = make_server(make_app, serve, redis_url, reference_url, ALERT_SOUND_LEVELS="red,orange")
    page = open_screen(page_factory, server, "/wall?canvas=1920x1080&kiosk=1")
    page.wait_for_selector("#alarm-feed li")
    assert page.get_attribute("#alert-config", "data-levels") == "red,orange"
    assert post(server, "/api/v1/alarms", alarm("snd-orange", "orange")) == 201
    page.wait_for_selector('#alarm-feed li[data-alarm-id="snd-orange"]')
    wait_plays(page, 1)


def test_the_tablet_asks_once_and_remembers_the_answer(server, page_factory):
    page = open_screen(page_factory, server, "/tablet", 1024, 768)
    page.wait_for_selector("#tablet-alarms li")
    ask = page.locator("#alert-ask")
    assert ask.is_hidden()  # nothing to sound yet: nothing to ask
    assert post(server, "/api/v1/alarms", alarm("snd-tab", "red")) == 201
    page.wait_for_selector('[data-alarm-id="snd-tab"]')
    ask.wait_for()
    page.screenshot(path=str(SHOTS / "alert-ask-tablet-1024x768.png"))
    page.wait_for_timeout(1500)
    assert plays(page) == 0  # not before the person says so
    page.click("#alert-enable")
    wait_plays(page, 1)
    assert ask.is_hidden()
    assert page.evaluate("localStorage.getItem('se-alert-sound')") == "on"
    page.reload()
    page.wait_for_selector('[data-alarm-id="snd-tab"]')
    assert page.locator("#alert-ask").is_hidden()  # asked once: the answer is remembered
    assert page.locator("#alert-toggle").inner_text() == "警报声：开"


def test_a_screen_that_declined_stays_silent_and_the_duty_room_sounds_too(server, page_factory):
    assert post(server, "/api/v1/alarms", alarm("snd-duty", "red")) == 201
    page = open_screen(page_factory, server, "/consult", sound="off")
    page.wait_for_timeout(2500)
    assert plays(page) == 0 and page.locator("#alert-ask").is_hidden()
    duty = open_screen(page_factory, server, "/duty", sound="on")
    duty.wait_for_selector('#duty-alerts li[data-alarm-id="snd-duty"][data-level="red"]')
    wait_plays(duty, 1)
    assert duty.locator("#alert-mute").is_visible()
