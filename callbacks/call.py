"""Click-to-call: place a call through the gateway from a desk, and record it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, no_update

import auth
from callbacks import guarded
from data_sources import get_sources
from layouts import i18n
from layouts.call import Ids
from layouts.i18n import t
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
    State(i18n.Ids.PAGE, "data"),
    prevent_initial_call=True,
)
def place(request: Any, extension: str | None, page_lang: dict | None = None):
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
    lang = i18n.lang_of(page_lang)
    if incident is not None:  # the timeline's record, in the bureau's words
        said = t("call.connected") if outcome.ok else t("call.failed", why=outcome.reason)
        user = auth.current_user()
        who = (user.display_name or user.name) if user else ""
        text = f"呼叫 {name + ' ' if name else ''}{callee}（分机 {caller}）：{said}"
        if sources.incidents.note(incident, "call", text, who, datetime.now(UTC)):
            sources.versions.bump()
    said = (
        t("call.connected", lang) if outcome.ok else t("call.failed", lang, why=outcome.said(lang))
    )
    target = f"{name} {callee}".strip()
    return t("call.result", lang, said=said, target=target, caller=caller), (
        "ok" if outcome.ok else "failed"
    )
