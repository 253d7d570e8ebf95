"""The logic behind /consult, /tablet and the presenter control, without a browser: the filter
and its cross-filtering, time windows, the merged view, charts, CSV, the catalogue, the focus in
the live state, and refusals when a permission is missing."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

import pandas as pd
import pytest

from callbacks import consult_page as consult
from callbacks import presenter, tablet_page
from data_sources import keys
from data_sources.analysis import VIEW_COLUMNS, AlarmFilter, Analysis
from data_sources.live import LiveState, embedded
from figures.consult import bucket, ranked_figure, trend_counts
from layouts import i18n
from layouts.consult_page import DEFAULT_FILTER, alarm_table, drill_href, parse_drill

NOW = pd.Timestamp("2026-11-29 23:10:30", tz="UTC")  # 07:10 on the 30th in Suzhou


def alarm(alarm_id: str, minutes_ago: float, **fields) -> dict:  # noqa: ANN003
    row = dict.fromkeys(VIEW_COLUMNS)
    row |= {
        "id": alarm_id,
        "source": "hazchem",
        "level": "yellow",
        "category": "液位超限",
        "title": f"警情 {alarm_id}",
        "occurred_at": NOW - pd.Timedelta(minutes=minutes_ago),
        "district": "320508",
        "status": "closed",
        "count": 1,
    }
    return row | fields


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=VIEW_COLUMNS)


# --- the filter ------------------------------------------------------------------------


def test_a_click_on_a_district_filters_to_it_and_a_second_click_clears_it():
    feature = {"type": "Feature", "properties": {"adcode": "320583", "name": "昆山市"}}
    once = consult.next_filter(DEFAULT_FILTER, "map", feature)
    assert once["districts"] == ["320583"]
    assert consult.next_filter(once, "map", feature)["districts"] == []


def test_a_click_on_a_chart_bar_filters_by_the_key_the_bar_carries():
    click = {"points": [{"customdata": "可燃气体报警", "y": "可燃气体报警", "x": 3}]}
    f = consult.next_filter(DEFAULT_FILTER, "chart-categories", click)
    assert f["categories"] == ["可燃气体报警"]
    level = consult.next_filter(f, "chart-levels", {"points": [{"customdata": "red"}]})
    assert level["levels"] == ["red"] and level["categories"] == ["可燃气体报警"]


def test_dropdowns_window_and_reset_change_the_filter_and_nothing_else():
    f = consult.next_filter(DEFAULT_FILTER, "districts", ["320508", "320505"])
    f = consult.next_filter(f, "window", "7d")
    assert f["districts"] == ["320508", "320505"] and f["window"] == "7d"
    assert consult.next_filter(f, "window", "7d") is None  # unchanged: no update
    reset = consult.next_filter({**f, "focus_at": 5.0}, "reset", 1)
    assert reset["districts"] == [] and reset["window"] == "24h" and reset["focus_at"] == 5.0


def test_the_filter_follows_a_new_focus_and_lets_go_when_it_is_released():
    focus = {"kind": "incident", "id": "INC-1", "district": "320582", "at": 100.0}
    followed = consult.next_filter(DEFAULT_FILTER, "focus", None, focus)
    assert followed["districts"] == ["320582"] and followed["focus_at"] == 100.0
    assert consult.next_filter(followed, "focus", None, focus) is None  # same focus again
    released = consult.next_filter(followed, "focus", None, None)
    assert released["districts"] == [] and released["focus_at"] is None
    # A district the user chose after the focus stays when the focus is released.
    chosen = consult.next_filter(followed, "districts", ["320505"])
    assert consult.next_filter(chosen, "focus", None, None)["districts"] == ["320505"]


@pytest.mark.parametrize(("window", "hours"), [("1h", 1), ("6h", 6), ("24h", 24), ("7d", 168)])
def test_time_windows_end_with_the_current_minute(window: str, hours: int):
    since, until = consult.window_bounds({"window": window}, NOW)
    assert until == pd.Timestamp("2026-11-29 23:11", tz="UTC")
    assert until - since == pd.Timedelta(hours=hours)


def test_a_custom_window_covers_whole_days_in_suzhou_and_bad_ranges_fall_back():
    f = {"window": "custom", "start": "2026-11-20", "end": "2026-11-21T00:00:00"}
    since, until = consult.window_bounds(f, NOW)
    assert since == pd.Timestamp("2026-11-19 16:00", tz="UTC")  # 20th 00:00 in Suzhou
    assert until == pd.Timestamp("2026-11-21 16:00", tz="UTC")
    backwards = {"window": "custom", "start": "2026-11-21", "end": "2026-11-01"}
    since, until = consult.window_bounds(backwards, NOW)
    assert until - since == pd.Timedelta(hours=24)


# --- the view --------------------------------------------------------------------------


class Archive(Analysis):
    """The archive part replaced by a fixed frame: this tests the merge, not the SQL."""

    def __init__(self, rows: pd.DataFrame) -> None:
        super().__init__(warehouse=None)
        self.rows = rows

    def alarms(self, since, until, **filters):  # noqa: ANN001, ANN003
        f = AlarmFilter(
            since,
            until,
            *(tuple(filters[k]) for k in ("districts", "sources", "categories", "levels")),
        )
        return f.apply(self.rows)


def test_the_view_merges_live_alarms_over_their_archived_copy_and_applies_the_filter():
    archive = frame(
        alarm("a", 30, status="new"),
        alarm("b", 90, district="320583"),
        alarm("old", 60 * 30),
    )
    live = frame(alarm("a", 30, status="acknowledged", ack_by="张三"), alarm("c", 5, level="red"))
    f = AlarmFilter(
        (NOW - pd.Timedelta(hours=24)).to_pydatetime(),
        NOW.to_pydatetime(),
        districts=("320508",),
    )
    view = Archive(archive).view(live, f)
    assert list(view["id"]) == ["c", "a"]  # newest first; b elsewhere, old outside the window
    assert view.set_index("id").loc["a", "status"] == "acknowledged"


def test_worst_levels_and_rankings_summarise_the_view():
    view = frame(
        alarm("1", 1, level="blue"),
        alarm("2", 2, level="red"),
        alarm("3", 3, level="orange", district="320583"),
    )
    assert consult.worst_levels(view) == {"320508": "red", "320583": "orange"}
    names = {"320508": "姑苏区", "320583": "昆山市"}
    assert consult.ranked(view, "district", names) == [
        ("320508", "姑苏区", 2),
        ("320583", "昆山市", 1),
    ]


def test_csv_has_one_row_per_alarm_of_the_view_in_local_time_with_a_bom():
    view = frame(alarm("x1", 10, level="red", status="new"), alarm("x2", 20))
    text = consult.csv_text(view, {"320508": "姑苏区"}, {"hazchem": "危化品系统"}, "zh")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == ["x1", "x2"]
    assert rows[0]["district"] == "姑苏区" and rows[0]["level"] == "红色"
    assert rows[0]["occurred_at"] == "2026-11-30 07:00:30"  # Asia/Shanghai
    assert rows[0]["status"] == "未确认" and rows[1]["source"] == "危化品系统"


def test_the_alarm_table_escapes_upstream_text_and_links_each_row_to_its_detail():
    view = frame(alarm("id<&>", 1, title='<script>alert("x")</script>'))
    html_text = alarm_table(view, {}, {}, "zh").children
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert 'data-alarm-id="id&lt;&amp;&gt;"' in html_text
    assert parse_drill(drill_href("alarm", "id<&>#=x")) == ("alarm", "id<&>#=x")
    assert parse_drill("#nothing") is None and parse_drill(None) is None


# --- charts ----------------------------------------------------------------------------


def test_the_trend_keeps_a_readable_number_of_bars_and_counts_every_alarm():
    assert bucket(NOW - pd.Timedelta(hours=1), NOW) == "5min"
    assert bucket(NOW - pd.Timedelta(days=7), NOW) == "6h"
    view = frame(*(alarm(str(i), i * 37, level=("red", "blue")[i % 2]) for i in range(30)))
    since, until = NOW - pd.Timedelta(hours=24), NOW
    counts = trend_counts(view, since, until)
    assert 12 <= len(counts) <= 60
    inside = view[view["occurred_at"] >= since]
    assert counts.to_numpy().sum() == len(inside)
    assert counts["red"].sum() == (inside["level"] == "red").sum()


def test_ranked_bars_carry_their_filter_key_and_dim_what_is_not_selected():
    fig = ranked_figure([("320508", "姑苏区", 5), ("320583", "昆山市", 2)], ["320583"], "zh")
    bar = fig.data[0]
    assert list(bar.customdata) == ["320583", "320508"]  # largest on top
    assert bar.marker.color[0] != bar.marker.color[1]


# --- languages -------------------------------------------------------------------------


def test_every_message_exists_in_both_languages_and_chinese_is_the_default():
    for key, (zh, en) in i18n.MESSAGES.items():
        assert zh.strip() and en.strip(), key
    assert i18n.pick(None) == "zh" and i18n.pick("fr") == "zh" and i18n.pick("en") == "en"
    assert i18n.t("presenter.project", "en") == "Show on the wall"
    assert i18n.t("presenter.project") == "投屏到大屏"
    assert i18n.t("no.such.key", "en") == "no.such.key"


def test_an_explicit_language_is_remembered_and_a_remembered_one_reloads_the_page():
    assert i18n.remember(None, {"lang": "en", "explicit": True}) == ("en", None)
    assert i18n.remember("en", {"lang": "en", "explicit": True}) == (None, None)
    assert i18n.remember("zh", {"lang": "en", "explicit": True}) == ("en", None)
    assert i18n.remember("en", {"lang": "zh", "explicit": False}) == (None, "?lang=en")
    assert i18n.remember("zh", {"lang": "zh", "explicit": False}) == (None, None)
    assert i18n.remember(None, {"lang": "zh", "explicit": False}) == (None, None)
    assert i18n.remember("xx", {"lang": "zh", "explicit": False}) == (None, None)


# --- presenter control -----------------------------------------------------------------


def test_projecting_needs_a_target_and_releasing_needs_a_focus():
    assert presenter.ask("set", "district", None, None, "", "zh")[2] == "请先选择投屏对象"
    pending, question, _ = presenter.ask("set", "district", "320583", None, "昆山市", "zh")
    assert pending == {"op": "set", "kind": "district", "id": "320583"} and "昆山市" in question
    assert presenter.ask("release", None, None, None, "", "en")[2] == "Nothing is being shown"
    focus = {"label": "昆山市", "id": "320583"}
    assert presenter.ask("release", None, None, focus, "", "zh")[0] == {"op": "release"}


def test_the_focus_lives_in_the_live_state_and_every_change_moves_the_version():
    live = LiveState(embedded())
    assert live.focus() is None
    before = live.version()
    focus = live.set_focus(
        "district",
        "320583",
        "李伟华",
        1_790_000_000.5,
        label="昆山市",
        by_user="leader",
        district="320583",
        lon=120.98,
        lat=31.38,
        bounds=[[31.1, 120.8], [31.6, 121.1]],
    )
    assert live.version() == before + 1
    assert live.focus() == focus
    assert focus["by"] == "李伟华" and focus["at"] == 1_790_000_000.5
    assert focus["bounds"] == [[31.1, 120.8], [31.6, 121.1]]
    assert "正在投屏：昆山市（区县）· 李伟华" in presenter.current_text(focus, "zh")
    assert live.release_focus("王芳", time.time()) == focus
    assert live.focus() is None and live.version() == before + 2
    assert not live.r.exists(keys.FOCUS)
    assert live.release_focus("王芳", time.time()) is None
    assert live.version() == before + 2  # nothing released: nothing changed


# --- refusals --------------------------------------------------------------------------


@pytest.fixture
def locked_app(make_app):  # noqa: ANN001
    """An app that requires a login (embedded stores), with access control in place."""
    return make_app(AUTH_REQUIRED=True)


def test_without_a_login_the_tablet_acknowledges_nothing(locked_app):  # noqa: ANN001
    sources = locked_app.server.extensions["smart_emergency_sources"]
    sources.live.put_alarm(
        {
            "id": "T-1",
            "source": "hazchem",
            "level": "red",
            "category": "可燃气体报警",
            "title": "测试红色警情",
            "occurred_at": datetime.now(UTC),
            "lon": 120.6,
            "lat": 31.3,
            "site_id": None,
            "district": "320508",
            "detail": {},
        }
    )
    with locked_app.server.test_request_context("/_dash-update-component"):
        message = tablet_page.acknowledge(sources, "T-1", "zh")
        assert message == i18n.t("ack.denied", "zh")
        assert presenter.perform(sources, {"op": "release"}, "en") == i18n.t(
            "presenter.denied", "en"
        )
    assert sources.live.alarm("T-1")["status"] == "new"
    assert sources.live.focus() is None


def test_the_demo_duty_officer_acknowledges_once_and_the_record_carries_the_account(make_app):  # noqa: ANN001
    app = make_app(AUTH_REQUIRED=False)
    sources = app.server.extensions["smart_emergency_sources"]
    sources.live.put_alarm(
        {
            "id": "T-2",
            "source": "hazchem",
            "level": "orange",
            "category": "温度超限",
            "title": "测试橙色警情",
            "occurred_at": datetime.now(UTC),
            "lon": None,
            "lat": None,
            "site_id": None,
            "district": None,
            "detail": {},
        }
    )
    with app.server.test_request_context("/_dash-update-component"):
        assert tablet_page.acknowledge(sources, "T-2", "zh") == "已确认：测试橙色警情"
        assert tablet_page.acknowledge(sources, "T-2", "zh") == "该警情已被确认"
        assert tablet_page.acknowledge(sources, "nope", "zh") == "该警情已关闭或不存在"
    state = sources.live.alarm("T-2")
    assert state["status"] == "acknowledged" and state["ack_by"] == "demo"


def test_urgent_lists_red_and_orange_not_closed_unacknowledged_first():
    alarms = frame(
        alarm("y", 1, level="yellow", status="new"),
        alarm("r-ack", 2, level="red", status="acknowledged"),
        alarm("o-new", 30, level="orange", status="new"),
        alarm("r-closed", 3, level="red", status="closed"),
        alarm("r-new", 40, level="red", status="new"),
    )
    assert list(tablet_page.urgent(alarms)["id"]) == ["o-new", "r-new", "r-ack"]
