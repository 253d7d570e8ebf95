"""Click-to-call: place a call through the gateway from a desk, and record it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, no_update

import auth
from callbacks import guarded
from data_sources import get_sources
from layouts.call import Ids
from telephony.gateway import Gateway, call

_INCIDENT_PAGE = re.compile(r"/incident/([^/?#]{1,64})/?")
NAME_CHARS = 40


def incident_of(page: object) -> str | None:
    """The incident id of an incident page's path, else None."""
    match = _INCIDENT_PAGE.fullmatch(page) if isinstance(page, str) else None
    return match.group(1) if match else None


def _name(raw: object) -> str:
    text = raw if isinstance(raw, str) else ""
    return "".join(c for c in text if c.isprintable()).strip()[:NAME_CHARS]


@guarded(
    "call",
    Output(Ids.STATUS, "children"),
    Output(Ids.STATUS, "data-state"),
    Input(Ids.REQUEST, "data"),
    State(Ids.EXTENSION, "value"),
    prevent_initial_call=True,
)
def place(request: Any, extension: str | None):
    """Ask the gateway to ring the desk's extension and connect the clicked number."""
    if not isinstance(request, dict):
        return no_update, no_update
    sources = get_sources()
    caller, callee, outcome = call(
        Gateway.from_settings(sources.settings), extension, request.get("number")
    )
    name, incident = _name(request.get("name")), incident_of(request.get("page"))
    auth.audit(
        "call",
        "ok" if outcome.ok else "failed",
        caller=caller,
        callee=callee,
        name=name,
        incident=incident,
        reason=outcome.reason,
        gateway_status=outcome.status,
    )
    said = "已接通" if outcome.ok else f"呼叫失败：{outcome.reason}"
    if incident is not None:
        user = auth.current_user()
        who = (user.display_name or user.name) if user else ""
        text = f"呼叫 {name + ' ' if name else ''}{callee}（分机 {caller}）：{said}"
        if sources.incidents.note(incident, "call", text, who, datetime.now(UTC)):
            sources.versions.bump()
    target = f"{name} {callee}".strip()
    return f"{said} · {target}（分机 {caller}）", "ok" if outcome.ok else "failed"
