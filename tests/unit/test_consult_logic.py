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

from callbacks import alarm_actions, presenter, tablet_page
from data_sources import keys
from data_sources.analysis import VIEW_COLUMNS, AlarmFilter, Analysis
from data_sources.redis_client import embedded
from figures import consult_filter, consult_view
from figures.consult import bucket, ranked_figure, trend_counts
from figures.stats import COLOURS
from layouts import i18n
from layouts.alarm_actions import tr
from layouts.consult_detail import drill_href, parse_drill
from layouts.consult_ids import DEFAULT_FILTER
from layouts.consult_panels import alarm_table
from maps import features
from tests.helpers import live_sources
from vocabulary import LEVELS

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
    once = consult_filter.next_filter(DEFAULT_FILTER, "map", feature)
    assert once["districts"] == ["320583"]
    assert consult_filter.next_filter(once, "map", feature)["districts"] == []


def test_a_click_on_a_chart_bar_filters_by_the_key_the_bar_carries():
    click = {"points": [{"customdata": "可燃气体报警", "y": "可燃气体报警", "x": 3}]}
    f = consult_filter.next_filter(DEFAULT_FILTER, "chart-categories", click)
    assert f["categories"] == ["可燃气体报警"]
    level = consult_filter.next_filter(f, "chart-levels", {"points": [{"customdata": "red"}]})
    assert level["levels"] == ["red"] and level["categories"] == ["可燃气体报警"]


def test_dropdowns_window_and_reset_change_the_filter_and_nothing_else():
    f = consult_filter.next_filter(DEFAULT_FILTER, "districts", ["320508", "320505"])
    f = consult_filter.next_filter(f, "window", "7d")
    assert f["districts"] == ["320508", "320505"] and f["window"] == "7d"
    assert consult_filter.next_filter(f, "window", "7d") is None  # unchanged: no update
    reset = consult_filter.next_filter({**f, "focus_at": 5.0}, "reset", 1)
    assert reset["districts"] == [] and reset["window"] == "24h" and reset["focus_at"] == 5.0


def test_the_filter_follows_a_new_focus_and_lets_go_when_it_is_released():
    focus = {"kind": "incident", "id": "INC-1", "district": "320582", "at": 100.0}
    followed = consult_filter.next_filter(DEFAULT_FILTER, "focus", None, focus)
    assert followed["districts"] == ["320582"] and followed["focus_at"] == 100.0
    assert consult_filter.next_filter(followed, "focus", None, focus) is None  # same focus again
    released = consult_filter.next_filter(followed, "focus", None, None)
    assert released["districts"] == [] and released["focus_at"] is None
    # A district the user chose after the focus stays when the focus is released.
    chosen = consult_filter.next_filter(followed, "districts", ["320505"])
    assert consult_filter.next_filter(chosen, "focus", None, None)["districts"] == ["320505"]


@pytest.mark.parametrize(("window", "hours"), [("1h", 1), ("6h", 6), ("24h", 24), ("7d", 168)])
def test_time_windows_end_with_the_current_minute(window: str, hours: int):
    since, until = consult_filter.window_bounds({"window": window}, NOW)
    assert until == pd.Timestamp("2026-11-29 23:11", tz="UTC")
    assert until - since == pd.Timedelta(hours=hours)


def test_a_custom_window_covers_whole_days_in_suzhou_and_bad_ranges_fall_back():
    f = {"window": "custom", "start": "2026-11-20", "end": "2026-11-21T00:00:00"}
    since, until = consult_filter.window_bounds(f, NOW)
    assert since == pd.Timestamp("2026-11-19 16:00", tz="UTC")  # 20th 00:00 in Suzhou
    assert until == pd.Timestamp("2026-11-21 16:00", tz="UTC")
    backwards = {"window": "custom", "start": "2026-11-21", "end": "2026-11-01"}
    since, until = consult_filter.window_bounds(backwards, NOW)
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
    assert features.worst_levels(view) == {"320508": "red", "320583": "orange"}
    names = {"320508": "姑苏区", "320583": "昆山市"}
    assert consult_view.ranked(view, "district", names) == [
        ("320508", "姑苏区", 2),
        ("320583", "昆山市", 1),
    ]


def test_csv_has_one_row_per_alarm_of_the_view_in_local_time_with_a_bom():
    view = frame(alarm("x1", 10, level="red", status="new"), alarm("x2", 20))
    text = consult_view.csv_text(view, {"320508": "姑苏区"}, {"hazchem": "危化品系统"}, "zh")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["警情编号"] for r in rows] == ["x1", "x2"]
    assert rows[0]["区县"] == "姑苏区" and rows[0]["等级"] == "红色"
    assert rows[0]["发生时间"] == "2026-11-30 07:00:30"  # Asia/Shanghai
    assert rows[0]["状态"] == "未确认" and rows[1]["来源系统"] == "危化品系统"


def test_csv_headers_and_words_follow_the_pages_language():
    view = frame(alarm("x1", 10, level="red", status="new", category="可燃气体报警"))
    zh = consult_view.csv_text(view, {}, {}, "zh").lstrip("\ufeff").splitlines()[0]
    assert zh.split(",")[:3] == ["警情编号", "等级", "发生时间"]
    text = consult_view.csv_text(view, {"320508": "Gusu"}, {"hazchem": "Hazchem"}, "en")
    (row,) = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert list(row)[:3] == ["ID", "Level", "Occurred at"]
    assert row["Level"] == "Red" and row["Status"] == "New" and row["District"] == "Gusu"
    assert row["Category"] == "Flammable gas"


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


def test_ranked_bars_carry_their_filter_key_are_stacked_by_level_and_dim_what_is_not_selected():
    rows = [("320508", "姑苏区", {"red": 1, "blue": 4}), ("320583", "昆山市", {"yellow": 2})]
    fig = ranked_figure(rows, ["320583"], "zh")
    assert [bar.marker.color for bar in fig.data] == [COLOURS[lv] for lv in LEVELS]
    red, _orange, yellow, blue = fig.data
    assert list(red.customdata) == ["320583", "320508"]  # largest on top
    assert list(red.x) == [0, 1] and list(yellow.x) == [2, 0] and list(blue.x) == [0, 4]
    assert red.marker.opacity[0] > red.marker.opacity[1]  # 昆山市 selected, 姑苏区 dimmed
    assert [a.text for a in fig.layout.annotations] == ["2", "5"]  # the totals


def test_ranked_levels_count_each_value_by_level():
    view = frame(
        alarm("1", 1, level="blue"),
        alarm("2", 2, level="red"),
        alarm("3", 3, level="orange", district="320583"),
    )
    names = {"320508": "姑苏区", "320583": "昆山市"}
    assert consult_view.ranked_levels(view, "district", names) == [
        ("320508", "姑苏区", {"blue": 1, "red": 1}),
        ("320583", "昆山市", {"orange": 1}),
    ]


def test_categories_read_in_english_where_known_and_stay_as_sent_otherwise():
    assert i18n.category_name("设备离线", "en") == "Device offline"
    assert i18n.category_name("液位高高报警", "en") == "Level high-high"
    assert i18n.category_name("设备离线", "zh") == "设备离线"
    assert i18n.category_name("某新类别", "en") == "某新类别"


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
    live = live_sources(embedded())
    assert live.focus.current() is None
    before = live.versions.current()
    focus = live.focus.set(
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
    assert live.versions.current() == before + 1
    assert live.focus.current() == focus
    assert focus["by"] == "李伟华" and focus["at"] == 1_790_000_000.5
    assert focus["bounds"] == [[31.1, 120.8], [31.6, 121.1]]
    assert "正在投屏：昆山市（区县）· 李伟华" in presenter.current_text(focus, "zh")
    assert live.focus.release("王芳", time.time()) == focus
    assert live.focus.current() is None and live.versions.current() == before + 2
    assert not live.redis.exists(keys.FOCUS)
    assert live.focus.release("王芳", time.time()) is None
    assert live.versions.current() == before + 2  # nothing released: nothing changed


# --- refusals --------------------------------------------------------------------------


@pytest.fixture
def locked_app(make_app):  # noqa: ANN001
    """An app that requires a login (embedded stores), with access control in place."""
    return make_app(AUTH_REQUIRED=True)


def test_without_a_login_the_tablet_acknowledges_nothing(locked_app):  # noqa: ANN001
    sources = locked_app.server.extensions["smart_emergency_sources"]
    sources.alarms.put(
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
        done, message = alarm_actions.act(sources, "T-1", "ack", "", "zh")
        assert not done and message == tr("ack.denied", "zh")
        done, message = alarm_actions.act(sources, "T-1", "close", "误报", "zh")
        assert not done and message == tr("close.denied", "zh")
        assert presenter.perform(sources, {"op": "release"}, "en") == i18n.t(
            "presenter.denied", "en"
        )
    assert sources.alarms.get("T-1")["status"] == "new"
    assert sources.focus.current() is None


def test_the_demo_duty_officer_acknowledges_once_and_the_record_carries_the_account(make_app):  # noqa: ANN001
    app = make_app(AUTH_REQUIRED=False)
    sources = app.server.extensions["smart_emergency_sources"]
    sources.alarms.put(
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
        ack = alarm_actions.act
        assert ack(sources, "T-2", "ack", "", "zh") == (True, "已确认：测试橙色警情")
        assert ack(sources, "T-2", "ack", "", "zh") == (False, "该警情已被确认")
        assert ack(sources, "nope", "ack", "", "zh") == (False, "该警情已关闭或不存在")
    state = sources.alarms.get("T-2")
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


def test_the_replay_scrubber_points_into_the_filter_window_and_never_past_now() -> None:
    replay_moment = consult_filter.replay_moment
    now = pd.Timestamp("2026-12-01T06:30:15.5", tz="UTC")
    f = {**DEFAULT_FILTER, "window": "6h"}
    assert replay_moment(f, 0, now) == pd.Timestamp("2026-12-01T00:31:00", tz="UTC")
    assert replay_moment(f, 500, now) == pd.Timestamp("2026-12-01T03:31:00", tz="UTC")
    # The window ends a minute past now (shared caches): the scrubber's end is now.
    assert replay_moment(f, 1000, now) == replay_moment(f, None, now) == now.floor("s")
    assert replay_moment({**DEFAULT_FILTER, "window": "24h"}, 0, now) == pd.Timestamp(
        "2026-11-30T06:31:00", tz="UTC"
    )
