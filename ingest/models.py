"""What upstream systems may send: pydantic models, strict.

Rejected: NaN and ±Infinity, positions outside China, times without an offset, more than
five minutes in the future or more than a year old, unknown fields, oversized texts, text
with a control character other than tab and newline (at any depth of `detail` too), numbers
sent as strings (`"1.5"`), booleans as numbers (`"level": true`), a `detail` nested deeper
than 8 levels or with more than 256 keys. The HTTP door (`ingest.body`) checks the body's
encoding, size, depth and duplicate keys before these run; other callers (the threshold
engine, connectors) get the same rules from the models alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ingest.body import control_char, control_message

# China's extent (with a margin); anything outside is a sign of swapped or garbage coordinates.
LON_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)
FUTURE_SLACK = timedelta(minutes=5)
MAX_AGE = timedelta(days=366)
TIME_WINDOW = "at most 5 minutes in the future and at most a year (366 days) in the past"
DETAIL_MAX_DEPTH = 8  # `detail` itself is level 1
DETAIL_MAX_KEYS = 256  # keys at all levels of `detail` together
DETAIL_MAX_BYTES = 8192


def _text_time(value: Any) -> Any:
    # RFC 3339 text (or, from Python callers, a datetime): a bare number would be read as
    # epoch seconds, silently.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an RFC 3339 time with an offset, e.g. 2026-11-29T08:30:00+08:00")
    return value


def _no_controls(value: Any) -> Any:
    # Before stripping: a control character at either end is refused, not silently cut.
    if isinstance(value, str) and (char := control_char(value)) is not None:
        raise ValueError(control_message(char))
    return value


# Times arrive as text, so they are the one lax field of the strict models.
Time = Annotated[
    AwareDatetime,
    Field(strict=False, description=f"RFC 3339 with an offset; {TIME_WINDOW}"),
    BeforeValidator(_text_time),
]
Text = Annotated[str, BeforeValidator(_no_controls)]
# Kept as sent: stripping would silently merge " a" and "a" (a duplicate key by the back door).
DetailKey = Annotated[str, StringConstraints(strip_whitespace=False)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")]
# Registry ids (sites, sensors, incidents) are at most 24 characters in the warehouse.
SiteId = Annotated[
    str, Field(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
]
SourceCode = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
Level = Literal["red", "orange", "yellow", "blue"]
Lon = Annotated[float, Field(ge=LON_RANGE[0], le=LON_RANGE[1], allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=LAT_RANGE[0], le=LAT_RANGE[1], allow_inf_nan=False)]


def _check_time(value: datetime, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    value = value.astimezone(UTC)
    if value > now + FUTURE_SLACK:
        raise ValueError("is in the future")
    if value < now - MAX_AGE:
        raise ValueError("is more than a year old")
    return value


def _detail_checked(value: dict[str, Any]) -> dict[str, Any]:
    """Depth, key count, text and size of `detail`: walked without recursion first (a few
    thousand nodes at most), so that serialising it can never recurse too deep."""
    keys = nodes = 0
    stack: list[tuple[Any, str, int]] = [(value, "detail", 1)]
    while stack:
        node, path, depth = stack.pop()
        nodes += 1
        if nodes > DETAIL_MAX_BYTES // 2:  # each value takes at least two bytes of JSON
            raise ValueError("is larger than 8 KiB")
        if isinstance(node, str):
            if (char := control_char(node)) is not None:
                raise ValueError(f"{path} {control_message(char)}")
        elif isinstance(node, dict | list):
            if depth > DETAIL_MAX_DEPTH:
                raise ValueError(f"is nested deeper than {DETAIL_MAX_DEPTH} levels")
            if isinstance(node, dict):
                keys += len(node)
                if keys > DETAIL_MAX_KEYS:
                    raise ValueError(f"has more than {DETAIL_MAX_KEYS} keys")
                for key, item in node.items():
                    if not isinstance(key, str):
                        raise ValueError(f"{path} has a key that is not text")
                    if (char := control_char(key)) is not None:
                        raise ValueError(f"{path}: a key {control_message(char)}")
                    stack.append((item, f"{path}.{key}", depth + 1))
            else:
                stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))
        elif not (node is None or isinstance(node, bool | int | float)):
            raise ValueError(f"{path} is not JSON")
    try:
        # Strict JSON: no NaN or Infinity.
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        raise ValueError(f"is not storable JSON: {exc}"[:120]) from None
    if len(text.encode()) > DETAIL_MAX_BYTES:
        raise ValueError("is larger than 8 KiB")
    return value


class Strict(BaseModel):
    # strict: "1.5" is not a number, true is not 1; unknown fields are refused.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, allow_inf_nan=False, strict=True
    )


class AlarmIn(Strict):
    """One alarm from an upstream system; `id` is the idempotency key."""

    id: Code
    source: SourceCode
    level: Level
    category: Annotated[Text, Field(min_length=1, max_length=32)]
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    occurred_at: Time
    lon: Lon | None = None
    lat: Lat | None = Field(None, validate_default=True)
    crs: Literal["wgs84", "gcj02"] = Field(
        "wgs84", description="datum of lon/lat; gcj02 is converted"
    )
    site_id: SiteId | None = Field(None, validate_default=True)
    detail: Annotated[dict[DetailKey, Any], AfterValidator(_detail_checked)] = Field(
        default_factory=dict,
        description=f"free JSON object: at most {DETAIL_MAX_DEPTH} levels, "
        f"{DETAIL_MAX_KEYS} keys and {DETAIL_MAX_BYTES} bytes",
    )

    @field_validator("occurred_at")
    @classmethod
    def _time(cls, value: datetime) -> datetime:
        return _check_time(value)

    @field_validator("lat")
    @classmethod
    def _pair(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "lon" in info.data and (info.data["lon"] is None) != (value is None):
            raise ValueError("lon and lat go together")
        return value

    @field_validator("site_id")
    @classmethod
    def _position(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Only when lon and lat themselves were valid: otherwise their own error says enough.
        if value is None and "lon" in info.data and "lat" in info.data and info.data["lon"] is None:
            raise ValueError("needs a position: lon and lat, or site_id")
        return value


class ReadingIn(Strict):
    sensor_id: SiteId
    ts: Time
    value: Annotated[float, Field(allow_inf_nan=False)]

    @field_validator("ts")
    @classmethod
    def _time(cls, value: datetime) -> datetime:
        return _check_time(value)


class ReadingBatch(Strict):
    """`POST /api/v1/readings` takes a JSON array of these (at most 5,000)."""

    readings: Annotated[list[ReadingIn], Field(min_length=1, max_length=5000)]


class TransitionIn(Strict):
    by: Annotated[Text, Field(min_length=1, max_length=64)]
    at: Time | None = None
    note: Annotated[Text, Field(max_length=500)] = ""

    @field_validator("at")
    @classmethod
    def _time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _check_time(value)


class HeartbeatIn(Strict):
    source: SourceCode
    at: Time | None = None


class IncidentIn(Strict):
    """Open or update an incident (same `id` updates)."""

    id: SiteId
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    category: Annotated[Text, Field(min_length=1, max_length=24)]
    level: Annotated[int, Field(ge=1, le=4, description="1 = I (特别重大) … 4 = IV (一般)")]
    status: Literal["open", "closed"] = "open"
    lon: Lon
    lat: Lat
    crs: Literal["wgs84", "gcj02"] = "wgs84"
    opened_at: Time
    summary: Annotated[Text, Field(max_length=2000)] = ""
    casualties: Annotated[int, Field(ge=0, le=100000)] = 0
    wind_from_deg: Annotated[
        float | None,
        Field(ge=0, lt=360, allow_inf_nan=False, description="where the wind comes from"),
    ] = None
    wind_speed_ms: Annotated[float | None, Field(ge=0, le=100, allow_inf_nan=False)] = None
    note: Annotated[Text, Field(max_length=500, description="timeline entry for this update")] = ""

    @field_validator("opened_at")
    @classmethod
    def _time(cls, value: datetime) -> datetime:
        return _check_time(value)


class RollcallIn(Strict):
    """A district duty room names itself: `POST /api/v1/duty/checkin` (it is staffed) and
    `POST /api/v1/rollcall/answer` (it answers the roll call)."""

    unit: Annotated[Text, Field(min_length=1, max_length=40, description="district adcode or name")]
