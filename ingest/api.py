"""HTTP layer of the ingest API: auth, the body door, validation, status codes.

Every error is JSON `{"error": message, "field": name}` with 400/401/404/405/409/413/415/422;
nothing of a rejected request is stored (the body is read by `ingest.body` and validated
before any write).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

import ops
from data_sources import get_sources
from ingest import credentials, paging, service
from ingest.body import ApiError, read_json
from ingest.body import validate as _validate
from ingest.models import AlarmIn, HeartbeatIn, IncidentIn, ReadingBatch, TransitionIn

bp = Blueprint("ingest", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    ops.count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status=str(exc.status))
    # Per system only for the system the token proved; a 401 has none.
    ops.reject(get_sources(), g.get("ingest_system"), str(exc.status))
    return jsonify(error=exc.message, field=exc.field), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    # Flask's own 404/405/413 come back as JSON too, never as an HTML page.
    ops.count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status=str(exc.code))
    ops.reject(get_sources(), g.get("ingest_system"), str(exc.code))
    response = jsonify(error=exc.description, field=None)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, exc.code


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
    return read_json()


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
    try:
        limit = paging.limit(request.args.get("limit"))
        after = paging.decode(request.args.get("cursor"), status)
    except ValueError as exc:
        raise ApiError(422, str(exc), str(exc).split(":", 1)[0]) from None
    page = get_sources().alarms.page(status, limit, after)
    items = page.alarms.to_json(orient="records", date_format="iso", force_ascii=False)
    cursor = None if page.next_after is None else paging.encode(page.next_after, status)
    tail = json.dumps({"total": page.total, "next_cursor": cursor})
    return Response('{"items": ' + items + ", " + tail[1:], mimetype="application/json")


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_rest: str):
    allowed = _methods_of(request.path)
    if allowed:
        raise MethodNotAllowed(
            valid_methods=allowed,
            description=f"{request.method} is not allowed on {request.path}; "
            f"use {', '.join(allowed)}",
        )
    raise ApiError(404, f"no such call: {request.method} {request.path}", None)


def _methods_of(path: str) -> list[str]:
    """The methods some other route serves `path` with (empty: no such path)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.append(method)
    return allowed


@bp.get("/openapi.json")
def openapi():
    from ingest.openapi import document

    return jsonify(document())


# After `_authenticate` (registered first): a 2xx only while Redis keeps what it accepts.
bp.before_request(ops.refuse_ingest_unless_durable)
# Last: a write's 2xx only once REDIS_WAIT_REPLICAS replicas have it.
bp.after_request(ops.confirm_ingest_replicated)
