"""What upstream systems may send (ingest/models.py), checked without a server."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from ingest.models import AlarmIn, IncidentIn, ReadingBatch, ReadingIn, TransitionIn

NOW = datetime.now(UTC)


def alarm(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "HC-0001",
        "source": "hazchem",
        "level": "red",
        "category": "可燃气体报警",
        "title": "罐区可燃气体浓度超标",
        "occurred_at": (NOW - timedelta(minutes=1)).isoformat(),
        "lon": 120.62,
        "lat": 31.31,
    }
    for name, value in fields.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def error_fields(data: dict[str, Any], model: type = AlarmIn) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [e["loc"] for e in caught.value.errors()]


def test_a_valid_alarm_is_normalised_to_utc_and_stripped() -> None:
    shanghai = timezone(timedelta(hours=8))
    at = (NOW - timedelta(minutes=3)).astimezone(shanghai)
    model = AlarmIn.model_validate(alarm(occurred_at=at.isoformat(), title="  标题  "))
    assert model.occurred_at.utcoffset() == timedelta(0)
    assert model.occurred_at == at
    assert model.title == "标题"
    assert model.crs == "wgs84" and model.detail == {} and model.site_id is None


def test_a_site_id_alone_is_a_position() -> None:
    model = AlarmIn.model_validate(alarm(lon=None, lat=None, site_id="H0001"))
    assert model.site_id == "H0001" and model.lon is None


@pytest.mark.parametrize("lon", [73.0, 136.0, 120.62])
def test_longitudes_at_china_s_edges_are_accepted(lon: float) -> None:
    assert AlarmIn.model_validate(alarm(lon=lon)).lon == lon


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lon", 72.99),
        ("lon", 136.01),
        ("lon", -120.62),
        ("lat", 2.99),
        ("lat", 54.01),
        ("lon", math.nan),
        ("lon", math.inf),
        ("lat", -math.inf),
    ],
)
def test_positions_outside_china_or_not_finite_are_refused(name: str, value: float) -> None:
    assert error_fields(alarm(**{name: value})) == [(name,)]


def test_times_are_allowed_five_minutes_ahead_and_a_year_back() -> None:
    now = datetime.now(UTC)  # not the module's NOW: the suite may reach this minutes later
    AlarmIn.model_validate(alarm(occurred_at=(now + timedelta(minutes=4)).isoformat()))
    AlarmIn.model_validate(alarm(occurred_at=(now - timedelta(days=365)).isoformat()))
    for late in (timedelta(minutes=6), timedelta(days=-367)):
        assert error_fields(alarm(occurred_at=(now + late).isoformat())) == [("occurred_at",)]


@pytest.mark.parametrize("text", ["2026-05-01T10:00:00", "2026-05-01", "10:00", "明天"])
def test_a_time_without_offset_is_refused(text: str) -> None:
    assert error_fields(alarm(occurred_at=text)) == [("occurred_at",)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", ""),
        ("id", "-leading-dash"),
        ("id", "a/b"),
        ("id", "x" * 65),
        ("source", "Hazchem"),
        ("source", "h"),
        ("level", "critical"),
        ("category", "c" * 33),
        ("title", ""),
        ("title", "t" * 201),
        ("crs", "bd09"),
        ("site_id", "H 0001"),
        ("detail", ["not", "an", "object"]),
        ("detail", {"blob": "x" * 9000}),
        ("priority", "high"),
    ],
)
def test_a_bad_field_is_refused_by_name(name: str, value: Any) -> None:
    assert error_fields(alarm(**{name: value})) == [(name,)]


@pytest.mark.parametrize("name", ["id", "source", "level", "category", "title", "occurred_at"])
def test_required_fields_are_required(name: str) -> None:
    assert (name,) in error_fields(alarm(**{name: None}))


def test_lon_and_lat_go_together_and_some_position_is_needed() -> None:
    for body in (alarm(lat=None), alarm(lon=None), alarm(lon=None, lat=None)):
        with pytest.raises(ValidationError, match="lon"):
            AlarmIn.model_validate(body)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_detail_refuses_numbers_that_json_cannot_carry(value: float) -> None:
    """The contract rejects NaN and ±Infinity: inside `detail` too, where they would be
    written into the live state and the archive as non-JSON tokens."""
    assert error_fields(alarm(detail={"reading": {"value": value}})) == [("detail",)]


def test_detail_refuses_text_that_is_not_unicode() -> None:
    """A lone surrogate (legal in a JSON escape, not in UTF-8) cannot be stored in Redis."""
    assert error_fields(alarm(detail={"note": "\ud800"})) == [("detail",)]


def test_a_reading_batch_holds_one_to_five_thousand_readings() -> None:
    item = {"sensor_id": "H0001-L1", "ts": NOW.isoformat(), "value": 1}
    assert len(ReadingBatch.model_validate({"readings": [item] * 5000}).readings) == 5000
    assert error_fields({"readings": []}, ReadingBatch) == [("readings",)]
    assert error_fields({"readings": [item] * 5001}, ReadingBatch) == [("readings",)]


@pytest.mark.parametrize("value", [math.nan, math.inf, "high", None])
def test_a_reading_value_must_be_a_finite_number(value: Any) -> None:
    item = {"sensor_id": "H0001-L1", "ts": NOW.isoformat(), "value": value}
    assert error_fields(item, ReadingIn) == [("value",)]


def test_a_transition_needs_who_and_takes_an_optional_aware_when() -> None:
    assert TransitionIn.model_validate({"by": "张伟"}).at is None
    at = NOW - timedelta(minutes=2)
    assert TransitionIn.model_validate({"by": "张伟", "at": at.isoformat()}).at == at
    assert error_fields({}, TransitionIn) == [("by",)]
    assert error_fields({"by": "张伟", "at": "2026-05-01T08:00:00"}, TransitionIn) == [("at",)]


def test_an_incident_level_is_one_to_four() -> None:
    body = {
        "id": "INC-1",
        "title": "泄漏",
        "category": "危化品泄漏",
        "level": 4,
        "lon": 120.62,
        "lat": 31.31,
        "opened_at": NOW.isoformat(),
    }
    assert IncidentIn.model_validate(body).status == "open"
    for level in (0, 5):
        assert error_fields(body | {"level": level}, IncidentIn) == [("level",)]
    assert error_fields(body | {"status": "reopened"}, IncidentIn) == [("status",)]


def test_python_callers_get_the_same_text_rules_as_the_http_door() -> None:
    """The threshold engine and connectors build models directly, without ingest/body.py."""
    assert error_fields(alarm(title="泄漏\x00")) == [("title",)]
    assert error_fields(alarm(category="\x1b[31m")) == [("category",)]
    assert error_fields(alarm(detail={"a": {"b\x00": 1}})) == [("detail",)]
    assert error_fields(alarm(detail={"a": ["\x7f"]})) == [("detail",)]
    assert error_fields({"by": "张伟", "note": "\x00"}, TransitionIn) == [("note",)]
    assert TransitionIn.model_validate({"by": "张伟", "note": "一\n\t二"}).note == "一\n\t二"


def test_a_detail_deeper_than_eight_levels_or_with_too_many_keys_is_refused() -> None:
    eight: dict[str, Any] = {"leaf": 1}
    for _ in range(7):
        eight = {"k": eight}
    assert AlarmIn.model_validate(alarm(detail=eight)).detail == eight
    assert error_fields(alarm(detail={"k": eight})) == [("detail",)]
    assert error_fields(alarm(detail={f"k{i}": i for i in range(257)})) == [("detail",)]


@pytest.mark.parametrize("level", [True, "3", 3.0])
def test_an_incident_level_must_be_a_whole_number_not_a_boolean_or_text(level: Any) -> None:
    body = {
        "id": "INC-1",
        "title": "泄漏",
        "category": "危化品",
        "level": level,
        "lon": 120.62,
        "lat": 31.31,
        "opened_at": (NOW - timedelta(minutes=5)).isoformat(),
    }
    assert error_fields(body, IncidentIn) == [("level",)]


@pytest.mark.parametrize("value", ["1.5", True, None])
def test_a_reading_value_must_be_a_json_number(value: Any) -> None:
    item = {"sensor_id": "H0001-L1", "ts": (NOW - timedelta(minutes=1)).isoformat(), "value": value}
    assert error_fields(item, ReadingIn) == [("value",)]


def test_detail_keys_are_kept_as_sent_not_stripped_into_each_other() -> None:
    detail = {" a": 1, "a": 2, "b\u00a0": 3}
    assert AlarmIn.model_validate(alarm(detail=detail)).detail == detail
