"""The enforcement: one `before_request` that applies auth/matrix.py to every request.

Pages without a session are sent to /login?next=<path> (a relative path only); Dash's XHRs
get 401 JSON, and a callback the session may not run gets 403 JSON before Dash sees it. The
callback is identified exactly as Dash dispatches it (the `output` key of the request) and
judged by the permission declared beside it (`callbacks.guarded`, handed over through
`auth.declare_callbacks`); a key that nothing declared is refused, with or without
AUTH_REQUIRED, so a forged request cannot run anything under an identity that may not.
`/admin` always needs a signed-in administrator, even with AUTH_REQUIRED=0.
"""

from __future__ import annotations

import ipaddress
import logging

from flask import current_app, g, jsonify, redirect, request

import auth
from auth import matrix, sessions, trail, views

log = logging.getLogger("smart_emergency.auth")


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _json(status: int, error: str, **extra: object):  # noqa: ANN202
    return jsonify(error=error, **extra), status


def check():  # noqa: ANN201 - a Flask before_request: None to go on, or the answer
    """Let the request through (None) or answer it: redirect, 401, 403 or 503."""
    path = request.path
    kind = matrix.classify(path)
    if kind in ("open", "api"):
        return None
    if not current_app.config["SE_SETTINGS"].AUTH_REQUIRED and kind != "admin":
        # The embedded demo on loopback: everyone is the demo duty officer, but a callback
        # nobody declared still never runs.
        if kind == "callback":
            _body, refusal = _declared_callback()
            return refusal
        return None
    if kind == "loopback" and _loopback(request.remote_addr):
        return None
    from auth import state

    secret = request.cookies.get(sessions.COOKIE)
    try:
        session = state().resolve(secret)
    except sessions.AuthUnavailable:
        log.error("session store unavailable: refusing %s", path)
        if kind == "page" and request.method in ("GET", "HEAD"):
            return views.unavailable()
        return _json(503, "authentication unavailable")
    g.se_session = session
    g.se_user = _user(session)
    if session is None:
        if secret:
            g.se_drop_cookie = True
        if kind in ("page", "admin") and request.method in ("GET", "HEAD"):
            return redirect(views.login_url(request.full_path.rstrip("?")))
        return _json(401, "login required", login=views.login_url(request.args.get("next")))
    role = session.role
    if kind == "callback":
        return _check_callback(role)
    if kind == "admin":
        if not matrix.allowed(role, "admin"):
            return _forbidden("admin")
    elif kind == "page" and not matrix.page_allowed(role, path):
        return _forbidden("page")
    elif not matrix.allowed(role, "view"):
        return _json(403, "not allowed")
    if kind in ("page", "admin") and request.method == "GET":
        state().touch(session)  # a page load is a sign of a person
    return None


def _user(session: sessions.Session | None):  # noqa: ANN202
    from auth import User

    if session is None:
        return None
    return User(session.name, session.role, session.display_name)


def _forbidden(what: str):  # noqa: ANN202
    _audit_refusal(what, path=request.path)
    if request.method in ("GET", "HEAD"):
        return views.forbidden(g.se_user)
    return _json(403, "not allowed")


def _audit_refusal(what: str, **detail: object) -> None:
    from auth import state

    user = g.get("se_user")
    trail.write(
        state().warehouse,
        "forbidden",
        what,
        actor=user.name if user else None,
        role=user.role if user else None,
        address=request.remote_addr,
        detail=detail,
        at=state().clock(),
    )


def _declared_callback():  # noqa: ANN202 - ((body, Declared), None) or (None, the refusal)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return None, _json(400, "not a Dash callback request")
    key = body["output"]
    declared = current_app.extensions.get(auth.CALLBACKS, {}).get(key)
    if declared is None:
        log.warning("refused a callback that declares no permission: %.200s", key)
        _audit_refusal("callback", output=key[:200], permission=None)
        return None, _json(403, "not allowed: this callback declares no permission")
    if declared.clientside:
        return None, _json(400, "not a server callback: it runs in the browser")
    for part in ("inputs", "state"):
        # Dash answers a request of another shape with a 500: refuse it here, by name.
        given, wanted = body.get(part) or [], getattr(declared, part)
        if wanted is not None and (not isinstance(given, list) or len(given) != wanted):
            return None, _json(400, f"the callback takes {wanted} {part}", field=part)
    return (body, declared), None


def _check_callback(role: str):  # noqa: ANN202
    found, refusal = _declared_callback()
    if refusal is not None:
        return refusal
    body, declared = found
    if not matrix.allowed(role, declared.permission):
        _audit_refusal("callback", output=body["output"][:200], permission=declared.permission)
        return _json(403, "not allowed", permission=declared.permission)
    if declared.routing:
        # Dash pages' routing: navigating inside the app must obey the page rules too.
        pathname = _input_value(body, "pathname")
        if isinstance(pathname, str) and not matrix.page_allowed(role, pathname):
            _audit_refusal("page", path=pathname[:200])
            return _json(403, "not allowed", path=pathname[:200])
    return None


def _input_value(body: dict, prop: str) -> object:
    for item in body.get("inputs") or []:
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict) and entry.get("property") == prop:
                return entry.get("value")
    return None


def finish(response):  # noqa: ANN001, ANN201 - a Flask after_request
    """Drop a dead session cookie so the browser stops sending it."""
    if g.get("se_drop_cookie"):
        response.delete_cookie(sessions.COOKIE, path="/")
    return response
