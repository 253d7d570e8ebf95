"""The duty desk's and the resources page's words in English (layouts/i18n.py): dates with
their weekday, times, the duty log's refusals, the contact directory's own words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from callbacks.duty_page import contacts_in_english
from data_sources import duty
from layouts.i18n import MESSAGES, day_name, known_error, moment


def test_a_day_reads_with_its_weekday_in_either_language():
    assert day_name(date(2026, 12, 1), "en") == "Tue 1 Dec"
    assert day_name(date(2026, 12, 1), "zh") == "12-01 周二"
    assert day_name(date(2027, 1, 3), "en") == "Sun 3 Jan"


def test_a_moment_is_shanghai_time():
    at = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)  # 01:05 on 1 Dec in Suzhou
    assert moment(at, "en") == "1 Dec 01:05"
    assert moment(at, "zh") == "12-01 01:05"
    assert moment(None, "en") == "—"


def test_the_duty_logs_refusals_are_said_in_english():
    assert known_error("日志内容不能为空", "en") == "The entry is empty"
    assert known_error("日志内容不能超过 2000 字", "en") == "An entry holds at most 2000 characters"
    assert known_error("日志内容不能为空", "zh") == "日志内容不能为空"
    # One the catalogue does not know is still a sentence in English, the cause as it came.
    assert known_error("数据库忙", "en") == "Not recorded: 数据库忙"


def test_the_directorys_own_words_are_english_and_its_data_as_recorded():
    roster = pd.DataFrame(
        {
            "name": ["王芳", "王芳"],
            "phone": ["13900000001"] * 2,
            "unit": ["city", "320505"],
            "role": ["leader", "officer"],
        }
    )
    teams = pd.DataFrame({"leader": ["李强"], "phone": ["13900000002"], "name": ["虎丘消防站"]})
    experts = pd.DataFrame(
        {
            "name": ["赵敏"],
            "phone": ["13900000003"],
            "organisation": ["苏州大学"],
            "specialty": ["危化"],
            "title": ["教授"],
        }
    )
    frame = duty.contacts(roster, teams, experts, {"320505": "虎丘区"})
    english = contacts_in_english(frame, {"320505": "虎丘区"}, {"320505": "Huqiu"})
    rows = {(r.name, r.unit): (r.group, r.detail) for r in english.itertuples(index=False)}
    assert rows[("王芳", "City Emergency Management Bureau")] == ("Duty staff", "Leader on duty")
    assert rows[("王芳", "Huqiu")] == ("Duty staff", "Duty officer")
    assert rows[("李强", "虎丘消防站")] == ("Rescue team", "Team leader")
    assert rows[("赵敏", "苏州大学")] == ("Expert", "Expert: 危化 · 教授")


def test_every_message_has_both_languages():
    assert all(zh and en for zh, en in MESSAGES.values())
