"""Every screen of the contract passes axe-core (tests/vendor/axe.min.js, scripts/vendor_axe.sh)
in real headless Chromium, signed in as an administrator (who may see every screen), after the
screen's data has drawn: no `serious` or `critical` violation. The wall is judged at its
3840x2160 canvas with its feed rows drawn by assets/push.js, the tablet at a tablet's size.
Nothing is excluded: the maps are vector layers that axe reads like any other element.

axe is put into the page by the DevTools protocol (`page.evaluate` of the file's text), which
the page's Content-Security-Policy does not govern: `add_script_tag` would add an inline
script that the app's policy rightly refuses, and the policy is not weakened for a test.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

import auth
from auth import accounts
from tests.helpers import page_language, sources_of

DATATABLE_NOTICE = r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(DATATABLE_NOTICE)]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
TOKEN = "a11y-browser-test-token-0123456789"
PASSWORD = "苏州应急 2026 pass"
CLI = accounts.Actor("cli:test", "admin", "local")
BLOCKING = ("serious", "critical")

DESK = (1920, 1080)
WALL = (3840, 2160)
TABLET = (1024, 1366)

# Runs axe on the whole document; only what fails (passes and "incomplete" are not returned).
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target, impact: n.impact, summary: n.failureSummary})),
  }));
}"""


def post(server, path: str, body) -> int:  # noqa: ANN001
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    """The app with access control on, an administrator, and live data of every level: a red
    alarm at a hazard source, orange (acknowledged), yellow and blue ones, and readings."""
    app = make_app(
        AUTH_REQUIRED=True,
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
    )
    state = auth.init_app(app.server)  # a no-op once app.py calls it
    accounts.create_user(state.warehouse, CLI, "admin", "管理员", "admin", PASSWORD, state.clock())
    running = serve(app)
    sources = sources_of(app)
    sensors = sources.registry.sensors()
    now = datetime.now(UTC).isoformat()
    base = {"source": "hazchem", "occurred_at": now}
    alarms = [
        {**base, "id": "a11y-red", "level": "red", "category": "可燃气体报警",
         "title": "测试 罐区可燃气体浓度超标", "site_id": sensors.iloc[0]["id"]},
        {**base, "id": "a11y-orange", "level": "orange", "category": "液位报警",
         "title": "测试 储罐液位高", "lon": 120.62, "lat": 31.31},
        {**base, "id": "a11y-yellow", "level": "yellow", "category": "温度报警",
         "title": "测试 温度偏高", "lon": 120.98, "lat": 31.38},
        {**base, "id": "a11y-blue", "level": "blue", "category": "设备离线",
         "title": "测试 设备离线", "lon": 120.55, "lat": 31.28},
    ]  # fmt: skip
    for body in alarms:
        assert post(running, "/api/v1/alarms", body) == 201
    assert (
        post(running, "/api/v1/alarms/a11y-orange/ack", {"by": "王值班", "note": "已通知"}) == 200
    )
    readings = [
        {"sensor_id": s.id, "ts": now, "value": float(s.normal)}
        for s in sensors.itertuples(index=False)
        if s.normal is not None
    ]
    assert post(running, "/api/v1/readings", readings) == 202
    open_ = sources.incidents.listed("open")
    running.incident = open_.iloc[0]["id"]
    return running


# Each screen: its path, the viewport, and what shows that its data has drawn. In three
# groups, each signed in once, so that one test stays well inside the suite's time limit.
SCREENS = {
    "live": [
        ("/", DESK, ("a[href='/wall']",)),
        (
            "/wall?canvas=3840x2160",
            WALL,
            (
                "#main-map path.district",
                "#alarm-feed li[data-alarm-id='a11y-blue']",
                "#stats-trend .main-svg",
                "#forces-teams tr[data-kind]",
            ),
        ),
        ("/consult", DESK, ("#main-map path.district", "#consult-alarms tr[data-alarm-id]")),
        ("/tablet", TABLET, ("#tablet-alarms li[data-alarm-id]", "#tablet-incidents a")),
    ],
    "desk": [
        ("/hazchem", DESK, ("#hazchem-table .hz-gauge[data-load]",)),
        ("/resources", DESK, ("#main-map.leaflet-container", "#res-teams td[data-dash-column]")),
        ("/duty", DESK, ("#duty-today tbody tr", "#duty-log li[data-log-id]")),
        (
            "/incident/<id>",
            DESK,
            (
                "#main-map path.incident-ring",
                "#incident-teams tr.team-row",
                "#incident-timeline li",
            ),
        ),
    ],
    "records": [
        ("/governance", DESK, ("#gov-systems tr[data-system]",)),
        ("/report/daily", DESK, ("#report-figures",)),
        ("/admin", DESK, ("#admin-users", "#admin-displays")),
        ("/admin/systems", DESK, ("#admin-new-system",)),
    ],
}


def violations(page) -> list[dict]:  # noqa: ANN001
    """axe's serious and critical violations on `page` as it stands."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def settle(page, ready: tuple[str, ...]) -> None:  # noqa: ANN001
    """Wait until the screen has drawn its data and Dash has no callback in flight."""
    for selector in ready:
        page.wait_for_selector(selector, state="attached")
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading]')"
        " && !document.querySelector('._dash-loading')"
    )
    page.wait_for_timeout(1000)  # map fit animations and the last pushed frame


def report(path: str, found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"{path}: {v['id']} [{v['impact']}] {v['help']}")
        for node in v["nodes"][:10]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            summary = (node["summary"] or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def sign_in(page, server, next_path: str = "/") -> list[str]:  # noqa: ANN001
    """Sign in as the administrator; the sign-in page's own violations on the way."""
    page.goto(f"{server.url}/login?next={quote(next_path)}")
    page.wait_for_selector("#login-username")
    found = violations(page)
    page.fill("#login-username", "admin")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
    return [report("/login", found)] if found else []


@pytest.mark.parametrize("group", SCREENS)
def test_every_screen_has_no_serious_or_critical_accessibility_violation(
    group, server, page_factory
):
    page = page_factory(*DESK)
    page.set_default_timeout(60_000)
    failures = sign_in(page, server)
    for path, (width, height), ready in SCREENS[group]:
        path = path.replace("<id>", server.incident)  # an open incident of the data
        page.set_viewport_size({"width": width, "height": height})
        page.goto(server.url + path)
        settle(page, ready)
        # Every page says what language it is in (screen readers pick their voice by it).
        if (lang := page_language(page, "zh-CN")) != "zh-CN":
            failures.append(f"{path}: <html lang={lang!r}>, not zh-CN")
        if found := violations(page):
            failures.append(report(path, found))
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert not failures, "\n" + "\n".join(failures)


def test_a_screen_in_english_says_so_to_assistive_technology(server, page_factory):
    page = page_factory(*TABLET)
    page.set_default_timeout(60_000)
    sign_in(page, server, "/tablet?lang=en")
    settle(page, ("#tablet-alarms li[data-alarm-id]", "#tablet-incidents a"))
    assert page_language(page, "en") == "en"
    assert not (found := violations(page)), "\n" + report("/tablet?lang=en", found)
    # The header's links change pages without a reload: the next page, in the language
    # chosen, says so too; switched to Chinese, it says zh-CN again.
    page.click("a.nav-link[href='/hazchem']")
    page.wait_for_selector("#hazchem-table .hz-gauge[data-load]")
    page.wait_for_function(
        "document.querySelector('.page-header h1').innerText.startsWith('Major')"
    )
    assert page_language(page, "en") == "en"
    page.click("#lang-switch")
    page.wait_for_function(
        "document.querySelector('.page-header h1')?.innerText.startsWith('危化品')"
    )
    page.wait_for_selector("#hazchem-table .hz-gauge[data-load]")
    assert page_language(page, "zh-CN") == "zh-CN"
