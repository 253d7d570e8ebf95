"""Click-to-call (融合通信): every phone number a page shows, as a call action, and the bar
that places a call from a desk.

A number is a `tel:` link (`number`, or `markdown` in a DataTable), so a tablet or phone
dials it itself. On a desk screen whose bar is armed (CALL_GATEWAY_URL set and the person
may call; decided as the page is drawn, like the alarm buttons) assets/call.js takes the
click instead and the server (callbacks/call.py) asks the gateway to ring the desk's
extension, typed once into the bar and kept by this browser (the extension belongs to the
desk's phone, not to the person).
"""

from __future__ import annotations

import re
from enum import StrEnum

from dash import dcc, html
from flask import current_app, has_request_context

from auth import can
from catalogue import t
from telephony.numbers import dialable

MARKDOWN_OPTIONS = {"link_target": "_self", "html": False}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


class Ids(StrEnum):
    BAR = "call-bar"
    EXTENSION = "call-extension"
    STATUS = "call-status"
    REQUEST = "call-request"


def number(phone: str | None, *, name: str = "", plain: bool = False, css: str = "phone"):  # noqa: ANN201
    """`phone` as a call link (to `name`, for the record), or as text when `plain` (the
    wall's kiosk) or when it is not a number that may be dialled."""
    dial = dialable(phone)
    if plain or dial is None:
        return html.Span(phone or "", className=css)
    attrs = {"data-call": dial, **({"data-call-name": name} if name else {})}
    return html.A(phone, href=f"tel:{dial}", className=f"{css} call-number", **attrs)


def markdown(phone: str | None) -> str:
    """`phone` as a DataTable markdown cell: a call link, or escaped text."""
    dial = dialable(phone)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", phone or "")
    return f"[{text}](tel:{dial})" if dial else text


def linked(records: list[dict], column: str = "phone") -> list[dict]:
    """DataTable rows with `column` as call links (the table's `calls` column)."""
    return [{**r, column: markdown(r.get(column))} for r in records]


def armed() -> bool:
    """Do clicks on this page call through the gateway? (it is set, and this person may call)"""
    if not has_request_context():
        return False
    return current_app.config["SE_SETTINGS"].CALL_GATEWAY_URL is not None and can("call")


def bar(lang: str = "zh") -> html.Div:
    """The desk's extension and what the last call did (in `lang`); hidden unless `armed`."""
    on = armed()
    return html.Div(
        [
            html.Label(
                [
                    html.Span(t("call.label", lang), className="call-label"),
                    dcc.Input(
                        id=Ids.EXTENSION,
                        type="text",
                        inputMode="tel",
                        maxLength=24,
                        placeholder=t("call.placeholder", lang),
                        persistence=True,
                        persistence_type="local",
                        className="call-ext",
                    ),
                ]
            ),
            html.Div(
                id=Ids.STATUS, className="call-status", role="status", **{"aria-live": "polite"}
            ),
            dcc.Store(id=Ids.REQUEST),
        ],
        id=Ids.BAR,
        className="call-bar",
        hidden=not on,
        **{"data-gateway": "1" if on else "0", "data-calling": t("call.calling", lang)},
    )
