"""Run the roll call panel: start a roll call, take answers by phone, show who has answered.

While a roll call is open a one-second tick keeps the countdown current (gated: it asks only
when the last ask was answered, assets/gate.js); the room list is
redrawn only when a room's state changes, so its buttons stay put under the pointer.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, no_update

import auth
from callbacks import gate, guarded, guarded_clientside
from data_sources import get_sources, rollcall
from layouts.common import local_time
from layouts.gate import ask_of
from layouts.pulse import ids as pulse_ids
from layouts.rollcall import Ids, history_items, room_items, status_line

PULSE = pulse_ids("duty")  # this page's own pulse


_NAMES: dict[str, Any] = {"at": -1e9, "value": {}}


def _district_names(sources: Any) -> dict[str, str]:
    """District names, held in this process for a minute: the countdown asks every second,
    and the registry's cached districts carry their outlines."""
    if time.monotonic() - _NAMES["at"] > 60 or not _NAMES["value"]:
        _NAMES["value"] = sources.registry.district_names()
        _NAMES["at"] = time.monotonic()
    return _NAMES["value"]


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
)
def refresh(_version: Any, _n: int | None, shown: str | None):
    """Show the latest roll call: countdown, and each room's state."""
    sources = get_sources()
    now = time.time()
    state = sources.rollcall.state()
    summary, rows, running = rollcall_view(state, _district_names(sources), now)
    signature = json.dumps([state and state["id"], rows], ensure_ascii=False)
    rooms = room_items(rows) if signature != shown else no_update
    return status_line(summary), rooms, signature, not running, datetime.now(UTC).isoformat()


# The countdown's tick asks only when the last ask was answered (its as-of moves with every
# answer): on a server slower than a second the rooms would otherwise never change.
gate(Ids.TICK, Ids.AS_OF)


@guarded("contacts", Output(Ids.HISTORY, "children"), Input(PULSE.version, "data"))
def history(_version: Any):
    """List the latest roll calls and who missed them."""
    sources = get_sources()
    calls = sources.rollcall.history(limit=5)
    return history_items(calls, sources.registry.district_names())


@guarded(
    "duty_log",
    Output(Ids.MESSAGE, "children"),
    Input(Ids.START, "n_clicks"),
    State(Ids.MINUTES, "value"),
    prevent_initial_call=True,
)
def start(n_clicks: int, minutes: Any):
    """Call every district duty room, each to answer within `minutes`."""
    if not n_clicks:
        return no_update
    if not auth.can("duty_log"):
        return "无权发起点名，请以值班人员身份登录。"
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        return "请填写应答时限（1-60 分钟）。"
    if not 1 <= minutes <= 60:
        return "应答时限应在 1 到 60 分钟之间。"
    sources = get_sources()
    units = list(sources.registry.district_names())
    who = _account() or "值班员"
    sources.rollcall.start(units, minutes * 60, who)
    auth.audit("rollcall.start", units=len(units), minutes=minutes)
    return f"已向 {len(units)} 个区县值班室发起点名，时限 {minutes} 分钟。"


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
    prevent_initial_call=True,
)
def answer_by_phone(pressed: Any):
    """Record a room's answer taken by phone."""
    button = pressed.get("id") if isinstance(pressed, dict) else None
    if not isinstance(button, dict) or button.get("type") != Ids.ANSWER:
        return no_update
    unit = str(button.get("unit") or "")
    if not auth.can("duty_log"):
        return "无权登记应答。"
    sources = get_sources()
    names = sources.registry.district_names()
    if unit not in names:
        return no_update
    name = names[unit]
    result = sources.rollcall.answer(unit, via="phone", recorded_by=_account())
    auth.audit("rollcall.answer", unit=unit, via="phone", outcome=result.outcome)
    if result.outcome == "answered":
        return f"已登记{name}电话应答" + ("（超过时限）。" if result.late else "。")
    if result.outcome == "duplicate":
        return f"{name}已应答过。"
    return "当前没有进行中的点名。"
