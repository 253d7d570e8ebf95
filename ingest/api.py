"""HTTP layer of the ingest API: auth, content type, validation, status codes.

Every error is JSON `{"error": message, "field": name}` with 400/401/404/409/413/415/422;
nothing of a rejected request is stored (validation happens before any write).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

import ops
from data_sources import get_sources
from ingest import credentials, service
from ingest.models import AlarmIn, HeartbeatIn, IncidentIn, ReadingBatch, TransitionIn

bp = Blueprint("ingest", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    ops.count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status=str(exc.status))
    return jsonify(error=exc.message, field=exc.field), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    # Flask's own 404/405/413 come back as JSON too, never as an HTML page.
    ops.count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status=str(exc.code))
    return jsonify(error=exc.description, field=None), exc.code


@bp.before_request
def _authenticate() -> None:
    """Find the system the bearer token belongs to (ingest/credentials.py), or 401."""
    if request.endpoint == "ingest.openapi":
        return
    try:
        caller = credentials.get(current_app).authenticate(request.headers.get("Authorization", ""))
    except credentials.Unavailable as exc:
        raise ApiError(503, str(exc), "Authorization") from None
    if caller is None:
        raise ApiError(401, "missing, wrong or revoked bearer token", "Authorization")
    g.ingest_caller = caller
    g.ingest_system, g.ingest_token_id = caller.system, caller.token_id


def _json() -> Any:
    if request.mimetype != "application/json":
        raise ApiError(415, "Content-Type must be application/json", "Content-Type")
    if (
        request.content_length is not None
        and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]
    ):
        raise ApiError(413, "body too large", None)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    raw = request.get_data(cache=False)
    if len(raw) >= limit:
        # A chunked body has no Content-Length; Werkzeug cuts it at the limit.
        raise ApiError(413, "body too large", None)
    try:
        # NaN and Infinity parse as floats here so that validation names the field they are in.
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}"[:200], None) from None


def _field(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validate(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field(first["loc"]) or "body"
        raise ApiError(422, f"{field}: {first['msg']}", field) from None


def _apply(fn, *args):  # noqa: ANN001, ANN202
    try:
        return fn(get_sources(), *args, caller=g.get("ingest_caller"))
    except service.Rejected as exc:
        raise ApiError(exc.status, str(exc), exc.field) from None


@bp.post("/alarms")
def post_alarm():
    alarm = _validate(AlarmIn, _json())
    outcome, target = _apply(service.put_alarm, alarm)
    ops.count("se_ingest_accepted_total", endpoint="alarms", outcome=outcome)
    status = 201 if outcome == "new" else 200
    return jsonify(id=alarm.id, outcome=outcome, alarm_id=target), status


@bp.post("/readings")
def post_readings():
    data = _json()
    if not isinstance(data, list):
        raise ApiError(422, "body must be a JSON array of readings", "body")
    batch = _validate(ReadingBatch, {"readings": data})
    updated = _apply(service.put_readings, batch.readings)
    ops.count(
        "se_ingest_accepted_total",
        amount=len(batch.readings),
        endpoint="readings",
        outcome="accepted",
    )
    return jsonify(accepted=len(batch.readings), latest=updated), 202


@bp.post("/heartbeat")
def post_heartbeat():
    _apply(service.heartbeat, _validate(HeartbeatIn, _json()))
    return jsonify(ok=True)


@bp.post("/incidents")
def post_incident():
    incident = _validate(IncidentIn, _json())
    outcome = _apply(service.put_incident, incident)
    return jsonify(id=incident.id, outcome=outcome), 201 if outcome == "new" else 200


@bp.post("/alarms/<alarm_id>/ack")
def ack_alarm(alarm_id: str):
    body = _validate(TransitionIn, _json())
    return jsonify(_apply(service.transition, alarm_id, "acknowledged", body))


@bp.post("/alarms/<alarm_id>/close")
def close_alarm(alarm_id: str):
    body = _validate(TransitionIn, _json())
    return jsonify(_apply(service.transition, alarm_id, "closed", body))


@bp.get("/alarms")
def list_alarms():
    status = request.args.get("status", "active")
    if status not in {"active", "all"}:
        raise ApiError(422, "status must be active or all", "status")
    frame = get_sources().live.active_alarms(closed_window_s=0 if status == "active" else 86400)
    return Response(
        frame.to_json(orient="records", date_format="iso", force_ascii=False),
        mimetype="application/json",
    )


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    raise ApiError(404, f"no such call: {request.method} {request.path}", None)


@bp.get("/openapi.json")
def openapi():
    from ingest.openapi import document

    return jsonify(document())


# After `_authenticate` (registered first): a 2xx only while Redis keeps what it accepts.
bp.before_request(ops.refuse_ingest_unless_durable)
