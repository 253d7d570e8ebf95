"""The view is in the URL, and the search box finds what it says: in real headless Chromium on
a copy of the generated Suzhou warehouse and a real Redis. A view set in one browser (the
consultation room's filters and time window, an incident's rings and wind, a resource search)
is its page's URL; that URL opened in a new browser context shows the same view. A search for
a known enterprise, alarm and team leads to the right view of each."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import sources_of

pytestmark = pytest.mark.browser

CONSULT = (1920, 1080)
TABLET = (1024, 1366)


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, AUTH_REQUIRED=False)
    running = serve(app)
    running.sources = sources_of(app)
    return running


def assert_clean(page) -> None:  # noqa: ANN001
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
    assert page.outside_requests == []


def new_page(page_factory, size: tuple[int, int]):  # noqa: ANN001, ANN201
    page = page_factory(*size)
    # The consultation room's first answer takes a while on a loaded 2-CPU machine.
    page.set_default_timeout(120_000)
    return page


def query_of(page) -> dict[str, list[str]]:  # noqa: ANN001
    return parse_qs(urlsplit(page.url).query)


def count(page) -> str:  # noqa: ANN001
    return re.search(r"\d+", page.locator("#consult-alarms-count").inner_text()).group()


def open_consult(page_factory, url: str):  # noqa: ANN001
    page = new_page(page_factory, CONSULT)
    page.goto(url)
    page.wait_for_selector("#consult-alarms tr[data-alarm-id]")
    return page


def test_consult_filters_are_the_url_and_open_the_same_view_elsewhere(server, page_factory):  # noqa: ANN001
    page = open_consult(page_factory, f"{server.url}/consult?kiosk=1")
    before = count(page)
    page.locator("#consult-window label", has_text="7天").click()
    page.locator("#consult-level").click()
    page.locator(".dash-dropdown-option", has_text="红色").click()
    page.keyboard.press("Escape")
    page.wait_for_function("location.search.includes('level=red')")
    assert query_of(page) == {"kiosk": ["1"], "window": ["7d"], "level": ["red"]}
    page.wait_for_function(
        "[...document.querySelectorAll('#consult-alarms tr[data-alarm-id]')]"
        ".every((r) => r.dataset.level === 'red')"
    )
    shown = count(page)
    assert shown != before

    # A drill-down link (a `#kind=id` anchor) keeps the filter and does not redraw the page.
    page.evaluate("document.querySelector('#consult-window').dataset.mark = 'same page'")
    page.locator("#consult-alarms a.drill-link").first.click()
    page.wait_for_function("location.hash.startsWith('#alarm=')")
    assert query_of(page)["level"] == ["red"]
    assert page.evaluate("document.querySelector('#consult-window').dataset.mark") == "same page"

    other = open_consult(page_factory, page.url)  # a new browser context
    assert other.locator("#consult-window input:checked").get_attribute("value") == "7d"
    assert "红色" in other.locator("#consult-level").inner_text()
    other.wait_for_function(
        f"document.querySelector('#consult-alarms-count').innerText.includes('{shown}')"
    )
    alarm = urlsplit(page.url).fragment.removeprefix("alarm=")
    other.wait_for_function(
        f"document.querySelector('#consult-detail').innerText.includes('{alarm}')"
    )
    assert_clean(page)
    assert_clean(other)


def test_bad_values_in_the_consult_url_are_ignored(server, page_factory):  # noqa: ANN001
    page = open_consult(
        page_factory,
        f"{server.url}/consult?window=forever&district=999999&district=320583&level=purple"
        "&source=%3Cscript%3E&start=2026-99-99",
    )
    assert page.locator("#consult-window input:checked").get_attribute("value") == "24h"
    # 999999 looks like a district code but is none: it leaves the control, the filter, the URL.
    page.wait_for_function("!location.search.includes('999999')")
    page.wait_for_function(
        "document.querySelector('#consult-district').innerText.includes('昆山市')"
    )
    page.wait_for_function(
        "[...document.querySelectorAll('#consult-alarms tr[data-alarm-id]')]"
        ".every((r) => r.dataset.district === '320583')"
    )
    assert_clean(page)


def test_an_incidents_rings_and_wind_are_the_url(server, page_factory):  # noqa: ANN001
    incident = server.sources.incidents.listed("open").iloc[0]
    page = new_page(page_factory, CONSULT)
    page.goto(f"{server.url}/incident/{incident['id']}?kiosk=1&rings=nonsense")
    page.wait_for_selector("#incident-ring-summary tbody th")
    assert page.input_value("#incident-rings") == "1,3,5"  # a bad value: the default rings
    page.fill("#incident-rings", "2,4")
    page.press("#incident-rings", "Enter")
    page.wait_for_function("location.search.includes('rings=2,4')")
    page.fill("#incident-wind-speed", "7.5")
    page.press("#incident-wind-speed", "Enter")
    page.wait_for_function("location.search.includes('speed=7.5')")
    page.locator("#incident-wind-from").click()
    page.get_by_role("option", name="东南风 (135°)").click()
    page.wait_for_function("location.search.includes('wind=135')")
    assert query_of(page)["kiosk"] == ["1"]

    other = new_page(page_factory, CONSULT)
    other.goto(page.url)
    other.wait_for_selector("#main-map path.downwind-sector")
    assert other.locator("#incident-ring-summary tbody th").all_inner_texts() == [
        "2 km 内",
        "4 km 内",
        "下风向",  # the wind from the link draws the downwind sector
    ]
    assert other.input_value("#incident-rings") == "2,4"
    assert other.input_value("#incident-wind-speed") == "7.5"
    assert "东南风" in other.locator("#incident-wind-from").inner_text()
    assert_clean(page)
    assert_clean(other)


def test_a_resource_search_is_the_url(server, page_factory):  # noqa: ANN001
    page = new_page(page_factory, CONSULT)
    page.goto(f"{server.url}/resources")
    page.wait_for_selector("#res-teams td[data-dash-column=name]")
    page.fill("#res-search", "消防")
    page.press("#res-search", "Enter")
    page.locator("#res-kinds label", has_text="医疗救护").click()
    page.wait_for_function("location.search.includes('q=')")
    page.wait_for_function("location.search.includes('kind=')")
    assert query_of(page)["q"] == ["消防"]
    assert "medical" not in query_of(page)["kind"]
    every_team_is_a_fire_team = (
        "[...document.querySelectorAll('#res-teams td[data-dash-column=name]')]"
        ".every((td) => td.innerText.includes('消防'))"
    )
    page.wait_for_function(every_team_is_a_fire_team)
    teams = page.locator("#res-teams td[data-dash-column=name]").all_inner_texts()

    other = new_page(page_factory, TABLET)
    other.goto(page.url)
    other.wait_for_selector("#res-teams td[data-dash-column=name]")
    assert other.input_value("#res-search") == "消防"
    assert not other.locator("#res-kinds input[value=medical]").is_checked()
    other.wait_for_function(every_team_is_a_fire_team)
    assert other.locator("#res-teams td[data-dash-column=name]").all_inner_texts() == teams
    assert_clean(page)
    assert_clean(other)


def search(page, text: str) -> None:  # noqa: ANN001
    box = page.locator(".site-search-input")
    box.fill(text)
    box.press("Enter")
    page.wait_for_selector(".site-search-list li.search-hit, .site-search-list li.empty")


def test_search_on_consult_leads_to_an_alarm_and_an_enterprise(server, page_factory):  # noqa: ANN001
    sources = server.sources
    sources.alarms.put(
        {
            "id": "search-browser-1",
            "source": "hazchem",
            "level": "red",
            "category": "可燃气体报警",
            "title": "搜索浏览器测试 罐区可燃气体浓度超标",
            "occurred_at": datetime.now(UTC),
            "lon": 120.62,
            "lat": 31.31,
            "site_id": None,
            "district": "320508",
            "detail": {},
        }
    )
    page = open_consult(page_factory, f"{server.url}/consult")
    search(page, "搜索浏览器测试")
    hit = page.locator('li.search-hit[data-kind="alarm"][data-id="search-browser-1"]')
    assert "搜索浏览器测试" in hit.inner_text()
    hit.locator("a").click()
    page.wait_for_function(
        "document.querySelector('#consult-detail').innerText.includes('search-browser-1')"
    )

    hazard = sources.registry.hazard_sources().iloc[0]
    search(page, hazard["enterprise"])
    hit = page.locator(
        f'li.search-hit[data-kind="enterprise"][data-id="{hazard["enterprise_id"]}"]'
    )
    hit.locator("a").click()
    page.wait_for_url(re.compile(r"/hazchem\?hs="))
    page.wait_for_function(
        f"document.querySelector('#hazchem-detail-info')?.innerText.includes({hazard['enterprise']!r})",
        timeout=60_000,
    )
    assert_clean(page)


def test_search_on_the_tablet_leads_to_a_team(server, page_factory):  # noqa: ANN001
    team = server.sources.registry.rescue_teams().iloc[5]
    page = new_page(page_factory, TABLET)
    page.goto(f"{server.url}/tablet")
    page.wait_for_selector("#tablet-incidents li")
    search(page, "<b>没有这种东西</b>")
    assert "没有这种东西" in page.locator(".site-search-list li.empty").inner_text()
    assert page.locator(".site-search-list b").count() == 0  # text, never HTML
    search(page, team["name"])
    hit = page.locator(f'li.search-hit[data-kind="team"][data-id="{team["id"]}"]')
    hit.locator("a").click()
    page.wait_for_url(re.compile(r"/resources\?q="))
    page.wait_for_selector("#res-teams td[data-dash-column=name]")
    assert page.locator("#res-teams td[data-dash-column=name]").all_inner_texts() == [team["name"]]
    assert page.input_value("#res-search") == team["name"]
    assert_clean(page)
