"""Building the generated Suzhou reference data into a real warehouse: a SQLite file and the
real PostgreSQL server (refdata/build.py)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect

from data_sources.boundaries import load_districts
from data_sources.incidents import Incidents
from data_sources.registry import Registry
from data_sources.rosters import Rosters
from data_sources.warehouse import Warehouse, make_engine, upgrade
from refdata import build as build_module
from refdata.build import AlreadyBuilt, build, main
from refdata.generate import TABLES, generate

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return generate(load_districts(), today=TODAY)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


def counts(warehouse: Warehouse) -> dict[str, int]:
    return {table: warehouse.count(table) for table in TABLES}


def test_build_writes_every_table_readably_and_never_twice(
    warehouse: Warehouse, warehouse_url: str, frames, monkeypatch, capsys
):
    expected = {table: len(frame) for table, frame in frames.items()}
    assert build(warehouse, today=TODAY) == expected
    assert counts(warehouse) == expected
    assert_reads_back(warehouse, frames)

    with pytest.raises(AlreadyBuilt):
        build(warehouse, today=TODAY)
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    assert main(["--if-missing"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main([]) == 1
    assert "--replace" in capsys.readouterr().err
    assert counts(warehouse) == expected

    assert build(warehouse, today=TODAY, replace=True) == expected
    assert counts(warehouse) == expected


def assert_reads_back(warehouse: Warehouse, frames: dict[str, pd.DataFrame]) -> None:
    """What the screens read through the registry is what was generated."""
    registry = Registry(warehouse)
    roster = Rosters(warehouse).on_day(TODAY)
    assert set(roster["unit"]) == {"city", *frames["districts"]["adcode"]}
    expected = frames["duty_roster"].query("duty_date == @TODAY")
    assert sorted(roster["starts_at"]) == sorted(expected["starts_at"])

    sensors = registry.sensors()
    assert sensors["low"].isna().sum() == frames["sensors"]["low"].isna().sum()
    assert math.isclose(sensors["high"].sum(), frames["sensors"]["high"].sum())
    assert len(registry.enterprises(hazchem_only=True)) == frames["enterprises"]["hazchem"].sum()
    assert (
        len(Incidents(warehouse).listed("open")) == (frames["incidents"]["status"] == "open").sum()
    )
    stock = frames["depot_stock"]
    short = (stock["quantity"] < stock["min_quantity"]).sum()
    assert registry.depots()["short_items"].sum() == short

    alarm = frames["alarm_history"].iloc[-1]
    stored = warehouse.query(
        "SELECT occurred_at, detail, count FROM alarm_history WHERE id = :id", {"id": alarm["id"]}
    ).iloc[0]
    assert pd.to_datetime(stored["occurred_at"], utc=True) == alarm["occurred_at"]
    assert stored["detail"] == alarm["detail"]
    assert int(stored["count"]) == alarm["count"]


def test_frames_have_the_columns_of_the_tables(warehouse: Warehouse, frames):
    columns = inspect(warehouse.engine)
    for table, frame in frames.items():
        stored = {c["name"]: c for c in columns.get_columns(table)}
        assert set(frame.columns) <= set(stored), table
        for name in set(stored) - set(frame.columns):
            # Columns of later migrations have defaults or may stay empty.
            assert stored[name]["nullable"] or stored[name]["default"] is not None, (table, name)


def test_a_failed_build_leaves_nothing_behind(sqlite_url: str, monkeypatch):
    engine = make_engine(sqlite_url)
    upgrade(engine)
    warehouse = Warehouse(engine)
    insert = build_module._insert

    def failing(warehouse, table, frame):
        if table == "incidents":
            raise RuntimeError("disk full")
        return insert(warehouse, table, frame)

    monkeypatch.setattr(build_module, "_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        build(warehouse, today=TODAY)
    assert set(counts(warehouse).values()) == {0}
    engine.dispose()


def test_cli_builds_the_embedded_warehouse_when_missing(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    assert main(["--if-missing"]) == 0
    out = capsys.readouterr().out
    assert "enterprises" in out and "reading_history" in out and " s\n" in out
    assert (tmp_path / "var" / "warehouse.sqlite").is_file()
    assert main(["--if-missing"]) == 0
    assert "nothing to do" in capsys.readouterr().out
