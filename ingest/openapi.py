"""The OpenAPI 3.1 document of the ingest API, built from the pydantic models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from ingest.models import AlarmIn, HeartbeatIn, IncidentIn, ReadingIn, TransitionIn

ERRORS = {
    "400": "body is not JSON",
    "401": "missing or wrong bearer token",
    "413": "body too large",
    "415": "Content-Type is not application/json",
    "422": "a field is invalid; `field` names it",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _op(summary: str, body: dict[str, Any] | None, ok: dict[str, str], **extra: Any) -> dict:
    responses = {code: {"description": text} for code, text in ok.items()}
    responses |= {
        code: {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}
        for code, text in ERRORS.items()
    }
    op: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


@cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(m, "validation") for m in (AlarmIn, ReadingIn, TransitionIn, HeartbeatIn, IncidentIn)],
        ref_template="#/components/schemas/{model}",
    )
    components = schemas["$defs"]
    components["Error"] = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "field": {"type": ["string", "null"]}},
        "required": ["error"],
    }
    id_param = [{"name": "alarm_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    readings = {"type": "array", "items": _ref("ReadingIn"), "minItems": 1, "maxItems": 5000}
    from ingest.rollcall import openapi_paths as rollcall_paths

    document = {
        "openapi": "3.1.0",
        "info": {"title": "Smart Emergency ingest API", "version": "1"},
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/alarms": {
                "post": _op(
                    "One alarm (idempotent on id)",
                    _ref("AlarmIn"),
                    {"201": "new", "200": "duplicate or merged into an active alarm"},
                ),
                "get": _op(
                    "Alarms the wall shows",
                    None,
                    {"200": "list of alarms"},
                    parameters=[
                        {"name": "status", "in": "query", "schema": {"enum": ["active", "all"]}}
                    ],
                ),
            },
            "/api/v1/readings": {"post": _op("A batch of readings", readings, {"202": "accepted"})},
            "/api/v1/heartbeat": {
                "post": _op("An upstream system is alive", _ref("HeartbeatIn"), {"200": "recorded"})
            },
            "/api/v1/incidents": {
                "post": _op(
                    "Open or update an incident",
                    _ref("IncidentIn"),
                    {"201": "opened", "200": "updated"},
                )
            },
            "/api/v1/alarms/{alarm_id}/ack": {
                "post": _op(
                    "Acknowledge", _ref("TransitionIn"), {"200": "state"}, parameters=id_param
                )
            },
            "/api/v1/alarms/{alarm_id}/close": {
                "post": _op("Close", _ref("TransitionIn"), {"200": "state"}, parameters=id_param)
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI"}},
                }
            },
        },
    }
    document["paths"] |= rollcall_paths()
    return document
