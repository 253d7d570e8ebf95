"""Acknowledge and close alarms from /tablet, /consult and /duty (layouts/alarm_actions.py).

A tap asks in the on-screen dialog; its confirm button acts. Each step checks the permission on
the server again (`auth.can`), records the signed-in account on the alarm (its history in the
warehouse follows through the archiver) and writes the audit trail.
"""

from __future__ import annotations

import time

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from auth import audit, can, current_user
from callbacks import guarded, guarded_clientside
from data_sources import Sources, get_sources
from layouts import demo
from layouts.alarm_actions import NOTE_MAX, PERMISSION, Ids, tr
from layouts.i18n import level_name

TO = {"ack": "acknowledged", "close": "closed"}


def act(
    sources: Sources, alarm_id: str, action: str, note: str, lang: str, now: float | None = None
) -> tuple[bool, str]:
    """Acknowledge or close one alarm as the signed-in account: (done, message to show).

    A close without a note is refused (nothing changes); so is an account without the
    permission, which is audited as denied."""
    permission = PERMISSION[action]
    if not can(permission):
        audit(permission, outcome="denied", alarm_id=alarm_id)
        return False, tr(f"{action}.denied", lang)
    note = (note or "").strip()[:NOTE_MAX]
    if action == "close" and not note:
        return False, tr("note.required", lang)
    user = current_user()
    who = user.name if user else ""  # the account, never a name typed into a form
    target = sources.alarms.resolve(alarm_id)
    before = sources.alarms.get(target)
    if before is None or before["status"] == "closed":
        return False, tr("gone", lang)
    if action == "ack" and before["status"] != "new":
        return False, tr("ack.already", lang)
    at = time.time() if now is None else now
    status = sources.alarms.transition(target, TO[action], who, at, note=note)
    if status != TO[action]:
        audit(permission, outcome="failed", alarm_id=target, status=status)
        return False, tr("gone", lang)
    detail = {"alarm_id": target, "title": before["title"], "level": before["level"]}
    audit(permission, **detail, **({"note": note} if note else {}))
    return True, tr(f"{action}.done", lang, title=before["title"])


def describe(alarm: dict, lang: str) -> str:
    """The alarm as the dialog names it: level and title (demo alarms say so first)."""
    text = f"{level_name(alarm['level'], lang)} · {alarm['title']}"
    if demo.is_demo(alarm.get("detail")):
        text = f"[{demo.DEMO_TEXT['en' if lang == 'en' else 'zh']}] {text}"
    return text


_CLOSED = (None, True, "", "", True, "", "", False, True)

# A tap is taken in the browser first (assets/actions.js): the lists redraw their buttons with
# every change, and a redraw re-runs a callback on the buttons; had `ask` listened to them
# itself, a redraw during a tap would have superseded the tap's request and the dialog never
# opened (seen on the tablet under load). The store changes only when a button was tapped.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seActions", function_name="tapped"),
    Output(Ids.TAPPED, "data"),
    Input({"type": Ids.BUTTON, "action": ALL, "id": ALL}, "n_clicks"),
    prevent_initial_call=True,
)


@guarded(
    "ack_alarm",
    Output(Ids.PENDING, "data"),
    Output(Ids.DIALOG, "hidden"),
    Output(Ids.HEAD, "children"),
    Output(Ids.TEXT, "children"),
    Output(Ids.NOTE_ROW, "hidden"),
    Output(Ids.NOTE, "value"),
    Output(Ids.ERROR, "children"),
    Output(Ids.ACK_YES, "hidden"),
    Output(Ids.CLOSE_YES, "hidden"),
    Output(Ids.MESSAGE, "children"),
    Input(Ids.TAPPED, "data"),
    Input(Ids.NO, "n_clicks"),
    State(Ids.LANG, "data"),
    prevent_initial_call=True,
)
def ask(tapped, _no, lang):  # noqa: ANN001
    """A tap on an alarm's button asks in the dialog; cancel closes it and does nothing."""
    if ctx.triggered_id == Ids.NO:
        return (*_CLOSED, "")
    if not isinstance(tapped, dict) or tapped.get("action") not in PERMISSION:
        raise PreventUpdate
    action, alarm_id = tapped["action"], str(tapped.get("id") or "")
    if not can(PERMISSION.get(action, "admin")):
        audit(PERMISSION.get(action, "admin"), outcome="denied", alarm_id=alarm_id)
        return (*_CLOSED, tr(f"{action}.denied", lang))
    sources = get_sources()
    alarm = sources.alarms.get(sources.alarms.resolve(alarm_id))
    if alarm is None or alarm["status"] == "closed":
        return (*_CLOSED, tr("gone", lang))
    closing = action == "close"
    return (
        {"id": alarm_id, "action": action},
        False,
        tr(f"{action}.ask", lang),
        describe(alarm, lang),
        not closing,
        "",
        "",
        closing,
        not closing,
        "",
    )


@guarded(
    "ack_alarm",
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DIALOG, "hidden", allow_duplicate=True),
    Output(Ids.PENDING, "data", allow_duplicate=True),
    Input(Ids.ACK_YES, "n_clicks"),
    State(Ids.PENDING, "data"),
    State(Ids.LANG, "data"),
    prevent_initial_call=True,
)
def confirm_ack(clicks, pending, lang):  # noqa: ANN001
    """The dialog's confirm acknowledges the pending alarm."""
    if not clicks or not pending or pending.get("action") != "ack":
        raise PreventUpdate
    _done, message = act(get_sources(), pending["id"], "ack", "", lang)
    return message, True, None


@guarded(
    "close_alarm",
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Output(Ids.DIALOG, "hidden", allow_duplicate=True),
    Output(Ids.PENDING, "data", allow_duplicate=True),
    Output(Ids.ERROR, "children", allow_duplicate=True),
    Input(Ids.CLOSE_YES, "n_clicks"),
    State(Ids.NOTE, "value"),
    State(Ids.PENDING, "data"),
    State(Ids.LANG, "data"),
    prevent_initial_call=True,
)
def confirm_close(clicks, note, pending, lang):  # noqa: ANN001
    """The dialog's confirm closes the pending alarm with its note; no note, no close."""
    if not clicks or not pending or pending.get("action") != "close":
        raise PreventUpdate
    if not (note or "").strip():
        return no_update, False, no_update, tr("note.required", lang)
    _done, message = act(get_sources(), pending["id"], "close", note, lang)
    return message, True, None, ""
