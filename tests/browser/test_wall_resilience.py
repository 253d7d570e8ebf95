"""The wall tells the hall when its data stops, and recovers by itself without a reload."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

pytestmark = pytest.mark.browser

REDIS_PANELS = ["#alarm-panel", "#alarm-counts-panel", "#forces-panel", "#duty-panel"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, so the test can stop and start it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


def test_panels_turn_stale_when_redis_stops_and_recover_when_it_returns(
    make_app, serve, private_redis, reference_url, page_factory
):
    app = make_app(
        REDIS_URL=f"redis://127.0.0.1:{private_redis.port}/0",
        WAREHOUSE_URL=reference_url,
        WALL_ROTATE_S=0,
    )
    server = serve(app)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#alarm-feed li")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(1500)
    for panel in REDIS_PANELS:
        assert "stale" not in (page.locator(panel).get_attribute("class") or ""), panel

    private_redis.stop()
    page.wait_for_function(
        "sel => sel.every(s => document.querySelector(s).classList.contains('stale'))",
        arg=REDIS_PANELS,
        timeout=20_000,
    )
    assert page.locator("#alarm-panel .as-of.stale").count() == 1

    private_redis.start()
    page.wait_for_function(
        "sel => sel.every(s => !document.querySelector(s).classList.contains('stale'))",
        arg=REDIS_PANELS,
        timeout=10000,
    )
    assert page.evaluate("window.__notReloaded") is True


def test_banner_says_since_when_the_server_is_unreachable_and_goes_when_it_returns(
    make_app, serve, redis_url, reference_url, page_factory
):
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, WALL_ROTATE_S=0)
    server = serve(app)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#alarm-feed li")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(1500)
    assert page.locator(".conn-banner").is_hidden()

    server.stop()
    banner = page.locator(".conn-banner")
    # Two refresh intervals (1 s each) plus the watchdog's own second; generous under load.
    banner.wait_for(state="visible", timeout=15_000)
    assert "失去连接" in banner.inner_text() and "自" in banner.inner_text()
    assert page.locator("#alarm-panel.stale").count() == 1

    server.restart()
    banner.wait_for(state="hidden", timeout=10000)
    page.wait_for_function("!document.querySelector('#alarm-panel').classList.contains('stale')")
    assert page.evaluate("window.__notReloaded") is True


def test_after_redis_restarts_empty_the_archiver_refills_the_wall_from_the_warehouse(
    make_app, serve, private_redis, reference_url, page_factory
):
    from datetime import UTC, datetime

    from tests.helpers import api_post

    token = "resilience-token-0123456789"
    app = make_app(
        REDIS_URL=f"redis://127.0.0.1:{private_redis.port}/0",
        WAREHOUSE_URL=reference_url,
        WALL_ROTATE_S=0,
        INPROCESS_WORKERS=True,
        INGEST_TOKENS=f"hazchem:{token}",
        REDIS_VOLATILE_OK=True,  # this Redis restarts empty on purpose: no AOF
    )
    server = serve(app)
    body = {
        "id": "keep-1",
        "source": "hazchem",
        "level": "orange",
        "category": "泄漏",
        "title": "重启前的警情",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }
    assert api_post(server.url, "/api/v1/alarms", body, token) == 201
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    item = page.locator('#alarm-feed li[data-alarm-id="keep-1"]')
    item.wait_for(timeout=20000)

    warehouse = app.server.extensions["smart_emergency_sources"].warehouse
    deadline = time.monotonic() + 15
    while warehouse.query("SELECT id FROM alarm_history WHERE id = 'keep-1'").empty:
        assert time.monotonic() < deadline, "the archiver did not archive the alarm"
        time.sleep(0.2)

    private_redis.stop()
    private_redis.start()  # empty: nothing is saved to disk
    # The alarm comes back on the wall once the archiver has rebuilt the live state.
    page.wait_for_function(
        "() => !!document.querySelector('#alarm-feed li[data-alarm-id=\"keep-1\"]') "
        "&& !document.querySelector('#alarm-panel').classList.contains('stale')",
        timeout=30000,
    )
    assert item.get_attribute("data-level") == "orange"
