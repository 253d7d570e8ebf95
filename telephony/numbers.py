"""What may be dialled: digits, `+`, `-` and spaces; nothing else reaches the gateway."""

from __future__ import annotations

import re

# A leading + for an international number; 3 to 20 digits (an extension has 3 or more).
_ALLOWED = re.compile(r"\+?[0-9][0-9 \-]*")
MIN_DIGITS, MAX_DIGITS = 3, 20


def dialable(raw: object) -> str | None:
    """The number as the gateway gets it (`+`, digits; spaces and dashes dropped), or None
    when `raw` holds anything else or too few or too many digits."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _ALLOWED.fullmatch(text):
        return None
    dialled = text.replace(" ", "").replace("-", "")
    digits = len(dialled.lstrip("+"))
    return dialled if MIN_DIGITS <= digits <= MAX_DIGITS else None
