"""Run the roll call panel: start a roll call, take answers by phone, show who has answered.

While a roll call is open a one-second tick keeps the countdown current (gated: it asks only
when the last ask was answered, assets/gate.js); the room list is
redrawn only when a room's state changes, so its buttons stay put under the pointer.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, no_update

import auth
from callbacks import gate, guarded, guarded_clientside, if_changed
from data_sources import get_sources, rollcall
from layouts.common import local_time
from layouts.gate import ask_of
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from layouts.pulse import ids as pulse_ids
from layouts.rollcall import Ids, history_items, room_items, status_line

PULSE = pulse_ids("duty")  # this page's own pulse


_NAMES: dict[str, dict[str, Any]] = {}


def _district_names(sources: Any, lang: str = "zh") -> dict[str, str]:
    """District names in `lang`, held in this process for a minute: the countdown asks every
    second, and the registry's cached districts carry their outlines."""
    held = _NAMES.setdefault(lang, {"at": -1e9, "value": {}})
    if time.monotonic() - held["at"] > 60 or not held["value"]:
        held["value"] = sources.registry.district_names(lang)
        held["at"] = time.monotonic()
    return held["value"]


def _clock(epoch: float) -> str:
    return local_time(datetime.fromtimestamp(epoch, UTC))


def rollcall_view(state: dict[str, Any] | None, districts: dict[str, str], now: float):
    """(summary for status_line or None, rows for room_items, still open)."""
    if state is None:
        return None, [], False
    rows = []
    for unit in state["units"]:
        answer_state = rollcall.answer_state(state, unit, now)
        at = state["answers"].get(unit)
        rows.append((unit, districts.get(unit, unit), answer_state, _clock(at) if at else ""))
    answered = sum(1 for r in rows if r[2] in ("answered", "late"))
    left = state["deadline_at"] - now
    summary = {
        "started": _clock(state["started_at"]),
        "deadline": _clock(state["deadline_at"]),
        "remaining": f"{int(left) // 60:02d}:{int(left) % 60:02d}" if left > 0 else None,
        "answered": answered,
        "total": len(rows),
        "missing": answered < len(rows) and left <= 0,
    }
    return summary, rows, left > 0 and answered < len(rows)


def _account() -> str | None:
    """The signed-in account: what a roll call and a phone answer record as who did it."""
    user = auth.current_user()
    return user.name if user else None


@guarded(
    "contacts",
    Output(Ids.STATUS, "children"),
    Output(Ids.ROOMS, "children"),
    Output(Ids.SHOWN, "data"),
    Output(Ids.TICK, "disabled"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    Input(ask_of(Ids.TICK), "data"),
    State(Ids.SHOWN, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(_version: Any, _n: int | None, shown: str | None, page: dict | None):
    """Show the latest roll call: countdown, and each room's state."""
    lang = lang_of(page)
    sources = get_sources()
    now = time.time()
    state = sources.rollcall.state()
    summary, rows, running = rollcall_view(state, _district_names(sources, lang), now)
    rooms, signature = if_changed(shown, room_items(rows, lang))
    stamp = datetime.now(UTC).isoformat()
    return status_line(summary, lang), rooms, signature, not running, stamp


# The countdown's tick asks only when the last ask was answered (its as-of moves with every
# answer): on a server slower than a second the rooms would otherwise never change.
gate(Ids.TICK, Ids.AS_OF)


@guarded(
    "contacts",
    Output(Ids.HISTORY, "children"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def history(_version: Any, page: dict | None):
    """List the latest roll calls and who missed them."""
    lang = lang_of(page)
    sources = get_sources()
    calls = sources.rollcall.history(limit=5)
    return history_items(calls, sources.registry.district_names(lang), lang)


@guarded(
    "duty_log",
    Output(Ids.MESSAGE, "children"),
    Input(Ids.START, "n_clicks"),
    State(Ids.MINUTES, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def start(n_clicks: int, minutes: Any, page: dict | None):
    """Call every district duty room, each to answer within `minutes`."""
    if not n_clicks:
        return no_update
    lang = lang_of(page)
    if not auth.can("duty_log"):
        return t("rollcall.denied", lang)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return t("rollcall.need_minutes", lang)
    if not 1 <= minutes <= 60:
        return t("rollcall.bad_minutes", lang)
    sources = get_sources()
    units = list(sources.registry.district_names())
    # Who started it is a record (kept in Chinese when nobody is signed in).
    who = _account() or t("rollcall.officer")
    sources.rollcall.start(units, minutes * 60, who)
    auth.audit("rollcall.start", units=len(units), minutes=minutes)
    return t("rollcall.begun", lang, n=len(units), minutes=minutes)


# A tap is taken in the browser first (assets/actions.js), as the alarm buttons' are: the room
# list redraws when any room answers, and a redraw re-runs a callback on the buttons; had
# `answer_by_phone` listened to them itself, a redraw during a tap could supersede the tap's
# request, and the answer was never recorded (seen under load in CI). The store changes only
# when a button was tapped.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seActions", function_name="pressed"),
    Output(Ids.PRESSED, "data"),
    Input({"type": Ids.ANSWER, "unit": ALL}, "n_clicks"),
    prevent_initial_call=True,
)


@guarded(
    "duty_log",
    Output(Ids.MESSAGE, "children", allow_duplicate=True),
    Input(Ids.PRESSED, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def answer_by_phone(pressed: Any, page: dict | None):
    """Record a room's answer taken by phone."""
    button = pressed.get("id") if isinstance(pressed, dict) else None
    if not isinstance(button, dict) or button.get("type") != Ids.ANSWER:
        return no_update
    unit = str(button.get("unit") or "")
    lang = lang_of(page)
    if not auth.can("duty_log"):
        return t("rollcall.no_answer_right", lang)
    sources = get_sources()
    names = sources.registry.district_names(lang)
    if unit not in names:
        return no_update
    name = names[unit]
    result = sources.rollcall.answer(unit, via="phone", recorded_by=_account())
    auth.audit("rollcall.answer", unit=unit, via="phone", outcome=result.outcome)
    if result.outcome == "answered":
        return t("rollcall.by_phone_late" if result.late else "rollcall.by_phone", lang, name=name)
    if result.outcome == "duplicate":
        return t("rollcall.duplicate", lang, name=name)
    return t("rollcall.not_running", lang)
