"""Database pull: a legacy system's own alarm table, read incrementally into the ingest service.

Each cycle reads the rows after the stored watermark (in watermark order, at most `batch`),
maps each to an alarm by the declared columns, validates and applies it through
`connectors.deliver` (the path of `POST /api/v1/alarms`), and only then commits the
watermark of the last row to the warehouse (`connector_state`). A crash between the ingest
calls and the commit replays the batch: the alarm id is the idempotency key, so a replayed
row is a duplicate, never a second alarm. A row that cannot be mapped or is refused goes to
the quarantine and the pull goes on; an outage (Redis, the warehouse, the legacy database)
commits what was done and retries later.

Time watermarks order by (time, tiebreak): rows with equal times are taken in tiebreak
order and none is skipped when a batch ends among them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

import ops
from connectors.config import ConfigError, DbPullConfig
from connectors.deliver import Refused, deliver, transient
from data_sources import Sources, connector_status, quarantine, watermarks
from system_health import BEHIND_CAP

log = logging.getLogger(__name__)
CHANNEL = "dbpull"
RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)


def source_engine(config: DbPullConfig) -> Engine:
    """An engine on the legacy database, with a time limit on every read."""
    url = make_url(config.url)
    connect_args: dict[str, Any] = {}
    if url.get_driver_name() == "pymysql":
        # PyMySQL's read timeout bounds each statement; the connect timeout a dead host.
        connect_args = {"connect_timeout": 5, "read_timeout": int(config.timeout_s) or 1}
    elif url.get_backend_name() == "postgresql":
        ms = int(config.timeout_s * 1000)
        connect_args = {"connect_timeout": 5, "options": f"-c statement_timeout={ms}"}
    return create_engine(
        url, pool_pre_ping=True, pool_size=1, max_overflow=0, connect_args=connect_args
    )


def _plain(value: Any) -> Any:
    """A database value as JSON data."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(422, "a column holds bytes that are not UTF-8 text") from None
    return value


class DbPull:
    """Pulls one system's alarm rows; `run_once` is one batch, `run_forever` the loop."""

    def __init__(self, sources: Sources, config: DbPullConfig, engine: Engine | None = None):
        self.sources = sources
        self.config = config
        self.engine = engine or source_engine(config)
        self.zone = ZoneInfo(config.timezone)
        self._checked = False

    # --- the legacy side ---------------------------------------------------------------

    def _q(self, name: str) -> str:
        quote = self.engine.dialect.identifier_preparer.quote
        return ".".join(quote(part) for part in name.split("."))

    def _select(self, mark: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        c = self.config
        base = self._q(c.table) if c.table else f"({c.query}) AS se_src"
        wm = self._q(c.watermark)
        order = wm
        where, params = "", {"limit": c.batch}
        if c.watermark_kind == "time":
            tb = self._q(c.tiebreak or c.columns["id"])
            order = f"{wm}, {tb}"
            if mark is not None:
                params["t"] = _time_value(mark)
                if mark.get("tiebreak") is None:
                    where = f"WHERE {wm} > :t"
                else:
                    params["tb"] = mark["tiebreak"]
                    where = f"WHERE ({wm} > :t OR ({wm} = :t AND {tb} > :tb))"
        elif mark is not None:
            params["wm"] = mark["id"]
            where = f"WHERE {wm} > :wm"
        return f"SELECT * FROM {base} {where} ORDER BY {order} LIMIT :limit", params

    def fetch(self, mark: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The next batch of rows after `mark`, in watermark order."""
        sql, params = self._select(mark)
        with self.engine.connect() as conn:
            result = conn.execute(text(sql), params)
            names = list(result.keys())
            rows = [dict(r) for r in result.mappings().all()]
        if not self._checked:
            needed = {*self.config.columns.values(), *self.config.detail, self.config.watermark}
            if self.config.tiebreak:
                needed.add(self.config.tiebreak)
            missing = sorted(needed - set(names))
            if missing:
                raise ConfigError(
                    f"dbpull.{self.config.system}: the table has no column {missing[0]!r} "
                    f"(it has: {', '.join(names)})"
                )
            self._checked = True
        return rows

    def mark_of(self, row: dict[str, Any]) -> dict[str, Any]:
        """The watermark just past `row`."""
        c = self.config
        if c.watermark_kind == "time":
            value = row[c.watermark]
            kind = "datetime" if isinstance(value, datetime) else "text"
            return {
                "time": value.isoformat() if isinstance(value, datetime) else str(value),
                "type": kind,
                "tiebreak": _plain(row[c.tiebreak or c.columns["id"]]),
            }
        return {"id": _plain(row[c.watermark])}

    def initial(self) -> dict[str, Any] | None:
        """Where a connector that never committed starts: `start_after`, or the beginning."""
        start = self.config.start_after
        if start is None:
            return None
        if self.config.watermark_kind == "time":
            return {"time": str(start), "type": "datetime", "tiebreak": None}
        return {"id": start}

    # --- our side ------------------------------------------------------------------------

    def alarm(self, row: dict[str, Any]) -> dict[str, Any]:
        """The alarm `row` declares, as the JSON an upstream system would POST."""
        c = self.config
        data: dict[str, Any] = {"source": c.system, "crs": c.crs}
        for name, value in c.constants.items():
            data[name] = value
        for name, column in c.columns.items():
            value = row[column]
            if value is None:
                if name in ("lon", "lat", "site_id"):
                    continue
                raise Refused(422, f"{name}: column {column!r} is empty", name)
            if name in c.values:
                mapped = c.values[name].get(str(_plain(value)))
                if mapped is None:
                    raise Refused(
                        422,
                        f"{name}: value {_plain(value)!r} of column {column!r} has no mapping",
                        name,
                    )
                value = mapped
            if name == "id":
                value = f"{c.prefix}{_plain(value)}"
            elif name == "occurred_at":
                value = self._time(value, column)
            elif name in ("lon", "lat"):
                value = float(value) if isinstance(value, Decimal) else value
            elif not isinstance(value, str):
                value = str(_plain(value))  # a numeric category or title is its text
            data[name] = value
        if c.detail:
            data["detail"] = {column: _plain(row[column]) for column in c.detail}
        return data

    def _time(self, value: Any, column: str) -> str:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise Refused(
                    422, f"occurred_at: column {column!r} is not a time: {value!r}"[:200]
                ) from None
        if not isinstance(value, datetime):
            raise Refused(
                422, f"occurred_at: column {column!r} holds {type(value).__name__}, not a time"
            )
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.isoformat()

    def take(self, row: dict[str, Any]) -> str:
        """Apply one row; return its outcome. Refused rows are quarantined ("quarantined")."""
        try:
            return deliver(self.sources, self.config.system, "alarms", self.alarm(row))
        except Exception as exc:
            if transient(exc):
                raise
            if isinstance(exc, Refused):
                error = str(exc)
            else:
                log.exception("dbpull %s: row failed", self.config.system)
                error = f"500 {type(exc).__name__}: {exc}"[:500]
        ops.reject(self.sources, self.config.system, "quarantined")
        quarantine.put(
            self.sources.warehouse,
            source=self.config.system,
            channel=CHANNEL,
            raw=json.dumps(row, ensure_ascii=False, default=str),
            error=error,
            ref=self._ref(row),
        )
        return "quarantined"

    def _ref(self, row: dict[str, Any]) -> str:
        # A replayed batch quarantines a bad row once; a later change of it is a new entry.
        mark = self.mark_of(row)
        return f"{self.config.system}:{row[self.config.columns['id']]}@{mark.get('time', '')}"[:200]

    def run_once(self) -> Counter[str]:
        """Take one batch; return outcome counts (and "rows")."""
        name = self.config.name
        mark = watermarks.get(self.sources.warehouse, name) or self.initial()
        rows = self.fetch(mark)
        counts: Counter[str] = Counter(rows=len(rows))
        done = mark
        for row in rows:
            try:
                outcome = self.take(row)
            except Exception:
                # An outage: keep what was taken before it, retry the rest later.
                if done != mark:
                    watermarks.put(self.sources.warehouse, name, done)
                raise
            counts[outcome] += 1
            ops.count(
                "se_connector_messages_total",
                system=self.config.system,
                connector=CHANNEL,
                outcome=outcome,
            )
            done = self.mark_of(row)
        if done != mark:
            watermarks.put(self.sources.warehouse, name, done)
        self._report(done, moved=done != mark)
        return counts

    def behind(self, mark: dict[str, Any] | None) -> int:
        """Rows after `mark` (at most BEHIND_CAP are counted)."""
        sql, params = self._select(mark)
        params["limit"] = BEHIND_CAP
        with self.engine.connect() as conn:
            return int(
                conn.execute(text(f"SELECT COUNT(*) FROM ({sql}) AS se_behind"), params).scalar()
            )

    def _report(self, mark: dict[str, Any] | None, moved: bool) -> None:
        # Connector lag for /governance; a failure to say so never stops the pull.
        try:
            fields: dict[str, Any] = {"watermark": mark, "behind": self.behind(mark)}
            fields["pulled_at"] = time.time()
            if moved:
                fields["advanced_at"] = fields["pulled_at"]
            if mark and mark.get("type") == "datetime":
                when = datetime.fromisoformat(mark["time"])
                if when.tzinfo is None:
                    when = when.replace(tzinfo=self.zone)
                fields["watermark_epoch"] = when.timestamp()
            connector_status.report(
                self.sources, self.config.name, self.config.system, CHANNEL, **fields
            )
        except Exception:  # noqa: BLE001 - lag is a figure, not the pull
            log.warning("dbpull %s: could not report its lag", self.config.system, exc_info=True)

    def run_forever(self, stop: threading.Event) -> None:
        """Pull until `stop` is set: back to back while there is a backlog, else every poll_s."""
        failures = 0
        log.info("dbpull %s: pulling %s", self.config.system, self.config.table or "its query")
        while not stop.is_set():
            try:
                counts = self.run_once()
            except Exception as exc:  # noqa: BLE001 - the loop outlives any one failure
                wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                log.warning("dbpull %s: %s; retrying in %.0f s", self.config.system, exc, wait)
                stop.wait(wait)
                continue
            failures = 0
            if counts["rows"]:
                log.info("dbpull %s: %s", self.config.system, dict(counts))
            if counts["rows"] < self.config.batch:
                stop.wait(self.config.poll_s)
        self.engine.dispose()
        log.info("dbpull %s: stopped", self.config.system)


def _time_value(mark: dict[str, Any]) -> Any:
    if mark.get("type") == "datetime":
        return datetime.fromisoformat(mark["time"])
    return mark["time"]
