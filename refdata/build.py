"""Write the generated picture of Suzhou into the warehouse.

    python -m refdata.build [--if-missing] [--replace] [--seed N]

Reads WAREHOUSE_URL (or the SQLite file under DATA_DIR) from the settings, brings the schema
to the newest migration, then writes every table of `refdata.generate` in dependency order.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import make_url

from data_sources.boundaries import load_districts
from data_sources.warehouse import Warehouse, make_engine, upgrade
from refdata.generate import SEED, TABLES, generate
from settings import Settings, SettingsError

CHUNK_ROWS = 5000
# Inserting a chunk or deleting a table of history can take longer than a panel's query.
STATEMENT_TIMEOUT_S = 120.0
# Their ids are the database's to assign (PostgreSQL identity sequences must stay in step).
AUTOINCREMENT = {"duty_roster", "duty_log", "duty_handover", "incident_timeline"}


class AlreadyBuilt(RuntimeError):
    """The warehouse already holds reference data and replacing it was not asked for."""


def is_built(warehouse: Warehouse) -> bool:
    return warehouse.count("districts") > 0


def build(
    warehouse: Warehouse,
    seed: int = SEED,
    today: date | None = None,
    *,
    now: datetime | None = None,
    replace: bool = False,
) -> dict[str, int]:
    """Generate the reference data and write it; return the rows written per table.

    Refuses (AlreadyBuilt) when districts has rows, unless `replace`, which first deletes every
    reference and history table. A failure part-way deletes what was written, so the warehouse
    is never left half built.
    """
    if is_built(warehouse):
        if not replace:
            raise AlreadyBuilt("the warehouse already holds reference data (use replace=True)")
        clear(warehouse)
    frames = generate(load_districts(), seed=seed, today=today, now=now)
    counts: dict[str, int] = {}
    try:
        for table in TABLES:
            counts[table] = _insert(warehouse, table, frames[table])
    except BaseException:
        clear(warehouse)
        raise
    return counts


def clear(warehouse: Warehouse) -> None:
    """Delete the rows of every table `build` writes, dependants first."""
    for table in reversed(TABLES):
        warehouse.execute(f"DELETE FROM {table}", timeout_s=STATEMENT_TIMEOUT_S)
    # Filled by a trigger from reading_history (migration 0012), so not one of TABLES.
    warehouse.execute("DELETE FROM reading_rollups", timeout_s=STATEMENT_TIMEOUT_S)


def _insert(warehouse: Warehouse, table: str, frame: pd.DataFrame) -> int:
    if table in AUTOINCREMENT:
        frame = frame.drop(columns="id")
    columns = list(frame.columns)
    # Quoted: some column names (at, count, text, level) are SQL keywords.
    names = ", ".join(f'"{c}"' for c in columns)
    params = ", ".join(f":{c}" for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({params})"
    records = _records(frame)
    for start in range(0, len(records), CHUNK_ROWS):
        warehouse.execute(sql, records[start : start + CHUNK_ROWS], timeout_s=STATEMENT_TIMEOUT_S)
    return len(records)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values: None for missing, tz-aware datetimes for times."""
    columns = list(frame.columns)
    values = [_plain(frame[column]) for column in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _plain(column: pd.Series) -> np.ndarray:
    """The column as Python objects (int, float, bool, str, date, datetime) with None for missing."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        values = column.array.to_pydatetime()  # tz-aware datetime.datetime, vectorised
    elif pd.api.types.is_datetime64_dtype(column.dtype):
        raise ValueError(f"column {column.name} holds naive datetimes; the warehouse stores UTC")
    else:
        # object dtype turns numpy scalars into Python ones.
        values = column.to_numpy(dtype=object)
    return np.where(column.isna().to_numpy(), None, values)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m refdata.build",
        description="Write the generated Suzhou reference data and history into the warehouse.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--if-missing", action="store_true", help="do nothing when the warehouse already has data"
    )
    mode.add_argument(
        "--replace", action="store_true", help="delete the existing data and build it again"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)

    try:
        settings = Settings.load()
    except SettingsError as exc:
        print(f"refdata.build: {exc}", file=sys.stderr)
        return 2
    where = make_url(settings.warehouse_url).render_as_string(hide_password=True)
    engine = make_engine(settings.warehouse_url)
    try:
        upgrade(engine)
        warehouse = Warehouse(engine, timeout_s=settings.SQL_TIMEOUT_S)
        if is_built(warehouse) and not args.replace:
            if args.if_missing:
                print(f"refdata.build: reference data already in {where}; nothing to do")
                return 0
            print(
                f"refdata.build: {where} already holds reference data; use --replace to "
                "rebuild it or --if-missing to keep it",
                file=sys.stderr,
            )
            return 1
        started = time.monotonic()
        counts = build(warehouse, seed=args.seed, replace=args.replace)
        elapsed = time.monotonic() - started
    finally:
        engine.dispose()
    width = max(map(len, counts))
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n:>8,}")
    print(f"refdata.build: wrote {sum(counts.values()):,} rows to {where} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
