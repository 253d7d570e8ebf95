"""Every screen that offers English (/, /consult, /tablet, /duty, /resources, /hazchem,
/incident/<id>, /governance, /wall) shows no Chinese of its own in English mode: what Chinese is left on the screen
is data (an alarm's title, an enterprise's or a person's name, a duty-log entry, as recorded).
And the landing page leads to the screens and says whether the system is ready, as /readyz and
/governance do."""

from __future__ import annotations

import csv
import json
import re
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

import auth
from data_sources import quarantine
from layouts.i18n import CATEGORIES_EN
from tests.helpers import HOVER_ALL, api_post, page_language, sources_of

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TOKEN = "english-browser-test-token-0123456789"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")

# Every visible text on the page: text nodes (HTML and SVG: plotly's ticks and labels), input
# placeholders and values, with the element they are in shown (not display:none, hidden...).
# Text marked as Chinese inside the page (`lang="zh-CN"`: the switch back to 中文) is Chinese
# on purpose.
VISIBLE_TEXT = """() => {
  const out = [];
  const shown = el => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || e.hidden) { return false; }
    }
    return el.getClientRects().length > 0;
  };
  const root = document.querySelector("#_pages_content > [lang]");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName)) { continue; }
    const marked = el.closest("[lang]");
    if (marked && marked !== root && marked.lang.startsWith("zh")) { continue; }
    if (n.textContent.trim() && shown(el)) { out.push(n.textContent.trim()); }
  }
  document.querySelectorAll("input, textarea").forEach(i => {
    if (shown(i)) { out.push(i.placeholder || ""); out.push(i.value || ""); }
  });
  return out.filter(Boolean);
}"""


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
    # A red alarm now, so the urgent lists and the alert prompt have something to show.
    body = {
        "id": "en-red-1",
        "source": "hazchem",
        "level": "red",
        "category": "可燃气体报警",
        "title": "测试化工 可燃气体浓度超标",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.98,
        "lat": 31.38,
    }
    assert api_post(running.url, "/api/v1/alarms", body, TOKEN) == 201
    return running


def data_texts(sources) -> str:  # noqa: ANN001
    """The recorded words a screen may show as they are: titles, names of enterprises, hazard
    sources, places, people (not categories, systems, districts or levels: those are
    translated)."""
    wh = sources.warehouse
    parts = [
        *sources.alarms.active(limit=5000, closed_window_s=86400)["title"].dropna(),
        *wh.query("SELECT title FROM alarm_history")["title"].dropna(),
        *wh.query("SELECT title FROM incidents")["title"].dropna(),
        *wh.query("SELECT name FROM enterprises")["name"].dropna(),
        *wh.query("SELECT name FROM hazard_sources")["name"].dropna(),
        *wh.query("SELECT name FROM duty_roster")["name"].dropna(),
    ]
    return "\n".join(map(str, parts))


def chinese_ui(page, data: str) -> list[str]:  # noqa: ANN001
    """The visible texts holding Chinese that is not part of any recorded data."""
    found = []
    for text in page.evaluate(VISIBLE_TEXT):
        if any(run not in data for run in CJK.findall(text)):
            found.append(text)
    return sorted(set(found))


def settle(page, waiting: str = ".as-of") -> None:  # noqa: ANN001
    """Wait until every panel (`waiting`: their age stamps) has its data and the clock has
    ticked."""
    page.wait_for_function(
        f"[...document.querySelectorAll('{waiting}')].every(e => e.dataset.asOf)",
        timeout=30_000,
    )
    page.wait_for_function(
        "[...document.querySelectorAll('.page-clock')].every(e => e.textContent.length > 4)"
    )
    page.wait_for_timeout(1500)


def test_consult_in_english_has_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    data = data_texts(server.sources)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/consult?lang=en")
    page.wait_for_selector("#consult-alarms tr[data-alarm-id]")
    page.wait_for_function("document.querySelectorAll('#consult-by-category g.point').length > 1")
    settle(page)
    page.locator("#alert-ask").wait_for()  # the alert prompt, drawn in both languages
    assert chinese_ui(page, data) == []
    # "Wed 2 Dec, 11:43:14": the month in words (a numeric 02/12 reads as 12 February to some).
    clock = page.inner_text(".page-clock")
    assert re.match(r"^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d:\d\d$", clock), clock
    # The charts are coloured by level (the wall's palette), not plotly's default blue.
    colours = set(
        page.eval_on_selector_all(
            "#consult-by-district g.point path", "ps => ps.map(p => p.style.fill)"
        )
    )
    assert {"rgb(255, 59, 48)", "rgb(255, 214, 10)", "rgb(47, 140, 255)"} <= colours
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "consult-en-1920x1080.png"))
    # A drill-down in English too: the alarm's detail.
    page.locator('#consult-alarms a[href="#alarm=en-red-1"]').click()
    page.locator("#consult-detail .lifecycle").wait_for()
    assert chinese_ui(page, data) == []


def test_the_check_finds_chinese_on_a_chinese_screen(server, page_factory) -> None:  # noqa: ANN001
    """The same check on the Chinese page finds its words (so it can fail)."""
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/consult?lang=zh")
    page.wait_for_selector("#consult-alarms tr[data-alarm-id]")
    settle(page)
    found = chinese_ui(page, data_texts(server.sources))
    assert "会商研判" in found and any("周" in f for f in found)  # title, the clock's weekday


def test_tablet_in_english_has_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    data = data_texts(server.sources)
    page = page_factory(1024, 1366, has_touch=True)
    page.goto(f"{server.url}/tablet?lang=en")
    page.wait_for_selector('#tablet-alarms li[data-alarm-id="en-red-1"]')
    settle(page)
    assert chinese_ui(page, data) == []
    page.screenshot(path=str(SHOTS / "tablet-en-1024x1366.png"))


def test_home_offers_the_screens_and_the_systems_state_in_both_languages(
    server, page_factory
) -> None:  # noqa: ANN001
    data = data_texts(server.sources)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/?lang=en")
    page.wait_for_selector("#home-ready li[data-check='redis']")
    page.wait_for_selector("#home-systems li.system-chip")
    settle(page)
    assert chinese_ui(page, data) == []
    cards = page.eval_on_selector_all(".screen-card", "cs => cs.map(c => c.dataset.path)")
    assert cards[:3] == ["/wall", "/consult", "/tablet"] and "/admin" not in cards
    for card in page.locator(".screen-card").all():  # large enough to touch
        box = card.bounding_box()
        assert box["height"] >= 96 and box["width"] >= 200
    # The state is what /readyz says.
    with urllib.request.urlopen(server.url + "/readyz", timeout=10) as response:
        ready = json.load(response)
    for check in ("redis", "warehouse", "live_state"):
        state = page.get_attribute(f"#home-ready li[data-check='{check}']", "data-state")
        assert (state == "ok") == (ready[check] == "ok"), check
    assert page.get_attribute("#home-ready .ready-all", "data-ready") == (
        "1" if ready["ready"] else "0"
    )
    # The systems as the pulse (and /governance) count them.
    registered = int(page.get_attribute("#home-systems .home-rate", "data-registered"))
    assert registered == page.locator("#home-systems li.system-chip").count() >= 1
    page.screenshot(path=str(SHOTS / "home-en-1920x1080.png"))
    page.goto(f"{server.url}/?lang=zh")
    page.locator(".screen-card .card-name", has_text="会商研判").wait_for()
    settle(page)
    page.screenshot(path=str(SHOTS / "home-1920x1080.png"))
    page.locator(".screen-card", has_text="会商研判").click()
    page.wait_for_url(re.compile(r"/consult"))


def test_the_consult_csv_of_an_english_page_has_english_headers_and_words_and_data_as_recorded(
    server, page_factory
) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/consult?lang=en")
    page.wait_for_selector('#consult-alarms tr[data-alarm-id="en-red-1"]')
    with page.expect_download() as download:
        page.locator("#consult-export").click()
    rows = list(csv.DictReader(Path(download.value.path()).read_text("utf-8-sig").splitlines()))
    assert list(rows[0]) == [
        "ID",
        "Level",
        "Occurred at",
        "District",
        "Source system",
        "Category",
        "Alarm",
        "Status",
        "Count",
        "Acknowledged by",
        "Closed by",
    ]
    mine = next(r for r in rows if r["ID"] == "en-red-1")
    assert mine["Alarm"] == "测试化工 可燃气体浓度超标"  # as recorded
    assert (mine["Level"], mine["Status"], mine["Category"]) == ("Red", "New", "Flammable gas")
    assert mine["Source system"] == "Hazardous-chemicals risk monitoring"
    assert mine["District"] == "Kunshan"
    # The export's own words are English on every row; a category is English wherever the
    # catalogue knows it (one it does not know is upstream text, kept as sent).
    own = ("Level", "Occurred at", "District", "Source system", "Status", "Count")
    assert [(r["ID"], k, r[k]) for r in rows for k in own if CJK.search(r[k] or "")] == []
    assert [r["Category"] for r in rows if r["Category"] in CATEGORIES_EN] == []


def test_the_english_landing_page_opens_the_daily_report_in_english(server, page_factory) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/?lang=en")
    page.locator('.screen-card[data-path="/report/daily"]').click()
    page.wait_for_selector("#report-figures")
    assert "lang=en" in page.url and page.inner_text("h1") == "Daily duty report"
    assert page.get_attribute("html", "lang") == "en"


def desk_data(sources) -> str:  # noqa: ANN001
    """What /duty and /resources show as recorded: besides the alarms' and people's names,
    the registry's teams, depots, supplies, shelters and experts, the duty log and handovers."""
    registry = sources.registry
    frames = [
        (registry.rescue_teams(), ["name", "equipment", "leader"]),
        (registry.depots(), ["name"]),
        (registry.depot_stock(), ["depot", "item_name", "unit"]),
        (registry.shelters(), ["name"]),
        (registry.experts(), ["name", "specialty", "organisation", "title"]),
        (sources.duty.log_entries(limit=1000, primary=True), ["author", "text"]),
        (sources.duty.handovers(limit=100, primary=True), ["from_name", "to_name"]),
    ]
    # The signed-in account's name (with sign-in off, everyone is the demo duty officer).
    parts = [data_texts(sources), auth.DEMO_USER.display_name]
    parts += [str(v) for frame, columns in frames for c in columns for v in frame[c].dropna()]
    parts += [str(n.get("text", "")) for n in sources.duty.handovers(limit=100)["notes"]]
    return "\n".join(parts)


DAY = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"


def open_duty(page, url: str) -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_selector("#duty-today tbody tr")
    page.wait_for_selector("#duty-week tbody tr")
    page.wait_for_selector("#duty-log li")
    page.wait_for_selector("#rollcall-history li")
    page.wait_for_selector("#duty-contacts td[data-dash-column=name]")
    page.wait_for_selector("#duty-alerts li")
    settle(page, ".as-of:not(#roster-as-of)")  # the roster import shows no data of its own


@pytest.mark.filterwarnings(
    r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
)
def test_duty_desk_in_english_shows_no_chinese_but_data_and_records_in_english(
    server, page_factory
) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    open_duty(page, f"{server.url}/duty?lang=en")
    assert page_language(page, "en") == "en"
    assert page.inner_text(".page-header h1") == "Duty desk"
    assert page.inner_text("#duty-log-panel h2") == "Duty log"
    assert page.inner_text("#duty-log-add") == "Record"
    assert re.fullmatch(
        rf"Duty day {DAY} · now on: (day|night) shift", page.inner_text("#duty-today-date")
    )
    heads = page.eval_on_selector_all("#duty-week thead th", "hs => hs.map(h => h.innerText)")
    assert heads == ["Date", "Leader on duty", "Day chief", "Day officer", "Night chief",
                     "Night officer"]  # fmt: skip
    days = page.eval_on_selector_all("#duty-week tbody th", "hs => hs.map(h => h.innerText)")
    assert len(days) == 7 and all(re.fullmatch(DAY, d) for d in days), days
    assert days[0].startswith("Mon")
    assert chinese_ui(page, desk_data(server.sources)) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "duty-en-1920x1080.png"))

    # A refused entry says why in English; a recorded one says so, and shows as recorded.
    page.click("#duty-log-add")
    page.locator("#duty-log-message .error", has_text="The entry is empty").wait_for()
    page.fill("#duty-log-text", "English desk check 英文模式值班记录")
    page.click("#duty-log-add")
    page.locator("#duty-log-message .ok", has_text="Recorded.").wait_for()
    entry = page.locator("#duty-log li", has_text="英文模式值班记录").first
    entry.wait_for()
    assert entry.locator(".cat").inner_text() == "Report"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d\d:\d\d", entry.locator(".at").inner_text())
    # A roll call started in English is announced in English.
    page.click("#rollcall-start")
    page.locator("#duty-log-rollcall-message", has_text="Roll call sent to").wait_for()
    page.locator("#rollcall-rooms li[data-state=waiting]").first.wait_for()
    page.wait_for_timeout(1500)
    assert chinese_ui(page, desk_data(server.sources)) == []
    assert_no_console_errors(page)

    # The same desk on a tablet.
    tablet = page_factory(1024, 1366, has_touch=True)
    open_duty(tablet, f"{server.url}/duty?lang=en")
    assert chinese_ui(tablet, desk_data(server.sources)) == []
    tablet.screenshot(path=str(SHOTS / "duty-en-1024x1366.png"))


ROSTERS = Path(__file__).resolve().parents[1] / "data"
# What an English roster message may quote in Chinese: the words a roster file is written in.
ROSTER_FILE_WORDS = ("白班", "夜班", "带班领导", "值班长", "值班员", "市局")


def test_a_bad_roster_s_problems_read_in_english_on_an_english_desk(server, page_factory) -> None:  # noqa: ANN001
    """Every row error of a roster file in English, quoting the cell as it came."""
    from tests.data.make_rosters import BAD

    page = page_factory(1920, 1080)
    open_duty(page, f"{server.url}/duty?lang=en")
    page.set_input_files("#roster-upload input[type=file]", str(ROSTERS / "roster_bad.xlsx"))
    page.wait_for_selector("#roster-errors li")
    items = page.locator("#roster-errors li")
    assert items.count() == len(BAD)
    book = openpyxl.load_workbook(ROSTERS / "roster_bad.xlsx", read_only=True)
    values = {str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v}
    cells = sorted(values | set(ROSTER_FILE_WORDS), key=len, reverse=True)
    for text in items.all_inner_texts():
        assert re.match(r"Row \d+ · [A-Z][a-z]+ \(\w+\): \S", text), text
        words = re.sub(r"“[^”]*”", "", text)  # a quoted cell is data as it came
        for quoted in cells:  # the file's own cells (names), longest first
            words = words.replace(quoted, "")
        assert not CJK.search(words), text
    summary = page.inner_text("#roster-summary")
    assert f"{len(BAD)} of" in summary and "nothing was imported" in summary, summary
    assert_no_console_errors(page)


def open_resources(page, url: str) -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_selector("#res-teams td[data-dash-column=name]")
    page.wait_for_selector("#res-stock td[data-dash-column=fill]")
    page.wait_for_selector("#res-summary tr[data-kind]")
    page.wait_for_selector(".kpi[data-kpi=teams]")
    settle(page)


@pytest.mark.filterwarnings(
    r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
)
def test_resources_in_english_show_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    data = desk_data(server.sources)
    for width, height in ((1920, 1080), (1024, 1366)):
        page = page_factory(width, height, has_touch=width < 1920)
        open_resources(page, f"{server.url}/resources?lang=en")
        assert page_language(page, "en") == "en"
        assert page.inner_text(".page-header h1") == "Emergency resources"
        assert page.inner_text(".kpi[data-kpi=teams] span:not(.big)") == "rescue teams ready"
        heads = page.eval_on_selector_all(
            "#res-teams th[data-dash-column] .column-header-name", "hs => hs.map(h => h.innerText)"
        )
        assert heads[:3] == ["Team", "Kind", "District"], heads
        assert chinese_ui(page, data) == []
        assert_no_console_errors(page)
        page.screenshot(path=str(SHOTS / f"resources-en-{width}x{height}.png"))


def test_the_check_finds_chinese_on_the_chinese_desks(server, page_factory) -> None:  # noqa: ANN001
    """The same check on the Chinese desks finds their words (so the tests above can fail)."""
    data = desk_data(server.sources)
    page = page_factory(1920, 1080)
    open_duty(page, f"{server.url}/duty")
    found = chinese_ui(page, data)
    assert "值班值守" in found and "值班日志" in found
    assert any(re.fullmatch(r"\d\d-\d\d 周[一二三四五六日]", f) for f in found), found
    open_resources(page, f"{server.url}/resources")
    assert "应急资源" in chinese_ui(page, data)


def assert_no_console_errors(page) -> None:  # noqa: ANN001
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)


def command_data(sources) -> str:  # noqa: ANN001
    """What /hazchem and /incident/<id> show as recorded: besides the desks' data, sensors,
    chemical parks, what a hazard source holds and whom an enterprise names, sensitive
    targets, cameras, the incidents' summaries and timelines."""
    registry = sources.registry
    frames = [
        (registry.sensors(), ["name", "unit"]),
        (registry.chemical_parks(), ["name"]),
        (registry.hazard_sources(), ["chemicals"]),
        (registry.enterprises(), ["contact"]),
        (registry.sensitive_targets(), ["name"]),
        (sources.cameras.all(), ["name", "owner"]),
        (sources.incidents.listed(None), ["summary"]),
    ]
    parts = [desk_data(sources)]
    parts += [str(v) for frame, columns in frames for c in columns for v in frame[c].dropna()]
    for incident_id in sources.incidents.listed("open")["id"]:
        timeline = sources.incidents.timeline(incident_id)
        parts += [str(v) for c in ("text", "author") for v in timeline[c].dropna()]
    return "\n".join(parts)


def post_readings(server) -> None:  # noqa: ANN001
    """Every sensor at its normal value, one past its trip limit and one gas detector reading
    what none can (a sensor fault), so the reasons of the risk colours have words to say."""
    sensors = server.sources.registry.sensors()
    hot = sensors[sensors["high_high"].notna()].iloc[0]["id"]
    faulty = sensors[sensors["kind"] == "gas_lel"].iloc[-1]["id"]
    now = datetime.now(UTC).isoformat()

    def value(s) -> float:  # noqa: ANN001
        if s.id == faulty:
            return -5.0
        return float(s.high_high) + 1 if s.id == hot else float(s.normal)

    batch = [
        {"sensor_id": s.id, "ts": now, "value": value(s)} for s in sensors.itertuples(index=False)
    ]
    assert api_post(server.url, "/api/v1/readings", batch, TOKEN) == 202


def open_hazchem(page, url: str) -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_selector("#hazchem-table .hz-gauge[data-load]")
    page.wait_for_selector("#hazchem-detail-info .detail-head")
    page.wait_for_selector("#hazchem-alarms tr[data-enterprise], #hazchem-alarms .empty")
    page.wait_for_function("document.querySelectorAll('#hazchem-by-district g.point').length > 0")
    page.wait_for_function(
        "document.querySelectorAll('#hazchem-detail-chart g.indicatorlayer g.trace').length > 0"
    )
    page.wait_for_selector("#hazchem-video .video-grid")
    settle(page)


@pytest.mark.filterwarnings(
    r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
)
def test_hazchem_in_english_shows_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    data = command_data(server.sources)
    post_readings(server)
    for width, height in ((1920, 1080), (1024, 1366)):
        page = page_factory(width, height, has_touch=width < 1920)
        open_hazchem(page, f"{server.url}/hazchem?lang=en")
        assert page_language(page, "en") == "en"
        assert page.inner_text(".page-header h1") == "Major hazard sources of hazardous chemicals"
        heads = page.eval_on_selector_all(
            "#hazchem-table th[data-dash-column] .column-header-name",
            "hs => hs.map(h => h.innerText)",
        )
        assert heads[:4] == ["Risk", "Hazard source", "Grade", "Where"], heads
        grades = set(
            page.locator("#hazchem-table td[data-dash-column=grade_name]").all_inner_texts()
        )
        assert grades and grades <= {"Grade 1", "Grade 2", "Grade 3", "Grade 4"}, grades
        facts = page.locator("#hazchem-detail-info dt").all_inner_texts()
        assert facts == ["Enterprise", "Grade", "Chemicals", "Where", "Contact"]
        assert re.search(r"Grade \d source", page.inner_text("#hazchem-detail-info .reason"))
        legend = page.locator("#hazchem-map-panel .map-legend").inner_text()
        assert "Chemical park" in legend and "Red" in legend
        assert chinese_ui(page, data) == []
        assert_no_console_errors(page)
        page.screenshot(path=str(SHOTS / f"hazchem-en-{width}x{height}.png"))
    # A drill-down into another source stays English.
    head = "#hazchem-detail-info .detail-head"
    shown = page.get_attribute(head, "data-id")
    page.locator("#hazchem-table tbody tr").nth(3).locator("td").nth(1).click()
    page.wait_for_function(
        f"document.querySelector('{head}').dataset.id !== {json.dumps(shown)}", timeout=30_000
    )
    page.wait_for_timeout(1500)
    assert chinese_ui(page, data) == []


def open_incident(page, url: str) -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_selector("#main-map path.incident-ring")
    page.wait_for_selector("#incident-teams tr.team-row")
    page.wait_for_selector("#incident-timeline li")
    page.wait_for_selector("#incident-ring-summary tbody th")
    page.wait_for_selector("#incident-video .video-grid")
    settle(page)


@pytest.mark.filterwarnings(
    r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
)
def test_incident_command_in_english_shows_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    data = command_data(server.sources)
    open_ = server.sources.incidents.listed("open")
    leaks = open_[open_["category"] == "危化品泄漏"]
    incident = (leaks if len(leaks) else open_).iloc[0].to_dict()
    for width, height in ((1920, 1080), (1024, 1366)):
        page = page_factory(width, height, has_touch=width < 1920)
        # A north wind from the link: the downwind sector and its row in the summary.
        open_incident(page, f"{server.url}/incident/{incident['id']}?lang=en&wind=0")
        assert page_language(page, "en") == "en"
        assert page.inner_text(".page-header h1") == "Incident command"
        labels = page.locator("#incident-ring-summary tbody th").all_inner_texts()
        assert labels == ["1 km", "3 km", "5 km", "Downwind"], labels
        overview = page.locator("#incident-overview")
        assert incident["title"] in overview.inner_text()  # as recorded
        assert re.fullmatch(r"Level [ⅠⅡⅢⅣ]", overview.locator(".incident-level").inner_text())
        assert overview.locator(".incident-status").inner_text() == "Responding"
        assert overview.locator("dt").all_inner_texts() == [
            "Category", "Location", "Reported", "Casualties"
        ]  # fmt: skip
        times = page.locator("#incident-timeline .tl-time").all_inner_texts()
        assert times and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d\d:\d\d", x) for x in times)
        kinds = set(page.locator("#incident-timeline .tl-kind").all_inner_texts())
        assert "Reported" in kinds, kinds
        etas = page.locator("#incident-teams td.eta").all_inner_texts()
        assert etas and all(re.fullmatch(r"\d+ min", e) for e in etas), etas
        wind = page.locator("#incident-wind-from").inner_text()
        assert "N (0°)" in wind, wind
        assert chinese_ui(page, data) == []
        assert_no_console_errors(page)
        page.screenshot(path=str(SHOTS / f"incident-en-{width}x{height}.png"))
    # Opened again without `?lang=`, the page comes back in the language chosen, with its view.
    page.goto(f"{server.url}/incident/{incident['id']}?wind=0")
    page.wait_for_url(re.compile(r"lang=en"), timeout=30_000)
    assert "wind=0" in page.url
    page.locator("#incident-ring-summary tbody th", has_text="Downwind").wait_for()
    assert page.inner_text(".page-header h1") == "Incident command"


def test_the_check_finds_chinese_on_the_chinese_command_pages(server, page_factory) -> None:  # noqa: ANN001
    """The same check on the Chinese /hazchem and /incident finds their words."""
    data = command_data(server.sources)
    post_readings(server)
    page = page_factory(1920, 1080)
    open_hazchem(page, f"{server.url}/hazchem")
    found = chinese_ui(page, data)
    assert "危化品重大危险源监测" in found and "危险源详情" in found, found
    incident = server.sources.incidents.listed("open").iloc[0]
    open_incident(page, f"{server.url}/incident/{incident['id']}?wind=0")
    found = chinese_ui(page, data)
    assert "事件指挥" in found and "下风向" in found, found


def open_governance(page, url: str) -> None:  # noqa: ANN001
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('#gov-systems tr[data-system]').length >= 7")
    page.wait_for_selector("#gov-rejects [data-system=iot]")
    settle(page)


def test_governance_in_english_shows_no_chinese_but_data(server, page_factory) -> None:  # noqa: ANN001
    # A reject with a reason as the intake path gave it, and one with none.
    for ref, error in (("en-gov-1", "level: not one of red/orange/yellow/blue"), ("en-gov-2", "")):
        quarantine.put(
            server.sources.warehouse,
            source="iot",
            channel="mqtt",
            raw='{"level": "purple", "title": "感知网络 报文"}',
            error=error,
            ref=ref,
        )
    data = data_texts(server.sources) + "\n感知网络 报文"  # the rejected payload, as it came
    english = {c: n for c, n in server.sources.systems.all()[["code", "name_en"]].values}
    for width, height in ((1920, 1080), (1024, 1366)):
        page = page_factory(width, height, has_touch=width < 1920)
        open_governance(page, f"{server.url}/governance?lang=en")
        assert page_language(page, "en") == "en"
        assert page.inner_text(".page-header h1") == "System integration"
        assert page.inner_text("#gov-rate-panel h2") == "Integration rate"
        assert re.fullmatch(
            r"\d+ of \d+ systems delivering on time", page.inner_text("#gov-rate .gov-rate-detail")
        )
        heads = page.eval_on_selector_all("#gov-systems thead th", "hs => hs.map(h => h.innerText)")
        assert heads[:3] == ["System", "State", "Last heartbeat"], heads
        # Every system by its registered English name; iot's state in words.
        for code, name in english.items():
            if name:
                row = page.locator(f"#gov-systems tr[data-system={code}] .name")
                assert row.inner_text() == name
        states = page.eval_on_selector_all(
            "#gov-systems tr[data-system] .state", "ss => ss.map(s => s.innerText)"
        )
        assert set(states) <= {"integrated", "silent", "failing", "not connected"}, states
        rejects = page.inner_text("#gov-rejects [data-system=iot]")
        assert "level: not one of red/orange/yellow/blue" in rejects
        assert "no reason given" in rejects and "Last 2 rejected payloads" in rejects
        assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d\d:\d\d:\d\d · ", rejects), rejects
        assert chinese_ui(page, data) == []
        assert_no_console_errors(page)
        page.screenshot(path=str(SHOTS / f"governance-en-{width}x{height}.png"))
    # The same check finds the Chinese page's words (so it can fail).
    page.goto(f"{server.url}/governance?lang=zh")
    page.wait_for_selector("#gov-rejects [data-system=iot]")
    settle(page)
    found = chinese_ui(page, data)
    assert "系统接入治理" in found and "业务系统整合率" in found


WALL_TITLE = "英文大屏测试 园区可燃气体浓度超标"


def test_the_wall_in_english_shows_a_posted_alarm_in_english_words_and_its_title_as_recorded(
    server, page_factory
) -> None:  # noqa: ANN001
    page = page_factory(3840, 2160)
    page.goto(f"{server.url}/wall?lang=en")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector('#alarm-feed li[data-alarm-id="en-red-1"]')
    page.wait_for_selector("#forces-teams tr[data-kind]")
    page.wait_for_selector("#duty-rooms li")
    page.wait_for_selector("#topbar-systems li")
    assert page_language(page, "en") == "en"
    # An alarm posted while the wall is open arrives pushed, drawn in the page's language.
    body = {
        "id": "en-wall-1",
        "source": "hazchem",
        "level": "orange",
        "category": "可燃气体报警",
        "title": WALL_TITLE,
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": 120.62,
        "lat": 31.30,
    }
    assert api_post(server.url, "/api/v1/alarms", body, TOKEN) == 201
    row = page.locator('#alarm-feed li[data-alarm-id="en-wall-1"]')
    row.wait_for(timeout=30_000)
    assert row.locator(".alarm-level").inner_text() == "Orange"
    assert row.locator(".alarm-status").inner_text() == "New"
    assert row.locator(".alarm-title").inner_text() == WALL_TITLE
    hazchem = server.sources.systems.get("hazchem")["name_en"]
    assert row.locator(".alarm-source").inner_text() == hazchem
    red = page.locator('#alarm-feed li[data-alarm-id="en-red-1"] .alarm-level')
    assert red.inner_text() == "Red"
    # The red alarm waiting holds the map, said in English.
    takeover = page.locator("#wall-takeover")
    takeover.wait_for(state="visible", timeout=30_000)
    assert takeover.inner_text().startswith("Red alarm ")
    assert page.inner_text("#wall-view-name") == "Red alarm · to acknowledge"
    assert page.inner_text("#alarm-panel h2") == "Live alarms"
    assert page.inner_text(".topbar h1") == "City situation"
    levels = page.eval_on_selector_all(
        "#alarm-counts .level-count span:not(.n)", "ss => ss.map(s => s.innerText)"
    )
    assert levels == ["Red", "Orange", "Yellow", "Blue"]
    page.wait_for_timeout(2500)  # the fly-to, the ages ticking
    data = desk_data(server.sources)  # the forces panel names depots and supplies
    assert WALL_TITLE in data
    assert chinese_ui(page, data) == []
    assert_no_console_errors(page)
    page.screenshot(path=str(SHOTS / "wall-en-3840x2160.png"))
    # The map's tooltips: alarms by their English level, incidents by their English level.
    assert page.evaluate(HOVER_ALL, "#main-map") > 10
    page.wait_for_timeout(300)
    tips = page.locator(".leaflet-tooltip").all_inner_texts()
    alarm_tips = [t for t in tips if re.match(r"(Red|Orange|Yellow|Blue) [\d:]{5,8} ", t)]
    assert any(WALL_TITLE in t for t in alarm_tips), tips
    assert not [t for t in tips if re.match(r"(红色|橙色|黄色|蓝色) ", t)], tips
    assert any(re.search(r" \(Level [ⅠⅡⅢⅣ]\)$", t) for t in tips), tips
    assert not [t for t in tips if re.search(r"（[ⅠⅡⅢⅣ]级）$", t)], tips


def test_the_wall_replayed_in_english_says_so_in_english(server, page_factory) -> None:  # noqa: ANN001
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    page = page_factory(3840, 2160)
    page.goto(f"{server.url}/wall?lang=en&at={urllib.parse.quote(at.isoformat())}")
    banner = page.locator("#replay-banner")
    banner.wait_for()
    page.wait_for_selector("#alarm-feed li[data-alarm-id]")
    page.wait_for_function(
        "[...document.querySelectorAll('.as-of')].some(e => e.textContent.startsWith('Replay '))"
    )
    assert banner.locator(".replay-mark").inner_text() == "Replay"
    assert banner.locator(".replay-note").inner_text() == "Not live · Beijing time"
    assert page.inner_text("#replay-pause") == "Pause"
    assert page.get_attribute("#replay-exit", "href") == "/wall?lang=en"
    stamps = page.locator(".as-of").all_inner_texts()
    assert stamps and all(s.startswith("Replay ") for s in stamps), stamps
    page.wait_for_timeout(1500)
    assert chinese_ui(page, desk_data(server.sources)) == []
    assert_no_console_errors(page)
    # A time that cannot be replayed is refused in English, with the ways on in English.
    page.goto(f"{server.url}/wall?lang=en&at=yesterday")
    refused = page.locator("#replay-refused")
    refused.wait_for()
    assert refused.locator("h1").inner_text() == "Cannot replay"
    assert "“yesterday” is not a time" in refused.inner_text()
    assert page.get_attribute("#replay-refused a.replay-btn >> nth=0", "href") == "/wall?lang=en"


def test_the_check_finds_chinese_on_the_chinese_wall(server, page_factory) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    page.wait_for_selector('#alarm-feed li[data-alarm-id="en-red-1"]')
    page.wait_for_selector("#forces-teams tr[data-kind]")
    page.wait_for_timeout(1500)
    found = chinese_ui(page, data_texts(server.sources))
    assert {"综合态势一张图", "在办警情", "实时警情", "今日值班"} <= set(found), found


def test_an_unknown_address_says_so_in_the_language_asked(server, page_factory) -> None:  # noqa: ANN001
    page = page_factory(1024, 768)
    page.goto(f"{server.url}/no-such-screen?lang=en")
    page.locator(".plain-page h1", has_text="Page not found").wait_for()
    assert page.get_attribute(".plain-page a[href='/?lang=en']", "href") == "/?lang=en"
    assert page_language(page, "en") == "en"
    page.goto(f"{server.url}/no-such-screen")
    page.locator(".plain-page h1", has_text="未找到该页面").wait_for()
    assert page_language(page, "zh-CN") == "zh-CN"
