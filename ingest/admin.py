"""/admin/systems: the upstream-system registry and its tokens, for a signed-in administrator.

Its own blueprint and template (linked from /admin) so that the people-and-displays admin
stays separate. Whatever AUTH_REQUIRED says, every request here needs a signed-in admin
session: this page issues the credentials that write to the wall. Forms carry the same
session-derived token as /admin's; a new token is shown once, in the answer to its POST.
"""

from __future__ import annotations

import hmac
import json

from flask import Blueprint, Flask, abort, current_app, g, redirect, request

from auth import audit, state
from auth.admin import _form_token
from auth.matrix import allowed
from auth.sessions import COOKIE, AuthUnavailable
from auth.views import login_url, page
from data_sources import get_sources
from data_sources.systems import CONNECTORS, KINDS, SENDS, RegistryError

bp = Blueprint("ingest_admin", __name__, url_prefix="/admin/systems", template_folder="templates")


@bp.before_request
def _require_admin():  # noqa: ANN202
    try:
        session = state().resolve(request.cookies.get(COOKIE))
    except AuthUnavailable:
        abort(503, "authentication unavailable")
    if session is None or session.kind != "user":
        if not current_app.config["SE_SETTINGS"].AUTH_REQUIRED:
            # No sign-in exists then (/login leads straight back): say so instead of looping.
            abort(403, "sign-in is off (AUTH_REQUIRED=0): use `python -m ingest systems`")
        if request.method in ("GET", "HEAD"):
            return redirect(login_url(request.path))
        abort(401, "login required")
    if not allowed(session.role, "admin"):
        abort(403, "administrators only")
    g.se_systems_admin = session
    if request.method == "POST" and not hmac.compare_digest(
        request.form.get("csrf", ""), _form_token()
    ):
        abort(400, "form token does not match this session")
    return None


def _render(status: int = 200, **extra: object):  # noqa: ANN202
    systems = get_sources().systems
    tokens = systems.tokens()
    live = tokens[tokens["revoked_at"].isna()]
    return page(
        "ingest/systems.html",
        status,
        systems=systems.all().to_dict("records"),
        tokens=live.to_dict("records"),
        kinds=KINDS,
        connectors=CONNECTORS,
        sends=SENDS,
        csrf=_form_token(),
        me=g.se_systems_admin,
        **extra,
    )


@bp.get("")
def index():
    return _render()


def _fail(exc: RegistryError):  # noqa: ANN202
    return _render(400, error=str(exc))


def _int(name: str, default: int) -> int:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise RegistryError(f"{name}: whole seconds") from None


@bp.post("")
def add():
    f = request.form
    try:
        raw_settings = f.get("connector_settings", "").strip() or "{}"
        try:
            settings = json.loads(raw_settings)
        except ValueError:
            raise RegistryError("connector_settings: not JSON") from None
        code = f.get("code", "").strip()
        get_sources().systems.add(
            code,
            f.get("name", ""),
            name_en=f.get("name_en", ""),
            kind=f.get("kind", "business"),
            sends=f.getlist("sends"),
            heartbeat_s=_int("heartbeat_s", 30),
            data_s=_int("data_s", 300),
            contact=f.get("contact", ""),
            connector=f.get("connector", "http"),
            connector_settings=settings,
        )
    except RegistryError as exc:
        return _fail(exc)
    audit("system_add", code=code)
    return redirect("/admin/systems?done=1", 303)


@bp.post("/<code>/<what>")
def change(code: str, what: str):
    systems = get_sources().systems
    label = request.form.get("label", "")
    try:
        if what in ("enable", "disable"):
            systems.set_enabled(code, what == "enable")
            audit(f"system_{what}", code=code)
        elif what in ("token", "rotate"):
            token_id, token = systems.issue_token(code, label, rotate=what == "rotate")
            audit(
                "token_rotate" if what == "rotate" else "token_issue", code=code, token_id=token_id
            )
            return _render(issued={"system": code, "id": token_id, "token": token})
        else:
            abort(404)
    except RegistryError as exc:
        return _fail(exc)
    return redirect("/admin/systems?done=1", 303)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    if not get_sources().systems.revoke(token_id):
        return _fail(RegistryError(f"token_id: no live token {token_id}"))
    audit("token_revoke", token_id=token_id)
    return redirect("/admin/systems?done=1", 303)


def init_app(server: Flask) -> None:
    if bp.name not in server.blueprints:
        server.register_blueprint(bp)
