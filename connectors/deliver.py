"""One message of an upstream system → the ingest service, with the validation of HTTP.

Every connector ends here: the data is validated by the pydantic models of `ingest.models`
and applied by `ingest.service`, exactly as `POST /api/v1/...` does. What HTTP would refuse
(400, 403, 404, 409, 413, 422) raises `Refused`, which the connector quarantines; an outage
(Redis or the warehouse unreachable) raises on unchanged, so the connector retries later
and the message is not lost.
"""

from __future__ import annotations

from typing import Any

import redis
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc

import ops
from data_sources import Sources
from ingest import service
from ingest.body import ApiError
from ingest.body import validate as validate_body
from ingest.models import AlarmIn, HeartbeatIn, IncidentIn, ReadingBatch, TransitionIn

# Message kinds, named as the HTTP paths are: alarms, readings, heartbeat, incidents, and
# the two transitions of one alarm.
KINDS = ("alarms", "readings", "heartbeat", "incidents", "ack", "close")


class Refused(ValueError):
    """HTTP would refuse this message with `status`: it goes to the quarantine."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {message}")
        self.status, self.message, self.field = status, message, field


def transient(exc: BaseException) -> bool:
    """True for an outage (retry the same message later), False for a fault of the message."""
    return isinstance(
        exc,
        redis.ConnectionError
        | redis.TimeoutError
        | sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | ConnectionError
        | TimeoutError,
    )


def validate(model: type[BaseModel], data: Any) -> Any:
    """`model` from `data`, or Refused(422) naming the first bad field (as HTTP)."""
    try:
        return validate_body(model, data)
    except ApiError as exc:
        raise Refused(exc.status, exc.message, exc.field) from None


def _own_source(system: str, source: str) -> None:
    if source != system:
        raise Refused(
            403, f"source: {source!r} is not this connector's system {system!r}", "source"
        )


def _apply(fn, sources: Sources, *args: Any) -> Any:  # noqa: ANN001
    try:
        return fn(sources, *args)
    except service.Rejected as exc:
        raise Refused(exc.status, str(exc), exc.field) from None


def deliver(
    sources: Sources, system: str, kind: str, data: Any, alarm_id: str | None = None
) -> str:
    """Validate `data` as message `kind` of `system` and apply it; return the outcome.

    Outcomes: alarms new/merged/duplicate; readings accepted; heartbeat ok; incidents
    new/updated; ack/close the alarm's status afterwards.
    """
    if kind == "alarms":
        alarm = validate(AlarmIn, data)
        _own_source(system, alarm.source)
        outcome, _target = _apply(service.put_alarm, sources, alarm)
        return outcome
    if kind == "readings":
        if not isinstance(data, list):
            raise Refused(422, "body must be a JSON array of readings", "body")
        batch = validate(ReadingBatch, {"readings": data})
        _apply(service.put_readings, sources, batch.readings)
        ops.message(sources, system, "readings", "accepted")
        return "accepted"
    if kind == "heartbeat":
        beat = validate(HeartbeatIn, data)
        _own_source(system, beat.source)
        _apply(service.heartbeat, sources, beat)
        return "ok"
    if kind == "incidents":
        return _apply(service.put_incident, sources, validate(IncidentIn, data))
    if kind in ("ack", "close"):
        if not alarm_id:
            raise Refused(404, "no alarm id in the topic", "id")
        body = validate(TransitionIn, data)
        current = sources.alarms.get(sources.alarms.resolve(alarm_id))
        if current is not None and current.get("source") != system:
            raise Refused(403, f"id: alarm {alarm_id!r} belongs to {current.get('source')!r}", "id")
        to = "acknowledged" if kind == "ack" else "closed"
        state = _apply(service.transition, sources, alarm_id, to, body)
        return str(state.get("status", to))
    raise Refused(404, f"no such message kind {kind!r} (known: {', '.join(KINDS)})", None)
