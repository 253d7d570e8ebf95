"""/admin: users, displays and the audit log, for administrators (the guard checks "admin").

Every form posts a token derived from the session cookie (SameSite=Strict already keeps
other sites' forms out; this keeps out anything that cannot read the page). An enrolment
code is shown once, in the answer to the POST that made it, and never stored.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, g, redirect, request

from auth import accounts, current_user, i18n, state, store, trail
from auth.matrix import PEOPLE_ROLES, ROLE_NAMES
from auth.sessions import COOKIE
from auth.views import page
from security.text import spreadsheet_cell

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


SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIT_LIMIT = 200  # rows shown; the CSV export takes up to EXPORT_LIMIT
EXPORT_LIMIT = 100_000


def local(value: object) -> str:
    """A stored UTC time as Asia/Shanghai wall-clock text."""
    at = store.ts(value)
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if at else "—"


def _moment(raw: str | None) -> datetime | None:
    """A `datetime-local` field's value (Asia/Shanghai) as UTC; None when empty or unreadable."""
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI) if raw else None
    except ValueError:
        return None


def audit_filter() -> dict:
    """The audit filter of the query string: person, action and time range (Shanghai)."""
    a = request.args
    return {
        "actor": a.get("actor") or None,
        "action": a.get("action") or None,
        "since": _moment(a.get("from")),
        "until": _moment(a.get("to")),
        "raw": {k: a.get(k, "") for k in ("actor", "action", "from", "to")},
    }


def _audit_rows(f: dict, limit: int) -> list[dict]:
    return store.find_audit(
        state().warehouse,
        actor=f["actor"],
        action=f["action"],
        since=f["since"],
        until=f["until"],
        limit=limit,
    )


def _render(status: int = 200, **extra: object):  # noqa: ANN202
    wh = state().warehouse
    now = state().clock()
    displays = store.list_displays(wh)
    for d in displays:
        d["status"] = _status(d, now)
    lang = i18n.current()
    f = audit_filter()
    actors, actions = store.audit_choices(wh)
    query = urlencode({"lang": lang, **{k: v for k, v in f["raw"].items() if v}})
    return page(
        "auth/admin.html",
        status,
        users=store.list_users(wh),
        displays=displays,
        audit_rows=_audit_rows(f, AUDIT_LIMIT),
        audit_limit=AUDIT_LIMIT,
        audit_filter=f["raw"],
        audit_actors=actors,
        audit_actions=sorted(set(actions) | set(trail.ACTION_NAMES)),
        audit_export=f"/admin/audit.csv?{query}",
        action_name=lambda a: trail.action_name(a, lang),
        outcome_name=lambda o: trail.outcome_name(o, lang),
        roles=PEOPLE_ROLES,
        csrf=_form_token(),
        me=current_user(),
        ts=local,
        **extra,
    )


@bp.get("/audit.csv")
def audit_csv():
    """The filtered audit trail as CSV (UTF-8 with BOM), headers in the page's language."""
    lang = i18n.current()
    rows = _audit_rows(audit_filter(), EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = ("time", "actor", "role", "address", "action", "outcome", "detail")
    writer.writerow([i18n.t(k, lang) for k in keys])
    for r in rows:
        cells = [
            local(r["at"]),
            r["actor"] or "",
            ROLE_NAMES.get(r["role"], (r["role"] or "",) * 2)[lang == "en"],
            r["address"] or "",
            trail.action_name(r["action"], lang),
            trail.outcome_name(r["outcome"], lang),
            r["detail"] or "",
        ]
        # No cell may run as a formula: names and details are what people typed.
        writer.writerow([spreadsheet_cell(c) for c in cells])
    text = "\ufeff" + out.getvalue()
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
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
