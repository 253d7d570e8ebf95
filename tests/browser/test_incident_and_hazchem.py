"""/incident/<id> and /hazchem in real headless Chromium, fed by the real Redis and a real
warehouse holding the generated Suzhou reference data."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyproj import Geod

import auth
from tests.helpers import sources_of

# Dash 4 announces DataTable's future removal every time one is built (the hazard table).
DATATABLE_NOTICE = r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(DATATABLE_NOTICE)]

TOKEN = "incident-hazchem-test-token-0123456789"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GEOD = Geod(ellps="GRS80")


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
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        AUTH_REQUIRED=False,
    )
    auth.init_app(app.server)  # idempotent; what app.py does once access control is wired
    running = serve(app)
    running.sources = sources_of(app)
    return running


def assert_clean(page) -> None:  # noqa: ANN001
    """No console errors (failed callbacks show there), nothing fetched from outside, and
    the page fits the screen without scrolling."""
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []
    assert page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def chemical_incident(sources) -> dict:  # noqa: ANN001
    """An open incident of the reference data, a chemical leak when there is one."""
    open_ = sources.incidents.listed("open")
    leaks = open_[open_["category"] == "危化品泄漏"]
    return (leaks if len(leaks) else open_).iloc[0].to_dict()


def minutes(text: str) -> float:
    return float(re.match(r"([\d.]+)", text).group(1))


# --- incident command mode ------------------------------------------------------------------


def test_an_incident_opens_with_rings_the_downwind_sector_and_who_can_get_there_first(
    server, page_factory
):
    incident = chemical_incident(server.sources)
    page = page_factory(1920, 1080)
    # A north wind from the link: the plume goes south.
    page.goto(f"{server.url}/incident/{incident['id']}?wind=0")
    page.wait_for_selector("#main-map path.incident-ring")
    page.wait_for_selector("#incident-teams tr.team-row")
    page.wait_for_selector("#incident-timeline li")

    assert page.locator("#main-map path.incident-ring").count() == 3
    assert page.locator("#main-map path.downwind-sector").count() == 1
    labels = page.locator("#incident-ring-summary tbody th").all_inner_texts()
    assert labels == ["1 km 内", "3 km 内", "5 km 内", "下风向"]
    assert incident["title"] in page.locator("#incident-overview").inner_text()
    level = page.locator("#incident-overview .overview-head").get_attribute("data-level")
    assert level == str(incident["level"])

    # The first team listed arrives first, and its distance is the true one.
    rows = page.locator("#incident-teams tr.team-row")
    etas = [minutes(t) for t in page.locator("#incident-teams td.eta").all_inner_texts()]
    assert etas == sorted(etas) and len(etas) >= 3
    first = (
        server.sources.registry.rescue_teams()
        .set_index("id")
        .loc[rows.first.get_attribute("data-id")]
    )
    _, _, metres = GEOD.inv(incident["lon"], incident["lat"], first["lon"], first["lat"])
    shown_km = float(rows.first.locator("td").nth(2).inner_text())
    assert shown_km == pytest.approx(metres / 1000, abs=0.06)

    # Everything listed in the rings is within the outermost one, nearest first.
    rings = page.locator("#incident-hazards tr[data-ring]").evaluate_all(
        "rows => rows.map(r => Number(r.dataset.ring))"
    )
    assert rings and all(r in (1, 3, 5) for r in rings)
    if incident["category"] == "危化品泄漏":
        heads = page.locator("#incident-depots th").all_inner_texts()
        assert any("吸油围栏" in h for h in heads) and any("防化服" in h for h in heads)
    assert page.locator("#incident-depots tr.depot-row").count() >= 1
    assert page.locator("#incident-shelters tr.shelter-row").count() >= 1
    assert page.locator("#incident-timeline li[data-kind=report]").count() == 1

    # Every panel says how old its data is.
    stamps = page.locator("#incident-body .as-of").evaluate_all(
        "els => els.map(e => e.dataset.asOf)"
    )
    assert len(stamps) == 10 and all(stamps)  # the nine lists and the map, and the video

    # A team's live status reaches the page without a reload.
    team_id = rows.first.get_attribute("data-id")
    server.sources.status.set_team_status(team_id, "dispatched")
    page.wait_for_selector(f'#incident-teams tr[data-id="{team_id}"][data-status=dispatched]')
    assert "出动中" in page.locator(f'#incident-teams tr[data-id="{team_id}"]').inner_text()

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the map's fit animation
    page.screenshot(path=str(SHOTS / "incident.png"))

    # Rings from the field on screen: two rings, and the summary follows.
    page.fill("#incident-rings", "2,4")
    page.press("#incident-rings", "Enter")
    page.wait_for_function("document.querySelectorAll('#main-map path.incident-ring').length === 2")
    labels = page.locator("#incident-ring-summary tbody th").all_inner_texts()
    assert labels == ["2 km 内", "4 km 内", "下风向"]
    assert_clean(page)


def test_without_wind_there_is_no_sector_and_rings_come_from_the_link(server, page_factory):
    incident = chemical_incident(server.sources)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/incident/{incident['id']}?rings=0.5,2")
    page.wait_for_selector("#main-map path.incident-ring")
    page.wait_for_selector("#incident-ring-summary tbody th")
    assert page.locator("#main-map path.incident-ring").count() == 2
    assert page.locator("#main-map path.downwind-sector").count() == 0
    assert page.locator("#incident-ring-summary tbody th").all_inner_texts() == [
        "0.5 km 内",
        "2 km 内",
    ]
    assert page.input_value("#incident-rings") == "0.5,2"
    assert_clean(page)


def test_an_unknown_incident_says_so_instead_of_failing(server, page_factory):
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/incident/INC-NO-SUCH-ONE")
    page.wait_for_selector("#incident-not-found:not([hidden])")
    assert "未找到事件" in page.locator("#incident-not-found").inner_text()
    assert "INC-NO-SUCH-ONE" in page.locator("#incident-not-found").inner_text()
    assert page.locator("#incident-body").is_hidden()
    assert_clean(page)


# --- hazardous chemicals -------------------------------------------------------------------


def post_readings(server, sensors, hot: str) -> None:  # noqa: ANN001
    """Every sensor at its normal value, except `hot` past its high_high limit."""
    now = datetime.now(UTC).isoformat()
    batch = [
        {
            "sensor_id": s.id,
            "ts": now,
            "value": float(s.high_high) + 1 if s.id == hot else float(s.normal),
        }
        for s in sensors.itertuples(index=False)
    ]
    assert post(server, "/api/v1/readings", batch) == 202


def test_hazchem_colours_sources_by_risk_and_drills_down_into_one(server, page_factory):
    registry = server.sources.registry
    sensors = registry.sensors()
    hazards = registry.hazard_sources()
    # A grade-4 source (blue at rest) with one reading past its trip limit turns orange;
    # another gets a red alarm on one of its sensors.
    quiet = hazards[hazards["grade"] == 4]["id"]
    hot_source, red_source = quiet.iloc[0], quiet.iloc[1]
    hot = sensors[(sensors["hazard_source_id"] == hot_source) & sensors["high_high"].notna()].iloc[
        0
    ]
    alarmed = sensors[sensors["hazard_source_id"] == red_source].iloc[0]
    post_readings(server, sensors, hot["id"])
    alarm = {
        "id": "hz-red-1",
        "source": "hazchem",
        "level": "red",
        "category": "可燃气体报警",
        "title": "测试 可燃气体浓度超标",
        "occurred_at": datetime.now(UTC).isoformat(),
        "site_id": alarmed["id"],
    }
    assert post(server, "/api/v1/alarms", alarm) == 201

    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/hazchem")
    page.wait_for_selector("#hazchem-table .hz-gauge[data-load]")
    page.wait_for_selector("#hazchem-detail-info .detail-head")
    page.wait_for_function(
        f"document.querySelectorAll('#main-map path.risk-point').length === {len(hazards)}"
    )
    # The hospitals, where the injured of a chemical accident are taken, are on the map too.
    hospitals = registry.sensitive_targets(("hospital",))
    page.wait_for_function(
        "document.querySelectorAll('#main-map path.registry-point.k-hospital').length"
        f" === {len(hospitals)}"
    )
    assert len(hospitals) > 0

    # The red one tops the table, the hot one is orange; every source has a gauge.
    first = page.locator("#hazchem-table tbody tr").nth(1)  # row 0 is the header row
    assert "红色" in first.inner_text()
    assert page.locator("#hazchem-table .hz-gauge[data-load]").count() == len(hazards)
    assert page.locator("#main-map path.risk-point.risk-red").count() == 1
    counts = page.locator("#hazchem-counts .level-count[data-level=red] .n").inner_text()
    assert counts == "1"
    # With nothing chosen, the drill-down shows the source most at risk: the red one.
    head = page.locator("#hazchem-detail-info .detail-head")
    assert head.get_attribute("data-id") == red_source
    assert (
        page.locator("#hazchem-detail-info .detail-alarms li")
        .first.inner_text()
        .endswith("测试 可燃气体浓度超标")
    )
    # Alarms per enterprise include the live one.
    enterprise = hazards.set_index("id").loc[red_source, "enterprise_id"]
    row = page.locator(f'#hazchem-alarms tr[data-enterprise="{enterprise}"]')
    assert row.locator("td").nth(1).inner_text() == "1"

    # Drill down from the table: the hot source, its gauges and 24 h of each sensor.
    page.locator(
        "#hazchem-table td", has_text=hazards.set_index("id").loc[hot_source, "name"]
    ).first.click()
    page.wait_for_selector(f'#hazchem-detail-info .detail-head[data-id="{hot_source}"]')
    assert head.get_attribute("data-risk") == "orange"
    n_sensors = int((sensors["hazard_source_id"] == hot_source).sum())
    page.wait_for_function(
        f"document.querySelectorAll('#hazchem-detail-chart g.indicatorlayer g.trace').length === {n_sensors}"
    )
    lines = page.locator("#hazchem-detail-chart g.scatterlayer g.trace").count()
    assert lines >= n_sensors  # history (+ the live point) per sensor
    # Drawn by the partial bundle (assets/vendor, scripts/vendor_plotly.sh), not the full one.
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [s for s in scripts if "plotly.min.js" in s]
    assert [s for s in scripts if "plotly-finance.min.js" in s]

    # Drill down from the map: the red marker.
    page.locator("#main-map path.risk-point.risk-red").dispatch_event("click")
    page.wait_for_selector(f'#hazchem-detail-info .detail-head[data-id="{red_source}"]')

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(5, 1075)  # no hover highlight in the picture
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "hazchem.png"))
    assert_clean(page)
