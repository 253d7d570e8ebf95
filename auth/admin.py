"""/admin: users, displays and the audit log, for administrators (the guard checks "admin").

Every form posts a token derived from the session cookie (SameSite=Strict already keeps
other sites' forms out; this keeps out anything that cannot read the page). An enrolment
code is shown once, in the answer to the POST that made it, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, abort, g, redirect, request

from auth import accounts, current_user, state, store
from auth.matrix import PEOPLE_ROLES
from auth.sessions import COOKIE
from auth.views import page

bp = Blueprint("auth_admin", __name__, url_prefix="/admin")


def _form_token() -> str:
    secret = request.cookies.get(COOKIE, "")
    return hashlib.sha256(f"admin-form:{secret}".encode()).hexdigest()


def _actor() -> accounts.Actor:
    user = current_user()
    return accounts.Actor(user.name, user.role, request.remote_addr)


@bp.before_request
def _check_form() -> None:
    if request.method == "POST" and not hmac.compare_digest(
        request.form.get("csrf", ""), _form_token()
    ):
        abort(400, "form token does not match this session")


def _status(display: dict, now) -> str:  # noqa: ANN001
    if display["revoked_at"] is not None:
        return "revoked"
    if display["enrolled_at"] is not None:
        return "enrolled"
    return "expired" if store.ts(display["token_expires_at"]) <= now else "pending"


def _render(status: int = 200, **extra: object):  # noqa: ANN202
    wh = state().warehouse
    now = state().clock()
    displays = store.list_displays(wh)
    for d in displays:
        d["status"] = _status(d, now)
    return page(
        "auth/admin.html",
        status,
        users=store.list_users(wh),
        displays=displays,
        audit_rows=store.recent_audit(wh, 100),
        roles=PEOPLE_ROLES,
        csrf=_form_token(),
        me=current_user(),
        ts=lambda v: store.ts(v).strftime("%Y-%m-%d %H:%M:%S UTC") if store.ts(v) else "—",
        **extra,
    )


@bp.get("")
def index():
    return _render()


def _apply(change) -> object:  # noqa: ANN001
    """Run one change; show its error on the page instead of failing."""
    try:
        result = change(state().warehouse, _actor(), state().clock())
    except accounts.AccountError as exc:
        g.se_admin_error = str(exc)
        return None
    finally:
        state().forget()
    return result if result is not None else True


def _done():  # noqa: ANN202
    if g.get("se_admin_error"):
        return _render(400, error=g.se_admin_error)
    return redirect("/admin?done=1", 303)


@bp.post("/users")
def create_user():
    f = request.form
    _apply(
        lambda wh, actor, now: accounts.create_user(
            wh,
            actor,
            f.get("username", ""),
            f.get("display_name", ""),
            f.get("role", ""),
            f.get("password", ""),
            now,
        )
    )
    return _done()


@bp.post("/users/<username>")
def change_user(username: str):
    f = request.form
    what = f.get("what")
    if what == "role":
        _apply(lambda wh, a, now: accounts.set_role(wh, a, username, f.get("role", ""), now))
    elif what == "password":
        _apply(
            lambda wh, a, now: accounts.reset_password(wh, a, username, f.get("password", ""), now)
        )
    elif what in ("enable", "disable"):
        _apply(lambda wh, a, now: accounts.set_active(wh, a, username, what == "enable", now))
    elif what == "unblock":
        _apply(lambda wh, a, now: accounts.unblock(wh, a, username, now))
    else:
        abort(400, "unknown change")
    return _done()


@bp.post("/displays")
def issue_display():
    name = request.form.get("name", "")
    issued = _apply(lambda wh, a, now: accounts.issue_display(wh, a, name, now))
    if not issued:
        return _done()
    display_id, token = issued
    return _render(
        issued={"id": display_id, "name": name, "token": token, "hours": accounts.TOKEN_HOURS}
    )


@bp.post("/displays/<display_id>/revoke")
def revoke_display(display_id: str):
    _apply(lambda wh, a, now: accounts.revoke_display(wh, a, display_id, now))
    return _done()
