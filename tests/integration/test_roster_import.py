"""Importing and exporting roster spreadsheets against a real warehouse (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
import shapely

from data_sources import rosters
from data_sources.boundaries import load_districts
from data_sources.warehouse import Warehouse, make_engine, upgrade
from tests.data.make_rosters import BAD

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def warehouse(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    wh = Warehouse(engine)
    wh.execute(
        "INSERT INTO districts (adcode, name, name_en, geojson, population) "
        "VALUES (:adcode, :name, :name_en, :geojson, 1000000)",
        [
            {
                "adcode": d.adcode,
                "name": d.name,
                "name_en": d.name_en,
                "geojson": json.dumps(shapely.geometry.mapping(d.geometry)),
            }
            for d in load_districts().itertuples()
        ],
    )
    yield wh
    engine.dispose()


def districts(wh: Warehouse) -> dict[str, str]:
    frame = wh.query("SELECT adcode, name FROM districts")
    return dict(zip(frame["adcode"], frame["name"]))


def seed_roster(wh: Warehouse) -> None:
    """What was there before: the city's 4 January (that the good file replaces) and 3rd."""
    rows = []
    for day in (date(2027, 1, 3), date(2027, 1, 4)):
        for shift, role, name, phone in (
            ("day", "leader", "旧领导", "13900000001"),
            ("day", "chief", "旧值班长", "13900000002"),
            ("night", "officer", "旧值班员", "13900000003"),
        ):
            starts, ends = rosters.shift_times(day, shift, role)
            rows.append(
                {
                    "unit": "city",
                    "duty_date": day,
                    "shift": shift,
                    "role": role,
                    "name": name,
                    "phone": phone,
                    "starts_at": starts,
                    "ends_at": ends,
                }
            )
    wh.execute(
        "INSERT INTO duty_roster (unit, duty_date, shift, role, name, phone, starts_at, ends_at) "
        "VALUES (:unit, :duty_date, :shift, :role, :name, :phone, :starts_at, :ends_at)",
        rows,
    )


def snapshot(wh: Warehouse) -> list[tuple]:
    frame = rosters.Rosters(wh).between(date(2000, 1, 1), date(2100, 1, 1))
    return sorted(
        frame[["unit", "duty_date", "shift", "role", "name", "phone"]].itertuples(
            index=False, name=None
        )
    )


def upload(wh: Warehouse, name: str) -> rosters.RosterCheck:
    return rosters.Rosters(wh).check_upload(name, (DATA / name).read_bytes(), districts(wh))


def test_a_good_roster_replaces_the_units_and_days_it_covers_and_nothing_else(warehouse):
    seed_roster(warehouse)
    check = upload(warehouse, "roster_good.xlsx")
    assert check.errors == []
    assert rosters.Rosters(warehouse).import_roster(check) == {"rows": 42, "pairs": 6, "days": 2}

    after = rosters.Rosters(warehouse).between(date(2027, 1, 3), date(2027, 1, 5))
    city_4th = after[(after["unit"] == "city") & (after["duty_date"] == date(2027, 1, 4))]
    assert len(city_4th) == 7 and "旧领导" not in set(city_4th["name"])
    city_3rd = after[(after["unit"] == "city") & (after["duty_date"] == date(2027, 1, 3))]
    assert sorted(city_3rd["name"]) == ["旧值班员", "旧值班长", "旧领导"]  # not in the file
    leader = city_4th[city_4th["role"] == "leader"].iloc[0]
    assert leader["starts_at"] == datetime(2027, 1, 4, 0, 30, tzinfo=UTC)

    # Importing the same file again replaces, it does not add.
    rosters.Rosters(warehouse).import_roster(upload(warehouse, "roster_good.xlsx"))
    assert len(rosters.Rosters(warehouse).between(date(2027, 1, 4), date(2027, 1, 5))) == 42


def test_the_good_csv_imports_too(warehouse):
    check = upload(warehouse, "roster_good.csv")
    assert check.errors == []
    rosters.Rosters(warehouse).import_roster(check)
    frame = rosters.Rosters(warehouse).between(date(2027, 1, 6), date(2027, 1, 7))
    assert len(frame) == 42
    assert set(frame["unit"]) == {"city", "320508", "320509"}


def test_a_bad_roster_names_every_bad_row_and_changes_nothing(warehouse):
    seed_roster(warehouse)
    rosters.Rosters(warehouse).import_roster(upload(warehouse, "roster_good.xlsx"))
    before = snapshot(warehouse)

    check = upload(warehouse, "roster_bad.xlsx")
    assert [(e.row, e.field) for e in check.errors] == sorted(BAD.items())
    with pytest.raises(ValueError):
        rosters.Rosters(warehouse).import_roster(check)
    assert snapshot(warehouse) == before


def test_an_overlap_with_a_shift_the_import_keeps_is_found(warehouse):
    seed_roster(warehouse)  # 旧值班员 works the city's night of 3 January until 08:30 on the 4th
    content = (
        "日期,班次,岗位,姓名,电话,单位\n2027-01-03,白班,带班领导,旧值班员,13900000003,昆山市\n"
    ).encode()
    check = rosters.Rosters(warehouse).check_upload("r.csv", content, districts(warehouse))
    assert [(e.row, e.field) for e in check.errors] == [(2, "shift")]
    # ...but a shift the file itself replaces does not count: the city's 4th is rewritten.
    content = (
        "日期,班次,岗位,姓名,电话,单位\n2027-01-04,夜班,值班员,旧值班长,13900000002,市局\n"
        "2027-01-04,白班,值班长,新值班长,13900000009,市局\n"
    ).encode()
    assert rosters.Rosters(warehouse).check_upload("r.csv", content, districts(warehouse)).ok


def test_the_import_is_one_transaction(warehouse):
    seed_roster(warehouse)
    before = snapshot(warehouse)
    check = upload(warehouse, "roster_good.xlsx")
    # A row the database refuses (no name) after the deletes: all of it must roll back.
    check.rows["name"] = check.rows["name"].astype(object)
    check.rows.loc[len(check.rows) - 1, "name"] = None
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError
        rosters.Rosters(warehouse).import_roster(check)
    assert snapshot(warehouse) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_of_a_date_range_imports_back_unchanged(warehouse, fmt):
    seed_roster(warehouse)
    rosters.Rosters(warehouse).import_roster(upload(warehouse, "roster_good.xlsx"))
    frame = rosters.Rosters(warehouse).between(date(2027, 1, 4), date(2027, 1, 5))
    content = rosters.export_roster(frame, districts(warehouse), fmt)
    before = snapshot(warehouse)
    check = rosters.Rosters(warehouse).check_upload(f"export.{fmt}", content, districts(warehouse))
    assert check.errors == [] and len(check.rows) == 42
    rosters.Rosters(warehouse).import_roster(check)
    assert snapshot(warehouse) == before
    assert isinstance(frame, pd.DataFrame)
