"""The sign-in pages: /login, /enrol (displays), /logout, and the browser's activity ping.

Plain server-rendered HTML (no Dash, no script), so they work however the dashboards are.
Forms carry a double-submit token (cookie `se_csrf`); the session cookie is HttpOnly and
SameSite=Strict. No secret ever appears in a URL: tokens and passwords are POSTed.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
)

from auth import i18n, signin, state
from auth.matrix import ROLE_NAMES
from auth.sessions import COOKIE, DISPLAY_COOKIE_AGE, AuthUnavailable

bp = Blueprint("auth", __name__, template_folder="templates")
CSRF_COOKIE = "se_csrf"


def safe_next(raw: str | None, default: str = "/") -> str:
    """A same-site path to return to; anything else (other hosts, schemes, //x) is `default`."""
    if not raw or len(raw) > 2000 or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 32 or c == "\\" for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def login_url(next_path: str | None = None) -> str:
    target = safe_next(next_path, "")
    return "/login" + (f"?next={quote(target, safe='/')}" if target else "")


def page(template: str, status: int = 200, **context: object) -> Response:
    """Render one of the sign-in pages with the security headers they all carry."""
    lang = i18n.current()
    context.setdefault("next", safe_next(request.values.get("next"), ""))
    other = "en" if lang == "zh" else "zh"
    response = make_response(
        render_template(
            template,
            t=lambda key, **v: i18n.t(key, lang, **v),
            lang=lang,
            other_lang=other,
            role_name=lambda role: ROLE_NAMES.get(role, (role, role))[lang == "en"],
            **context,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self'; script-src 'none'; frame-ancestors 'none'; "
        "object-src 'none'; base-uri 'none'"
    )
    if request.args.get("lang") in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, lang, max_age=3600 * 24 * 365, samesite="Lax")
    return response


def _csrf_token() -> str:
    token = request.cookies.get(CSRF_COOKIE) or g.get("se_new_csrf")
    if not token:
        token = g.se_new_csrf = secrets.token_urlsafe(24)
    return token


def _csrf_ok() -> bool:
    cookie, form = request.cookies.get(CSRF_COOKIE, ""), request.form.get("csrf", "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), form.encode())


@bp.after_app_request
def _set_csrf_cookie(response: Response) -> Response:
    if g.get("se_new_csrf"):
        response.set_cookie(
            CSRF_COOKIE, g.se_new_csrf, httponly=True, samesite="Strict", secure=request.is_secure
        )
    return response


def _set_session(response: Response, secret: str, display: bool) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(DISPLAY_COOKIE_AGE.total_seconds()) if display else None,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/",
    )


def _is_admin_path(path: str) -> bool:
    path = urlsplit(path).path
    return path == "/admin" or path.startswith("/admin/")


def _auth_required() -> bool:
    return bool(current_app.config["SE_SETTINGS"].AUTH_REQUIRED)


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"))
    if not _auth_required() and not _is_admin_path(target):
        return redirect(target)  # the screens need nobody; /admin always needs its admin
    if request.method == "GET":
        return page("auth/login.html", csrf=_csrf_token(), username="")
    username = request.form.get("username", "")
    if not _csrf_ok():
        return page(
            "auth/login.html", 400, csrf=_csrf_token(), username=username, error="expired_form"
        )
    try:
        outcome = signin.login(
            state(),
            username,
            request.form.get("password", ""),
            request.remote_addr or "?",
            request.user_agent.string,
        )
    except AuthUnavailable:
        return page(
            "auth/login.html", 503, csrf=_csrf_token(), username=username, error="unavailable"
        )
    if outcome.secret is None:
        # The form again with the reason (200: a browser logs any 4xx page as an error).
        error, status = ("throttled", 429) if outcome.reason == "throttled" else ("bad_login", 200)
        return page(
            "auth/login.html",
            status,
            csrf=_csrf_token(),
            username=username,
            error=error,
            wait=outcome.wait_s,
        )
    state().end(request.cookies.get(COOKIE), "replaced")  # a fresh id at every sign-in
    response = redirect(target)
    _set_session(response, outcome.secret, display=False)
    return response


@bp.route("/enrol", methods=["GET", "POST"])
def enrol():
    target = safe_next(request.values.get("next"), "/wall")
    if request.method == "GET":
        # A token in the address would stay in history, logs and proxies: never use it.
        error = "no_token_in_url" if "token" in request.args else None
        return page("auth/enrol.html", csrf=_csrf_token(), error=error)
    if not _csrf_ok():
        return page("auth/enrol.html", 400, csrf=_csrf_token(), error="expired_form")
    outcome = signin.enrol(
        state(),
        request.form.get("token", ""),
        request.remote_addr or "?",
        request.user_agent.string,
    )
    if outcome.secret is None:
        error, status = ("throttled", 429) if outcome.reason == "throttled" else ("bad_token", 200)
        return page("auth/enrol.html", status, csrf=_csrf_token(), error=error, wait=outcome.wait_s)
    response = redirect(target)
    _set_session(response, outcome.secret, display=True)
    return response


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    from auth import audit, current_user

    secret = request.cookies.get(COOKIE)
    user = current_user() if secret else None
    if user is not None:
        audit("logout")
        state().end(secret, "logout")
    response = page("auth/login.html", csrf=_csrf_token(), username="", notice="logged_out")
    response.delete_cookie(COOKIE, path="/")
    return response


@bp.post("/auth/ping")
def ping():
    """A person used this browser (keyboard, pointer, touch): push the idle deadline."""
    session = g.get("se_session")
    if session is not None:
        state().touch(session)
    return "", 204


def forbidden(user, status: int = 403) -> Response:  # noqa: ANN001
    lang = i18n.current()
    return page(
        "auth/forbidden.html",
        status,
        who=user.display_name or user.name,
        role=ROLE_NAMES.get(user.role, (user.role, user.role))[lang == "en"],
    )


def unavailable() -> Response:
    return page("auth/login.html", 503, csrf=_csrf_token(), username="", error="unavailable")
