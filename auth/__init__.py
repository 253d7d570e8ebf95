"""Access control: who is looking, what they may do, and the audit trail.

INTERFACE (stable; other packages code against it):
- `current_user() -> User | None` inside a request: the logged-in person or enrolled display,
  or None for anonymous. With AUTH_REQUIRED=0 (the embedded demo) it is a demo duty officer,
  except on /admin, which always needs a signed-in administrator.
  A display is `User("display:<id>", "display", "<where it hangs>")`.
- `can(permission: str, user: User | None = None) -> bool`; permissions are strings such as
  "view", "ack_alarm", "close_alarm", "focus", "duty_log", "roster_import", "admin"
  (auth/matrix.py lists them and which role holds which).
- `audit(action: str, outcome: str = "ok", **detail) -> None`: append one audit record
  (UTC time, user, address, action, outcome, detail). Never raises.
- `init_app(server)`: sessions, the sign-in pages, /admin and the enforcement of the access
  matrix on every request (docs/access.md).
- `declare_callbacks(server, {callback key: Declared})`: the permission each Dash callback of
  `server` needs, by the key Dash dispatches it by (callbacks.register calls it); a callback
  not declared is refused.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Flask, current_app, g, has_app_context, has_request_context, request

from auth.matrix import PERMISSIONS, ROLES, allowed

log = logging.getLogger("smart_emergency.audit")
auth_log = logging.getLogger("smart_emergency.auth")
EXTENSION = "smart_emergency_auth"
CALLBACKS = "smart_emergency_callbacks"
DEMO_USERS = (
    ("admin", "admin"),
    ("leader", "leader"),
    ("duty", "duty_officer"),
    ("viewer", "viewer"),
)

__all__ = [
    "ROLES",
    "PERMISSIONS",
    "Declared",
    "User",
    "audit",
    "can",
    "current_user",
    "declare_callbacks",
    "init_app",
    "state",
]


@dataclass(frozen=True)
class User:
    name: str
    role: str
    display_name: str = ""


@dataclass(frozen=True)
class Declared:
    """What one Dash callback needs, as declared beside it."""

    permission: str
    where: str  # module.function, for refusals and docs/access.md
    clientside: bool = False  # runs in the browser: the server never runs it
    routing: bool = False  # Dash pages' router: the path it renders obeys the page table too
    inputs: int | None = None  # how many inputs and states a request must carry (None: any)
    state: int | None = None


def declare_callbacks(server: Flask, declared: Mapping[str, Declared]) -> None:
    unknown = {d.permission for d in declared.values()} - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"unknown permission(s) {sorted(unknown)}")
    server.extensions[CALLBACKS] = dict(declared)


DEMO_USER = User("demo", "duty_officer", "值班员（演示）")


def state(server: Flask | None = None):  # noqa: ANN201 - auth.sessions.AuthState
    """The access-control state of `server` (default: the app serving this request)."""
    return (server or current_app).extensions[EXTENSION]


def current_user() -> User | None:
    if not has_request_context():
        return None
    if "se_user" not in g and not current_app.config["SE_SETTINGS"].AUTH_REQUIRED:
        return DEMO_USER  # except on /admin, where the guard has put the signed-in person
    if "se_user" not in g:
        from auth import guard, sessions

        try:
            session = state().resolve(request.cookies.get(sessions.COOKIE))
        except sessions.AuthUnavailable:
            session = None
        g.se_session, g.se_user = session, guard._user(session)
    return g.se_user


def can(permission: str, user: User | None = None) -> bool:
    if permission not in PERMISSIONS:
        log.warning("can(%r): no such permission", permission)
        return False
    user = user or current_user()
    return user is not None and allowed(user.role, permission)


def audit(action: str, outcome: str = "ok", **detail: object) -> None:
    from auth import trail
    from auth.sessions import utcnow

    try:
        user = current_user()
        address = request.remote_addr if has_request_context() else None
        auth_state = current_app.extensions.get(EXTENSION) if has_app_context() else None
        if auth_state is not None:
            warehouse, now = auth_state.warehouse, auth_state.clock()
        else:
            warehouse, now = _warehouse(), utcnow()
        trail.write(
            warehouse,
            action,
            outcome,
            actor=user.name if user else None,
            role=user.role if user else None,
            address=address,
            detail=detail,
            at=now,
        )
    except Exception:  # noqa: BLE001 - auditing never breaks the action it records
        log.exception("AUDIT RECORD LOST: %s %s %s", action, outcome, detail)


def _warehouse():  # noqa: ANN202
    if not has_app_context():
        return None
    from data_sources import EXTENSION as SOURCES

    sources = current_app.extensions.get(SOURCES)
    return sources.warehouse if sources else None


def init_app(server: Flask):  # noqa: ANN201 - auth.sessions.AuthState
    """Sessions, sign-in pages, /admin and the enforcement for `server` (idempotent)."""
    if EXTENSION in server.extensions:
        return server.extensions[EXTENSION]
    from auth import admin, guard, views
    from auth.sessions import AuthState
    from data_sources import EXTENSION as SOURCES

    settings = server.config["SE_SETTINGS"]
    auth_state = AuthState(server.extensions[SOURCES].warehouse)
    server.extensions[EXTENSION] = auth_state
    server.register_blueprint(views.bp)
    server.register_blueprint(admin.bp)
    server.before_request_funcs.setdefault(None, []).insert(0, guard.check)
    server.after_request(guard.finish)
    if settings.AUTH_REQUIRED:
        if settings.embedded:
            _demo_users(auth_state)
        else:
            from auth import store

            if store.count_users(auth_state.warehouse) == 0:
                auth_log.warning(
                    "AUTH_REQUIRED=1 and no users: create one with "
                    "`python -m auth create-user NAME --role admin`"
                )
    return auth_state


def _demo_users(auth_state) -> None:  # noqa: ANN001
    """Embedded defaults only: demo logins with one password, new at every start."""
    from auth import passwords, store

    password = "demo-" + secrets.token_urlsafe(9)
    hashed = passwords.hash_password(password)
    now = auth_state.clock()
    for username, role in DEMO_USERS:
        if store.get_user(auth_state.warehouse, username) is None:
            store.create_user(
                auth_state.warehouse, username, f"{username}（演示）", role, hashed, now
            )
        else:
            store.update_user(
                auth_state.warehouse, username, now, password_hash=hashed, role=role, active=True
            )
    auth_log.warning(
        "demo logins (embedded defaults, this start only): %s — password %s",
        ", ".join(u for u, _ in DEMO_USERS),
        password,
    )
