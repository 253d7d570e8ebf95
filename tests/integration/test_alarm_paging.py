"""`GET /api/v1/alarms` pages: a client walks every active alarm once, with the total, even
while alarms arrive and close ("Why" 10: 859 active, 500 returned, no total, no paging).

Real Redis, SQLite warehouse, Flask's test client.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ingest import service
from ingest.models import AlarmIn
from tests.helpers import alarm_body, seed_minimal_registry, sources_of

pytestmark = pytest.mark.redis

TOKEN = "p" * 24
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime.now(UTC) - timedelta(hours=6)


@pytest.fixture
def api(make_app, redis_url: str, sqlite_url: str):  # noqa: ANN001, ANN201
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    return app.server.test_client(), sources


def put(sources: Any, alarm_id: str, minute: int) -> None:
    """An alarm of its own (no merging), at START + `minute`: many share a minute, so the
    order has ties for the cursor to get right."""
    alarm = AlarmIn.model_validate(
        alarm_body(
            alarm_id,
            category=f"类别{alarm_id}",
            occurred_at=(START + timedelta(minutes=minute)).isoformat(),
        )
    )
    outcome, _ = service.put_alarm(sources, alarm)
    assert outcome == "new"


def page(client: Any, query: str) -> dict[str, Any]:
    response = client.get("/api/v1/alarms?" + query, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"items", "total", "next_cursor"}
    return body


def walk(client: Any, status: str, limit: int, between=lambda: None) -> tuple[list[str], list]:  # noqa: ANN001
    ids, totals, cursor = [], [], None
    while True:
        query = f"status={status}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = page(client, query)
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        totals.append(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, totals
        between()


def test_the_default_page_is_500_of_859_with_the_total_and_the_rest_follows(api) -> None:  # noqa: ANN001
    client, sources = api
    for i in range(859):
        put(sources, f"A-{i:04d}", i % 97)
    first = page(client, "status=active")
    assert (len(first["items"]), first["total"]) == (500, 859)
    assert first["next_cursor"]
    second = page(client, "status=active&cursor=" + first["next_cursor"])
    assert (len(second["items"]), second["total"], second["next_cursor"]) == (359, 859, None)
    ids = [a["id"] for a in first["items"] + second["items"]]
    assert sorted(ids) == [f"A-{i:04d}" for i in range(859)]
    # Newest first, as the wall shows them.
    times = [a["occurred_at"] for a in first["items"] + second["items"]]
    assert times == sorted(times, reverse=True)
    # One page of up to 5,000 holds them all.
    everything = page(client, "status=active&limit=5000")
    assert [a["id"] for a in everything["items"]] == ids and everything["next_cursor"] is None


def test_a_walk_sees_every_alarm_once_while_alarms_arrive_and_close(api) -> None:  # noqa: ANN001
    client, sources = api
    rng = random.Random(10)
    for i in range(859):
        put(sources, f"A-{i:04d}", rng.randrange(120))
    present = {f"A-{i:04d}" for i in range(859)}
    closed: set[str] = set()
    arrived: set[str] = set()

    def meanwhile() -> None:
        # New alarms before, among and after the ones already walked; some old ones close.
        for _ in range(15):
            alarm_id = f"N-{len(arrived):04d}"
            put(sources, alarm_id, rng.randrange(-10, 130))
            arrived.add(alarm_id)
        for alarm_id in rng.sample(sorted(present - closed), 5):
            assert sources.alarms.transition(
                alarm_id, "closed", "李娜", datetime.now(UTC).timestamp()
            )
            closed.add(alarm_id)

    ids, totals = walk(client, "active", 37, meanwhile)
    counts = Counter(ids)
    assert not [i for i, n in counts.items() if n > 1], "an alarm came twice"
    stayed = present - closed
    assert stayed <= set(ids), f"{len(stayed - set(ids))} alarms that stayed active were missed"
    assert set(ids) <= present | arrived
    assert len(totals) > 20 and totals[0] == 859
    assert totals[-1] == 859 + len(arrived) - len(closed)


def test_status_all_walks_the_active_then_the_closed_of_the_last_day(api) -> None:  # noqa: ANN001
    client, sources = api
    for i in range(30):
        put(sources, f"A-{i:02d}", i)
    now = datetime.now(UTC).timestamp()
    for i in range(0, 30, 3):
        sources.alarms.transition(f"A-{i:02d}", "closed", "李娜", now - i)
    ids, totals = walk(client, "all", 4)
    assert sorted(ids) == [f"A-{i:02d}" for i in range(30)]
    assert totals == [30] * len(totals)
    closed = [f"A-{i:02d}" for i in range(0, 30, 3)]
    assert ids[-10:] == closed  # newest close first
    active_ids, _ = walk(client, "active", 4)
    assert len(active_ids) == 20 and not set(active_ids) & set(closed)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=5001", "limit"),
        ("limit=-1", "limit"),
        ("limit=1.5", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=%00", "cursor"),
        ("cursor=" + "A" * 1000, "cursor"),
        ("status=bogus", "status"),
    ],
)
def test_a_bad_limit_or_cursor_is_422_naming_it(api, query: str, field: str) -> None:  # noqa: ANN001
    client, _ = api
    response = client.get("/api/v1/alarms?" + query, headers=AUTH)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.get_json()["field"] == field


def test_a_cursor_belongs_to_its_listing(api) -> None:  # noqa: ANN001
    client, sources = api
    for i in range(3):
        put(sources, f"A-{i}", i)
    cursor = page(client, "status=active&limit=1")["next_cursor"]
    assert page(client, f"status=active&limit=1&cursor={cursor}")["items"]
    response = client.get(f"/api/v1/alarms?status=all&cursor={cursor}", headers=AUTH)
    assert response.status_code == 422 and response.get_json()["field"] == "cursor"
