"""A page's view state in its URL: what a query asks for is checked value by value on the way
in, written back keeping the parameters a page does not own, and the router is told not to
draw again what the screen shows."""

from __future__ import annotations

from urllib.parse import parse_qs

from data_sources.search import Hit, words
from layouts import incident_page, resources_page
from layouts.consult_ids import DEFAULT_FILTER, filter_from_query, filter_query
from layouts.site_search import href
from layouts.url_state import already_shown, merged, values


def test_writing_the_view_keeps_other_parameters_and_removes_defaults() -> None:
    assert merged("?kiosk=1", {"window": "7d", "level": ["red", "orange"]}) == (
        "?kiosk=1&window=7d&level=red&level=orange"
    )
    assert merged("?window=7d&kiosk=1&lang=en", {"window": None, "level": []}) == "?kiosk=1&lang=en"
    assert merged("", {"q": "消防 队"}) == "?q=%E6%B6%88%E9%98%B2+%E9%98%9F"
    assert merged(None, {"q": None}) == ""


def test_query_values_come_as_lists_without_blanks_or_repeats() -> None:
    assert values(["a", "b", "a", " "]) == ["a", "b"]
    assert values("red,orange", split=True) == ["red", "orange"]
    assert values(None) == [] and values(3) == []


def test_the_router_declines_only_what_the_screen_shows() -> None:
    shown = {"pathname": "/consult", "search": "?window=7d"}
    assert already_shown(shown, "/consult", "?window=7d")
    assert not already_shown(shown, "/consult", "?window=1h")  # back or forward: draw it
    assert not already_shown(shown, "/wall", "?window=7d")
    assert not already_shown(None, "/consult", "")


def test_the_consult_filter_round_trips_through_its_query() -> None:
    f = {
        **DEFAULT_FILTER,
        "window": "custom",
        "start": "2026-11-01",
        "end": "2026-11-20",
        "districts": ["320583", "320505"],
        "sources": ["hazchem"],
        "categories": ["液位高高报警"],
        "levels": ["red", "orange"],
    }
    query = parse_qs(merged("", filter_query(f)).lstrip("?"))
    assert filter_from_query({k: v[0] if len(v) == 1 else v for k, v in query.items()}) == f
    assert merged("", filter_query(DEFAULT_FILTER)) == ""  # the default view adds nothing


def test_bad_consult_values_are_dropped_not_raised() -> None:
    f = filter_from_query(
        {
            "window": "forever",
            "district": ["320583", "DROP TABLE", "1" * 40],
            "level": "red,purple",
            "source": "<script>",
            "category": "x" * 200,
            "start": "2026-13-45",
        }
    )
    assert f["window"] == "24h" and f["districts"] == ["320583"] and f["levels"] == ["red"]
    assert f["sources"] == [] and f["categories"] == []
    custom = filter_from_query({"window": "custom", "start": "2026-11-20", "end": "2026-11-01"})
    assert custom["window"] == "24h" and custom["start"] is None  # the wrong way round


def test_incident_rings_and_wind_from_and_to_the_query() -> None:
    assert incident_page.preset("45", "3.5") == {"wind": 45.0, "speed": 3.5}
    assert incident_page.preset("none", "999") == {"wind": None}  # unknown; speed out of range
    assert incident_page.preset("north", None) == {}  # nothing usable: the record holds
    record = {"wind_from_deg": 45.0, "wind_speed_ms": 2.0}
    assert incident_page.view_query("1,3,5", 45.0, 2.0, record) == {
        "rings": None,
        "wind": None,
        "speed": None,
    }
    assert incident_page.view_query("2, 4", None, 6.0, record) == {
        "rings": "2,4",
        "wind": "none",
        "speed": "6",
    }
    assert incident_page.view_query("abc", 90.0, None, {})["rings"] is None


def test_resources_filters_from_and_to_the_query() -> None:
    view = resources_page.view_from_query({"district": "320583", "kind": "fire,water", "q": "消防"})
    assert view == {"district": "320583", "kinds": ["fire", "water"], "q": "消防"}
    bad = resources_page.view_from_query({"district": "x", "kind": "nope", "q": "a\x00b" * 100})
    assert bad["district"] == "all" and len(bad["kinds"]) == 6 and "\x00" not in bad["q"]
    assert len(bad["q"]) <= resources_page.MAX_QUERY
    assert resources_page.view_from_query({"kind": "none"})["kinds"] == []
    assert resources_page.view_query("all", list(resources_page.TEAM_KINDS), "") == {
        "district": None,
        "kind": None,
        "q": None,
    }
    assert resources_page.view_query("320583", [], " 泵 ")["kind"] == "none"


def test_search_words_and_where_results_lead() -> None:
    assert words("  昆山\u3000化工，泄漏 ") == ["昆山", "化工", "泄漏"]
    assert words("a " * 20) == ["a"] and len(words(" ".join("abcdefgh"))) == 5
    assert href(Hit("alarm", "a/1", "t", ""), "consult") == "#alarm=a%2F1"
    assert href(Hit("alarm", "a1", "t", ""), "tablet") == "/consult#alarm=a1"
    assert href(Hit("incident", "INC-1", "t", ""), "tablet") == "/incident/INC-1"
    assert href(Hit("enterprise", "E1", "t", "", "HS9"), "consult") == "/hazchem?hs=HS9"
    assert href(Hit("enterprise", "E2", "t", ""), "consult") == "#enterprise=E2"
    assert (
        href(Hit("team", "RT1", "吴中消防", ""), "tablet")
        == "/resources?q=%E5%90%B4%E4%B8%AD%E6%B6%88%E9%98%B2"
    )
    assert href(Hit("contact", "city:张三", "张三", "", "roster"), "tablet") == "/duty"
