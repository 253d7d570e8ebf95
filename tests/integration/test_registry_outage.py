"""Readings ingest through a real PostgreSQL outage: once the sensor registry's minute of
cache has run out, the last copy (this worker's, or Redis's for another worker) is served;
never a 500. With no copy anywhere the answer is 503, and the warehouse back means fresh
registry data again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _admin_conninfo
from tests.helpers import seed_minimal_registry, sources_of

pytestmark = pytest.mark.redis

TOKEN = "r" * 20
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def warehouse_connections(pg_url: str, allow: bool) -> None:
    """Let the app's database accept connections again, or refuse them and cut the open ones."""
    name = make_url(pg_url).database
    with psycopg.connect(_admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


def batch(*sensor_ids: str) -> list[dict]:
    t = datetime.now(UTC) - timedelta(minutes=1)
    return [{"sensor_id": s, "ts": t.isoformat(), "value": 1.5} for s in sensor_ids]


def post(client, body) -> object:  # noqa: ANN001
    return client.post("/api/v1/readings", json=body, headers=AUTH)


def test_readings_are_accepted_from_the_registry_copy_while_postgresql_is_gone(
    make_app, redis_url: str, pg_url: str
) -> None:
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=pg_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    sources = sources_of(app)
    seed_minimal_registry(sources.warehouse)
    client = app.server.test_client()
    assert post(client, batch("H0001-L1")).status_code == 202
    r = sources.redis
    # A second worker that has not read the registry yet.
    other = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=pg_url, INGEST_TOKENS=f"hazchem:{TOKEN}")

    warehouse_connections(pg_url, allow=False)
    try:
        with pytest.raises(Exception, match="not currently accepting connections"):
            sources.warehouse.ping()
        r.delete("se:cache:sensors")  # the minute of cache ran out during the outage
        response = post(client, batch("H0001-L1", "H0001-T1"))
        assert response.status_code == 202, response.get_data(as_text=True)
        # The copy still knows which sensors exist: an unknown one is refused as before.
        response = post(client, batch("H0001-L1", "NO-SUCH-SENSOR"))
        assert response.status_code == 422 and "NO-SUCH-SENSOR" in response.get_json()["error"]

        # The other worker holds no copy of its own: Redis has one.
        r.delete("se:cache:sensors")
        other_client = other.server.test_client()
        assert post(other_client, batch("H0001-T1")).status_code == 202
        # Nothing anywhere (Redis lost its copy too): 503, retry later; never a 500.
        r.delete("se:cache:sensors", "se:cache:sensors:stale")
        sources_of(other).registry._stale._last.clear()
        response = post(other_client, batch("H0001-T1"))
        assert response.status_code == 503, response.get_data(as_text=True)
        assert "registry" in response.get_json()["error"]
    finally:
        warehouse_connections(pg_url, allow=True)

    # Back: a sensor added meanwhile is known once the cache runs out.
    sources.warehouse.execute(
        "INSERT INTO sensors (id, hazard_source_id, kind, name, unit, normal) "
        "SELECT 'H0001-NEW', hazard_source_id, kind, name, unit, normal FROM sensors "
        "WHERE id = 'H0001-L1'"
    )
    r.delete("se:cache:sensors")
    assert post(client, batch("H0001-NEW")).status_code == 202
    frame = sources.readings.latest()
    assert set(frame["sensor_id"]) == {"H0001-L1", "H0001-T1", "H0001-NEW"}
