"""/governance in real headless Chromium, fed by the real Redis and a real warehouse: the seven
systems with their Chinese names and states, the integration rate, and a quarantined message
shown as text in its system's rejects."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import auth
from data_sources import quarantine
from tests.helpers import sources_of

pytestmark = pytest.mark.browser

TOKEN = "governance-browser-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NAMES = {
    "emergency": "应急平台综合应用系统",
    "supervision": "安全生产监管",
    "enforcement": "安全生产行政执法",
    "gis": "安全生产地理信息系统",
    "hazchem": "危险化学品安全生产风险监测预警系统",
    "monitor": "安全生产监测监控中心",
    "iot": "感知网络",
}
HOSTILE = '<img src=x onerror="window.__xss=1">{"level": "purple"}'


@pytest.fixture
def server(make_app, serve, redis_url, sqlite_url):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=sqlite_url,  # empty archive: nothing delivered but what the test sends
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        AUTH_REQUIRED=False,
    )
    auth.init_app(app.server)
    running = serve(app)
    running.sources = sources_of(app)
    return running


def heartbeat(server) -> None:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + "/api/v1/heartbeat",
        data=json.dumps({"source": "hazchem"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status in (200, 202, 204)


def archive(warehouse, source: str, hours_ago: float, late_s: float, n: int) -> None:  # noqa: ANN001
    received = datetime.now(UTC) - timedelta(hours=hours_ago)
    warehouse.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, status) VALUES (:id, :source, 'red', 'gas', 't', :occurred, :received, "
        "'closed')",
        {
            "id": f"{source}-{hours_ago}-{n}",
            "source": source,
            "occurred": received - timedelta(seconds=late_s),
            "received": received,
        },
    )


def states(page) -> dict[str, str]:  # noqa: ANN001
    return page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#gov-systems tr[data-system]')]"
        ".map(r => [r.dataset.system, r.querySelector('.state')?.textContent]))"
    )


def test_governance_shows_every_system_its_state_the_rate_and_rejects(page_factory, server) -> None:  # noqa: ANN001
    heartbeat(server)
    # hazchem's archive: 1 + 2 + … messages in the hours before, 2-11 s late.
    sent = 0
    for hour in range(0, 24, 3):
        for n in range(1 + hour // 3):
            archive(server.sources.warehouse, "hazchem", hour + 0.5, 2 + n, n)
            sent += 1
    quarantine.put(
        server.sources.warehouse,
        source="iot",
        channel="mqtt",
        raw=HOSTILE,
        error="level: not one of red/orange/yellow/blue (topic se/iot/alarms)",
        ref="gov-1",
    )

    page = page_factory(1920, 1080)
    page.goto(server.url + "/governance")
    page.wait_for_function("document.querySelectorAll('#gov-systems tr[data-system]').length === 7")

    table = page.inner_text("#gov-systems")
    for name in NAMES.values():
        assert name in table
    got = states(page)
    assert got["hazchem"] == "已接入"
    assert got["iot"] == "异常"  # one reject, nothing archived within the hour
    hazchem = page.locator("#gov-systems tr[data-system=hazchem] td")
    assert hazchem.nth(4).inner_text() == str(sent)  # 24 h 消息
    assert hazchem.nth(6).inner_text() != "—"  # lateness p50
    assert page.locator("#gov-systems tr[data-system=hazchem] .bar.some").count() == 8
    integrated = sum(s == "已接入" for s in got.values())
    assert integrated == 1, got
    assert page.inner_text("#gov-rate .gov-rate-figure") == "14%"
    assert "1 / 7" in page.inner_text("#gov-rate")

    reject = page.locator("#gov-rejects [data-system=iot]")
    assert "level: not one of red/orange/yellow/blue" in reject.inner_text()
    assert reject.locator("pre.payload").inner_text() == HOSTILE
    assert page.locator("#gov-rejects img").count() == 0
    assert page.evaluate("window.__xss") is None
    for as_of in ("#gov-rate-as-of", "#gov-systems-as-of", "#gov-rejects-as-of"):
        assert page.get_attribute(as_of, "data-as-of")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "governance.png"))

    # A second system's heartbeat moves the rate on the open page.
    server.sources.status.heartbeat("emergency")
    page.wait_for_function(
        "document.querySelector('#gov-rate .gov-rate-figure')?.textContent === '29%'",
        timeout=30_000,
    )
    assert states(page)["emergency"] == "已接入"
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []
