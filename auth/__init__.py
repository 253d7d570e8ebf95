"""Access control: who is looking, what they may do, and the audit trail.

INTERFACE (stable; the implementation behind it is being built in issue 7):
- `current_user() -> User | None` inside a request: the logged-in person or enrolled display,
  or None for anonymous. With AUTH_REQUIRED=0 (the embedded demo) it is a demo duty officer.
- `can(permission: str, user: User | None = None) -> bool`; permissions are strings such as
  "view", "ack_alarm", "close_alarm", "focus", "duty_log", "roster_import", "admin".
- `audit(action: str, outcome: str = "ok", **detail) -> None`: append one audit record
  (UTC time, user, address, action, outcome, detail).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, has_request_context, request

log = logging.getLogger("smart_emergency.audit")

ROLES = ("admin", "leader", "duty_officer", "viewer", "display")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    display_name: str = ""


DEMO_USER = User("demo", "duty_officer", "值班员（演示）")


def current_user() -> User | None:
    if not has_request_context():
        return None
    if not current_app.config["SE_SETTINGS"].AUTH_REQUIRED:
        return DEMO_USER
    return None


def can(permission: str, user: User | None = None) -> bool:
    user = user or current_user()
    return user is not None and user.role != "display" or permission == "view" and user is not None


def audit(action: str, outcome: str = "ok", **detail: object) -> None:
    user = current_user()
    address = request.remote_addr if has_request_context() else None
    log.info("audit %s %s user=%s addr=%s %s", action, outcome, user and user.name, address, detail)
