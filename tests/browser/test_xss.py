"""Text from upstream is never code: hostile titles, categories, details, notes and registry
names on every screen where upstream text appears, hovered, clicked and opened, in real
headless Chromium under the app's Content-Security-Policy; the CSV export neutralises formulas;
every HTML response carries the security headers. Screenshot: docs/screenshots/xss-wall.png.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers import HOVER_ALL, sources_of

DATATABLE_NOTICE = r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(DATATABLE_NOTICE)]

TOKEN = "xss-browser-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Each one sets window.__xss if any screen ever reads it as HTML.
IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
SVG = "<svg onload=window.__xss=1>"  # fits an alarm category (32 characters)
SVG_SHORT = "<svg onload=__xss=1>"  # fits an incident category (24)
JS_URL = "javascript:window.__xss=1"
# A blank line ends an HTML block in Markdown: what follows would be read as Markdown again.
BREAKOUT = "第二行\n\n" + IMG + "\n[点我](javascript:window.__xss=1)"
TITLE = f"{IMG}{SCRIPT} 危化品泄漏"
FORMULA = '=HYPERLINK("http://evil.invalid/","点我")'

# Collects CSP violations from the first script on, before the app's own.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

# Hover every interactive map shape (markers, points), which opens every tooltip at once.
HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def post(server, path: str, body) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        # Incidents come from the emergency platform, everything else from hazchem.
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {'e' if path.endswith('/incidents') else ''}{TOKEN}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def now() -> str:
    return datetime.now(UTC).isoformat()


@pytest.fixture
def hostile(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    """The app with hostile text everywhere upstream text can come from: a red alarm at a
    hazard source (the wall's takeover), alarms whose titles break out of Markdown or are
    formulas, an acknowledgement, an incident, and registry names (the warehouse is fed by
    upstream systems too)."""
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN},emergency:e{TOKEN}",
        WALL_ROTATE_S=0,
    )
    sources = sources_of(app)
    wh = sources.warehouse
    # Straight from the warehouse: reading through the registry would cache the old names.
    hazard = wh.query(
        "SELECT id, enterprise_id, lon, lat FROM hazard_sources ORDER BY id LIMIT 1"
    ).iloc[0]
    team = wh.query("SELECT id FROM rescue_teams ORDER BY id LIMIT 1").iloc[0]
    wh.execute(
        "UPDATE hazard_sources SET name = :n WHERE id = :id",
        {"n": f"{IMG}罐区", "id": hazard["id"]},
    )
    wh.execute(
        "UPDATE sensors SET name = :n, unit = :u WHERE hazard_source_id = :id",
        {"n": f"{SCRIPT}液位", "u": "<b>m</b>", "id": hazard["id"]},
    )
    wh.execute(
        "UPDATE enterprises SET name = :n WHERE id = :id",
        {"n": f"{SVG}化工", "id": hazard["enterprise_id"]},
    )
    wh.execute("UPDATE rescue_teams SET name = :n WHERE id = :id", {"n": IMG, "id": team["id"]})
    server = serve(app)
    server.sources = sources
    server.hazard = hazard["id"]
    base = {"source": "hazchem", "occurred_at": now()}
    alarms = [
        {
            **base,
            "id": "xss-red",
            "level": "red",
            "category": SVG,
            "title": TITLE,
            "site_id": hazard["id"],
            # Beside the hazard source's own point, which would cover the marker.
            "lon": round(float(hazard["lon"]) + 0.008, 6),
            "lat": round(float(hazard["lat"]) + 0.006, 6),
            "detail": {"说明": IMG + SCRIPT, "链接": JS_URL, IMG: "键名"},
        },
        {
            **base,
            "id": "xss-md",
            "level": "orange",
            "category": "测试",
            "title": BREAKOUT,
            "lon": 120.98,
            "lat": 31.38,
        },
        {
            **base,
            "id": "xss-formula",
            "level": "yellow",
            "category": "@SUM(A1:A9)",
            "title": FORMULA,
            "lon": 120.55,
            "lat": 31.28,
        },
    ]
    for body in alarms:
        assert post(server, "/api/v1/alarms", body) == 201
    assert post(server, "/api/v1/alarms/xss-md/ack", {"by": IMG, "note": SCRIPT}) == 200
    # A reading of each of the hazard source's sensors: their gauges show a value and unit.
    sensors = wh.query(
        "SELECT id, normal FROM sensors WHERE hazard_source_id = :id", {"id": hazard["id"]}
    )
    readings = [
        {"sensor_id": i, "ts": now(), "value": float(v or 1)}
        for i, v in sensors.itertuples(index=False)
    ]
    assert post(server, "/api/v1/readings", readings) == 202
    incident = {
        "id": "INC-XSS-1",
        "title": f"{SCRIPT}{IMG} 泄漏事件",
        "category": SVG_SHORT,
        "level": 2,
        "lon": 120.70,
        "lat": 31.32,
        "opened_at": now(),
        "summary": IMG,
        "note": f"{SCRIPT} 续报",
    }
    assert post(server, "/api/v1/incidents", incident) in (200, 201)
    return server


@pytest.fixture
def open_page(page_factory):  # noqa: ANN001
    """A page that records CSP violations and dialogs (a script that ran would raise one)."""

    def new(server, path: str, width: int = 1920, height: int = 1080):  # noqa: ANN001
        page = page_factory(width, height)
        # Generous: the machine that runs the suite may be busy (this proves no timing).
        page.set_default_timeout(120_000)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.add_init_script(WATCH)
        # Sound already declined: the one-time "enable the alert tone?" prompt would cover the
        # map that the tests hover (assets/alert.js keeps the answer under this key).
        page.add_init_script("localStorage.setItem('se-alert-sound', 'off')")
        response = page.goto(server.url + path)
        assert response.headers.get("content-security-policy")
        return page

    return new


def assert_nothing_ran(page) -> None:  # noqa: ANN001
    """No hostile script ran, no element of theirs exists, the policy was never violated."""
    assert page.evaluate("window.__xss") is None
    planted = (
        'document.querySelectorAll(\'img[src="x"], [onerror], [onload], a[href^="javascript:" i]\')'
    )
    assert page.evaluate(f"{planted}.length") == 0
    assert page.evaluate("window.__csp") == []
    assert page.dialogs == []
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []


def incident_popups(page) -> list[str]:  # noqa: ANN001
    """Click every incident marker on the map in turn; the text of each popup it opens."""
    texts = []
    for marker in page.locator("#main-map .incident-marker").all():
        marker.dispatch_event("click")
        page.wait_for_timeout(200)
        texts += page.locator(".leaflet-popup-content").all_inner_texts()
    return texts


def text_of(page, selector: str) -> str:  # noqa: ANN001
    return page.locator(selector).first.inner_text()


def test_the_wall_shows_hostile_titles_as_text_in_feed_takeover_tooltips_and_popups(
    hostile, open_page
):
    page = open_page(hostile, "/wall", 3840, 2160)
    row = page.locator('#alarm-feed li[data-alarm-id="xss-red"]')
    row.wait_for()
    assert TITLE in row.locator(".alarm-title").inner_text()
    takeover = page.locator("#wall-takeover")
    takeover.wait_for()
    assert TITLE in takeover.inner_text()

    # Hover the red alarm's marker (a real pointer), then click it.
    marker = page.locator("#main-map path.alarm-marker.level-red")
    marker.wait_for()
    page.wait_for_timeout(1500)  # the takeover's fly-to settles
    tip = page.locator(".leaflet-tooltip", has_text="危化品泄漏")
    for _ in range(20):  # as a person would: point again if the map moved under the pointer
        page.mouse.move(0, 0)
        marker.hover(force=True)
        try:
            tip.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            continue
    tip.wait_for()
    assert TITLE in tip.inner_text()
    marker.click(force=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "xss-wall.png"))

    # Every other shape's tooltip too: the registry's names (a hostile team name) and alarms.
    assert page.evaluate(HOVER_ALL, "#main-map") > 100
    tips = page.locator(".leaflet-tooltip")
    texts = tips.all_inner_texts()
    assert any(t.strip() == IMG for t in texts), "the team's name, as text"
    assert any(BREAKOUT.split("\n")[-1] in t for t in texts)
    # The incident's marker (a DivMarker, whose tooltip is a Dash child) among them.
    page.wait_for_timeout(300)
    texts = page.locator(".leaflet-tooltip").all_inner_texts()
    assert any(f"{SCRIPT}{IMG} 泄漏事件" in t for t in texts)
    planted = ".leaflet-tooltip img, .leaflet-tooltip script, .leaflet-popup img"
    assert page.locator(planted).count() == 0
    page.wait_for_timeout(1000)
    assert_nothing_ran(page)


def test_consult_shows_hostile_text_in_table_detail_charts_popups_and_neutralises_the_csv(
    hostile, open_page
):
    page = open_page(hostile, "/consult")
    page.locator('#consult-alarms tr[data-alarm-id="xss-red"]').wait_for()
    table = page.locator("#consult-alarms")
    # The Markdown break-out attempt stays one row of text, its link never becomes a link.
    md_row = table.locator('tr[data-alarm-id="xss-md"]')
    assert "[点我](javascript:window.__xss=1)" in md_row.inner_text()
    assert IMG in md_row.inner_text()
    assert table.locator("tr[data-alarm-id]").count() >= 3
    assert TITLE in table.locator('tr[data-alarm-id="xss-red"]').inner_text()

    # The category chart's labels are upstream categories: plotly draws them as text. The
    # last hour holds few alarms, so this one's category is among the twelve it ranks.
    page.locator("#consult-window label", has_text="1小时").click()
    chart = page.locator("#consult-by-category")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#consult-by-category .ytick text')]"
        ".some(t => t.textContent.startsWith('<svg'))"
    )
    assert SVG in chart.locator(".ytick text").all_text_contents()
    for bar in chart.locator("g.point path").all():
        bar.hover(force=True)
        page.wait_for_timeout(100)
    assert chart.locator("svg image, foreignObject").count() == 0

    # The detail: title, category, the detail object's keys and values, as text.
    table.locator('a[href="#alarm=xss-red"]').click()
    detail = page.locator("#consult-detail")
    detail.locator(".lifecycle").wait_for()
    shown = detail.inner_text()
    for text in (TITLE, SVG, IMG + SCRIPT, JS_URL, IMG):
        assert text in shown
    # The acknowledgement's who and note, in the lifecycle of the other alarm.
    table.locator('a[href="#alarm=xss-md"]').click()
    detail.locator(".lifecycle li.done", has_text="确认").wait_for()
    assert IMG in detail.locator(".lifecycle").inner_text()
    assert IMG in detail.locator("h3").inner_text()

    # The incident's popup on the map.
    assert any(f"{SCRIPT}{IMG} 泄漏事件" in t for t in incident_popups(page))

    with page.expect_download() as download:
        page.locator("#consult-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    # Headers in the page's language: 警情编号 (id), 警情 (title), 类别 (category).
    rows = {r["警情编号"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["xss-formula"]["警情"] == "'" + FORMULA
    assert rows["xss-formula"]["类别"] == "'@SUM(A1:A9)"
    assert rows["xss-red"]["警情"] == TITLE  # nothing else changes
    for row in rows.values():
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())
    assert_nothing_ran(page)


def test_tablet_and_incident_command_show_hostile_text_as_text(hostile, open_page):
    page = open_page(hostile, "/tablet", 820, 1180)
    page.locator('#tablet-alarms li[data-alarm-id="xss-red"]').wait_for()
    assert TITLE in text_of(page, '#tablet-alarms li[data-alarm-id="xss-red"]')
    incidents = page.locator("#tablet-incidents")
    incidents.locator("a", has_text="泄漏事件").first.wait_for()
    assert SCRIPT + IMG in incidents.inner_text()
    assert any(f"{SCRIPT}{IMG} 泄漏事件" in t for t in incident_popups(page))
    page.wait_for_timeout(500)
    assert_nothing_ran(page)

    page = open_page(hostile, "/incident/INC-XSS-1")
    page.locator("#incident-timeline li", has_text="续报").first.wait_for()
    assert SCRIPT in page.locator("#incident-timeline").inner_text()
    overview = page.locator("#incident-overview")
    overview.get_by_text("泄漏事件").first.wait_for()
    assert SCRIPT + IMG in overview.inner_text()
    page.evaluate(HOVER_ALL, "#main-map")
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert_nothing_ran(page)


def test_hazchem_and_resources_show_hostile_registry_names_as_text(hostile, open_page):
    page = open_page(hostile, "/hazchem")
    table = page.locator("#hazchem-sources, .dash-spreadsheet").first
    table.get_by_text("罐区").first.wait_for()
    assert IMG + "罐区" in page.inner_text("body")
    # The hazard source at risk (its red alarm) is drilled into: its sensors and alarm titles.
    page.wait_for_function("() => document.body.innerText.includes('危化品泄漏')")
    assert TITLE in page.inner_text("body")
    # Sensor names and units in the gauge cells and in the plotly titles, as written.
    page.wait_for_function(
        "() => [...document.querySelectorAll('svg text')].some(t => t.textContent.includes('液位'))"
    )
    svg_text = page.evaluate("[...document.querySelectorAll('svg text')].map(t => t.textContent)")
    assert any(SCRIPT + "液位" in t for t in svg_text)
    assert any("<b>m</b>" in t for t in svg_text)
    assert page.evaluate(HOVER_ALL, "#main-map") > 10
    page.wait_for_timeout(300)
    assert any(IMG + "罐区" in t for t in page.locator(".leaflet-tooltip").all_inner_texts())
    assert_nothing_ran(page)

    page = open_page(hostile, "/resources")
    page.get_by_text(IMG, exact=True).first.wait_for()
    assert page.evaluate(HOVER_ALL, "#main-map") > 10
    page.wait_for_timeout(300)
    assert any(IMG in t for t in page.locator(".leaflet-tooltip").all_inner_texts())
    assert_nothing_ran(page)


def test_a_hostile_duty_log_entry_shows_as_text(hostile, open_page):
    page = open_page(hostile, "/duty")
    page.locator("#duty-log li[data-log-id]").first.wait_for()
    # The author is the signed-in account (read-only on the form): nothing to type there.
    text = f"接报 {IMG}{SCRIPT} {JS_URL}"
    page.fill("#duty-log-text", text)
    page.click("#duty-log-add")
    page.locator("#duty-log-message .ok").wait_for()
    newest = page.locator("#duty-log li[data-log-id] .text").first
    assert newest.inner_text() == text
    page.wait_for_timeout(500)
    assert_nothing_ran(page)


def http_get(url: str):  # noqa: ANN201
    """The response headers of GET `url`, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.headers
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.headers


def test_every_html_response_carries_the_csp_and_the_security_headers(hostile):
    paths = [
        "/",
        "/wall",
        "/wall?canvas=1920x1080&kiosk=1",
        "/consult",
        "/tablet",
        "/hazchem",
        "/resources",
        "/duty",
        "/incident/INC-XSS-1",
        "/incident/no-such-incident",
        "/no-such-page",
        "/login",
        "/enrol",
        "/admin",
    ]
    for path in paths:
        headers = http_get(hostile.url + path)
        assert headers.get_content_type() == "text/html", path
        policy = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]
        assert "http" not in directives["script-src"]  # nothing from a CDN
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        # The sign-in pages say no-referrer, stricter still.
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    # Every inline script of a Dash page is allowed by its hash (Dash adds some of its own
    # when it sets itself up, after the API calls above were already answered).
    with urllib.request.urlopen(hostile.url + "/wall", timeout=10) as response:
        page, policy = response.read().decode(), response.headers["Content-Security-Policy"]
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # Dash's IE notice is a comment
    inline = re.findall(
        r"<script(?![^>]*(?:src=|application/json))[^>]*>(.*?)</script>", page, re.S
    )
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    # The API and the assets carry them too.
    for path in ("/api/v1/alarms?status=active", "/healthz", "/assets/map.js"):
        headers = http_get(hostile.url + path)
        assert all(headers.get(h) for h in (*HEADERS, "Content-Security-Policy")), path


def test_feed_rows_carry_their_escalation_stage(
    make_app, serve, redis_url, reference_url, open_page
):  # noqa: ANN001
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN},emergency:e{TOKEN}",
        WALL_ROTATE_S=0,
    )
    server = serve(app)
    live = sources_of(app)
    ago = datetime.now(UTC).timestamp()
    for k, (alarm_id, minutes) in enumerate((("esc-0", 1), ("esc-1", 11), ("esc-2", 31))):
        body = {
            "id": alarm_id,
            "source": "hazchem",
            "level": "red",
            "category": f"升级测试{k}",
            "title": f"升级测试 {alarm_id}",
            "occurred_at": datetime.fromtimestamp(ago - minutes * 60, UTC).isoformat(),
            "lon": 120.62 + k / 10,
            "lat": 31.31,
        }
        assert post(server, "/api/v1/alarms", body) == 201
    # What the threshold worker records when an unacknowledged red alarm passes 10 and 30 min.
    live.alarms.escalate("esc-1", 1, ago)
    live.alarms.escalate("esc-2", 1, ago)
    live.alarms.escalate("esc-2", 2, ago)
    page = open_page(server, "/wall?canvas=1920x1080")
    feed = page.locator("#alarm-feed")
    feed.locator('li[data-alarm-id="esc-2"][data-escalation="2"]').wait_for()
    stages = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('#alarm-feed li[data-alarm-id]')]"
        ".map(li => [li.dataset.alarmId, li.dataset.escalation]))"
    )
    assert stages == {"esc-0": "0", "esc-1": "1", "esc-2": "2"}
    # Acknowledged, it is no longer escalating.
    assert post(server, "/api/v1/alarms/esc-1/ack", {"by": "值班员"}) == 200
    feed.locator('li[data-alarm-id="esc-1"][data-escalation="0"]').wait_for()
    assert_nothing_ran(page)
