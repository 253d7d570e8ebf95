"""The words of /hazchem and /incident/<id> in English (layouts/i18n.py): grades, incident
levels and severities, team and timeline words, the hazard table's reasons; Chinese as before."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import plotly.utils

from layouts import incident_lists as lists
from layouts.hazchem_page import gauge
from layouts.i18n import grade_name
from layouts.incident_page import wind_options

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
INCIDENT = {
    "level": 2,
    "status": "open",
    "title": "某化工厂储罐泄漏",
    "category": "危化品泄漏",
    "lon": 120.98,
    "lat": 31.38,
    "casualties": 0,
    "summary": "现场已处置",
}


def chinese_in(component, data: str) -> list[str]:  # noqa: ANN001
    text = json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    return [run for run in CJK.findall(text) if run not in data]


def test_grades_read_as_each_language_counts_them():
    assert [grade_name(g, "zh") for g in (1, 4)] == ["一级", "四级"]
    assert [grade_name(g, "en") for g in (1, "4")] == ["Grade 1", "Grade 4"]
    assert grade_name(7, "en") == grade_name(None, "zh") == "—"


def test_an_incidents_overview_is_english_but_its_record():
    data = INCIDENT["title"] + INCIDENT["summary"]
    en = lists.overview_block(INCIDENT, "Kunshan", "1 Dec 14:05", "5 min", "en")
    assert chinese_in(en, data) == []
    head = en[0].children
    assert [c.children for c in head] == ["Level Ⅱ", "Serious incident", "Responding"]
    zh = lists.overview_block(INCIDENT, "昆山市", "12-01 14:05", "5 分钟", "zh")
    assert [c.children for c in zh[0].children] == ["Ⅱ级", "重大事件", "处置中"]


def test_the_timeline_and_the_forces_say_their_words_in_english():
    at = datetime(2026, 12, 1, 6, 5, tzinfo=UTC).isoformat()
    timeline = lists.timeline_list([(at, "dispatch", "派出消防", "值班员甲")], "en")
    assert chinese_in(timeline, "派出消防值班员甲") == []
    forces = lists.forces_list(
        [
            {
                "id": "T1",
                "name": "吴中消防",
                "sent": "1 Dec 14:05",
                "arrived": "",
                "status": "dispatched",
            }
        ],
        "en",
    )
    assert chinese_in(forces, "吴中消防") == []
    assert "on the way" in json.dumps(forces, cls=plotly.utils.PlotlyJSONEncoder)


def test_the_wind_choices_and_a_gauge_without_reading_are_english():
    labels = [o["label"] for o in wind_options(37, "en")]
    assert labels[1] == "NNE (22.5°)" and labels[-1] == "about NE (37°)"
    assert "No reading" in gauge(float("nan"), "none", "", "en")
    assert "Sensor fault" in gauge(float("nan"), "fault", "1#储罐液位", "en")
