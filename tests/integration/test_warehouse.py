"""The one path to the warehouse, on a real SQLite file and on the real PostgreSQL server:
migrations, bound parameters, the time limit, transactions, UTC times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import inspect

from data_sources.warehouse import (
    Warehouse,
    WarehouseTimeout,
    make_engine,
    schema_is_current,
    upgrade,
)
from tests.helpers import seed_minimal_registry

TABLES = {
    "districts",
    "source_systems",
    "chemical_parks",
    "enterprises",
    "hazard_sources",
    "sensors",
    "rescue_teams",
    "depots",
    "depot_stock",
    "shelters",
    "experts",
    "sensitive_targets",
    "duty_roster",
    "duty_log",
    "incidents",
    "incident_timeline",
    "alarm_history",
    "reading_history",
}

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine, timeout_s=10)
    engine.dispose()


def test_upgrade_creates_every_table_and_is_idempotent(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    try:
        assert not schema_is_current(engine)
        upgrade(engine)
        upgrade(engine)
        assert schema_is_current(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
        wh = Warehouse(engine)
        # Still one revision row after two upgrades, and the tables are usable.
        assert wh.query("SELECT count(*) AS n FROM alembic_version")["n"].iloc[0] == 1
        assert wh.count("districts") == 0
    finally:
        engine.dispose()


def test_query_binds_parameters_and_returns_a_dataframe(warehouse: Warehouse) -> None:
    seed_minimal_registry(warehouse)
    frame = warehouse.query(
        "SELECT id, kind, high FROM sensors WHERE hazard_source_id = :hs AND kind = :kind",
        {"hs": "H0001", "kind": "gas_lel"},
    )
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["id", "kind", "high"]
    assert frame.to_dict("records") == [{"id": "H0001-G1", "kind": "gas_lel", "high": 20.0}]
    # A value that would break SQL if pasted into it is just a value.
    hostile = "x' OR '1'='1"
    assert warehouse.query("SELECT id FROM sensors WHERE id = :id", {"id": hostile}).empty
    assert warehouse.count("sensors") == 3


def test_an_empty_result_keeps_its_columns(warehouse: Warehouse) -> None:
    frame = warehouse.query("SELECT id, name FROM enterprises WHERE id = :id", {"id": "none"})
    assert frame.empty and list(frame.columns) == ["id", "name"]


def test_count_refuses_a_table_name_that_is_not_an_identifier(warehouse: Warehouse) -> None:
    with pytest.raises(ValueError):
        warehouse.count("sensors; DROP TABLE sensors")
    assert warehouse.count("sensors") == 0


def _slow_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "SELECT pg_sleep(2) AS slept"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
        "SELECT count(*) AS c FROM n"
    )


def test_a_query_past_the_time_limit_raises_warehouse_timeout(warehouse: Warehouse) -> None:
    started = datetime.now(UTC)
    with pytest.raises(WarehouseTimeout):
        warehouse.query(_slow_sql(warehouse.dialect), timeout_s=0.3)
    assert datetime.now(UTC) - started < timedelta(seconds=1.5)
    # The limit was for that statement only: the next one runs normally.
    assert warehouse.query("SELECT 1 AS ok")["ok"].iloc[0] == 1


def test_the_default_time_limit_applies_when_none_is_given(warehouse_url: str) -> None:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    try:
        wh = Warehouse(engine, timeout_s=0.3)
        with pytest.raises(WarehouseTimeout):
            wh.query(_slow_sql(wh.dialect))
    finally:
        engine.dispose()


def test_execute_all_is_atomic(warehouse: Warehouse) -> None:
    seed_minimal_registry(warehouse)
    insert = (
        "INSERT INTO duty_log (unit, at, author, category, text) "
        "VALUES (:unit, :at, :author, :category, :text)"
    )
    row = {
        "unit": "city",
        "at": datetime.now(UTC),
        "author": "值班员",
        "category": "check",
        "text": "交接班",
    }
    with pytest.raises(Exception):
        warehouse.execute_all(
            [
                (insert, row),
                # Violates the foreign key to districts: the whole transaction must go.
                (
                    "INSERT INTO experts (id, name, specialty, organisation, title, phone, "
                    "district) VALUES ('X1', '李明', '化工', '苏州大学', '教授', '1', '999999')",
                    None,
                ),
            ]
        )
    assert warehouse.count("duty_log") == 0
    warehouse.execute_all([(insert, row), (insert, row | {"text": "巡查"})])
    assert warehouse.count("duty_log") == 2


def test_execute_with_a_list_of_parameter_sets_inserts_every_row(warehouse: Warehouse) -> None:
    seed_minimal_registry(warehouse)
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    rows = [{"s": "H0001-L1", "ts": t0 + timedelta(seconds=i), "v": float(i)} for i in range(50)]
    warehouse.execute(
        "INSERT INTO reading_history (sensor_id, ts, value) VALUES (:s, :ts, :v)", rows
    )
    assert warehouse.count("reading_history") == 50


def test_a_naive_datetime_is_refused(warehouse: Warehouse) -> None:
    """A time without a zone is ambiguous: SQLite would store it as it is, PostgreSQL would
    read it in the server's TimeZone (Asia/Shanghai on many Chinese servers: 8 h off)."""
    insert = (
        "INSERT INTO duty_log (unit, at, author, category, text) "
        "VALUES ('city', :at, 'a', 'c', 't')"
    )
    naive = datetime(2026, 5, 1, 8, 0)
    with pytest.raises(ValueError, match="naive"):
        warehouse.execute(insert, {"at": naive})
    with pytest.raises(ValueError, match="naive"):
        warehouse.execute_all(
            [(insert, {"at": datetime(2026, 5, 1, tzinfo=UTC)}), (insert, {"at": naive})]
        )
    assert warehouse.count("duty_log") == 0


def test_utc_times_round_trip_in_time_order(warehouse: Warehouse) -> None:
    # Given in mixed offsets: as text, "07:00+08:00" sorts after "00:30+00:00" although it
    # is earlier (23:00 UTC the day before). The warehouse must order by the instant.
    times = [
        datetime(2026, 5, 1, 7, 0, tzinfo=SHANGHAI),  # 2026-04-30 23:00 UTC
        datetime(2026, 5, 1, 0, 30, tzinfo=UTC),
        datetime(2026, 5, 1, 8, 45, 0, 123456, tzinfo=SHANGHAI),  # 00:45:00.123456 UTC
        datetime(2026, 5, 1, 0, 45, tzinfo=UTC),
        datetime(2026, 4, 30, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    warehouse.execute(
        "INSERT INTO duty_log (unit, at, author, category, text) "
        "VALUES ('city', :at, 'a', 'c', :text)",
        [{"at": t, "text": str(i)} for i, t in enumerate(times)],
    )
    frame = warehouse.query("SELECT text, at FROM duty_log ORDER BY at")
    got = pd.to_datetime(frame["at"], utc=True, format="mixed")
    expected = sorted(times)
    assert [ts.to_pydatetime() for ts in got] == [t.astimezone(UTC) for t in expected]
    assert list(frame["text"]) == [str(times.index(t)) for t in expected]

    # Range filters with bound aware datetimes compare instants too.
    since = datetime(2026, 5, 1, 8, 30, tzinfo=SHANGHAI)  # 00:30 UTC
    inside = warehouse.query(
        "SELECT text FROM duty_log WHERE at >= :since ORDER BY at", {"since": since}
    )
    assert list(inside["text"]) == ["1", "3", "2"]
