"""/consult, /tablet and the presenter control in real headless Chromium, fed by the real Redis
and a copy of the generated Suzhou warehouse."""

from __future__ import annotations

import csv
import json
import re
import threading
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from figures.consult_view import current_view
from layouts.consult_page import DEFAULT_FILTER
from tests.helpers import sources_of

pytestmark = pytest.mark.browser

TOKEN = "consult-browser-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO = "值班员（演示）"


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
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


def alarm(alarm_id: str, level: str, **place) -> dict:  # noqa: ANN003
    """An alarm in 昆山市 (Kunshan) unless `place` says otherwise (lon/lat or site_id)."""
    return {
        "id": alarm_id,
        "source": "hazchem",
        "level": level,
        "category": f"测试{level}",
        "title": f"测试警情 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        **(place or {"lon": 120.98, "lat": 31.38}),
    }


def assert_clean(page) -> None:  # noqa: ANN001
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []


def shown_count(page) -> int:  # noqa: ANN001
    """N of the alarm list's "共 N 条" (or "N alarms")."""
    text = page.locator("#consult-alarms-count").inner_text()
    return int(re.search(r"\d+", text).group())


def open_consult(page_factory, server, query: str = ""):  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/consult{query}")
    page.wait_for_selector("#main-map path.district")
    page.wait_for_selector("#consult-alarms tr[data-alarm-id]")
    page.wait_for_function("document.querySelectorAll('#consult-by-district g.point').length > 1")
    return page


def rows_districts(page) -> set[str]:  # noqa: ANN001
    return set(
        page.eval_on_selector_all(
            "#consult-alarms tr[data-alarm-id]", "rows => rows.map(r => r.dataset.district)"
        )
    )


def click_biggest_bar(page, chart: str) -> None:  # noqa: ANN001
    """Click the widest bar segment of a ranked chart (its bars are stacked by level; every
    segment of a row carries the row's key; plotly listens on its drag layer)."""
    boxes = [b for b in (p.bounding_box() for p in page.locator(f"#{chart} g.point").all()) if b]
    box = max(boxes, key=lambda b: b["width"])
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


# --- consultation room -----------------------------------------------------------------


def test_consult_fills_one_screen_and_every_panel_shows_its_age(server, page_factory):  # noqa: ANN001
    post(server, "/api/v1/alarms", alarm("c-red", "red"))
    page = open_consult(page_factory, server)
    page.wait_for_function("document.querySelectorAll('#consult-trend g.point').length > 0")
    page.wait_for_selector("#consult-enterprises li[data-enterprise-id]")
    page.wait_for_function(
        "[...document.querySelectorAll('#consult .as-of')].every(e => e.dataset.asOf)"
    )
    assert page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    ) == [1920, 1080]
    for panel in (
        "#consult-kpi-panel",
        "#consult-map-panel",
        "#consult-trend-panel",
        "#consult-by-district-panel",
        "#consult-by-category-panel",
        "#consult-by-source-panel",
        "#consult-alarms-panel",
        "#consult-enterprises-panel",
        "#consult-detail-panel",
        "#focus-panel",
    ):
        box = page.locator(panel).bounding_box()
        assert box and box["width"] > 150 and box["height"] > 80, panel
        assert box["x"] + box["width"] <= 1921 and box["y"] + box["height"] <= 1081, panel
    # The PNG export is plotly's own modebar button, rendered in the browser.
    assert page.locator("#consult-trend .modebar-btn[data-title]").count() == 1
    assert page.locator('#consult-alarms tr[data-alarm-id="c-red"][data-level="red"]').count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "consult-1920x1080.png"))
    assert_clean(page)


def test_consult_filters_and_cross_filtering_change_every_panel(server, page_factory):  # noqa: ANN001
    page = open_consult(page_factory, server)
    sources = server.sources
    expected = len(current_view(sources, DEFAULT_FILTER))
    page.wait_for_function(
        f"document.querySelector('#consult-alarms-count')?.innerText.includes('{expected}')"
    )
    assert len(rows_districts(page)) > 1

    click_biggest_bar(page, "consult-by-district")
    page.wait_for_function(
        "new Set([...document.querySelectorAll('#consult-alarms tr[data-alarm-id]')]"
        ".map(r => r.dataset.district)).size === 1"
    )
    (district,) = rows_districts(page)
    name = sources.registry.district_names()[district]
    narrowed = len(current_view(sources, {**DEFAULT_FILTER, "districts": [district]}))
    assert shown_count(page) == narrowed < expected
    assert name in page.locator("#consult-district").inner_text()  # the control shows it
    page.wait_for_function(  # the map outlines the district, the other charts re-count
        "document.querySelectorAll('#main-map path[stroke-dasharray]').length === 1"
    )
    # The figures follow (each panel's own callback: on a loaded machine, a moment later).
    page.wait_for_function(
        f"document.querySelector('#consult-kpi .kpi .n')?.innerText.trim() === '{narrowed}'"
    )

    page.locator("#consult-window label", has_text="7天").click()
    week = len(current_view(sources, {**DEFAULT_FILTER, "window": "7d", "districts": [district]}))
    page.wait_for_function(
        f"document.querySelector('#consult-alarms-count')?.innerText.includes('{week}')"
    )
    assert week > narrowed

    page.locator("#consult-reset").click()
    page.wait_for_function(
        f"document.querySelector('#consult-alarms-count')?.innerText.includes('{expected}')"
    )
    assert_clean(page)


def test_csv_export_downloads_the_rows_of_the_current_filter(server, page_factory):  # noqa: ANN001
    page = open_consult(page_factory, server, "")
    page.locator("#consult-window label", has_text="7天").click()
    click_biggest_bar(page, "consult-by-category")
    page.wait_for_function(
        "new Set([...document.querySelectorAll('#consult-alarms tr[data-alarm-id]')]"
        ".map(r => r.dataset.category)).size === 1"
    )
    filter_rows = current_view(server.sources, {**DEFAULT_FILTER, "window": "7d"})
    count = shown_count(page)
    with page.expect_download() as download:
        page.locator("#consult-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    # A Chinese page exports Chinese headers (and an English page English: the unit tests).
    assert list(rows[0])[:4] == ["警情编号", "等级", "发生时间", "区县"]
    assert len(rows) == count > 0
    categories = {r["类别"] for r in rows}
    assert len(categories) == 1
    (category,) = categories
    assert count == (filter_rows["category"] == category).sum() < len(filter_rows)
    assert download.value.suggested_filename.endswith(".csv")
    assert_clean(page)


def test_drill_down_shows_an_alarms_lifecycle_and_its_enterprise(server, page_factory):  # noqa: ANN001
    sources = server.sources
    site = sources.registry.sensors()["id"].iloc[0]
    post(server, "/api/v1/alarms", alarm("d-1", "orange", site_id=site))
    post(server, "/api/v1/alarms/d-1/ack", {"by": "王芳"})
    page = open_consult(page_factory, server)
    page.locator('#consult-alarms a[href="#alarm=d-1"]').click()
    detail = page.locator("#consult-detail")
    detail.locator(".lifecycle").wait_for()
    assert "测试警情 d-1" in detail.inner_text()
    acknowledged = detail.locator(".lifecycle li.done", has_text="确认")
    assert "王芳" in acknowledged.inner_text()
    assert detail.locator(".lifecycle li.pending", has_text="关闭").count() == 1

    detail.locator("a.btn", has_text="查看企业").click()
    page.wait_for_function("location.hash.startsWith('#enterprise=')")
    detail.locator("h4", has_text="重大危险源").wait_for()
    assert "d-1" in detail.inner_html()  # the enterprise's alarms in the view
    assert_clean(page)


def test_english_is_selectable_and_remembered(server, page_factory):  # noqa: ANN001
    page = open_consult(page_factory, server, "?lang=en")
    assert page.locator(".page-header h1").inner_text() == "Consultation"
    assert page.locator("#consult-export").inner_text() == "Export CSV"
    assert "Map" in page.locator("#consult-map-panel h2").inner_text()
    page.wait_for_function("localStorage.getItem('lang-store') === '\"en\"'")
    # The next page opened without ?lang= comes up in English too.
    page.goto(f"{server.url}/tablet")
    page.wait_for_url(re.compile(r"lang=en"))
    page.locator(".page-header h1", has_text="Leadership").wait_for()
    assert page.locator("#focus-panel h2").inner_text() == "Presenter control"
    page.locator("#lang-switch").click()
    page.locator(".page-header h1", has_text="领导移动端").wait_for()
    assert_clean(page)


# --- leadership tablet -----------------------------------------------------------------

SIZES = [
    (1024, 768, "tablet-1024x768"),
    (1366, 1024, "tablet-1366x1024"),
    (390, 844, "phone-390x844"),
    (844, 390, "phone-844x390"),
]


@pytest.mark.parametrize(("width", "height", "shot"), SIZES)
def test_tablet_reflows_without_horizontal_scroll_and_with_big_touch_targets(
    server,
    page_factory,
    width,
    height,
    shot,  # noqa: ANN001
):
    post(server, "/api/v1/alarms", alarm("t-red", "red"))
    post(server, "/api/v1/alarms", alarm("t-orange", "orange", lon=120.62, lat=31.31))
    page = page_factory(width, height, has_touch=True, is_mobile=width < 900)
    page.goto(f"{server.url}/tablet")
    page.wait_for_selector('#tablet-alarms li[data-alarm-id="t-red"] button')
    page.wait_for_selector("#tablet-incidents a.incident-link")
    page.wait_for_function("document.querySelectorAll('#main-map path.district').length === 9")
    page.wait_for_timeout(500)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for element in (
        "#tablet-stats-panel",
        "#tablet-alarms-panel",
        "#tablet-incidents-panel",
        "#main-map",
        "#focus-panel",
    ):
        box = page.locator(element).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 60, element
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, element
    stats = page.locator("#tablet-stats").inner_text()
    assert "在办事件" in stats and "在岗队伍" in stats and "带班领导" in stats
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.screen-tablet button, .screen-tablet a, .screen-tablet .segmented label')]
            .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
            .map(e => [e.id || e.className || e.textContent.trim().slice(0, 12), e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([name, r]) => [String(name), Math.round(r.width), Math.round(r.height)])"""
    )
    assert small == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    assert_clean(page)


def test_a_tap_while_the_tablet_list_redraws_still_opens_the_dialog(server, page_factory):  # noqa: ANN001
    """Alarms keep coming (the list redraws its buttons with each), and the leader taps: every
    tap asks, none is lost to a redraw."""
    post(server, "/api/v1/alarms", alarm("busy-0", "red"))
    page = page_factory(1024, 768, has_touch=True)
    page.goto(f"{server.url}/tablet")
    button = page.locator('#tablet-alarms li[data-alarm-id="busy-0"] .alarm-act-ack')
    button.wait_for()
    dialog = page.locator("#alarm-action-dialog")
    stop = threading.Event()

    def flood() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            post(server, "/api/v1/alarms", alarm(f"busy-{n}", "orange"))
            stop.wait(0.15)

    feeder = threading.Thread(target=flood, daemon=True)
    feeder.start()
    try:
        for _ in range(5):
            button.tap()
            dialog.wait_for(state="visible", timeout=15_000)
            assert "测试警情 busy-0" in dialog.inner_text()
            page.locator("#alarm-action-no").tap()
            dialog.wait_for(state="hidden", timeout=15_000)
    finally:
        stop.set()
        feeder.join()
    assert server.sources.alarms.get("busy-0")["status"] == "new"


def test_acknowledging_on_the_tablet_asks_on_screen_first(server, page_factory):  # noqa: ANN001
    post(server, "/api/v1/alarms", alarm("ack-1", "red"))
    page = page_factory(1024, 768, has_touch=True)
    page.goto(f"{server.url}/tablet")
    item = page.locator('#tablet-alarms li[data-alarm-id="ack-1"]')
    item.locator(".alarm-act-ack").wait_for()
    dialog = page.locator("#alarm-action-dialog")

    item.locator(".alarm-act-ack").tap()
    dialog.wait_for(state="visible")
    assert "测试警情 ack-1" in dialog.inner_text()
    assert server.sources.alarms.get("ack-1")["status"] == "new"  # nothing happened yet
    page.locator("#alarm-action-no").tap()
    dialog.wait_for(state="hidden")
    page.wait_for_timeout(500)
    assert server.sources.alarms.get("ack-1")["status"] == "new"

    item.locator(".alarm-act-ack").tap()
    dialog.wait_for(state="visible")
    page.locator("#alarm-action-ack-yes").tap()
    page.locator('#tablet-alarms li[data-alarm-id="ack-1"][data-status="acknowledged"]').wait_for()
    state = server.sources.alarms.get("ack-1")
    assert state["status"] == "acknowledged" and state["ack_by"] == "demo", "the account"
    assert "已确认" in page.locator("#alarm-action-message").inner_text()
    assert dialog.is_hidden()
    # Acknowledged, it can still be closed (layouts/alarm_actions.py), not acknowledged again.
    assert item.locator(".alarm-act-ack").count() == 0
    assert item.locator(".alarm-act-close").count() == 1
    assert_clean(page)


# --- presenter control -----------------------------------------------------------------


def project(page, kind_label: str, target: str) -> None:  # noqa: ANN001
    page.locator("#focus-kind label", has_text=kind_label).click()
    page.wait_for_timeout(300)
    page.locator("#focus-target").click()
    page.locator(".dash-dropdown-option", has_text=target).click()
    page.locator("#presenter-project").click()
    confirm = page.locator("#presenter-confirm")
    confirm.wait_for(state="visible")
    assert target in confirm.inner_text()
    page.locator("#presenter-confirm-yes").click()
    confirm.wait_for(state="hidden")


def test_the_wall_and_consultation_room_follow_the_presenter_focus(server, page_factory):  # noqa: ANN001
    sources = server.sources
    wall = page_factory(1920, 1080)
    wall.goto(f"{server.url}/wall?canvas=1920x1080")
    wall.wait_for_selector("#main-map.leaflet-container")
    presenter = wall.locator("#wall-presenter")
    room = open_consult(page_factory, server)
    tablet = page_factory(1024, 768)
    tablet.goto(f"{server.url}/tablet")
    tablet.locator("#focus-current", has_text="未投屏").wait_for()
    assert presenter.is_hidden()

    project(tablet, "区县", "昆山市")
    focus = sources.focus.current()
    assert focus["kind"] == "district" and focus["id"] == "320583"
    assert (
        (focus["by"], focus["by_user"]) == (DEMO, "demo")
        and focus["label"] == "昆山市"
        and focus["bounds"]
    )
    tablet.locator("#focus-current", has_text="正在投屏：昆山市").wait_for()
    # The wall shows whose pick it is and what (generous bounds: a behaviour, not a timing).
    wall.locator("#wall-presenter", has_text="昆山市").wait_for(timeout=15000)
    # The consultation room follows: filtered to the district, with its outline on the map.
    room.wait_for_function(
        "document.querySelector('#consult-district')?.innerText.includes('昆山市')", timeout=15000
    )
    room.wait_for_function(
        "[...document.querySelectorAll('#consult-alarms tr[data-alarm-id]')]"
        ".every(r => r.dataset.district === '320583')"
    )
    room.locator("#main-map path[stroke-dasharray]").wait_for()
    assert "正在投屏：昆山市" in room.locator("#focus-current").inner_text()

    incident = sources.incidents.listed("open").iloc[0]
    project(room, "事件", incident["title"])
    assert sources.focus.current()["id"] == incident["id"]
    room.wait_for_function("location.hash.startsWith('#incident=')")
    room.locator("#consult-detail h3", has_text=incident["title"]).wait_for()

    wall.locator("#wall-presenter", has_text=incident["title"]).wait_for(timeout=15000)
    tablet.locator("#presenter-release").click()
    tablet.locator("#presenter-confirm").wait_for(state="visible")
    tablet.locator("#presenter-confirm-yes").click()
    tablet.locator("#focus-current", has_text="未投屏").wait_for()
    assert sources.focus.current() is None
    presenter.wait_for(state="hidden", timeout=15000)
    room.locator("#focus-current", has_text="未投屏").wait_for()
    for page in (wall, room, tablet):
        assert_clean(page)
