"""Acknowledge and close an alarm from any screen that lists alarms (/tablet, /consult, /duty).

A page puts `layout(lang)` in once (the on-screen confirmation, the message line and the
pending store) and `buttons(...)` beside each alarm; callbacks/alarm_actions.py does the rest.
Closing needs a note (处置说明); both ask first in the dialog, never with window.confirm.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from auth import can

ACTIONS = ("ack", "close")
# The permission each action needs (auth/matrix.py), checked by the guard and again on the server.
PERMISSION = {"ack": "ack_alarm", "close": "close_alarm"}
NOTE_MAX = 500


def allowed_actions() -> frozenset[str]:
    """The actions the signed-in account may take (for the buttons a page shows)."""
    return frozenset(action for action, permission in PERMISSION.items() if can(permission))


class Ids(StrEnum):
    # type of the pattern-matching ids {"type": BUTTON, "action": "ack"|"close", "id": alarm id}
    BUTTON = "alarm-action"
    DIALOG = "alarm-action-dialog"
    HEAD = "alarm-action-head"
    TEXT = "alarm-action-text"
    NOTE_ROW = "alarm-action-note-row"
    NOTE = "alarm-action-note"
    ERROR = "alarm-action-error"
    ACK_YES = "alarm-action-ack-yes"
    CLOSE_YES = "alarm-action-close-yes"
    NO = "alarm-action-no"
    PENDING = "alarm-action-pending"
    TAPPED = "alarm-action-tapped"  # Store: the last button tapped {action, id, at}
    LANG = "alarm-action-lang"
    MESSAGE = "alarm-action-message"


# key: (Chinese, English)
TEXTS: dict[str, tuple[str, str]] = {
    "ack.button": ("确认警情", "Acknowledge"),
    "close.button": ("关闭警情", "Close"),
    "ack.ask": ("确认以下警情？", "Acknowledge this alarm?"),
    "close.ask": ("关闭以下警情？", "Close this alarm?"),
    "ack.yes": ("确认", "Acknowledge"),
    "close.yes": ("关闭警情", "Close alarm"),
    "no": ("取消", "Cancel"),
    "note.label": ("处置情况说明（必填）", "What was done (required)"),
    "note.placeholder": (
        "例如：现场核实为误报，已通知企业复位",
        "e.g. checked on site: false alarm",
    ),
    "note.required": ("请填写处置情况说明后再关闭", "Write what was done before closing"),
    "ack.done": ("已确认：{title}", "Acknowledged: {title}"),
    "close.done": ("已关闭：{title}", "Closed: {title}"),
    "ack.already": ("该警情已被确认", "This alarm was already acknowledged"),
    "gone": ("该警情已关闭或不存在", "This alarm is closed or gone"),
    "ack.denied": ("无权限确认警情（需值班员或领导账号）", "Not allowed to acknowledge alarms"),
    "close.denied": ("无权限关闭警情（需值班员或领导账号）", "Not allowed to close alarms"),
}


def tr(key: str, lang: str, **fields: object) -> str:
    zh, en = TEXTS[key]
    return (en if lang == "en" else zh).format(**fields)


def button_id(action: str, alarm_id: str) -> dict[str, str]:
    return {"type": Ids.BUTTON, "action": action, "id": alarm_id}


def buttons(
    alarm_id: str, status: str, allowed: set[str] | frozenset[str], lang: str, touch: bool = True
) -> list[html.Button]:
    """The actions the signed-in account may take on an alarm in `status` (none when closed).

    `allowed`: the actions ("ack", "close") the account holds the permission for."""
    if status == "closed":
        return []
    size = " touch" if touch else ""
    shown = []
    if status == "new" and "ack" in allowed:
        shown.append(
            html.Button(
                tr("ack.button", lang),
                id=button_id("ack", alarm_id),
                className=f"btn primary{size} ack alarm-act-ack",
            )
        )
    if "close" in allowed:
        shown.append(
            html.Button(
                tr("close.button", lang),
                id=button_id("close", alarm_id),
                className=f"btn{size} alarm-act-close",
            )
        )
    return shown


def layout(lang: str = "zh") -> html.Div:
    """The confirmation dialog, the message line and the stores; once per page."""
    box = html.Div(
        [
            html.H2(id=Ids.HEAD),
            html.P(id=Ids.TEXT, className="dialog-text"),
            html.Div(
                [
                    html.Label(tr("note.label", lang), htmlFor=Ids.NOTE),
                    dcc.Textarea(
                        id=Ids.NOTE,
                        maxLength=NOTE_MAX,
                        placeholder=tr("note.placeholder", lang),
                        className="alarm-action-note",
                    ),
                    html.P(id=Ids.ERROR, className="alarm-action-error", role="alert"),
                ],
                id=Ids.NOTE_ROW,
                className="alarm-action-note-row",
                hidden=True,
            ),
            html.Div(
                [
                    html.Button(tr("ack.yes", lang), id=Ids.ACK_YES, className="btn primary touch"),
                    html.Button(
                        tr("close.yes", lang),
                        id=Ids.CLOSE_YES,
                        className="btn primary touch",
                        hidden=True,
                    ),
                    html.Button(tr("no", lang), id=Ids.NO, className="btn touch"),
                ],
                className="btn-row",
            ),
        ],
        className="dialog alarm-action-box",
        role="dialog",
        **{"aria-modal": "true", "aria-labelledby": Ids.HEAD},
    )
    return html.Div(
        [
            html.Div(id=Ids.MESSAGE, className="alarm-action-message", role="status"),
            html.Div(box, id=Ids.DIALOG, className="dialog-backdrop", hidden=True),
            dcc.Store(id=Ids.PENDING),
            dcc.Store(id=Ids.TAPPED),
            dcc.Store(id=Ids.LANG, data=lang),
        ],
        className="alarm-actions",
    )
