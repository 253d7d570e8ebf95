"""What a district duty room (区县值班室) sends: its check-in and its answer to the roll call.

- `POST /api/v1/duty/checkin`: the room is staffed (在岗签到), sent every few seconds to a
  minute by the room's duty client. The wall's duty panel shows a room 在岗 while its last
  check-in is less than 10 minutes old, 未应答 after; the archiver keeps one a minute for
  replay (`duty_checkin_history`). The time is the server's, never the client's.
- `POST /api/v1/rollcall/answer`: the room answers the roll call (点名); an answer is also
  a check-in (someone is there to answer).

Same rules as the rest of the ingest API: `Authorization: Bearer <ingest token>`, a JSON body,
errors as `{"error": message, "field": name}`. Body: `{"unit": "<adcode or district name>"}`.

| status | when |
|---|---|
| 200 | check-in: `{unit, at}` (RFC 3339, UTC); answer: `outcome` `answered` (first answer) or `duplicate` (had answered before), `late` says whether it came after the deadline |
| 401 | missing, wrong or revoked token |
| 403 | the token's system is disabled in the registry |
| 409 | answer only: no roll call has been started, or this unit was not called in it |
| 400 / 413 / 415 / 422 | the body breaks a rule of `ingest.body` / `unit` missing or not a district |
| 503 | Redis does not keep what it accepts (no AOF), or the registry is unreachable |
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

import ops
from data_sources import get_sources
from data_sources.rosters import CITY, unit_lookup
from ingest import credentials
from ingest.body import ApiError, read_json, validate
from ingest.models import RollcallIn

bp = Blueprint("rollcall", __name__, url_prefix="/api/v1/rollcall")
duty_bp = Blueprint("duty_rooms", __name__, url_prefix="/api/v1/duty")
BLUEPRINTS = (bp, duty_bp)


_Error = ApiError


def _error(exc: ApiError):
    ops.count("se_ingest_rejected_total", endpoint=request.blueprint, status=str(exc.status))
    return jsonify(error=exc.message, field=exc.field), exc.status


def _http_error(exc: HTTPException):
    return jsonify(error=exc.description, field=None), exc.code


def _authenticate() -> None:
    """Any live token of an enabled system may answer (the duty rooms have no system of
    their own); the answer records which one."""
    try:
        caller = credentials.get(current_app).authenticate(request.headers.get("Authorization", ""))
        system = caller and get_sources().systems.get(caller.system)
    except Exception:  # noqa: BLE001 - the registry is unreachable and no copy is held
        raise _Error(
            503, "the token registry is unreachable; retry later", "Authorization"
        ) from None
    if caller is None:
        raise _Error(401, "missing, wrong or revoked bearer token", "Authorization")
    if system is None or not system["enabled"]:
        raise _Error(403, f"system {caller.system!r} is disabled", "Authorization")
    g.ingest_caller = caller
    g.ingest_system, g.ingest_token_id = caller.system, caller.token_id


def _unit() -> str:
    """The district adcode the body names (by adcode or name); 422 naming `unit` else."""
    given = validate(RollcallIn, read_json()).unit
    unit = unit_lookup(get_sources().registry.district_names()).get(given)
    if unit is None or unit == CITY:
        raise _Error(422, f"unit: {given[:40]!r} is not a district duty room", "unit")
    return unit


@duty_bp.post("/checkin")
def checkin():
    unit = _unit()
    at = datetime.now(UTC)
    get_sources().status.checkin(unit, at.timestamp())
    ops.count("se_duty_checkins_total")
    return jsonify(unit=unit, at=at.isoformat(timespec="seconds"))


@bp.post("/answer")
def answer():
    unit = _unit()
    sources = get_sources()
    result = sources.rollcall.answer(unit, via="api", recorded_by=g.ingest_caller.via)
    if result.outcome == "none":
        raise _Error(409, "no roll call has been started", None)
    if result.outcome == "not-called":
        raise _Error(409, f"unit: {unit} was not called in roll call {result.rollcall_id}", "unit")
    sources.status.checkin(unit)
    ops.count("se_rollcall_answers_total", outcome=result.outcome, late=str(result.late).lower())
    return jsonify(
        rollcall_id=result.rollcall_id, unit=unit, outcome=result.outcome, late=result.late
    )


def init_app(server: Flask) -> None:
    """Serve both routes on `server` (once: tests may call this on an app that has them)."""
    for blueprint in BLUEPRINTS:
        if blueprint.name not in server.blueprints:
            server.register_blueprint(blueprint)


for _blueprint in BLUEPRINTS:
    _blueprint.register_error_handler(ApiError, _error)
    _blueprint.register_error_handler(HTTPException, _http_error)
    _blueprint.before_request(_authenticate)
    # After `_authenticate`: a 2xx only while Redis keeps what it accepts.
    _blueprint.before_request(ops.refuse_ingest_unless_durable)
