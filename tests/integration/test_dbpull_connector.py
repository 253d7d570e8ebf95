"""The database-pull connector against the real MariaDB (a legacy alarm table of its own
database), the real Redis and a real warehouse: each row stored once across a crash before
the watermark commit and across restarts; equal update times never skip or double a row;
bad rows quarantined while the pull goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from archiver import Archiver
from connectors.config import DbPullConfig, dbpull_config
from connectors.dbpull import DbPull
from data_sources import Sources, keys, quarantine, watermarks
from ingest import service
from settings import ROOT
from tests.connector_helpers import wait_for, write_config

pytestmark = [pytest.mark.redis, pytest.mark.mariadb]

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEGACY_TABLE = """
CREATE TABLE alarm_record (
  rec_id INT AUTO_INCREMENT PRIMARY KEY,
  grade TINYINT,
  type_name VARCHAR(32),
  title VARCHAR(200),
  happen_time DATETIME,
  lng DECIMAL(10, 6),
  lat DECIMAL(10, 6),
  address VARCHAR(200),
  updated_at DATETIME(3) NOT NULL
) CHARACTER SET utf8mb4
"""
MAPPING = {
    "columns": {
        "id": "rec_id",
        "level": "grade",
        "category": "type_name",
        "title": "title",
        "occurred_at": "happen_time",
        "lon": "lng",
        "lat": "lat",
    },
    "values": {"level": {"1": "red", "2": "orange", "3": "yellow", "4": "blue"}},
    "detail": ["address"],
    "timezone": "Asia/Shanghai",
}


class Crash(BaseException):
    """The connector process dies at this point (nothing of it runs on)."""


@pytest.fixture
def legacy(mariadb_url: str) -> Iterator[Engine]:
    engine = create_engine(mariadb_url)
    with engine.begin() as conn:
        conn.execute(text(LEGACY_TABLE))
    yield engine
    engine.dispose()


def shanghai_now(delta: timedelta = timedelta(0)) -> datetime:
    """Now in Asia/Shanghai as the naive DATETIME a legacy system writes."""
    return (datetime.now(SHANGHAI) + delta).replace(tzinfo=None, microsecond=0)


def insert(legacy: Engine, n: int, **fields: Any) -> None:
    """`n` good rows, each at another place (no merge); `fields` override columns."""
    with legacy.begin() as conn:
        start = conn.execute(text("SELECT COALESCE(MAX(rec_id), 0) FROM alarm_record")).scalar()
        rows = []
        for i in range(start + 1, start + n + 1):
            row = {
                "grade": 1 + i % 4,
                "type_name": "火灾",
                "title": f"测试警情 {i}",
                "happen_time": shanghai_now(timedelta(minutes=-10)),
                "lng": 120.55 + 0.002 * i,
                "lat": 31.30,
                "address": f"姑苏区测试路 {i} 号",
                "updated_at": shanghai_now(),
            } | fields
            rows.append(row)
        conn.execute(
            text(
                "INSERT INTO alarm_record (grade, type_name, title, happen_time, lng, lat, "
                "address, updated_at) VALUES (:grade, :type_name, :title, :happen_time, :lng, "
                ":lat, :address, :updated_at)"
            ),
            rows,
        )


def config(url: str, **options: Any) -> DbPullConfig:
    return dbpull_config(
        "emergency",
        {"url": url, "table": "alarm_record", "watermark": "rec_id"} | MAPPING | options,
    )


def pull_all(pull: DbPull) -> dict[str, int]:
    """Run batches until one finds nothing; add up the outcomes."""
    total: dict[str, int] = {}
    for _ in range(100):
        counts = pull.run_once()
        for name, n in counts.items():
            total[name] = total.get(name, 0) + n
        if counts["rows"] == 0:
            return total
    raise AssertionError("still pulling after 100 batches")


def drain(sources: Sources) -> None:
    arch = Archiver(sources, consumer="test", block_ms=10, claim_every_s=0, retention_days=0)
    for _ in range(50):
        if not arch.run_once().get("alarm_changes"):
            return
    raise AssertionError("the archiver is still busy after 50 cycles")


def stored_ids(sources: Sources) -> list[str]:
    return sorted(sources.alarms.active(limit=10_000)["id"])


# --- 1. mapping --------------------------------------------------------------------------


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_rows_of_a_legacy_table_become_alarms_by_the_declared_mapping(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    happened = shanghai_now(timedelta(minutes=-30))
    insert(legacy, 1, grade=1, happen_time=happened, lng=120.62, lat=31.31)
    pull = DbPull(sources, config(mariadb_url))
    assert pull_all(pull) == {"rows": 1, "new": 1}

    alarm = sources.alarms.get("emergency-1")
    assert (alarm["source"], alarm["level"], alarm["category"]) == ("emergency", "red", "火灾")
    assert alarm["title"] == "测试警情 1"
    assert alarm["detail"] == {"address": "姑苏区测试路 1 号"}
    assert (alarm["lon"], alarm["lat"], alarm["district"]) == (120.62, 31.31, "320508")
    # 08:00 in Shanghai is 00:00 UTC: the naive DATETIME is read in the declared zone.
    assert datetime.fromisoformat(alarm["occurred_at"]) == happened.replace(tzinfo=SHANGHAI)
    assert datetime.fromisoformat(alarm["occurred_at"]).utcoffset() == timedelta(0)
    drain(sources)
    history = sources.warehouse.query("SELECT id, source, level FROM alarm_history")
    assert history.to_dict("records") == [
        {"id": "emergency-1", "source": "emergency", "level": "red"}
    ]
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 1}


# --- 2. crash before the watermark commit ----------------------------------------------


def test_a_restart_mid_batch_before_the_watermark_commit_stores_each_row_once(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    insert(legacy, 20)
    first = DbPull(sources, config(mariadb_url, batch=8))
    assert first.run_once()["new"] == 8
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 8}

    real, calls = service.put_alarm, []

    def dies_after_five(*args: Any) -> Any:
        if len(calls) == 5:
            raise Crash
        calls.append(args[1].id)
        return real(*args)

    monkeypatch.setattr(service, "put_alarm", dies_after_five)
    with pytest.raises(Crash):
        first.run_once()
    assert calls == [f"emergency-{i}" for i in range(9, 14)]  # written, watermark not moved
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 8}
    monkeypatch.setattr(service, "put_alarm", real)

    restarted = DbPull(sources, config(mariadb_url, batch=8))
    assert pull_all(restarted) == {"rows": 12, "duplicate": 5, "new": 7}
    assert stored_ids(sources) == sorted(f"emergency-{i}" for i in range(1, 21))
    assert set(sources.alarms.active(limit=100)["count"]) == {1}
    assert sources.redis.xlen(keys.ALARM_STREAM) == 20  # a duplicate writes nothing
    drain(sources)
    assert sources.warehouse.count("alarm_history") == 20
    assert sources.warehouse.count("alarm_events") == 20
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 20}


# --- 3. time watermarks ------------------------------------------------------------------


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_an_update_time_watermark_takes_rows_with_equal_times_once_across_batches(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    same = datetime(2026, 11, 30, 9, 0, 0, 123000)
    insert(legacy, 7, updated_at=same)
    insert(legacy, 3, updated_at=same + timedelta(seconds=1))
    options = {"watermark": "updated_at", "watermark_kind": "time", "batch": 3}
    pull = DbPull(sources, config(mariadb_url, **options))
    assert pull_all(pull) == {"rows": 10, "new": 10}
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {
        "time": "2026-11-30T09:00:01.123000",
        "type": "datetime",
        "tiebreak": 10,
    }

    # Written later with the same time as the last one taken, and a higher id: still taken.
    insert(legacy, 2, updated_at=same + timedelta(seconds=1))
    # An update of a row taken before moves its time on: read again, a duplicate.
    with legacy.begin() as conn:
        conn.execute(
            text("UPDATE alarm_record SET updated_at = :t WHERE rec_id = 3"),
            {"t": same + timedelta(seconds=5)},
        )
    restarted = DbPull(sources, config(mariadb_url, **options))
    assert pull_all(restarted) == {"rows": 3, "new": 2, "duplicate": 1}
    assert stored_ids(sources) == sorted(f"emergency-{i}" for i in range(1, 13))


# --- 4. bad rows ---------------------------------------------------------------------------


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_bad_rows_are_quarantined_and_the_pull_goes_on(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    insert(legacy, 1)
    insert(legacy, 1, grade=9)
    insert(legacy, 1, title=None)
    insert(legacy, 1, happen_time=shanghai_now(timedelta(hours=3)))
    insert(legacy, 1, lng=10.0)
    insert(legacy, 1, title="<script>alert(1)</script>")
    pull = DbPull(sources, config(mariadb_url))
    assert pull_all(pull) == {"rows": 6, "new": 2, "quarantined": 4}
    assert stored_ids(sources) == ["emergency-1", "emergency-6"]
    assert sources.alarms.get("emergency-6")["title"] == "<script>alert(1)</script>"  # text

    kept = sorted(quarantine.list(sources.warehouse, source="emergency"), key=lambda e: e["id"])
    assert {entry["channel"] for entry in kept} == {"dbpull"}
    errors = [entry["error"] for entry in kept]
    assert errors[0] == "422 level: value 9 of column 'grade' has no mapping"
    assert errors[1] == "422 title: column 'title' is empty"
    assert errors[2].startswith("422 occurred_at:") and "future" in errors[2]
    assert errors[3].startswith("422 lon:")
    assert '"rec_id": 2' in kept[0]["raw"] and '"grade": 9' in kept[0]["raw"]
    # Taken again (a crash before the watermark commit): quarantined once, not twice.
    watermarks.put(sources.warehouse, "dbpull:emergency", {"id": 0})
    assert pull_all(pull) == {"rows": 6, "duplicate": 2, "quarantined": 4}
    assert len(quarantine.list(sources.warehouse, source="emergency")) == 4
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 6}


def test_a_mapped_column_the_table_lacks_stops_with_its_name(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    from connectors.config import ConfigError

    insert(legacy, 1)
    mapping = MAPPING["columns"] | {"title": "headline"}
    pull = DbPull(sources, config(mariadb_url, columns=mapping))
    with pytest.raises(ConfigError, match="no column 'headline'"):
        pull.run_once()
    assert stored_ids(sources) == []


# --- 5. its own process --------------------------------------------------------------------


@pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)
def test_python_m_connectors_dbpull_resumes_at_its_watermark_after_a_restart(
    tmp_path: Path,
    redis_url: str,
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    sources.warehouse.execute(
        "INSERT INTO source_systems (code, name, heartbeat_s) VALUES ('emergency', '应急平台', 60)"
    )
    path = write_config(
        tmp_path / "connectors.toml",
        """
[dbpull.emergency]
url_env = "LEGACY_DB_URL"
query = "SELECT rec_id, grade, type_name, title, happen_time, lng, lat, address FROM alarm_record WHERE type_name <> '演练'"
watermark = "rec_id"
poll_s = 0.2
detail = ["address"]
timezone = "Asia/Shanghai"

[dbpull.emergency.columns]
id = "rec_id"
level = "grade"
category = "type_name"
title = "title"
occurred_at = "happen_time"
lon = "lng"
lat = "lat"

[dbpull.emergency.values.level]
1 = "red"
2 = "orange"
3 = "yellow"
4 = "blue"
""",
    )
    env = os.environ | {
        "REDIS_URL": redis_url,
        "WAREHOUSE_URL": str(sources.warehouse.engine.url),
        "DATA_DIR": str(tmp_path),
        "CONNECTORS_CONFIG": path,
        "LEGACY_DB_URL": mariadb_url,
        "LOG_LEVEL": "INFO",
    }

    def run_until(n: int) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "connectors", "dbpull", "--system", "emergency"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(
                lambda: proc.poll() is None and len(stored_ids(sources)) >= n, f"{n} alarms", 60
            )
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        return err

    insert(legacy, 5)
    insert(legacy, 1, type_name="演练")  # left out by the query
    err = run_until(5)
    assert "SIGTERM: stopping" in err and "dbpull emergency: stopped" in err
    insert(legacy, 3)
    run_until(8)
    expected = [f"emergency-{i}" for i in (1, 2, 3, 4, 5, 7, 8, 9)]
    assert stored_ids(sources) == sorted(expected)
    assert sources.redis.xlen(keys.ALARM_STREAM) == 8  # no row was taken twice
    assert watermarks.get(sources.warehouse, "dbpull:emergency") == {"id": 9}


# --- connector lag ---------------------------------------------------------------------------


def test_the_pull_reports_rows_behind_and_governance_shows_its_lag(
    sources: Sources,
    legacy: Engine,
    mariadb_url: str,
) -> None:
    from data_sources import connector_status, governance
    from layouts.governance_page import lag_text

    insert(legacy, 20)
    pull = DbPull(sources, config(mariadb_url, batch=8))
    assert pull.run_once()["new"] == 8
    status = connector_status.statuses(sources)["dbpull:emergency"]
    assert (status["system"], status["connector"], status["behind"]) == ("emergency", "dbpull", 12)
    report = governance.collect(
        sources.warehouse,
        sources.systems.all(),
        {},
        connectors=connector_status.statuses(sources),
    )
    (lag,) = next(s for s in report.systems if s.code == "emergency").lags
    assert lag.behind == 12
    assert lag_text(lag).startswith("库表 · 落后 12 行 · 水位 ")

    pull_all(pull)
    (lag,) = connector_status.lags(connector_status.statuses(sources), time.time())["emergency"]
    assert (lag.behind, lag.seconds) == (0, 0.0)
    assert lag_text(lag) == "库表 · 落后 0 行 · 已追平"
