"""Teams already out when their history began (archiver/team_baseline.py), on the real Redis
and both warehouses: the archiver records each once, the replayed wall and a Redis that lost
its data then know them as out, not ready."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from archiver import Archiver
from archiver.team_baseline import TeamBaseline
from data_sources import Sources, keys
from data_sources.replay import team_states
from data_sources.warehouse import Warehouse, make_engine

pytestmark = pytest.mark.redis


def archiver(sources: Sources, consumer: str) -> Archiver:
    return Archiver(
        sources, consumer=consumer, block_ms=10, retention_days=0, housekeeping_every_s=0
    )


def history(sources: Sources) -> list[tuple[str, str, str]]:
    rows = sources.warehouse.query(
        "SELECT team_id, status, via FROM team_status_history ORDER BY team_id, id"
    )
    return list(rows.itertuples(index=False, name=None))


def test_teams_out_with_no_history_are_recorded_once_and_replayed_and_restored_as_out(
    sources: Sources,
) -> None:
    r = sources.redis
    # As a live state from before the team stream: statuses written with no stream entry.
    r.hset(keys.TEAM_STATUS, mapping={"T01": "dispatched", "T02": "off", "T03": "ready"})
    r.hset(keys.TEAM_STATUS, "x" * 40, "off")  # a stray key the history cannot hold
    # T04 changed through the stream: its history is its own.
    sources.status.set_team_status("T04", "dispatched", by="值班长", via="test")
    before = datetime.now(UTC)
    a = archiver(sources, "A")
    counts = a.run_once()
    assert counts["team_baselines"] == 2
    assert history(sources) == [
        ("T01", "dispatched", "baseline"),
        ("T02", "off", "baseline"),
        ("T04", "dispatched", "test"),
    ]
    archiver(sources, "B").run_once()  # another host, or a restart: nothing twice
    sources.status.set_team_status("T01", "returning", by="值班长", via="test")
    a.run_once()
    assert [row for row in history(sources) if row[0] == "T01"] == [
        ("T01", "dispatched", "baseline"),
        ("T01", "returning", "test"),
    ]

    now = datetime.now(UTC) + timedelta(seconds=1)
    assert team_states(sources.warehouse, now) == {
        "T01": "returning",
        "T02": "off",
        "T04": "dispatched",
    }
    assert team_states(sources.warehouse, before - timedelta(seconds=1)) == {}  # unknown then

    live = {t: s for t, s in sources.status.team_status().items() if len(t) < 40}
    r.flushdb()
    assert a.run_once()["restored_teams"] == 3
    assert sources.status.team_status() == {t: s for t, s in live.items() if s != "ready"}


def test_a_warehouse_that_refuses_connections_is_logged_and_the_baseline_tried_again(
    sources: Sources, caplog: pytest.LogCaptureFixture
) -> None:
    sources.redis.hset(keys.TEAM_STATUS, "T01", "dispatched")
    down = Warehouse(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    baseline = TeamBaseline(sources.status, down)
    with caplog.at_level(logging.ERROR, logger="archiver.team_baseline"):
        assert baseline.record() == 0
    assert "recording the teams' baseline status failed" in caplog.text
    assert not baseline.done and history(sources) == []
    baseline.wh = sources.warehouse  # the warehouse is back
    assert baseline.record() == 1 and baseline.done
    assert history(sources) == [("T01", "dispatched", "baseline")]
    assert baseline.record() == 0  # once per process
