"""In real Chromium: an alarm of the demo feed shows 演示 in the wall's feed and its takeover,
and on the tablet; a real system's alarm beside it shows no tag."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest import credentials
from tests.helpers import api_post

pytestmark = pytest.mark.browser

TOKEN = "demo-tag-test-token-0123456789"


def post(server, body: dict, token: str) -> int:  # noqa: ANN001
    return api_post(server.url, "/api/v1/alarms", body, token)


def alarm(alarm_id: str, level: str, lon: float) -> dict:
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": f"测试{alarm_id}",
        "title": f"测试警情 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": lon,
        "lat": 31.31,
    }


def test_demo_alarms_say_demo_on_the_wall_its_takeover_and_the_tablet(
    make_app, serve, redis_url, reference_url, page_factory
):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
    )
    server = serve(app)
    demo_token = credentials.get(app.server).make_demo_tokens()["hazchem"]
    assert post(server, alarm("real-1", "orange", 120.60), TOKEN) == 201
    assert post(server, alarm("demo-t-1", "red", 120.64), demo_token) == 201

    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    demo_row = page.locator('#alarm-feed li[data-alarm-id="demo-t-1"]')
    demo_row.wait_for()
    assert demo_row.locator(".demo-tag").inner_text() == "演示"
    assert demo_row.get_attribute("data-demo") == "1"
    real_row = page.locator('#alarm-feed li[data-alarm-id="real-1"]')
    assert real_row.locator(".demo-tag").count() == 0
    takeover = page.locator("#wall-takeover")
    takeover.wait_for()
    assert "【演示】测试警情 demo-t-1" in takeover.inner_text()
    assert page.console_errors == []

    tablet = page_factory(1024, 768)
    tablet.goto(f"{server.url}/tablet")
    item = tablet.locator('li[data-alarm-id="demo-t-1"]')
    item.wait_for()
    assert item.locator(".demo-tag").inner_text() == "演示"
    assert tablet.locator('li[data-alarm-id="real-1"] .demo-tag').count() == 0
