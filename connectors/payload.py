"""Bytes of one upstream message → JSON data, by the rules of the HTTP body reader.

STAND-IN: the HTTP side is getting one body reader for every endpoint (`ingest/body.py`,
issue 10 item 4). Until it is on main this module applies the same rules to MQTT payloads;
at merge, `parse` should call that reader instead of repeating it.

Rules: at most `ingest.MAX_BODY` bytes, strict UTF-8 (no byte-order mark, no other
encoding, no lone surrogates), one JSON document, no duplicate keys in any object, at most
`MAX_DEPTH` levels of nesting. NaN and Infinity parse as floats so that validation names
the field they are in (the models refuse them), as on HTTP.
"""

from __future__ import annotations

import json
from typing import Any

from ingest import MAX_BODY

MAX_DEPTH = 32


class BadPayload(ValueError):
    """The bytes are not one acceptable JSON document (HTTP would answer 400 or 413)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadPayload(f"duplicate key {key!r}"[:120])
        result[key] = value
    return result


def _depth(data: Any) -> int:
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            children = value.values() if isinstance(value, dict) else value
            todo.extend((child, level + 1) for child in children)
    return deepest


def _has_lone_surrogate(data: Any) -> bool:
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return False


def parse(raw: bytes) -> Any:
    """The JSON document in `raw`; BadPayload says why there is none."""
    if len(raw) > MAX_BODY:
        raise BadPayload(f"payload too large ({len(raw)} bytes, at most {MAX_BODY})", 413)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BadPayload("payload starts with a byte-order mark; send plain UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadPayload(f"payload is not UTF-8: {exc}"[:200]) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except BadPayload:
        raise
    except RecursionError:
        raise BadPayload(f"payload is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise BadPayload(f"payload is not valid JSON: {exc}"[:200]) from None
    if _depth(data) > MAX_DEPTH:
        raise BadPayload(f"payload is nested deeper than {MAX_DEPTH} levels")
    if _has_lone_surrogate(data):
        raise BadPayload("payload has a \\u escape of a lone surrogate (not UTF-8 text)")
    return data
