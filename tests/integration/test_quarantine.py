"""The quarantine table on both warehouses: raw entries kept byte for byte (U+0000 and invalid
UTF-8 included), listed, shown, marked re-driven and counted per source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_sources import quarantine
from data_sources.warehouse import Warehouse, make_engine, upgrade

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def wh(warehouse_url: str) -> Warehouse:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


def test_a_raw_entry_with_nul_and_invalid_utf8_comes_back_byte_for_byte(wh: Warehouse) -> None:
    nul = '{"title": "罐区\x00报警"}'
    broken = b'{"title": "\xff\xfe"}'.decode("utf-8", "surrogateescape")
    raw_bytes = b"\x00\x01\x80 binary"
    a = quarantine.put(wh, source="hazchem", channel="mqtt", raw=nul, error="NUL\x00 in title")
    b = quarantine.put(wh, source=None, channel="dbpull", raw=broken, error="bad UTF-8", at=T0)
    c = quarantine.put(wh, source="iot", channel="http", raw=raw_bytes, error="binary")
    plain = quarantine.put(wh, source="iot", channel="http", raw="普通文本", error="late")

    assert quarantine.get(wh, a)["raw"] == nul
    assert quarantine.get(wh, a)["error"] == "NUL\\x00 in title"
    assert quarantine.get(wh, b)["raw_bytes"] == b'{"title": "\xff\xfe"}'
    assert quarantine.get(wh, b)["raw"] == broken
    assert quarantine.get(wh, b)["at"] == T0
    assert quarantine.get(wh, c)["raw_bytes"] == raw_bytes
    row = quarantine.get(wh, plain)
    assert (row["raw"], row["raw_encoding"], row["source"]) == ("普通文本", "text", "iot")
    assert quarantine.get(wh, 10_000) is None


def test_the_same_stream_entry_is_quarantined_once(wh: Warehouse) -> None:
    first = quarantine.put(wh, source="x", channel="archiver:alarms", raw="a", error="e", ref="1-0")
    again = quarantine.put(wh, source="x", channel="archiver:alarms", raw="a", error="e", ref="1-0")
    other = quarantine.put(
        wh, source="x", channel="archiver:readings", raw="a", error="e", ref="1-0"
    )
    assert first == again != other
    assert len(quarantine.list(wh)) == 2


def test_list_filters_and_redriven_entries_leave_the_default_list(wh: Warehouse) -> None:
    ids = [
        quarantine.put(
            wh, source=src, channel=ch, raw=f"r{i}", error="e", at=T0 + timedelta(minutes=i)
        )
        for i, (src, ch) in enumerate(
            [("hazchem", "mqtt"), ("hazchem", "http"), ("iot", "mqtt"), (None, "dbpull")]
        )
    ]
    assert [r["id"] for r in quarantine.list(wh)] == ids[::-1]
    assert [r["id"] for r in quarantine.list(wh, source="hazchem")] == [ids[1], ids[0]]
    assert [r["id"] for r in quarantine.list(wh, channel="mqtt")] == [ids[2], ids[0]]
    assert [r["id"] for r in quarantine.list(wh, limit=1)] == [ids[3]]
    assert quarantine.counts_by_source(wh) == {"hazchem": 2, "iot": 1, None: 1}

    assert quarantine.mark_redriven(wh, ids[0], T0 + timedelta(hours=1), note="stream 9-0")
    assert not quarantine.mark_redriven(wh, 10_000, T0)
    assert ids[0] not in [r["id"] for r in quarantine.list(wh)]
    assert ids[0] in [r["id"] for r in quarantine.list(wh, include_redriven=True)]
    row = quarantine.get(wh, ids[0])
    assert (row["redriven_at"], row["redriven_note"]) == (T0 + timedelta(hours=1), "stream 9-0")
    assert quarantine.counts_by_source(wh) == {"hazchem": 1, "iot": 1, None: 1}
    assert quarantine.counts_by_source(wh, since=T0 + timedelta(minutes=2)) == {"iot": 1, None: 1}


def test_the_audit_trail_refuses_deleting_recent_rows_but_not_rows_past_the_floor(
    wh: Warehouse,
) -> None:
    now = datetime.now(UTC)
    for at in (now - timedelta(days=400), now - timedelta(days=10)):
        wh.execute(
            "INSERT INTO audit_log (at, action, outcome) VALUES (:at, 'login', 'ok')", {"at": at}
        )
    with pytest.raises(Exception, match="append-only"):
        wh.execute("DELETE FROM audit_log")
    with pytest.raises(Exception, match="append-only"):
        wh.execute("UPDATE audit_log SET outcome = 'x'")
    assert wh.execute("DELETE FROM audit_log WHERE at < :c", {"c": now - timedelta(days=200)}) == 1
    assert wh.count("audit_log") == 1
