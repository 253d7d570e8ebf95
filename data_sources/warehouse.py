"""The one path to the warehouse: engine, migrations, and `Warehouse.query` / `execute`.

Every statement takes bound parameters and runs under a time limit (PostgreSQL:
`statement_timeout`; SQLite: a progress handler that interrupts the statement).

A warehouse has a write engine (`WAREHOUSE_URL`, the primary) and a read engine
(`WAREHOUSE_READ_URL`, a streaming replica; the primary when unset). `execute` and
`execute_all` always go to the primary. `query` goes to the primary too, except on the view
that `reading_from(engine)` returns: the screens' readers are built on that one, and a read
there that must see the caller's own write just made asks `query(..., primary=True)`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class WarehouseTimeout(RuntimeError):
    """A query ran past the warehouse time limit."""


def make_engine(url: str) -> Engine:
    """Create the engine for `url`; SQLite files get WAL so readers never wait on the writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_size=5,
        max_overflow=5,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5, "application_name": "smart-emergency"},
    )


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_is_current(engine: Engine) -> bool:
    """True when the warehouse is at the newest migration."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


class Warehouse:
    """All SQL of the project goes through `query` and `execute`."""

    def __init__(
        self, engine: Engine, timeout_s: float = 10.0, read_engine: Engine | None = None
    ) -> None:
        self.engine = engine  # writes, and the reads that must see them
        self.read_engine = read_engine or engine
        self.timeout_s = timeout_s
        self.dialect = engine.dialect.name

    def reading_from(self, read_engine: Engine | None) -> Warehouse:
        """This warehouse with its `query` answered by `read_engine` (a replica); writes stay
        on the primary. None: this warehouse itself."""
        if read_engine is None:
            return self
        return Warehouse(self.engine, self.timeout_s, read_engine)

    @contextmanager
    def _limited(self, conn: Connection, timeout_s: float) -> Iterator[None]:
        if self.dialect == "postgresql":
            # SET LOCAL lasts until the end of this transaction only.
            conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
            yield
            return
        raw = conn.connection.driver_connection
        deadline = time.monotonic() + timeout_s
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)

    def _run(self, engine: Engine, sql: str, params: Params, timeout_s: float | None, fetch: bool):
        timeout_s = timeout_s or self.timeout_s
        if params is not None:
            params = _checked_params(params, self.dialect)
        try:
            with engine.begin() as conn, self._limited(conn, timeout_s):
                result = conn.execute(text(sql), params if params is not None else {})
                if fetch:
                    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
                return result.rowcount
        except Exception as exc:
            if _is_timeout(exc):
                raise WarehouseTimeout(f"query ran past {timeout_s:.1f} s: {sql[:80]}") from exc
            raise

    def query(
        self,
        sql: str,
        params: Params = None,
        timeout_s: float | None = None,
        *,
        primary: bool = False,
    ) -> pd.DataFrame:
        """Run one SELECT with bound parameters; return its rows as a DataFrame.

        On the read engine, unless `primary`: a read that must see a write just made."""
        engine = self.engine if primary else self.read_engine
        return self._run(engine, sql, params, timeout_s, fetch=True)

    def execute(self, sql: str, params: Params = None, timeout_s: float | None = None) -> int:
        """Run one statement (or one per parameter set) in a transaction; return rows touched."""
        return self._run(self.engine, sql, params, timeout_s, fetch=False)

    def execute_all(
        self, steps: Sequence[tuple[str, Params]], timeout_s: float | None = None
    ) -> None:
        """Run several statements in one transaction: all of them happen, or none."""
        timeout_s = timeout_s or self.timeout_s
        try:
            with self.engine.begin() as conn, self._limited(conn, timeout_s):
                for sql, params in steps:
                    if params is not None:
                        params = _checked_params(params, self.dialect)
                    conn.execute(text(sql), params if params is not None else {})
        except Exception as exc:
            if _is_timeout(exc):
                raise WarehouseTimeout(f"transaction ran past {timeout_s:.1f} s") from exc
            raise

    def ping(self) -> None:
        """Raise unless the warehouse (and its replica, if any) answers within two seconds."""
        self.query("SELECT 1 AS ok", timeout_s=2, primary=True)
        if self.read_engine is not self.engine:
            self.query("SELECT 1 AS ok", timeout_s=2)

    def as_of(self, now: datetime) -> datetime:
        """How fresh a read of the read engine is: `now`, or on a replica that is behind the
        time of the last transaction it replayed (never later than `now`).

        A replica that has replayed all it received is as fresh as now, however long ago the
        primary's last write was."""
        if self.read_engine is self.engine or self.dialect != "postgresql":
            return now
        behind = self.query(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
            "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN NULL "
            "ELSE pg_last_xact_replay_timestamp() END AS replayed",
            timeout_s=2,
        )["replayed"].iloc[0]
        if behind is None or pd.isna(behind):
            return now
        return min(now, pd.Timestamp(behind).to_pydatetime())

    def count(self, table: str) -> int:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        return int(self.query(f"SELECT count(*) AS n FROM {table}")["n"].iloc[0])


def _utc_value(value: Any, dialect: str) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the warehouse; times must be UTC-aware")
        if dialect == "sqlite":
            # SQLite compares times as text: one fixed UTC format keeps the order right.
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    return value


def _checked_params(params: Params, dialect: str) -> Params:
    if isinstance(params, Mapping):
        return {k: _utc_value(v, dialect) for k, v in params.items()}
    return [{k: _utc_value(v, dialect) for k, v in p.items()} for p in params]


def _is_timeout(exc: Exception) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return (
        "interrupted" in message
        or "statement timeout" in message
        or "canceling statement" in message
    )


def utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Parse `columns` of a frame read from either database as UTC-aware times."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
    return frame
