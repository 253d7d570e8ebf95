"""Parsers of the plain values of the settings table: flags, numbers, times, views, levels.

Each turns the raw text of one setting into its value or raises ValueError with a short
"expected …" message; `settings.Settings.load` names the setting in front of it.
"""

from __future__ import annotations

import re

from screens import VIEW_KEYS
from vocabulary import LEVELS


def flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected 1 or 0")


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected 0 or a positive whole number")
    return value


def audit_days(raw: str) -> int:
    value = int(raw)
    if value != 0 and value < 183:
        # The warehouse itself refuses deleting younger audit rows (migration 0006).
        raise ValueError("expected 0 (keep all) or at least 183 days")
    return value


def views(raw: str) -> tuple[str, ...]:
    views = tuple(v.strip() for v in raw.split(",") if v.strip())
    unknown = [v for v in views if v not in VIEW_KEYS]
    if unknown or not views:
        raise ValueError(f"expected some of {', '.join(VIEW_KEYS)}")
    return views


def hhmm(raw: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw.strip()):
        raise ValueError("expected HH:MM (24 h)")
    return raw.strip()


ALERT_LEVELS = LEVELS


def alert_levels(raw: str) -> tuple[str, ...]:
    if raw.strip().lower() == "none":
        return ()
    levels = tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    unknown = [v for v in levels if v not in ALERT_LEVELS]
    if unknown or not levels:
        raise ValueError(f"expected some of {', '.join(ALERT_LEVELS)}, or none")
    return levels


def log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0 or value == float("inf"):
        raise ValueError("expected a positive number")
    return value


def http_method(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"GET", "POST", "PUT"}:
        raise ValueError("expected GET, POST or PUT")
    return value


def header_line(raw: str) -> tuple[str, str]:
    name, sep, content = raw.partition(":")
    name, content = name.strip(), content.strip()
    if not sep or not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name) or not content:
        raise ValueError("expected one header as `Name: value`")
    if any(not c.isprintable() for c in content):
        raise ValueError("the header's value holds a control character")
    return name, content
