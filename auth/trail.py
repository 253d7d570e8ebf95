"""The audit trail: one INSERT per action into the append-only `audit_log`.

`write` is the only way in; it never raises (an audit failure is logged as an error, the
action the caller is doing goes on). There is no update or delete anywhere in the code.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from auth import store
from catalogue import MESSAGES, t
from data_sources.warehouse import Warehouse

log = logging.getLogger("smart_emergency.audit")

# The actions this package writes; other packages add theirs (ack_alarm, close_alarm, focus,
# roster_import, duty_log, ...) through `auth.audit`.
ACTIONS = (
    "login",
    "logout",
    "session_end",
    "enrol",
    "display_issue",
    "display_revoke",
    "user_create",
    "user_password",
    "user_role",
    "user_active",
    "login_unblock",
    "forbidden",
)

# Every action any package writes, as a person reads it on /admin: the catalogue's action.*.
ACTION_NAMES = tuple(k.removeprefix("action.") for k in MESSAGES if k.startswith("action."))


def action_name(action: str, lang: str = "zh") -> str:
    """An action code as a person reads it (the code itself when it has no name yet)."""
    return t(f"action.{action}", lang) if action in ACTION_NAMES else action


def outcome_name(outcome: str, lang: str = "zh") -> str:
    key = f"outcome.{outcome}"
    return t(key, lang) if key in MESSAGES else outcome


def write(
    wh: Warehouse | None,
    action: str,
    outcome: str,
    *,
    actor: str | None,
    role: str | None,
    address: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> bool:
    """Append one record; False (and an error in the log) when it could not be stored."""
    try:
        row = {
            "at": at,
            "actor": actor,
            "role": role,
            "address": address,
            "action": str(action)[:32],
            "outcome": str(outcome)[:16],
            "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        }
        if wh is None:
            raise RuntimeError("no warehouse")
        store.insert_audit(wh, row)
        return True
    except Exception:  # noqa: BLE001 - auditing must never break the action it records
        log.exception(
            "AUDIT RECORD LOST: %s %s actor=%s address=%s %s",
            action,
            outcome,
            actor,
            address,
            detail,
        )
        return False
