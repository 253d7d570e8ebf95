"""`POST /api/v1/rollcall/answer`: a district duty room answers the roll call (点名).

Same rules as the rest of the ingest API: `Authorization: Bearer <ingest token>`, a JSON body,
errors as `{"error": message, "field": name}`. Body: `{"unit": "<adcode or district name>"}`.

| status | when |
|---|---|
| 200 | `outcome` `answered` (first answer) or `duplicate` (had answered before); `late` says whether it came after the deadline |
| 401 | missing or wrong token |
| 409 | no roll call has been started, or this unit was not called in it |
| 400 / 413 / 415 / 422 | the body breaks a rule of `ingest.body` / `unit` missing or not a district |
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

import ops
from data_sources import get_sources
from data_sources.duty import answer_rollcall
from data_sources.rosters import CITY, unit_lookup
from ingest.body import ApiError, read_json, validate
from ingest.models import RollcallIn

bp = Blueprint("rollcall", __name__, url_prefix="/api/v1/rollcall")


_Error = ApiError


@bp.errorhandler(ApiError)
def _error(exc: ApiError):
    ops.count("se_ingest_rejected_total", endpoint="rollcall", status=str(exc.status))
    return jsonify(error=exc.message, field=exc.field), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return jsonify(error=exc.description, field=None), exc.code


@bp.before_request
def _authenticate() -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    tokens = current_app.config["SE_SETTINGS"].INGEST_TOKENS
    if scheme.lower() != "bearer" or not any(
        hmac.compare_digest(token.encode(), t.encode()) for t in tokens
    ):
        raise _Error(401, "missing or wrong bearer token", "Authorization")


def _unit() -> str:
    return validate(RollcallIn, read_json()).unit


@bp.post("/answer")
def answer():
    given = _unit()
    sources = get_sources()
    unit = unit_lookup(sources.registry.district_names()).get(given)
    if unit is None or unit == CITY:
        raise _Error(422, f"unit: {given[:40]!r} is not a district duty room", "unit")
    result = answer_rollcall(sources, unit, via="api")
    if result.outcome == "none":
        raise _Error(409, "no roll call has been started", None)
    if result.outcome == "not-called":
        raise _Error(409, f"unit: {unit} was not called in roll call {result.rollcall_id}", "unit")
    ops.count("se_rollcall_answers_total", outcome=result.outcome, late=str(result.late).lower())
    return jsonify(
        rollcall_id=result.rollcall_id, unit=unit, outcome=result.outcome, late=result.late
    )


def init_app(server: Flask) -> None:
    """Serve the call on `server` (once: tests may call this on an app that has it)."""
    if bp.name not in server.blueprints:
        server.register_blueprint(bp)
