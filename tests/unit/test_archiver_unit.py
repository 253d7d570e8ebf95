"""The archiver's pure parts: stream entries → rows, the merge of a batch, and its command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from archiver import records
from data_sources import keys
from settings import ROOT

BODY = {
    "id": "A1",
    "source": "hazchem",
    "level": "red",
    "category": "可燃气体报警",
    "title": "罐区可燃气体浓度超标",
    "occurred_at": "2026-05-01T10:00:00+08:00",
    "lon": 120.62,
    "lat": 31.31,
    "site_id": None,
    "district": "320508",
    "detail": {"value": 23.5},
}


def change(op: str, **fields: str) -> dict[str, str]:
    base = {
        "op": op,
        "id": "A1",
        "body": json.dumps(BODY, ensure_ascii=False),
        "status": "new",
        "count": "1",
        "last_at": "1777600800.250",
        "dedupe": "hazchem|pos:120.620,31.310|可燃气体报警",
        "rev": "1",
    }
    return base | fields


def test_an_alarm_change_becomes_a_history_row_and_an_event() -> None:
    fields = change("acknowledged", status="acknowledged", ack_by="张三", ack_at="1777600900.5")
    history, event = records.alarm_rows("1777600900600-0", fields)
    assert history["occurred_at"] == datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    assert history["ack_at"] == datetime.fromtimestamp(1777600900.5, UTC)
    assert history["received_at"] == history["last_at"]  # no received_at in the body
    assert json.loads(history["detail"]) == {"value": 23.5}
    assert (event["op"], event["actor"], event["at"]) == ("acknowledged", "张三", history["ack_at"])
    assert json.loads(event["state"])["body"]["title"] == BODY["title"]
    assert event["stream_id"] == "1777600900600-0"


@pytest.mark.parametrize(
    "fields",
    [
        change("new", body="{not json"),
        change("new", status="maybe"),
        change("new", body=json.dumps(BODY | {"occurred_at": "2026-05-01T10:00:00"})),
        change("new", body=json.dumps(BODY | {"lon": "east"})),
        {"op": "new", "id": "A1"},
    ],
    ids=["json", "status", "naive-time", "lon", "missing"],
)
def test_a_malformed_alarm_change_raises(fields: dict[str, str]) -> None:
    with pytest.raises((ValueError, KeyError)):
        records.alarm_rows("1-0", fields)


def test_readings_are_kept_to_the_millisecond_and_must_be_finite() -> None:
    rows = records.reading_rows({"batch": json.dumps([["S1", 1777600800.1234, 5]])})
    assert rows == [
        {"sensor_id": "S1", "ts": datetime(2026, 5, 1, 2, 0, 0, 123000, tzinfo=UTC), "value": 5.0}
    ]
    for bad in ([["S1", "now", 1]], [["S1", 1.0, float("nan")]], [["S1", 1.0, True]], [[1, 2]]):
        with pytest.raises(records.BadEntry):
            records.reading_rows({"batch": json.dumps(bad)})


def test_a_batch_writes_the_newest_revision_of_an_alarm_and_every_event() -> None:
    entries = [
        records.parse(keys.ALARM_STREAM, "5-0", change("closed", status="closed", rev="3")),
        records.parse(keys.ALARM_STREAM, "3-0", change("new")),
        records.parse(
            keys.READING_STREAM, "4-0", {"batch": json.dumps([["S1", 1, 1], ["S1", 1, 2]])}
        ),
    ]
    steps = dict(records.merge(entries))
    assert [row["rev"] for row in steps[records.UPSERT_ALARM]] == [3]
    assert [row["stream_id"] for row in steps[records.INSERT_EVENT]] == ["3-0", "5-0"]
    assert [row["value"] for row in steps[records.INSERT_READING]] == [1.0]


def test_python_m_archiver_with_the_embedded_defaults_says_so_and_exits_2() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WAREHOUSE_URL"}}
    proc = subprocess.run(
        [sys.executable, "-m", "archiver"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "inside the app" in proc.stderr
