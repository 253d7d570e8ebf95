"""Redis came back empty: while the archiver refills the live state from the warehouse,
acks and closes of alarms the warehouse knows are honoured (never a 404), and the refill
never overwrites what they changed; each change reaches the warehouse once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from archiver import Archiver
from archiver.rebuild import rebuild_live_state
from tests.helpers import alarm_body, seed_minimal_registry, sources_of

pytestmark = pytest.mark.redis

TOKEN = "r" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def drain(arch: Archiver) -> None:
    for _ in range(50):
        counts = arch.run_once()
        if not counts.get("alarm_changes") and not counts.get("restored_alarms"):
            return
    raise AssertionError("the archiver is still busy after 50 cycles")


@pytest.fixture
def world(make_app, redis_url: str, warehouse_url: str):  # noqa: ANN001, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=warehouse_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        restored=False,
    )
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    arch = Archiver(sources, consumer="t", block_ms=10, claim_every_s=3600, retention_days=0)
    client = app.server.test_client()
    for i in range(8):
        body = alarm_body(f"K{i}", category=f"c{i}")
        assert client.post("/api/v1/alarms", json=body, headers=AUTH).status_code == 201
    assert client.post("/api/v1/alarms/K0/ack", json={"by": "甲"}, headers=AUTH).status_code == 200
    drain(arch)
    return client, sources, arch


def events(sources: Any, alarm_id: str) -> list[str]:
    frame = sources.warehouse.query(
        "SELECT op FROM alarm_events WHERE alarm_id = :id ORDER BY id", {"id": alarm_id}
    )
    return list(frame["op"])


def test_closes_during_the_restore_are_honoured_and_survive_it(world) -> None:  # noqa: ANN001
    client, sources, arch = world
    sources.redis.flushdb()  # Redis restarted empty; the archiver has not restored yet
    assert client.get("/readyz").get_json()["live_state"] == "restoring"

    for i in (0, 1, 2):
        answer = client.post(f"/api/v1/alarms/K{i}/close", json={"by": "乙"}, headers=AUTH)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["status"] == "closed"
    ack = client.post("/api/v1/alarms/K3/ack", json={"by": "丙"}, headers=AUTH)
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    # A retried post of an archived alarm stays a duplicate, restore or not.
    again = client.post("/api/v1/alarms", json=alarm_body("K4", category="c4"), headers=AUTH)
    assert (again.status_code, again.get_json()["outcome"]) == (200, "duplicate")
    unknown = client.post("/api/v1/alarms/NOPE/close", json={"by": "乙"}, headers=AUTH)
    assert unknown.status_code == 404

    drain(arch)  # restores everything else, then archives the changes
    assert client.get("/readyz").status_code == 200
    status = {row["id"]: row["status"] for _, row in sources.alarms.active().iterrows()}
    assert status == {
        "K0": "closed",
        "K1": "closed",
        "K2": "closed",
        "K3": "acknowledged",
        "K4": "new",
        "K5": "new",
        "K6": "new",
        "K7": "new",
    }
    history = sources.warehouse.query("SELECT id, status, rev FROM alarm_history ORDER BY id")
    assert dict(zip(history["id"], history["status"])) == status
    assert events(sources, "K0") == ["new", "acknowledged", "closed"]
    assert events(sources, "K1") == ["new", "closed"]
    assert events(sources, "K3") == ["new", "acknowledged"]
    assert events(sources, "K4") == ["new"]
    # A second full restore (another archiver, a late retry) changes nothing.
    assert rebuild_live_state(sources)["alarms"] == 0
    assert sources.alarms.get("K1")["status"] == "closed"


def test_the_restore_replaces_an_older_revision_and_keeps_a_newer_one(world) -> None:  # noqa: ANN001
    _, sources, _ = world
    live = sources
    live.redis.flushdb()

    def record(i: int) -> dict[str, Any]:
        body = alarm_body(f"K{i}", category=f"c{i}")
        return body | {"occurred_at": datetime.now(UTC), "district": None}

    # Taken as new again while the seen marks were gone: K0 (warehouse: rev 2, acknowledged)
    # now at rev 1; K5 (warehouse: rev 1, new) at rev 1, then acknowledged: rev 2.
    assert live.alarms.put(record(0)) == ("new", "K0")
    assert live.alarms.put(record(5)) == ("new", "K5")
    assert live.alarms.transition("K5", "acknowledged", "丁", datetime.now(UTC).timestamp()) == (
        "acknowledged"
    )
    restored = rebuild_live_state(sources)
    assert (restored["alarms_known"], restored["alarms"]) == (8, 7)
    assert (live.alarms.get("K0")["status"], live.alarms.get("K0")["ack_by"]) == (
        "acknowledged",
        "甲",
    )
    assert (live.alarms.get("K5")["status"], live.alarms.get("K5")["ack_by"]) == (
        "acknowledged",
        "丁",
    )
    assert live.alarms.level_counts()["orange"] == 8


def test_after_a_restore_no_screen_takes_new_data_for_a_version_it_has_seen(world) -> None:  # noqa: ANN001
    # Screens and the shared panel cache key what they drew by version: a Redis that came back
    # empty counts from 0 again, and the wall kept showing what it had cached for "version 2".
    client, sources, arch = world
    seen = sources.versions.both()
    drawn = sources.at_version(seen[0], "feed", lambda: sorted(sources.alarms.active()["id"]))
    assert drawn == [f"K{i}" for i in range(8)]

    sources.redis.flushdb()
    body = alarm_body("K8", category="c8")
    assert client.post("/api/v1/alarms", json=body, headers=AUTH).status_code == 201
    drain(arch)

    after = sources.versions.both()
    assert after[0] > seen[0] and after[1] > seen[1], (seen, after)
    shown = sources.at_version(after[0], "feed", lambda: sorted(sources.alarms.active()["id"]))
    assert shown == [f"K{i}" for i in range(9)]
