"""The OpenAPI 3.1 document of the ingest API, built from the pydantic models.

Each operation lists every status it can answer with (`STATUS` below); the fuzz
(tests/integration/test_ingest_fuzz.py) checks that it never sees one that is not listed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from ingest import paging
from ingest.body import MAX_DEPTH, MAX_KEYS
from ingest.models import (
    TIME_WINDOW,
    AlarmIn,
    HeartbeatIn,
    IncidentIn,
    ReadingIn,
    RollcallIn,
    TransitionIn,
)

STATUS = {
    "400": "the body is not UTF-8 JSON, is nested deeper than "
    f"{MAX_DEPTH} levels, has an object with more than {MAX_KEYS} keys or a key twice",
    "401": "missing or wrong bearer token",
    "403": "the token may not act for this system or on this alarm",
    "404": "no such alarm",
    "409": "the alarm is already closed",
    "413": "body too large (1 MiB)",
    "415": "Content-Type is not application/json, its charset is not utf-8, "
    "or a Content-Encoding was sent",
    "422": "a field is invalid (a wrong type, a control character, out of range, outside the "
    "time window); `field` names it",
    "503": "not ready: the live state is being restored or Redis runs without persistence; retry",
}
BODY_ERRORS = ("400", "401", "403", "413", "415", "422", "503")

DESCRIPTION = f"""\
JSON over HTTP with `Authorization: Bearer <token>`. Every error is
`{{"error": message, "field": name}}`, and nothing of a rejected request is stored. A 2xx
means the data is durable.

Bodies are UTF-8 JSON (`Content-Type: application/json`, no other charset), at most 1 MiB,
nested at most {MAX_DEPTH} levels (`detail` at most 8), no object with a key twice; no text
anywhere may hold a control character other than tab and newline. Types are strict: `"1.5"`
is not a number and `true` is not 1.

Times are RFC 3339 with an offset, {TIME_WINDOW}.

A method a path does not serve gets 405 with an `Allow` header; an unknown path 404.
"""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _op(
    summary: str,
    body: dict[str, Any] | None,
    ok: dict[str, str],
    errors: tuple[str, ...],
    **extra: Any,
) -> dict:
    responses = {code: {"description": text} for code, text in ok.items()}
    responses |= {
        code: {
            "description": STATUS[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
        for code in sorted(errors)
    }
    op: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _page_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "next_cursor"],
        "properties": {
            "items": {
                "type": "array",
                "items": {"type": "object"},
                "description": "alarms, newest occurred_at first (then, for status=all, "
                "those closed in the last 24 h, newest close first)",
            },
            "total": {"type": "integer", "description": "how many the whole listing holds now"},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "pass as `cursor` for the next page; null on the last page",
            },
        },
    }


@cache
def document() -> dict[str, Any]:
    models = (AlarmIn, ReadingIn, TransitionIn, HeartbeatIn, IncidentIn, RollcallIn)
    _, schemas = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
    )
    components = schemas["$defs"]
    components["Error"] = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]}},
        "required": ["error"],
    }
    components["AlarmPage"] = _page_schema()
    id_param = [{"name": "alarm_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    readings = {"type": "array", "items": _ref("ReadingIn"), "minItems": 1, "maxItems": 5000}
    transition = BODY_ERRORS + ("404", "409")
    list_params = [
        {"name": "status", "in": "query", "schema": {"enum": ["active", "all"]}},
        {
            "name": "limit",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": paging.MAX_LIMIT,
                "default": paging.DEFAULT_LIMIT,
            },
        },
        {
            "name": "cursor",
            "in": "query",
            "schema": {"type": "string"},
            "description": "the `next_cursor` of the previous page, as it came",
        },
    ]
    listing = _op(
        "Alarms the wall shows, a page at a time, with the total",
        None,
        {"200": "a page"},
        ("401", "422", "503"),
        parameters=list_params,
    )
    listing["responses"]["200"]["content"] = {"application/json": {"schema": _ref("AlarmPage")}}
    paths = {
        "/api/v1/alarms": {
            "post": _op(
                "One alarm (idempotent on id)",
                _ref("AlarmIn"),
                {"201": "new", "200": "duplicate or merged into an active alarm"},
                BODY_ERRORS,
            ),
            "get": listing,
        },
        "/api/v1/readings": {
            "post": _op("A batch of readings", readings, {"202": "accepted"}, BODY_ERRORS)
        },
        "/api/v1/heartbeat": {
            "post": _op(
                "An upstream system is alive", _ref("HeartbeatIn"), {"200": "recorded"}, BODY_ERRORS
            )
        },
        "/api/v1/incidents": {
            "post": _op(
                "Open or update an incident",
                _ref("IncidentIn"),
                {"201": "opened", "200": "updated"},
                BODY_ERRORS,
            )
        },
        "/api/v1/alarms/{alarm_id}/ack": {
            "post": _op(
                "Acknowledge",
                _ref("TransitionIn"),
                {"200": "state"},
                transition,
                parameters=id_param,
            )
        },
        "/api/v1/alarms/{alarm_id}/close": {
            "post": _op(
                "Close", _ref("TransitionIn"), {"200": "state"}, transition, parameters=id_param
            )
        },
        "/api/v1/duty/checkin": {
            "post": _op(
                "A district duty room is staffed (在岗签到); the server's time is kept",
                _ref("RollcallIn"),
                {"200": "recorded: unit (adcode), at (RFC 3339)"},
                BODY_ERRORS,
            )
        },
        "/api/v1/rollcall/answer": {
            "post": _op(
                "A district duty room answers the running roll call (点名); also a check-in",
                _ref("RollcallIn"),
                {"200": "answered (or had answered): outcome, late"},
                BODY_ERRORS + ("409",),
            )
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI"}},
            }
        },
    }
    paths["/api/v1/rollcall/answer"]["post"]["responses"]["409"]["description"] = (
        "no roll call has been started, or this unit was not called in it"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Smart Emergency ingest API",
            "version": "1",
            "description": DESCRIPTION,
        },
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
