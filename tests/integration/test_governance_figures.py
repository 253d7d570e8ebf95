"""The governance figures of the upstream systems against real SQLite and PostgreSQL
warehouses: states, messages per hour, lateness, rejects from the quarantine and the rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data_sources import governance, quarantine
from data_sources.systems import Systems
from data_sources.warehouse import Warehouse, make_engine, upgrade

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def wh(warehouse_url: str) -> Warehouse:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


def archive(wh: Warehouse, alarm_id: str, source: str, received: datetime, late_s: float) -> None:
    wh.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, status, \"count\") VALUES (:id, :source, 'red', 'gas', 't', "
        ":occurred, :received, 'new', 2)",
        {
            "id": alarm_id,
            "source": source,
            "occurred": received - timedelta(seconds=late_s),
            "received": received,
        },
    )


def by_code(report: governance.Governance) -> dict[str, governance.SystemHealth]:
    return {s.code: s for s in report.systems}


def test_states_volume_lateness_rejects_and_the_rate(wh: Warehouse) -> None:
    systems = Systems(wh).all()
    assert len(systems) == 7
    # hazchem beats and sends: 3 messages in the last hour, 1 five hours ago.
    for i, late in enumerate((1, 2, 3)):
        archive(wh, f"HC-{i}", "hazchem", NOW - timedelta(minutes=10 + i), late)
    archive(wh, "HC-old", "hazchem", NOW - timedelta(hours=5, minutes=1), 100)
    # gis sent once two days ago and has been silent since (cadence 1 h).
    archive(wh, "GIS-1", "gis", NOW - timedelta(days=2), 5)
    # iot beats, but the quarantine rejected more than was archived in the last hour.
    for i in range(2):
        quarantine.put(
            wh,
            source="iot",
            channel="mqtt",
            raw='<script>alert(1)</script>{"level": "purple"}',
            error=f"level: not one of red/orange/yellow/blue (topic se/iot/alarms/{i})",
            at=NOW - timedelta(minutes=5 + i),
            ref=str(i),
        )
    beats = {"hazchem": NOW.timestamp() - 20, "iot": NOW.timestamp() - 5}

    report = governance.collect(wh, systems, beats, now=NOW)
    got = by_code(report)

    assert got["hazchem"].state_name == "已接入"
    assert got["hazchem"].heartbeat_age_s == pytest.approx(20)
    assert got["hazchem"].hourly[-1] == 3 and got["hazchem"].hourly[-6] == 1
    assert sum(got["hazchem"].hourly) == got["hazchem"].messages_24h == 4
    assert got["hazchem"].duplicates_24h == 4
    assert got["hazchem"].lateness_p50_s == pytest.approx(2.5)
    assert got["hazchem"].lateness_p95_s > 50
    assert got["gis"].state_name == "无数据" and got["gis"].messages_24h == 0
    assert got["iot"].state_name == "异常"
    assert got["iot"].rejects_24h == 2
    assert got["iot"].reasons == [("level: not one of red/orange/yellow/blue", 2)]
    assert got["iot"].last_rejects[0]["payload"].startswith("<script>")
    assert got["emergency"].state_name == "未接入"
    assert got["emergency"].lateness_p50_s is None and got["emergency"].hourly == [0] * 24
    assert (report.integrated, report.registered) == (1, 7)
    assert report.rate == pytest.approx(1 / 7)

    # A heartbeat only is enough to count as delivering; past twice its cadence it is silent.
    beats["emergency"] = NOW.timestamp() - 30
    beats["hazchem"] = NOW.timestamp() - 3600
    later = by_code(governance.collect(wh, systems, beats, now=NOW))
    assert later["emergency"].state_name == "已接入"
    # hazchem's messages came 10-12 minutes ago, past twice its 60 s data cadence.
    assert later["hazchem"].state_name == "无数据"
    assert governance.collect(wh, systems, beats, now=NOW).integrated == 1


def test_disabled_systems_do_not_count_and_bad_bytes_stay_text(wh: Warehouse) -> None:
    registry = Systems(wh)
    registry.set_enabled("gis", False)
    quarantine.put(wh, source="monitor", channel="http", raw=b"\xff\x00bin", error="bad", at=NOW)
    report = governance.collect(wh, registry.all(), {"monitor": NOW.timestamp()}, now=NOW)
    got = by_code(report)
    assert report.registered == 6
    assert got["monitor"].state_name == "异常"  # 1 reject, nothing accepted in the hour
    assert got["monitor"].last_rejects[0]["payload"] == "\\xff\\x00bin"
