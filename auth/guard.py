"""The enforcement: one `before_request` that applies auth/matrix.py to every request.

Pages without a session are sent to /login?next=<path> (a relative path only); Dash's XHRs
get 401 JSON, and a callback the session may not run gets 403 JSON before Dash sees it. The
callback is identified exactly as Dash dispatches it (the `output` key of the request), so a
forged request cannot run a writing callback under a read-only identity.
"""

from __future__ import annotations

import ipaddress
import logging

from flask import current_app, g, jsonify, redirect, request

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
    if not current_app.config["SE_SETTINGS"].AUTH_REQUIRED:
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


def _check_callback(role: str):  # noqa: ANN202
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return _json(400, "not a Dash callback request")
    key = body["output"]
    ids = matrix.output_ids(key) or _input_ids(key)
    permission = matrix.callback_permission(ids)
    if not matrix.allowed(role, permission):
        _audit_refusal("callback", output=key[:200], permission=permission)
        return _json(403, "not allowed", permission=permission)
    if matrix.PAGES_CONTENT_ID in ids:
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


def _input_ids(key: str) -> list[str]:
    """A callback without outputs is named by a hash: judge it by its declared inputs."""
    view = current_app.view_functions.get(matrix.DASH_CALLBACK)
    for cell in getattr(view, "__closure__", None) or ():
        callback_map = getattr(cell.cell_contents, "callback_map", None)
        if isinstance(callback_map, dict) and key in callback_map:
            spec = callback_map[key]
            inputs = [i.get("id") for i in spec.get("inputs", []) if isinstance(i, dict)]
            return [matrix.component_name(i) for i in inputs]
    return []


def finish(response):  # noqa: ANN001, ANN201 - a Flask after_request
    """Drop a dead session cookie so the browser stops sending it."""
    if g.get("se_drop_cookie"):
        response.delete_cookie(sessions.COOKIE, path="/")
    return response
