"""The written access matrix, as data: who may open which page, run which callback, call which
API. The enforcement (auth/guard.py) and docs/access.md (`python -m auth docs`) both read it.

A NEW WRITING CALLBACK (one that changes state: acknowledges, writes the duty log, imports,
takes the wall's focus, ...) MUST give at least one of its outputs an id that starts with a
prefix of `CALLBACK_RULES`, or add its prefix there; read-only callbacks must not use those
prefixes. Everything else is a "view" callback that every session may run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

ROLES = ("admin", "leader", "duty_officer", "viewer", "display")
PEOPLE_ROLES = ROLES[:4]
ROLE_NAMES = {
    "admin": ("管理员", "administrator"),
    "leader": ("领导", "leader"),
    "duty_officer": ("值班员", "duty officer"),
    "viewer": ("查看者", "viewer"),
    "display": ("大屏/会商屏", "display"),
    "anonymous": ("未登录", "anonymous"),
}

PERMISSIONS = {
    "view": "see every dashboard and run read-only callbacks",
    "ack_alarm": "acknowledge an alarm",
    "close_alarm": "close an alarm",
    "focus": "presenter control: point the wall and consultation displays at an incident or district",
    "duty_log": "write the duty log",
    "roster_import": "import a duty roster workbook",
    "admin": "manage users and displays, read the audit log",
}
GRANTS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "leader": frozenset({"view", "ack_alarm", "close_alarm", "focus", "duty_log"}),
    "duty_officer": frozenset(
        {"view", "ack_alarm", "close_alarm", "focus", "duty_log", "roster_import"}
    ),
    "viewer": frozenset({"view"}),
    "display": frozenset({"view"}),
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and permission in GRANTS.get(role, frozenset())


@dataclass(frozen=True)
class CallbackRule:
    prefix: str
    permission: str
    what: str


# Output-id prefix -> permission. First match wins; keep the more specific prefixes first.
CALLBACK_RULES: tuple[CallbackRule, ...] = (
    CallbackRule("duty-log-", "duty_log", "duty page: add an entry to the duty log"),
    CallbackRule("duty-roster-import", "roster_import", "duty page: import a roster workbook"),
    CallbackRule("alarm-ack", "ack_alarm", "acknowledge an alarm (any screen)"),
    CallbackRule("tablet-ack", "ack_alarm", "tablet: acknowledge an alarm after confirming"),
    CallbackRule("consult-ack", "ack_alarm", "consultation room: acknowledge an alarm"),
    CallbackRule("alarm-close", "close_alarm", "close an alarm (any screen)"),
    CallbackRule("tablet-close", "close_alarm", "tablet: close an alarm after confirming"),
    CallbackRule("presenter-", "focus", "presenter control: take or release the focus"),
    CallbackRule("admin-", "admin", "administration callbacks"),
)
VIEW_CALLBACKS = "every other callback (panels, filters, maps, page routing)"


@dataclass(frozen=True)
class Page:
    path: str
    name: str
    permission: str = "view"
    display: bool = False  # may an enrolled display open it?


PAGES: tuple[Page, ...] = (
    Page("/", "home", display=True),
    Page("/wall", "command-hall wall", display=True),
    Page("/consult", "consultation room", display=True),
    Page("/tablet", "leadership tablet"),
    Page("/hazchem", "hazardous chemicals"),
    Page("/resources", "resources"),
    Page("/duty", "duty"),
    Page("/incident/<id>", "one incident"),
    Page("/404 and unknown paths", "not found"),
    Page("/admin", "users, displays, audit log", permission="admin"),
)

# How each path is guarded (see `classify`).
OPEN_PATHS = frozenset(
    {"/login", "/enrol", "/logout", "/healthz", "/version", "/_favicon.ico", "/favicon.ico"}
)
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
LOOPBACK_PATHS = frozenset({"/readyz", "/metrics"})
API_PREFIX = "/api/v1/"
DASH_CALLBACK = "/_dash-update-component"
DASH_PREFIXES = ("/_dash-", "/_reload-hash")
SESSION_PATHS = frozenset({"/auth/ping"})
PAGES_CONTENT_ID = "_pages_content"  # Dash pages' routing callback output


def classify(path: str) -> str:
    """open, api, loopback, callback, dash, session, admin or page."""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return "open"
    if path.startswith(API_PREFIX):
        return "api"
    if path in LOOPBACK_PATHS:
        return "loopback"
    if path == DASH_CALLBACK:
        return "callback"
    if path.startswith(DASH_PREFIXES):
        return "dash"
    if path in SESSION_PATHS:
        return "session"
    if path == "/admin" or path.startswith("/admin/"):
        return "admin"
    return "page"


def page_allowed(role: str | None, path: str) -> bool:
    """May `role` open the Dash page at `path`? (any page needs "view"; displays few)."""
    if not allowed(role, "view"):
        return False
    if role != "display":
        return True
    return any(p.display and p.path == (path.rstrip("/") or "/") for p in PAGES)


_SPLIT = re.compile(r"(?<!\\)\.\.\.")


def output_ids(output_key: str) -> list[str]:
    """The component ids named by a Dash callback key (`a.children` or `..a.x...b.y..`).

    Pattern-matching ids ({"type": ..., "index": ...}) are named by their "type".
    """
    inner = output_key[2:-2] if output_key.startswith("..") else output_key
    ids = []
    for part in _SPLIT.split(inner):
        part = part.split("@", 1)[0]  # allow_duplicate adds @<hash>
        if "." not in part:
            continue
        ids.append(component_name(part.rsplit(".", 1)[0].replace("\\.", ".")))
    return ids


def component_name(ident: object) -> str:
    """A component id as text; a pattern-matching id ({"type": ...}) by its "type"."""
    if isinstance(ident, str) and ident.startswith("{"):
        try:
            ident = json.loads(ident)
        except ValueError:
            return ident
    if isinstance(ident, dict):
        return str(ident.get("type", json.dumps(ident, sort_keys=True)))
    return str(ident)


def callback_permission(component_ids: list[str]) -> str:
    """The permission a callback with these output ids needs (the strictest that matches)."""
    for rule in CALLBACK_RULES:
        if any(i.startswith(rule.prefix) for i in component_ids):
            return rule.permission
    return "view"


# The ingest API keeps its own bearer tokens (INGEST_TOKENS, ingest/api.py): a session, of
# any role, opens none of these; the token opens all of them.
API_CALLS: tuple[tuple[str, str], ...] = (
    ("POST", "/api/v1/alarms"),
    ("POST", "/api/v1/readings"),
    ("POST", "/api/v1/heartbeat"),
    ("POST", "/api/v1/incidents"),
    ("POST", "/api/v1/alarms/<id>/ack"),
    ("POST", "/api/v1/alarms/<id>/close"),
    ("GET", "/api/v1/alarms?status=active"),
    ("POST", "/api/v1/rollcall/answer"),
)
API_OPEN = (("GET", "/api/v1/openapi.json"),)
DASH_ENDPOINTS = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash")
STATIC = ("/assets/…", "/_dash-component-suites/…", "/_favicon.ico")
