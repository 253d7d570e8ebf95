"""The duty room's records and the roll call: real warehouses, real Redis, the HTTP endpoint."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

import ingest.rollcall
from data_sources import duty, rollcall
from data_sources.redis_client import connect
from data_sources.warehouse import Warehouse, make_engine, upgrade
from tests.helpers import live_sources, sources_of

TOKEN = "duty-room-test-token-0123456789"


@pytest.fixture
def warehouse(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield Warehouse(engine)
    engine.dispose()


def test_the_duty_log_refuses_empty_text_and_lists_newest_first(warehouse):
    with pytest.raises(ValueError, match="日志内容不能为空"):
        duty.Duty(warehouse).append_log("张三", "   ")
    duty.Duty(warehouse).append_log("张三", "接报：姑苏区一处路面塌陷", "report")
    duty.Duty(warehouse).append_log("李四", "检查：视频抽查吴江区值班室，在岗在位", "inspection")
    entries = duty.Duty(warehouse).log_entries()
    assert list(entries["author"]) == ["李四", "张三"]
    assert entries["at"].iloc[0] >= entries["at"].iloc[1]
    assert entries["at"].dt.tz is not None


def test_a_handover_is_recorded_with_what_was_handed_over_and_logged(warehouse):
    with pytest.raises(ValueError):
        duty.Duty(warehouse).record_handover("王艳", "王艳", {})
    duty.Duty(warehouse).record_handover(
        "王艳",
        "陆志伟",
        {"text": "昆山火情续报待跟进", "open_alarms": 3},
        recorded_by="demo",
    )
    record = duty.Duty(warehouse).handovers().iloc[0]
    assert (record["from_name"], record["to_name"]) == ("王艳", "陆志伟")
    assert record["notes"] == {"text": "昆山火情续报待跟进", "open_alarms": 3}
    entry = duty.Duty(warehouse).log_entries().iloc[0]
    assert entry["category"] == "handover" and entry["account"] == "demo", "who recorded it"
    assert "王艳与陆志伟完成交接" in entry["text"] and "未结警情3起" in entry["text"]
    assert "昆山火情续报待跟进" in entry["text"]


def test_a_roll_call_records_who_answered_and_who_was_late(warehouse, redis_url):
    client = connect(redis_url)
    sources = live_sources(client, warehouse)
    assert sources.rollcall.answer("320508", via="api").outcome == "none"
    now = time.time()
    rid = sources.rollcall.start(["320508", "320509", "320583"], 60, "值班长", now=now)

    assert sources.rollcall.answer("320508", via="api", now=now + 10) == rollcall.Answer(
        "answered", rid, False
    )
    assert sources.rollcall.answer("320508", via="api", now=now + 20).outcome == "duplicate"
    assert sources.rollcall.answer("320509", "phone", "demo", now=now + 90).late
    assert sources.rollcall.answer("320505", via="api").outcome == "not-called"

    state = sources.rollcall.state()
    assert state["id"] == rid and state["units"] == ["320508", "320509", "320583"]
    states = {u: rollcall.answer_state(state, u, now + 100) for u in state["units"]}
    assert states == {"320508": "answered", "320509": "late", "320583": "not-answered"}
    assert rollcall.answer_state(state, "320583", now + 30) == "waiting"

    records = warehouse.query(
        "SELECT unit, via, COALESCE(recorded_by, '-') AS by FROM rollcall_answers ORDER BY unit"
    )
    assert list(records.itertuples(index=False, name=None)) == [
        ("320508", "api", "-"),
        ("320509", "phone", "demo"),
    ]
    assert warehouse.query("SELECT deadline_s FROM rollcall")["deadline_s"].tolist() == [60]
    (call,) = sources.rollcall.history()
    assert (call["id"], call["started_by"], call["deadline_s"]) == (rid, "值班长", 60)
    assert (call["on_time"], call["late"], call["missing"]) == (["320508"], ["320509"], ["320583"])
    client.close()


@pytest.fixture
def client(make_app, redis_url, reference_url):
    app = make_app(
        REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, INGEST_TOKENS=f"hazchem:{TOKEN}"
    )
    ingest.rollcall.init_app(app.server)
    yield app.server.test_client(), sources_of(app)


def post(client, body, token=TOKEN, **kwargs):  # noqa: ANN001, ANN003
    return client.post(
        "/api/v1/rollcall/answer",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


def test_a_duty_room_answers_over_http(client):
    http, sources = client
    assert post(http, {"unit": "320508"}).status_code == 409  # no roll call yet
    rid = sources.rollcall.start(["320508", "320583"], 300, "值班长")

    response = post(http, {"unit": "320508"})
    assert response.status_code == 200
    assert response.json == {
        "rollcall_id": rid,
        "unit": "320508",
        "outcome": "answered",
        "late": False,
    }
    by_name = post(http, {"unit": "昆山市"})  # a district may give its name
    assert by_name.status_code == 200 and by_name.json["unit"] == "320583"
    assert post(http, {"unit": "320508"}).json["outcome"] == "duplicate"
    assert set(sources.rollcall.state()["answers"]) == {"320508", "320583"}


@pytest.mark.parametrize(
    ("body", "token", "status", "field"),
    [
        ({"unit": "320508"}, "wrong-token-0123456789", 401, "Authorization"),
        ({"unit": "火星区"}, TOKEN, 422, "unit"),
        ({"unit": "city"}, TOKEN, 422, "unit"),
        ({}, TOKEN, 422, "unit"),
        ({"unit": "320505"}, TOKEN, 409, "unit"),  # not called in this roll call
    ],
)
def test_bad_answers_are_refused_and_change_nothing(client, body, token, status, field):
    http, sources = client
    sources.rollcall.start(["320508"], 300, "值班长")
    response = post(http, body, token)
    assert response.status_code == status
    assert response.json["field"] == field
    assert sources.rollcall.state()["answers"] == {}


def test_an_answer_that_is_not_json_is_refused(client):
    http, sources = client
    sources.rollcall.start(["320508"], 300, "值班长")
    response = http.post(
        "/api/v1/rollcall/answer",
        data="unit=320508",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert sources.rollcall.state()["answers"] == {}


def check_in(client, body, token=TOKEN):  # noqa: ANN001
    return client.post(
        "/api/v1/duty/checkin", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_a_duty_room_checks_in_over_http_with_the_servers_time(client):
    http, sources = client
    before = time.time()
    response = check_in(http, {"unit": "320508"})
    assert response.status_code == 200, response.json
    assert response.json["unit"] == "320508"
    stamp = datetime.fromisoformat(response.json["at"])
    assert stamp.tzinfo is not None and before - 1 <= stamp.timestamp() <= time.time() + 1
    by_name = check_in(http, {"unit": "昆山市"})
    assert by_name.status_code == 200 and by_name.json["unit"] == "320583"
    checkins = sources.status.checkins()
    assert set(checkins) == {"320508", "320583"}
    assert before - 1 <= checkins["320508"] <= time.time()


@pytest.mark.parametrize(
    ("body", "token", "status", "field"),
    [
        ({"unit": "320508"}, "wrong-token-0123456789", 401, "Authorization"),
        ({"unit": "火星区"}, TOKEN, 422, "unit"),
        ({"unit": "city"}, TOKEN, 422, "unit"),
        ({"unit": "3205081234567890123"}, TOKEN, 422, "unit"),
        ({}, TOKEN, 422, "unit"),
        ({"unit": "320508", "at": "2026-01-01T00:00:00Z"}, TOKEN, 422, "at"),
    ],
)
def test_a_bad_check_in_is_refused_naming_the_field_and_changes_nothing(
    client, body, token, status, field
):
    http, sources = client
    response = check_in(http, body, token)
    assert response.status_code == status
    assert response.json["field"] == field
    assert status == 401 or field in response.json["error"]
    assert sources.status.checkins() == {}


def test_answering_the_roll_call_is_also_a_check_in(client):
    http, sources = client
    sources.rollcall.start(["320508"], 300, "值班长")
    assert post(http, {"unit": "320508"}).status_code == 200
    assert set(sources.status.checkins()) == {"320508"}
    assert post(http, {"unit": "320583"}).status_code == 409  # not called: no check-in
    assert set(sources.status.checkins()) == {"320508"}
