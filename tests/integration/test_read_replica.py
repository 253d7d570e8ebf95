"""A read replica (`WAREHOUSE_READ_URL`): a real primary and a real streaming replica of it
(`pg_basebackup -R`) on loopback. The screens read the replica, every write goes to the
primary (the replica is a hot standby: a write there would raise), and a duty-log panel fed
from the replica never claims to be fresher than the replica's replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from layouts.duty_page import Ids
from tests.helpers import seed_minimal_registry, sources_of
from tests.integration.test_access_matrix import callback_body
from tests.servers import PostgresCluster, wait_until, worker_port

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[PostgresCluster, PostgresCluster]]:
    """A primary and its streaming replica, started once for the module."""
    primary = PostgresCluster(worker_port(25440)).start()
    try:
        replica = PostgresCluster(worker_port(25441), standby_of=primary).start()
    except BaseException:
        primary.stop()
        raise
    yield primary, replica
    replica.stop()
    primary.stop()


@pytest.fixture
def app(make_app, redis_url: str, clusters):  # noqa: ANN001, ANN201
    primary, replica = clusters
    # create_app migrates WAREHOUSE_URL, the primary; the replica gets the schema by WAL.
    return make_app(REDIS_URL=redis_url, WAREHOUSE_URL=primary.url, WAREHOUSE_READ_URL=replica.url)


def refresh_log(app) -> tuple[str, str]:  # noqa: ANN001
    """The duty page's log panel as a browser asks for it: (its text, its data-as-of)."""
    key = next(k for k in app.callback_map if Ids.LOG_AS_OF.value in k and "handover" in k)
    spec = app.callback_map[key]
    body = callback_body(key, spec["inputs"], spec.get("state", []))
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.text
    got = response.get_json()["response"]
    return str(got[Ids.LOG.value]["children"]), got[Ids.LOG_AS_OF.value]["data-as-of"]


def replay_paused(sources, paused: bool) -> None:  # noqa: ANN001
    call = "pg_wal_replay_pause()" if paused else "pg_wal_replay_resume()"
    with sources.screens.read_engine.connect() as conn:
        conn.execute(text(f"SELECT {call}"))
        conn.commit()


def timeline_kinds(sources) -> list[str]:  # noqa: ANN001
    frame = sources.screens.query(
        "SELECT kind FROM incident_timeline WHERE incident_id = 'INC-R1' ORDER BY kind"
    )
    return list(frame["kind"])


def test_the_screens_read_the_replica_and_every_write_goes_to_the_primary(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    assert sources.screens.query("SELECT pg_is_in_recovery() AS r")["r"].iloc[0], "replica"
    with pytest.raises(Exception, match="read-only"):
        sources.screens.query("CREATE TABLE nope (x int)")
    # Written through the app's own paths: the duty log and an incident from ingest (which
    # asks whether the incident exists before it writes: that read is the primary's).
    sources.duty.append_log("张三", "接报：姑苏区一处路面塌陷", "report")
    gusu = seed_minimal_registry(sources.warehouse).district
    row = {
        "id": "INC-R1", "title": "姑苏区路面塌陷", "category": "collapse", "level": 2,
        "status": "open", "district": gusu, "lon": 120.6, "lat": 31.3,
        "opened_at": datetime.now(UTC), "closed_at": None, "casualties": 0, "summary": "",
        "wind_from_deg": None, "wind_speed_ms": None,
    }  # fmt: skip
    assert sources.incidents.put(row, None, "emergency", datetime.now(UTC)) == "new"
    assert sources.incidents.put(row, "续报", "emergency", datetime.now(UTC)) == "updated"
    wait_until("the entry on the duty page", lambda: "路面塌陷" in refresh_log(app)[0])
    wait_until("the incident on the replica", lambda: sources.incidents.exists("INC-R1"))
    kinds = wait_until(
        "both timeline entries on the replica",
        lambda: len(got := timeline_kinds(sources)) == 2 and got,
    )
    assert kinds == ["report", "update"], "one incident, opened then updated"


def test_with_replay_paused_the_panel_shows_the_replicas_time_not_now(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    sources.duty.append_log("李四", "检查：吴江区值班室在岗在位", "inspection")
    wait_until("the first entry replayed", lambda: "吴江区" in refresh_log(app)[0])
    replay_paused(sources, True)
    try:
        sources.duty.append_log("王五", "续报：昆山火情已控制", "report")
        # Wait until the replica has received the new WAL that it does not replay.
        wait_until(
            "the replica receives what it does not replay",
            lambda: sources.screens.query(
                "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS behind"
            )["behind"].iloc[0],
        )
        replayed = sources.screens.query("SELECT pg_last_xact_replay_timestamp() AS t")["t"][0]
        before = datetime.now(UTC)
        shown, as_of = refresh_log(app)
        assert "昆山火情" not in shown, "the replica has not replayed it"
        assert datetime.fromisoformat(as_of) == replayed.to_pydatetime(), "the replay time"
        assert datetime.fromisoformat(as_of) < before, "not now"
        # The writer's own listing reads the primary: the entry is there at once.
        own = sources.duty.log_entries(primary=True)
        assert "续报：昆山火情已控制" in set(own["text"])
    finally:
        replay_paused(sources, False)
    shown, as_of = wait_until(
        "the entry replayed after resuming",
        lambda: (got := refresh_log(app)) and "昆山火情" in got[0] and got,
    )
    assert datetime.fromisoformat(as_of) >= before, "caught up: as fresh as the read"
