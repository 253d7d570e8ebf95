"""Presenter control on /consult and /tablet: ask, confirm, then set or release the focus the
wall and consultation displays follow; and the language choice both pages share (no inline
clientside callbacks: the app factory copies callbacks, not their inline scripts)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from auth import audit, can, current_user
from callbacks import gate, guarded
from data_sources import Sources, get_sources
from layouts import url_state
from layouts.common import local_time
from layouts.gate import ask_of
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, remember, t
from layouts.presenter import Ids

# Half-size of the box the wall frames around an incident (degrees; about 5 km by 5 km).
INCIDENT_BOX = 0.025


def targets(sources: Sources, kind: str, lang: str) -> list[dict[str, str]]:
    """Dropdown options: the open incidents, or the districts."""
    if kind == "district":
        frame = sources.registry.districts()
        column = "name_en" if lang == "en" else "name"
        return [{"label": n, "value": a} for a, n in zip(frame["adcode"], frame[column])]
    incidents = sources.incidents.listed("open")
    return [{"label": title, "value": i} for i, title in zip(incidents["id"], incidents["title"])]


def describe(sources: Sources, kind: str, ident: str) -> dict[str, Any] | None:
    """Label, district, centre and bounds (WGS-84) of an open incident or a district."""
    if kind == "district":
        frame = sources.registry.districts()
        rows = frame[frame["adcode"] == ident]
        if rows.empty:
            return None
        row = rows.iloc[0]
        west, south, east, north = row.geometry.bounds
        centre = row.geometry.representative_point()
        return {
            "label": row["name"],
            "district": ident,
            "lon": centre.x,
            "lat": centre.y,
            "bounds": [[south, west], [north, east]],
        }
    frame = sources.incidents.listed("open")
    rows = frame[frame["id"] == ident]
    if rows.empty:
        return None
    row = rows.iloc[0]
    lon, lat = float(row["lon"]), float(row["lat"])
    box = INCIDENT_BOX
    return {
        "label": row["title"],
        "district": row["district"],
        "lon": lon,
        "lat": lat,
        "bounds": [[lat - box, lon - box], [lat + box, lon + box]],
    }


def current_text(focus: dict | None, lang: str) -> str:
    """One line: what the wall shows now, who put it there and when."""
    if not focus:
        return t("presenter.none", lang)
    return t(
        "presenter.now",
        lang,
        label=focus["label"] or focus["id"],
        kind=t(f"presenter.{focus['kind']}", lang),
        by=focus["by"] or "—",
        time=local_time(datetime.fromtimestamp(focus["at"], UTC), "%H:%M"),
    )


def ask(
    op: str, kind: str | None, target: str | None, focus: dict | None, label: str, lang: str
) -> tuple[dict | None, str, str]:
    """(pending action, confirmation question, message) for a click on project/release."""
    if op == "set":
        if not kind or not target:
            return None, "", t("presenter.need_target", lang)
        pending = {"op": "set", "kind": kind, "id": target}
        return pending, t("presenter.ask_set", lang, label=label or target), ""
    if not focus:
        return None, "", t("presenter.nothing", lang)
    return {"op": "release"}, t("presenter.ask_release", lang, label=focus["label"]), ""


def perform(sources: Sources, pending: dict, lang: str, now: float | None = None) -> str:
    """Carry out a confirmed action for the current user; return the message to show."""
    now = time.time() if now is None else now
    user = current_user()
    if not can("focus"):
        audit("focus", outcome="denied", op=pending.get("op"), target=pending.get("id"))
        return t("presenter.denied", lang)
    who = (user.display_name or user.name) if user else ""
    login = user.name if user else ""
    if pending["op"] == "release":
        released = sources.focus.release(who, now)
        if released is None:
            return t("presenter.nothing", lang)
        audit("focus", op="release", kind=released["kind"], target=released["id"])
        return t("presenter.released", lang)
    info = describe(sources, pending["kind"], pending["id"])
    if info is None:
        audit("focus", outcome="failed", op="set", kind=pending["kind"], target=pending["id"])
        return t("detail.missing", lang)
    sources.focus.set(pending["kind"], pending["id"], who, now, by_user=login, **info)
    audit("focus", op="set", kind=pending["kind"], target=pending["id"], label=info["label"])
    return t("presenter.set", lang, label=info["label"])


@guarded(
    "view",
    Output(Ids.TARGET, "options"),
    Output(Ids.TARGET, "value"),
    Input(Ids.KIND, "value"),
    State(LangIds.PAGE, "data"),
)
def fill_targets(kind: str, page: dict | None):
    """Offer the open incidents or the districts."""
    return targets(get_sources(), kind or "incident", lang_of(page)), None


@guarded(
    "view",
    Output(Ids.FOCUS, "data"),
    Output(Ids.CURRENT, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(ask_of(Ids.TICK), "data"),
    State(Ids.FOCUS, "data"),
    State(LangIds.PAGE, "data"),
)
def follow(_version: int | None, known: dict | None, page: dict | None):
    """Show who holds the focus now; the focus store moves only when the focus changed."""
    focus = get_sources().focus.current()
    return (
        focus if focus != known else no_update,
        current_text(focus, lang_of(page)),
        datetime.now(UTC).isoformat(),
    )


@guarded(
    "focus",
    Output(Ids.PENDING, "data"),
    Output(Ids.CONFIRM_BOX, "hidden"),
    Output(Ids.CONFIRM_TEXT, "children"),
    Output(Ids.MESSAGE, "children"),
    Input(Ids.PROJECT, "n_clicks"),
    Input(Ids.RELEASE, "n_clicks"),
    Input(Ids.CONFIRM, "n_clicks"),
    Input(Ids.CANCEL, "n_clicks"),
    State(Ids.KIND, "value"),
    State(Ids.TARGET, "value"),
    State(Ids.TARGET, "options"),
    State(Ids.PENDING, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def control(_p, _r, _c, _x, kind, target, options, pending, page):  # noqa: ANN001
    """Ask before acting; act once confirmed."""
    lang = lang_of(page)
    trigger = ctx.triggered_id
    if trigger == Ids.CANCEL:
        return None, True, "", ""
    if trigger == Ids.CONFIRM:
        if not pending:
            return None, True, "", no_update
        return None, True, "", perform(get_sources(), pending, lang)
    if not can("focus"):
        audit("focus", outcome="denied", op="ask", target=target)
        return None, True, "", t("presenter.denied", lang)
    labels = {o["value"]: o["label"] for o in options or []}
    op = "set" if trigger == Ids.PROJECT else "release"
    focus = get_sources().focus.current()
    pending, question, message = ask(op, kind, target, focus, labels.get(target, ""), lang)
    return pending, pending is None, question, message


@guarded(
    "view",
    Output(LangIds.STORE, "data"),
    Output(LangIds.LOCATION, "search"),
    Input(LangIds.STORE, "modified_timestamp"),
    State(LangIds.STORE, "data"),
    State(LangIds.PAGE, "data"),
    State(LangIds.LOCATION, "search"),
)
def remember_language(
    _ts: int | None, stored: str | None, page: dict | None, current: str | None = None
):
    """`?lang=` wins and is remembered; without it, reload in the remembered language (the
    rest of the query, a view's state, kept)."""
    keep, search = remember(stored, page)
    if keep is None and search is None:
        raise PreventUpdate
    if search is not None:
        search = url_state.merged(current, {"lang": search.removeprefix("?lang=")})
    return keep if keep is not None else no_update, search if search is not None else no_update


# The focus tick asks only when its last ask was answered (every answer moves the as-of).
gate(Ids.TICK, Ids.AS_OF)
