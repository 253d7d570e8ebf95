"""The daily duty report's aggregation (data_sources/daily_report.py) against a real SQLite
warehouse holding the generated Suzhou reference data, plus rows written for the day's edges:
the figures must be the Asia/Shanghai calendar day's, whatever UTC says."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from data_sources import duty
from data_sources.daily_report import (
    SHANGHAI,
    BadDay,
    daily_report,
    day_window,
    default_day,
    parse_day,
)
from data_sources.warehouse import Warehouse, make_engine
from layouts.i18n import MESSAGES, t
from report import tables

NOW = datetime.now(UTC)
DAY = default_day(NOW)  # yesterday in Suzhou: the reference history covers it
START, END = day_window(DAY)


@pytest.fixture
def warehouse(reference_url):  # noqa: ANN001
    engine = make_engine(reference_url)
    yield Warehouse(engine)
    engine.dispose()


def _alarm(warehouse: Warehouse, alarm_id: str, level: str, at: datetime, district=None) -> None:  # noqa: ANN001
    warehouse.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, district, status) VALUES (:id, 'hazchem', :level, '测试', :title, :at, "
        ":at, :district, 'new')",
        {
            "id": alarm_id,
            "level": level,
            "title": f"边界测试 {alarm_id}",
            "at": at,
            "district": district,
        },
    )


def _escalation(
    warehouse: Warehouse, alarm_id: str, stage: int, at: datetime, op="escalate"
) -> None:  # noqa: ANN001
    state = {"id": alarm_id, "escalation": str(stage), "body": {"title": "x", "level": "red"}}
    warehouse.execute(
        'INSERT INTO alarm_events (alarm_id, op, "at", actor, rev, state, stream_id) '
        "VALUES (:id, :op, :at, 'escalation', 1, :state, :sid)",
        {
            "id": alarm_id,
            "op": op,
            "at": at,
            "state": json.dumps(state),
            "sid": f"{alarm_id}-{stage}-{op}",
        },
    )


def _shanghai_day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="mixed").dt.tz_convert(SHANGHAI).dt.date


def _table(url: str, sql: str) -> pd.DataFrame:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return pd.read_sql_query(sql, conn)


def test_alarms_are_counted_by_the_shanghai_calendar_day_by_level_and_district(
    warehouse, reference_url
):
    # The edges: 00:00 Suzhou is 16:00 UTC the day before.
    _alarm(warehouse, "edge-first", "red", START, "320508")
    _alarm(warehouse, "edge-last", "orange", END - timedelta(milliseconds=1), None)
    _alarm(warehouse, "edge-before", "red", START - timedelta(milliseconds=1), "320508")
    _alarm(warehouse, "edge-after", "red", END, "320508")

    report = daily_report(warehouse, DAY, NOW)

    every = _table(reference_url, "SELECT id, level, district, occurred_at FROM alarm_history")
    day = every[_shanghai_day(every["occurred_at"]) == DAY]
    assert len(day) > 20  # the reference history has a busy day yesterday
    assert report.alarm_total == len(day)
    assert report.alarms_by_level == {
        lv: int((day["level"] == lv).sum()) for lv in ("red", "orange", "yellow", "blue")
    }
    rows = {d["adcode"]: d for d in report.alarms_by_district}
    assert len(rows) == 9 + 1  # every district, then the one alarm without a district
    assert rows[""]["name"] == "未定位" and rows[""]["orange"] == 1 and rows[""]["total"] == 1
    for adcode, group in day.dropna(subset=["district"]).groupby("district"):
        assert rows[adcode]["total"] == len(group)
        assert rows[adcode]["red"] == int((group["level"] == "red").sum())
    assert sum(d["total"] for d in report.alarms_by_district) == report.alarm_total
    red_ids = [a["id"] for a in report.red_alarms]
    assert "edge-first" in red_ids and "edge-before" not in red_ids and "edge-after" not in red_ids
    assert red_ids == list(day.loc[day["level"] == "red"].sort_values("occurred_at")["id"])


def test_escalations_incidents_handovers_roll_calls_and_the_log_of_the_day(
    warehouse, reference_url
):
    noon = START + timedelta(hours=12)
    _alarm(warehouse, "esc-1", "red", noon, "320508")
    _escalation(warehouse, "esc-1", 1, noon + timedelta(minutes=10))
    _escalation(warehouse, "esc-1", 2, noon + timedelta(minutes=30))
    _escalation(warehouse, "esc-1", 1, noon + timedelta(minutes=5), op="acknowledged")
    _escalation(warehouse, "esc-old", 1, START - timedelta(minutes=1))
    # An incident opened the day before and closed on the day; one of level Ⅰ opened on it.
    warehouse.execute_all(
        [
            (
                "INSERT INTO incidents (id, title, category, level, status, district, lon, lat, "
                "opened_at, closed_at) VALUES (:id, :title, '火灾', :level, :status, '320508', "
                "120.62, 31.31, :opened, :closed)",
                params,
            )
            for params in (
                {
                    "id": "T-closed",
                    "title": "昨日火灾",
                    "level": 3,
                    "status": "closed",
                    "opened": START - timedelta(hours=3),
                    "closed": noon,
                },
                {
                    "id": "T-new",
                    "title": "重大泄漏",
                    "level": 1,
                    "status": "open",
                    "opened": noon,
                    "closed": None,
                },
            )
        ]  # fmt: skip
    )
    duty.Duty(warehouse).record_handover(
        "张三", "李四", {"text": "=危险 交接", "open_alarms": 2}, at=noon
    )
    warehouse.execute(
        "INSERT INTO rollcall (id, started_at, started_by, deadline_s, units) "
        "VALUES ('RC1', :at, '张三', 300, :units)",
        {"at": noon, "units": json.dumps(["320508", "320505", "320506"])},
    )
    warehouse.execute(
        "INSERT INTO rollcall_answers (rollcall_id, unit, answered_at, via) VALUES "
        "('RC1', '320508', :on_time, 'api'), ('RC1', '320505', :late, 'phone')",
        {"on_time": noon + timedelta(seconds=40), "late": noon + timedelta(seconds=400)},
    )

    report = daily_report(warehouse, DAY, NOW)

    assert [(e["alarm_id"], e["stage"]) for e in report.escalations] == [("esc-1", 1), ("esc-1", 2)]
    assert report.escalations[0]["title"] == "边界测试 esc-1"
    assert report.escalations[0]["district"] == "姑苏区"

    incidents = {i["id"]: i for i in report.incidents}
    assert incidents["T-closed"]["closed_today"] and not incidents["T-closed"]["opened_today"]
    assert incidents["T-new"]["opened_today"] and incidents["T-new"]["colour"] == "red"
    every = _table(reference_url, "SELECT opened_at, closed_at FROM incidents")
    opened = int((_shanghai_day(every["opened_at"]) == DAY).sum())
    closed = int((_shanghai_day(every["closed_at"].dropna()) == DAY).sum())
    assert report.incidents_opened == opened and report.incidents_closed == closed

    mine = [h for h in report.handovers if h["from_name"] == "张三"]
    assert len(mine) == 1  # its duty-log line does not count it twice
    assert mine[0]["to_name"] == "李四" and mine[0]["open_alarms"] == 2

    (call,) = report.rollcalls
    assert call["on_time"] == ["姑苏区"] and call["late"] == ["虎丘区"]
    assert call["missing"] == ["吴中区"]

    log = _table(reference_url, 'SELECT "at" FROM duty_log')
    assert len(report.duty_log) == int((_shanghai_day(log["at"]) == DAY).sum())
    assert any(e["text"].startswith("交接班：张三与李四") for e in report.duty_log)

    # The tables every output prints: levels Ⅰ–Ⅳ with their colours, stages in words.
    by_key = {s.key: s for s in tables.sections(report)}
    levels = [row[3] for row in by_key["incidents"].rows]
    assert "Ⅰ级（红）" in levels and "Ⅲ级（黄）" in levels
    assert by_key["escalations"].rows[1][1].startswith("二级")
    assert by_key["districts"].total[-1] == report.alarm_total


def test_a_day_still_running_is_cut_at_now():
    today = NOW.astimezone(SHANGHAI).date()
    assert default_day(NOW) == today - timedelta(days=1)
    start, end = day_window(today)
    assert end - start == timedelta(hours=24)
    assert start.astimezone(SHANGHAI).hour == 0 and start.tzinfo is not None


def test_an_empty_warehouse_day_reports_zeros(warehouse):
    report = daily_report(warehouse, date(2001, 1, 1), NOW)
    assert report.alarm_total == 0 and report.complete
    assert all(d["total"] == 0 for d in report.alarms_by_district)
    assert report.incidents == [] and report.duty_log == [] and report.rollcalls == []


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (None, "请给出日期"),
        ("", "请给出日期"),
        ("2026-13-01", "没有这一天"),
        ("2026-02-30", "没有这一天"),
        ("30/11/2026", "格式不对"),
        ("2026-11-30T00:00", "格式不对"),
        ("1999-12-31", "2000-01-01"),
        ("2999-01-01", "还没有到来"),
        ("２０２６-１１-３０", "格式不对"),
    ],
)
def test_a_bad_date_is_refused_with_a_reason_in_either_language(raw, says):
    with pytest.raises(BadDay) as refused:
        parse_day(raw, date(2026, 12, 1))
    key, fields = f"report.bad_day.{refused.value.reason}", refused.value.fields
    assert key in MESSAGES and says in t(key, "zh", **fields)
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", t(key, "en", **fields))


def test_a_good_date_is_that_day():
    assert parse_day(" 2026-11-30 ", date(2026, 12, 1)) == date(2026, 11, 30)
    assert parse_day("2026-12-01", date(2026, 12, 1)) == date(2026, 12, 1)


def test_each_duty_room_s_day_is_told_from_its_kept_check_ins(warehouse):
    """Gusu checks in every minute 00:00-12:00 and then falls silent; Kunshan's last check-in
    before the day is at 23:55, it answers again at 00:20 and all day after; the other rooms
    never check in. A room stands 未应答 from 10 minutes after its last check-in."""

    def at(h: int, m: int) -> datetime:
        return datetime.combine(DAY, datetime.min.time(), SHANGHAI) + timedelta(hours=h, minutes=m)

    rows = [{"unit": "320508", "at": at(0, m)} for m in range(0, 12 * 60 + 1)]
    rows += [{"unit": "320583", "at": at(0, -5)}]
    rows += [{"unit": "320583", "at": at(0, m)} for m in range(20, 24 * 60)]
    warehouse.execute("INSERT INTO duty_checkin_history (unit, at) VALUES (:unit, :at)", rows)

    report = daily_report(warehouse, DAY, NOW)
    assert report.rooms_kept
    rooms = {r["unit"]: r for r in report.rooms}
    assert len(rooms) == 9  # every district of the warehouse
    gusu, kunshan = rooms["320508"], rooms["320583"]
    assert (gusu["checkins"], gusu["first"], gusu["last"]) == (721, at(0, 0), at(12, 0))
    assert gusu["silent_s"] == gusu["longest_silent_s"] == (11 * 60 + 50) * 60
    assert kunshan["checkins"] == 24 * 60 - 20 and kunshan["first"] == at(0, 20)
    assert kunshan["silent_s"] == kunshan["longest_silent_s"] == 15 * 60
    others = [r for u, r in rooms.items() if u not in ("320508", "320583")]
    assert others and all(r["checkins"] == 0 and r["silent_s"] == 86400 for r in others)

    (zh,) = [s for s in tables.sections(report, "zh") if s.key == "rooms"]
    by_name = {row[0]: row for row in zh.rows}
    assert by_name["姑苏区"][1:] == [721, "00:00", "12:00", "11 小时 50 分", "11 小时 50 分"]
    assert by_name["昆山市"][4:] == ["15 分", "15 分"]
    assert "10 分钟" in zh.note
    silent = [c for c, row in zip(zh.row_classes, zh.rows, strict=True) if row[0] == "姑苏区"]
    assert silent == ["silent"]
    (en,) = [s for s in tables.sections(report, "en") if s.key == "rooms"]
    assert [row[4] for row in en.rows if row[1] == 721] == ["11 h 50 min"]


def test_a_day_with_no_check_ins_kept_says_so_rather_than_every_room_silent(warehouse):
    report = daily_report(warehouse, DAY, NOW)
    assert not report.rooms_kept
    (section,) = [s for s in tables.sections(report, "zh") if s.key == "rooms"]
    assert section.rows == [] and "无法统计" in section.note


def test_the_day_keeping_began_counts_silence_from_the_first_check_in_kept(warehouse):
    """The archiver first ran at 18:00 that day (a deployment, the demo): a room that checks
    in from then on was not silent for the 18 hours before, which are not known."""
    evening = datetime.combine(DAY, datetime.min.time(), SHANGHAI) + timedelta(hours=18)
    rows = [{"unit": "320508", "at": evening + timedelta(minutes=m)} for m in range(6 * 60)]
    warehouse.execute("INSERT INTO duty_checkin_history (unit, at) VALUES (:unit, :at)", rows)
    report = daily_report(warehouse, DAY, NOW)
    assert report.rooms_from == evening
    rooms = {r["unit"]: r for r in report.rooms}
    assert rooms["320508"]["silent_s"] == 0
    assert rooms["320583"]["silent_s"] == 6 * 3600  # never checked in since keeping began
    (section,) = [s for s in tables.sections(report, "zh") if s.key == "rooms"]
    assert "签到留存自 18:00 起" in section.note
