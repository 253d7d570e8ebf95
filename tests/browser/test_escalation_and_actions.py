"""Escalation on every screen, acknowledging and closing from /tablet, /consult and /duty, and
a wall that reads across the hall: real Chromium, real Redis, a copy of the Suzhou warehouse."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from archiver.worker import Archiver
from layouts.wall import CANVASES
from tests.helpers import sources_of
from thresholds.worker import ThresholdWorker

pytestmark = pytest.mark.browser

TOKEN = "escalation-browser-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TABLET = (1024, 768)
# A generous bound for a page's first data on a busy machine (behaviour, not timing).
LOADED_MS = 90_000

# Titles as the upstream systems write them: who first, what happened at the end.
LONG_TITLES = [
    "常熟科方涂料有限公司 可燃气体浓度超限报警（一级）",
    "张家港保税区长江国际港务有限公司 储罐区液位高高报警",
    "苏州工业园区金鸡湖大道与星湖街交叉口 危化品运输车辆侧翻泄漏",
    "昆山市千灯镇淞南路江苏长江石油化工有限公司 罐区温度异常升高",
    "太仓港经济技术开发区 华苏塑料有限公司 有毒气体（硫化氢）浓度超限",
    "吴江区盛泽镇 恒力化纤股份有限公司 聚酯车间火灾自动报警系统动作",
]


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
        AUTH_REQUIRED=False,
    )
    running = serve(app)
    running.sources = sources_of(app)
    return running


def post(server, path: str, body: dict) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def alarm(alarm_id: str, level: str, minutes_ago: float = 0, **extra) -> dict:  # noqa: ANN003
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": f"测试{level}",
        "title": f"测试警情 {alarm_id}",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
        "lon": 120.98,
        "lat": 31.38,
        **extra,
    }


def waited(text: str) -> int:
    """N of "未确认N分钟" in an escalation mark."""
    return int(re.search(r"未确认(\d+)分钟", text).group(1))


def escalate(server) -> None:  # noqa: ANN001
    """One pass of the threshold worker, which records each escalation stage on the alarm."""
    ThresholdWorker(server.sources).run_once(block_ms=1)


def assert_clean(page) -> None:  # noqa: ANN001
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []


def open_wall(page_factory, server, canvas: str = "3840x2160"):  # noqa: ANN001
    width, height = (int(v) for v in canvas.split("x"))
    page = page_factory(width, height)
    page.set_default_timeout(LOADED_MS)
    page.goto(f"{server.url}/wall?canvas={canvas}")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector("#alarm-feed li[data-alarm-id]", state="attached")
    return page


def open_tablet(page_factory, server):  # noqa: ANN001
    page = page_factory(*TABLET, has_touch=True)
    page.set_default_timeout(LOADED_MS)
    page.goto(f"{server.url}/tablet")
    page.wait_for_selector("#tablet-alarms li[data-alarm-id]", state="attached")
    return page


def post_waiting_reds(server) -> None:  # noqa: ANN001
    """Red alarms 11, 3 and 1 minutes old and a fresh orange one; the worker escalates."""
    assert post(server, "/api/v1/alarms", alarm("esc-11", "red", 11)) == 201
    assert post(server, "/api/v1/alarms", alarm("esc-3", "red", 3, lon=120.6, lat=31.3)) == 201
    assert post(server, "/api/v1/alarms", alarm("esc-1", "red", 1, lon=120.7, lat=31.2)) == 201
    assert post(server, "/api/v1/alarms", alarm("esc-or", "orange", 0.5)) == 201
    escalate(server)
    assert server.sources.alarms.get("esc-11")["escalation"] == 1


def test_an_eleven_minute_old_red_alarm_shows_stage_1_pinned_on_the_wall_and_takes_over(
    server, page_factory
):  # noqa: ANN001
    post_waiting_reds(server)
    page = open_wall(page_factory, server)
    first = page.locator("#alarm-feed li[data-alarm-id]").first
    page.wait_for_function(
        "document.querySelector('#alarm-feed li[data-alarm-id]')?.dataset.alarmId === 'esc-11'"
    )
    assert first.get_attribute("data-escalation") == "1"  # pinned at the top though oldest
    badge = first.locator(".alarm-escalation").inner_text()
    assert "一级升级" in badge and "分管领导" in badge
    assert waited(badge) >= 11  # minutes since it occurred (more on a slow machine)
    others = page.eval_on_selector_all(
        "#alarm-feed li[data-alarm-id]", "rows => rows.map(r => r.dataset.escalation)"
    )
    assert others[1:] == ["0"] * (len(others) - 1)
    # The takeover holds the most overdue red alarm and names the others waiting.
    takeover = page.locator("#wall-takeover")
    takeover.wait_for(state="visible")
    text = takeover.inner_text()
    assert text.index("测试警情 esc-11") < text.index("测试警情 esc-3")
    assert re.search(r"测试警情 esc-1（\d+分钟）", text) and "一级升级" in text
    assert "另有" not in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "wall-escalation-3840x2160.png"))
    assert_clean(page)


def test_an_eleven_minute_old_red_alarm_shows_stage_1_first_on_the_tablet(server, page_factory):  # noqa: ANN001
    post_waiting_reds(server)
    tablet = open_tablet(page_factory, server)
    row = tablet.locator("#tablet-alarms li[data-alarm-id]").first
    tablet.wait_for_function(
        "document.querySelector('#tablet-alarms li[data-alarm-id]')?.dataset.alarmId === 'esc-11'"
    )
    assert row.get_attribute("data-escalation") == "1"
    assert waited(row.locator(".escalation").inner_text()) >= 11
    assert (
        tablet.locator('#tablet-alarms li[data-alarm-id="esc-3"]').get_attribute("data-escalation")
        == "0"
    )
    tablet.screenshot(path=str(SHOTS / "tablet-escalation-1024x768.png"))
    assert_clean(tablet)


def test_closing_from_the_tablet_needs_a_note_and_records_the_account(server, page_factory):  # noqa: ANN001
    assert post(server, "/api/v1/alarms", alarm("cl-1", "red", 2)) == 201
    page = open_tablet(page_factory, server)
    item = page.locator('#tablet-alarms li[data-alarm-id="cl-1"]')
    dialog = page.locator("#alarm-action-dialog")

    item.locator(".alarm-act-close").tap()
    dialog.wait_for(state="visible")
    assert "测试警情 cl-1" in dialog.inner_text()
    page.locator("#alarm-action-note").wait_for(state="visible")
    # No note, no close: the dialog stays and says why.
    page.locator("#alarm-action-close-yes").tap()
    page.wait_for_function(
        "document.getElementById('alarm-action-error').textContent.includes('处置情况')"
    )
    assert dialog.is_visible()
    assert server.sources.alarms.get("cl-1")["status"] == "new"

    page.locator("#alarm-action-note").fill("现场核实为传感器故障，已通知企业检修")
    page.screenshot(path=str(SHOTS / "tablet-close-dialog-1024x768.png"))
    page.locator("#alarm-action-close-yes").tap()
    dialog.wait_for(state="hidden")
    item.wait_for(state="detached")  # the alarm leaves the list
    assert "已关闭" in page.locator("#alarm-action-message").inner_text()
    state = server.sources.alarms.get("cl-1")
    assert state["status"] == "closed" and state["closed_by"] == "demo", "the signed-in account"
    assert state["close_note"] == "现场核实为传感器故障，已通知企业检修"
    with urllib.request.urlopen(
        urllib.request.Request(
            f"{server.url}/api/v1/alarms?status=active",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ),
        timeout=10,
    ) as response:
        active = json.load(response)
    assert "cl-1" not in json.dumps(active)

    # The alarm's history in the warehouse and the audit trail both name the account.
    Archiver(server.sources, block_ms=1).run_once()
    events = server.sources.warehouse.query(
        "SELECT op, actor FROM alarm_events WHERE alarm_id = :id ORDER BY rev", {"id": "cl-1"}
    )
    assert ("closed", "demo") in list(events.itertuples(index=False, name=None))
    audit = server.sources.warehouse.query(
        "SELECT actor, outcome, detail FROM audit_log WHERE action = :a", {"a": "close_alarm"}
    )
    assert list(audit["actor"]) == ["demo"] and list(audit["outcome"]) == ["ok"]
    assert "cl-1" in audit["detail"].iloc[0]
    assert_clean(page)


def test_acknowledge_from_the_consultation_room(server, page_factory):  # noqa: ANN001
    assert post(server, "/api/v1/alarms", alarm("ack-c", "red", 12)) == 201
    escalate(server)

    page = page_factory(1920, 1080)
    page.set_default_timeout(LOADED_MS)
    page.goto(f"{server.url}/consult#alarm=ack-c")
    # The detail marks the escalation and offers the actions (the list's rows carry
    # data-escalation too: tests/unit/test_consult_logic.py renders them).
    page.wait_for_selector("#consult-detail .alarm-escalation.stage-1", state="attached")
    page.locator("#consult-detail .alarm-act-ack").click()
    page.locator("#alarm-action-dialog").wait_for(state="visible")
    assert "测试警情 ack-c" in page.locator("#alarm-action-dialog").inner_text()
    page.locator("#alarm-action-ack-yes").click()
    page.locator("#alarm-action-dialog").wait_for(state="hidden")
    page.wait_for_function(
        "document.getElementById('alarm-action-message').textContent.includes('已确认')"
    )
    state = server.sources.alarms.get("ack-c")
    assert state["status"] == "acknowledged" and state["ack_by"] == "demo"
    page.screenshot(path=str(SHOTS / "consult-ack-1920x1080.png"))
    assert_clean(page)


def test_acknowledge_from_the_duty_desk(server, page_factory):  # noqa: ANN001
    assert post(server, "/api/v1/alarms", alarm("ack-d", "orange", 1)) == 201
    duty = page_factory(1920, 1080)
    duty.set_default_timeout(LOADED_MS)
    duty.goto(f"{server.url}/duty")
    row = duty.locator('#duty-alerts li[data-alarm-id="ack-d"]')
    row.locator(".alarm-act-ack").click()
    dialog = duty.locator("#alarm-action-dialog")
    try:
        dialog.wait_for(state="visible", timeout=20_000)
    except PlaywrightTimeout:
        # Under CI's load a click that lands while the strip redraws was once lost (session 5
        # note): the officer taps again. A tap lost every time still fails here.
        row.locator(".alarm-act-ack").click()
        dialog.wait_for(state="visible")
    duty.locator("#alarm-action-ack-yes").click()
    row.wait_for(state="detached")  # the strip lists only what waits for someone
    state = server.sources.alarms.get("ack-d")
    assert state["status"] == "acknowledged" and state["ack_by"] == "demo"
    audit = server.sources.warehouse.query(
        "SELECT actor FROM audit_log WHERE action = :a AND outcome = 'ok'", {"a": "ack_alarm"}
    )
    assert list(audit["actor"]) == ["demo"]
    assert_clean(duty)


# The wall's text, measured: any element that cuts its text with an ellipsis, or any text that
# ends in one (text shortened on the server), once every panel has its data.
CUT_TEXT = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('#wall-canvas *')) {
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      cut.push(['ellipsis', el.className.baseVal ?? el.className, el.textContent.trim().slice(0, 40)]);
    }
  }
  const walker = document.createTreeWalker(document.getElementById('wall-canvas'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    if (text && /(…|\\.\\.\\.)$/.test(text) && el.getClientRects().length) {
      cut.push(['text', el.className.baseVal ?? el.className, text.slice(-40)]);
    }
  }
  return cut;
}"""


@pytest.mark.parametrize("canvas", sorted(CANVASES))
def test_no_text_on_the_wall_is_cut_and_markers_are_sized_for_the_canvas(
    server, page_factory, canvas
):  # noqa: ANN001
    for i, title in enumerate(LONG_TITLES):
        level = ("red", "orange", "yellow", "blue")[i % 4]
        body = alarm(f"long-{i}", level, i, lon=120.55 + i * 0.08, lat=31.25 + i * 0.05)
        assert post(server, "/api/v1/alarms", body | {"title": title}) == 201
    page = open_wall(page_factory, server, canvas)
    height = int(canvas.split("x")[1])
    page.wait_for_selector("#stats-trend .main-svg")
    page.wait_for_selector("#forces-teams tr[data-kind]")
    page.wait_for_function(
        "[...document.querySelectorAll('#wall-canvas .as-of')]"
        ".every(e => e.dataset.asOf || e.getClientRects().length === 0)"
    )
    page.wait_for_function(
        f"document.querySelectorAll('#alarm-feed li[data-alarm-id]').length >= {len(LONG_TITLES)}"
    )
    page.wait_for_timeout(1500)  # rotation, fonts and the map settle
    assert page.evaluate(CUT_TEXT) == []
    # Every title reads in full: what happened is at its end.
    feed = page.locator("#alarm-feed").inner_text()
    for title in LONG_TITLES:
        assert title in feed.replace("\n", "")

    # Map markers grow with the canvas: at least 1/72 of its height across.
    sizes = page.eval_on_selector_all(
        "#main-map path.alarm-marker",
        "paths => paths.map(p => Math.min(p.getBBox().width, p.getBBox().height))",
    )
    sizes = [s for s in sizes if s > 0]  # Leaflet draws no path for a marker outside the view
    assert sizes and min(sizes) >= height / 72, sizes
    page.screenshot(path=str(SHOTS / f"wall-long-titles-{canvas}.png"))
    assert_clean(page)
