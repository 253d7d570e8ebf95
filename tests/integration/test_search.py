"""The search of /consult and /tablet in the data layer (data_sources/search.py), on a copy of
the generated Suzhou warehouse and a real Redis: by name, place and number, live alarms first,
wildcards only themselves, personal data apart, and fast enough to run on Enter."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import pytest

from tests.helpers import sources_of


@pytest.fixture
def sources(make_app, redis_url, reference_url):  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url)
    with app.server.app_context():
        yield sources_of(app)


def test_an_enterprise_is_found_by_name_and_by_district_with_its_hazard_source(sources) -> None:  # noqa: ANN001
    hazards = sources.registry.hazard_sources()
    firm = hazards.iloc[0]
    hits = [h for h in sources.search.find(firm["enterprise"]) if h.kind == "enterprise"]
    assert hits[0].id == firm["enterprise_id"] and hits[0].title == firm["enterprise"]
    assert hits[0].target == min(
        hazards.loc[hazards["enterprise_id"] == firm["enterprise_id"], "id"]
    )
    place = sources.registry.district_names()[firm["district"]]
    by_place = [h for h in sources.search.find(place[:2] + " " + firm["enterprise"][-6:])]
    assert firm["enterprise_id"] in {h.id for h in by_place if h.kind == "enterprise"}


def test_alarms_by_upstream_id_and_title_words_live_first(sources) -> None:  # noqa: ANN001
    archived = sources.warehouse.query(
        "SELECT id, title FROM alarm_history ORDER BY occurred_at LIMIT 1"
    ).iloc[0]
    assert [h.id for h in sources.search.find(archived["id"]) if h.kind == "alarm"][0] == archived[
        "id"
    ]
    sources.alarms.put(
        {
            "id": "search-live-1",
            "source": "hazchem",
            "level": "red",
            "category": "可燃气体报警",
            "title": "搜索测试化工 罐区可燃气体浓度超标",
            "occurred_at": datetime.now(UTC),
            "lon": 120.62,
            "lat": 31.31,
            "site_id": None,
            "district": "320508",
            "detail": {},
        }
    )
    hits = [h for h in sources.search.find("搜索测试化工 超标") if h.kind == "alarm"]
    assert hits[0].id == "search-live-1" and hits[0].level == "red"
    assert "姑苏区" in hits[0].detail


def test_a_team_and_incident_by_name_and_contacts_only_apart(sources) -> None:  # noqa: ANN001
    team = sources.registry.rescue_teams().iloc[3]
    found = sources.search.find(team["name"])
    assert ("team", team["id"]) in {(h.kind, h.id) for h in found}
    assert not any(h.kind == "contact" for h in found)  # personal data: `contacts` only
    incident = sources.incidents.listed(None).iloc[0]
    assert incident["id"] in {h.id for h in sources.search.find(incident["title"])}
    expert = sources.registry.experts().iloc[0]
    people = sources.search.contacts(expert["phone"])
    assert [(h.title, h.target) for h in people] == [(expert["name"], "expert")]
    rostered = sources.warehouse.query("SELECT name, phone FROM duty_roster LIMIT 1").iloc[0]
    people = sources.search.contacts(rostered["name"])
    assert any(h.target == "roster" and rostered["phone"] in h.detail for h in people)


def test_wildcards_and_quotes_match_only_themselves(sources) -> None:  # noqa: ANN001
    for text in ("%", "_", "%_%", "' OR 1=1 --", "\\"):
        assert sources.search.find(text) == [], text
        assert sources.search.contacts(text) == [], text


def test_searching_the_generated_city_is_fast(sources) -> None:  # noqa: ANN001
    timings = []
    for text in ("昆山", "化工", "消防", "泄漏 吴江", "138", "nothing-like-this"):
        start = time.perf_counter()
        sources.search.find(text)
        sources.search.contacts(text)
        timings.append(time.perf_counter() - start)
    # About 0.2 s each on the shared 2-CPU container under load (docs/benchmarks.md).
    assert statistics.median(timings) < 2.0, timings
