"""Paging of `GET /api/v1/alarms`: the `limit` and the opaque `cursor`.

A cursor is where the previous page ended (which part, its score, its id), base64url JSON
bound to the `status` it was made for. It is opaque to clients: they pass `next_cursor`
back as it came, until it is null.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
_PARTS = {"active": {"active"}, "all": {"active", "closed"}}


def limit(text: str | None) -> int:
    """The page size asked for (default 500); ValueError naming `limit` otherwise."""
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,6}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise ValueError(f"limit: must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def encode(after: tuple[str, float, str], status: str) -> str:
    part, score, alarm_id = after
    raw = json.dumps([status, part, score, alarm_id], ensure_ascii=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str | None, status: str) -> tuple[str, float, str] | None:
    """Where the page starts (None: at the beginning); ValueError naming `cursor`."""
    if text is None or text == "":
        return None
    try:
        if len(text) > 400:
            raise ValueError
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        made_for, part, score, alarm_id = json.loads(raw)
        if not (
            made_for == status
            and part in _PARTS[status]
            and isinstance(score, int | float)
            and not isinstance(score, bool)
            and math.isfinite(score)
            and isinstance(alarm_id, str)
        ):
            raise ValueError
    except (ValueError, TypeError, binascii.Error):
        raise ValueError(
            "cursor: not a cursor of this listing; pass next_cursor as it came"
        ) from None
    return part, float(score), alarm_id
