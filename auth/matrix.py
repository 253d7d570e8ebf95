"""The written access matrix, as data: the roles, the permissions each holds, who may open
which page (screens.py declares the pages; `PAGES` reads them) and call which API. The
enforcement (auth/guard.py) and docs/access.md (`python -m auth docs`) both read it.

Callbacks are not listed here: each one names its permission where it is declared
(`callbacks.guarded(permission, Output(...), ...)`), and the guard refuses one that names none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import screens

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
    "view": "see the dashboards and run their read-only callbacks",
    "contacts": "read personal data: duty rosters, the duty log, the contact directory, experts",
    "ack_alarm": "acknowledge an alarm",
    "close_alarm": "close an alarm",
    "focus": "presenter control: point the wall and consultation displays at an incident or district",
    "duty_log": "write the duty log",
    "roster_import": "import a duty roster workbook",
    "call": "place a call through the converged-communications gateway (click-to-call)",
    "admin": "manage users and displays, read the audit log",
}
GRANTS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "leader": frozenset(
        {"view", "contacts", "ack_alarm", "close_alarm", "focus", "duty_log", "call"}
    ),
    "duty_officer": frozenset(
        {
            "view",
            "contacts",
            "ack_alarm",
            "close_alarm",
            "focus",
            "duty_log",
            "roster_import",
            "call",
        }
    ),
    "viewer": frozenset({"view", "contacts"}),
    "display": frozenset({"view"}),
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and permission in GRANTS.get(role, frozenset())


@dataclass(frozen=True)
class Page:
    path: str
    name: str
    permission: str = "view"
    display: bool = False  # may an enrolled display open it?


# Every page of screens.py, its path parameters written <id>.
PAGES: tuple[Page, ...] = tuple(
    Page(re.sub(r"<[^>]+>", "<id>", p.path), f"{p.zh} ({p.en})", p.permission, p.display)
    for p in screens.PAGES
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
SESSION_PATHS = frozenset({"/auth/ping", "/push/events"})  # "view", any role (displays too)
SESSION_PREFIXES = ("/tiles/", "/demo-video/")  # TILE_FILE's tiles (maps/tile_route.py) and
# the demo's camera streams (video/demo.py), as SESSION_PATHS
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
    if path in SESSION_PATHS or path.startswith(SESSION_PREFIXES):
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
    ("POST", "/api/v1/duty/checkin"),
)
API_OPEN = (("GET", "/api/v1/openapi.json"),)
DASH_ENDPOINTS = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash")
STATIC = ("/assets/…", "/_dash-component-suites/…", "/_favicon.ico")
