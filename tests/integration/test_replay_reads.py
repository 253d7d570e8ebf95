"""The replay reads of the warehouse (`data_sources/replay.py`) on both databases: the state of
each alarm at a moment from the archiver's audit trail, alarms archived without one from their
own times, incidents open then, rescue teams' status then, and the indexes the reads stand
on."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from archiver import records
from data_sources import keys
from data_sources.replay import Replay
from data_sources.warehouse import Warehouse, make_engine, upgrade
from layouts.replay import BadMoment, parse_at
from tests.helpers import seed_minimal_registry

SEQ = itertools.count()
T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 14:00 in Suzhou


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def wh(warehouse_url: str) -> Iterator[Warehouse]:
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


def change(wh: Warehouse, when: datetime, op: str, alarm: str, level: str, **state: object) -> None:
    """One alarm change as the archiver writes it (the live state's hash after the change)."""
    body = {
        "source": "hazchem",
        "level": level,
        "category": "泄漏",
        "title": f"{alarm} 标题",
        "occurred_at": (T0 - timedelta(minutes=12)).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
        "district": "320508",
    }
    fields = {
        "id": alarm,
        "body": json.dumps(body),
        "status": "new",
        "count": "1",
        "last_at": str(at(0).timestamp()),
        "level": level,
        **{k: str(v) for k, v in state.items()},
    }
    fields["op"] = op
    entry_id = f"{int(when.timestamp() * 1000)}-{next(SEQ)}"
    wh.execute_all(records.merge([records.parse(keys.ALARM_STREAM, entry_id, fields)]))


def test_each_alarm_is_shown_as_it_was_at_the_moment(wh: Warehouse) -> None:
    change(wh, at(0), "new", "A", "red", rev=1)
    change(wh, at(0), "new", "B", "orange", rev=1)
    change(wh, at(5), "escalate", "A", "red", rev=2, escalation=1, escalated_at=at(5).timestamp())
    change(
        wh,
        at(10),
        "acknowledged",
        "B",
        "orange",
        rev=2,
        status="acknowledged",
        ack_by="李萍",
        ack_at=at(10).timestamp(),
    )
    closed = {"status": "closed", "closed_by": "王艳", "closed_at": at(20).timestamp()}
    change(wh, at(20), "closed", "A", "red", rev=3, escalation=1, **closed)
    replay = Replay(wh)

    def seen(minutes: float) -> dict:
        frame = replay.alarms(at(minutes))
        return {r.id: (r.status, r.escalation) for r in frame.itertuples(index=False)}

    assert seen(-1) == {}
    assert seen(1) == {"A": ("new", 0), "B": ("new", 0)}
    assert seen(6) == {"A": ("new", 1), "B": ("new", 0)}
    assert seen(11) == {"A": ("new", 1), "B": ("acknowledged", 0)}
    assert seen(21) == {"A": ("closed", 1), "B": ("acknowledged", 0)}
    # A closed alarm stays in the feed for the hour after its close, as it did live.
    assert seen(20 + 61) == {"B": ("acknowledged", 0)}
    assert replay.level_counts(at(6)) == {"red": 1, "orange": 1, "yellow": 0, "blue": 0}
    assert replay.level_counts(at(21)) == {"red": 0, "orange": 1, "yellow": 0, "blue": 0}


def test_an_alarm_without_an_audit_trail_is_replayed_from_its_own_times(wh: Warehouse) -> None:
    wh.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, lon, lat, district, status, count, ack_by, ack_at, closed_at, detail) "
        "VALUES ('OLD', 'hazchem', 'yellow', '泄漏', '参考数据', :t, :t, 120.6, 31.3, "
        "'320508', 'closed', 1, '李萍', :ack, :closed, '{}')",
        {"t": at(0), "ack": at(10), "closed": at(30)},
    )
    replay = Replay(wh)
    status = {m: list(replay.alarms(at(m))["status"]) for m in (-1, 5, 15, 31, 95)}
    assert status == {-1: [], 5: ["new"], 15: ["acknowledged"], 31: ["closed"], 95: []}


def test_incidents_open_at_the_moment(wh: Warehouse) -> None:
    seed_minimal_registry(wh)
    for ident, opened, closed in (("I-1", at(0), at(30)), ("I-2", at(10), None)):
        wh.execute(
            "INSERT INTO incidents (id, title, category, level, status, district, lon, lat, "
            "opened_at, closed_at) VALUES (:id, '事件', '泄漏', 3, :status, '320508', 120.6, "
            "31.3, :opened, :closed)",
            {
                "id": ident,
                "status": "closed" if closed else "open",
                "opened": opened,
                "closed": closed,
            },
        )
    replay = Replay(wh)
    assert list(replay.incidents(at(5))["id"]) == ["I-1"]
    assert sorted(replay.incidents(at(15))["id"]) == ["I-1", "I-2"]
    assert list(replay.incidents(at(31))["id"]) == ["I-2"]


def team_change(wh: Warehouse, when: datetime, team: str, status: str, entry_ms: int = 0) -> None:
    """One team status change as the archiver writes it (from `se:stream:teams`)."""
    fields = {"team_id": team, "status": status, "at": f"{when.timestamp():.3f}", "by": "王艳"}
    entry_id = f"{entry_ms or int(when.timestamp() * 1000)}-{next(SEQ)}"
    wh.execute_all(records.merge([records.parse(keys.TEAM_STREAM, entry_id, fields)]))


def test_each_team_is_shown_in_its_status_at_the_moment(wh: Warehouse) -> None:
    team_change(wh, at(0), "T1", "dispatched")
    team_change(wh, at(0), "T2", "off")
    team_change(wh, at(10), "T1", "returning")
    team_change(wh, at(20), "T1", "ready")
    team_change(wh, at(20), "T2", "ready")
    team_change(wh, at(30), "T3", "dispatched")
    replay = Replay(wh)
    shown = {m: replay.team_status(at(m)) for m in (-1, 0, 5, 10, 25, 31)}
    assert shown == {
        -1: {},
        0: {"T1": "dispatched", "T2": "off"},
        5: {"T1": "dispatched", "T2": "off"},
        10: {"T1": "returning", "T2": "off"},
        25: {"T1": "ready", "T2": "ready"},
        31: {"T1": "ready", "T2": "ready", "T3": "dispatched"},
    }


def test_two_changes_of_a_team_in_one_millisecond_show_the_later_entry(wh: Warehouse) -> None:
    ms = int(at(0).timestamp() * 1000)
    team_change(wh, at(0), "T1", "dispatched", entry_ms=ms)
    team_change(wh, at(0), "T1", "returning", entry_ms=ms + 1)
    assert Replay(wh).team_status(at(1)) == {"T1": "returning"}


def test_the_alarms_to_look_at_are_found_by_index(wh: Warehouse) -> None:
    indexes = {ix["name"] for ix in sa.inspect(wh.engine).get_indexes("alarm_history")}
    assert "ix_alarm_history_closed" in indexes
    if wh.engine.dialect.name == "sqlite":
        plan = wh.query(
            "EXPLAIN QUERY PLAN SELECT id FROM alarm_history "
            "WHERE closed_at > :since AND received_at <= :at",
            {"since": at(0), "at": at(60)},
        )
        assert "ix_alarm_history_closed" in plan.to_string()


def test_teams_at_a_moment_are_found_by_index(wh: Warehouse) -> None:
    indexes = {ix["name"] for ix in sa.inspect(wh.engine).get_indexes("team_status_history")}
    assert "ix_team_status_history_team" in indexes
    if wh.engine.dialect.name == "sqlite":
        plan = wh.query(
            "EXPLAIN QUERY PLAN SELECT team_id, MAX(at) FROM team_status_history "
            "WHERE at <= :at GROUP BY team_id",
            {"at": at(60)},
        )
        assert "ix_team_status_history_team" in plan.to_string()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "无法识别"),
        ("14:05", "无法识别"),
        ("2026-11-30T14:05:00", "缺少时区"),
        ("2999-01-01T00:00:00+08:00", "尚未到来"),
    ],
)
def test_a_time_that_cannot_be_replayed_says_why(text: str, says: str) -> None:
    with pytest.raises(BadMoment, match=says):
        parse_at(text)


def test_a_replay_time_is_read_with_its_offset() -> None:
    assert parse_at("2026-11-30T14:00:00+08:00") == T0
    assert parse_at("2026-11-30T06:00:00Z") == T0
    assert parse_at("2026-11-30T14:00:00 08:00") == T0  # an unescaped + in the address


def test_an_alarm_whose_trail_begins_later_is_shown_from_its_row_until_then(
    wh: Warehouse,
) -> None:
    """A live state restored from the warehouse has no `new` event: its first change (here an
    escalation) starts the trail; before it the row's own times tell the state."""
    wh.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, lon, lat, district, status, count, detail, rev) "
        "VALUES ('RESTORED', 'hazchem', 'red', '泄漏', '恢复的警情', :t, :t, 120.6, 31.3, "
        "'320508', 'new', 1, '{}', 1)",
        {"t": at(0)},
    )
    change(
        wh,
        at(15),
        "escalate",
        "RESTORED",
        "red",
        rev=2,
        escalation=1,
        escalated_at=at(15).timestamp(),
    )
    replay = Replay(wh)
    frame = {m: replay.alarms(at(m))[["status", "escalation"]].values.tolist() for m in (5, 16)}
    assert frame == {5: [["new", 0]], 16: [["new", 1]]}
