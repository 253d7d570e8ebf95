"""The one door for request bodies: every ingest endpoint reads its JSON through here.

In this order, and nothing is stored before all of it has passed:

| check | status |
|---|---|
| `Content-Type` is `application/json`, with no `charset` other than UTF-8, no `Content-Encoding` | 415 |
| at most `MAX_CONTENT_LENGTH` bytes (with or without a `Content-Length`) | 413 |
| UTF-8 without a byte order mark (UTF-16/32, with or without BOM, and NUL bytes refused) | 400 |
| nested at most `MAX_DEPTH` levels, counted on the text before it is parsed (no recursion) | 400 |
| JSON, each object at most `MAX_KEYS` keys and no key twice (last-wins would be silent) | 400 |
| no text (value or key, at any depth) holds a C0 control character other than tab and newline, DEL, or a lone surrogate | 422, naming the field |

What the body means is then the pydantic model's business (`validate`): strict types, 422
naming the field. `decode` works on bytes alone, so that other transports (MQTT, a database
pull) use the same rules, and `validate` is theirs too (connectors/deliver.py).
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError

MAX_DEPTH = 16  # the whole body; `detail` has its own, smaller limit (ingest.models)
MAX_KEYS = 256  # keys of any one object

# Tab and newline are text; every other C0 control, DEL and lone surrogates are not
# (PostgreSQL refuses NUL, UTF-8 cannot carry a lone surrogate, the rest is terminal junk).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = re.compile(rb"[\[{]{%d}" % (MAX_DEPTH + 1))
# What in JSON text may become a character `_CONTROL` refuses: an escape of a C0 control
# other than tab and newline, of DEL or of a surrogate, or a raw DEL (JSON allows it raw).
# Only then is the parsed body walked to name the field (a surrogate pair walks for nothing).
_MAYBE_CONTROL = re.compile(r"\\(?:[bfr]|u00[01][0-9a-fA-F]|u007[fF]|u[dD][89a-fA-F])|\x7f")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """A refused request: `{"error": message, "field": name}` with `status`."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def control_char(text: str) -> str | None:
    """`U+XXXX` of the first character `text` may not hold, or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_message(char: str) -> str:
    return f"contains {char}; text may hold tab and newline but no other control character"


def read_json() -> Any:
    """The current request's body, parsed, or ApiError (415, 413, 400, 422)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "Content-Type must be application/json", "Content-Type")
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in {"utf-8", "utf8"}:
        raise ApiError(
            415, f"Content-Type: charset must be utf-8, not {charset[:20]!r}", "Content-Type"
        )
    coding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if coding not in {"", "identity"}:
        raise ApiError(
            415, "Content-Encoding is not supported; send plain JSON", "Content-Encoding"
        )
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "body too large", None)
    raw = request.get_data(cache=False)
    if len(raw) >= limit:
        # A chunked body has no Content-Length; Werkzeug cuts it at the limit.
        raise ApiError(413, "body too large", None)
    return decode(raw)


def decode(raw: bytes, limit: int | None = None) -> Any:
    """Parse a JSON body by the rules above; ApiError (400, 413, 422) when it breaks one.

    `limit` is the size rule for transports that have not applied it (MQTT): more bytes is 413.
    """
    if limit is not None and len(raw) > limit:
        raise ApiError(413, f"body too large ({len(raw)} bytes, at most {limit})", None)
    if raw.startswith(_BOMS) or b"\x00" in raw:
        raise ApiError(400, "body must be UTF-8 (no byte order mark, no UTF-16 or UTF-32)", None)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"body is not valid UTF-8 (byte {exc.start})", None) from None
    if not text.strip():
        raise ApiError(400, "body is empty; send a JSON document", None)
    _check_depth(text)
    try:
        # NaN and Infinity parse as floats here so that validation names the field they are in.
        data = json.loads(text, object_pairs_hook=_object)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}"[:200], None) from None
    if _MAYBE_CONTROL.search(text):
        _check_texts(data)
    return data


def _check_depth(text: str) -> None:
    # With string operations only (no loop in Python over the text, no recursion): drop
    # escaped backslashes and quotes, so that every quote left opens or closes a string;
    # keep the brackets outside strings; then take out the innermost pairs, exactly one
    # level per pass (a marker keeps "{[]}" from going in one). What is left after
    # MAX_DEPTH passes was nested deeper (or does not match, which is no JSON either).
    plain = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(plain.split('"')[::2])
    brackets = outside.encode().translate(None, _NOT_BRACKETS)
    if _OPENERS.search(brackets):  # the common attack, "[[[[…", found in one scan
        raise ApiError(400, f"body is nested deeper than {MAX_DEPTH} levels", None)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        brackets = brackets.replace(b"[]", b"\x01").replace(b"{}", b"\x01").replace(b"\x01", b"")
    if brackets:
        raise ApiError(400, f"body is nested deeper than {MAX_DEPTH} levels", None)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len(pairs) > MAX_KEYS:
        raise ApiError(400, f"an object has more than {MAX_KEYS} keys", None)
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                shown = json.dumps(key[:40])
                raise ApiError(400, f"key {shown} appears twice in one object", key[:64])
            seen.add(key)
    return result


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _check_texts(data: Any) -> None:
    # Iterative: the depth is bounded already, but a walk should not need to trust that.
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            char = control_char(value)
            if char is not None:
                field = path or "body"
                raise ApiError(422, f"{field}: {control_message(char)}", field)
        elif isinstance(value, dict):
            for key, item in value.items():
                char = control_char(key)
                if char is not None:
                    field = path or "body"
                    raise ApiError(422, f"{field}: a key {control_message(char)}", field)
                stack.append((item, _path(path, key)))
        elif isinstance(value, list):
            stack.extend((item, _path(path, i)) for i, item in enumerate(value))


def field_name(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as `a.b[2].c`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate(model: type[M], data: Any) -> M:
    """`data` as `model`, or ApiError 422 naming the first field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = field_name(first["loc"]) or "body"
        raise ApiError(422, f"{field}: {first['msg']}", field) from None
