"""Fill /duty: rosters, the duty log, handovers and the contact directory from the warehouse.

The roll call and the roster import have their own modules (callbacks.rollcall,
callbacks.roster_import). Everything this page reads is personal data ("contacts").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from dash import Input, Output, State, html, no_update

import auth
from callbacks import guarded, if_changed
from data_sources import duty, get_sources
from layouts import call
from layouts.common import SHANGHAI
from layouts.duty_page import SLOTS, Ids, handover_items, log_items, roster_rows
from layouts.i18n import MESSAGES, day_name, known_error, lang_of, t
from layouts.i18n import Ids as LangIds
from layouts.pulse import ids as pulse_ids

UNIT_CITY = "city"

PULSE = pulse_ids("duty")  # this page's own pulse


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(SHANGHAI).date()


def duty_day(now: datetime) -> date:
    """The duty day runs from 08:30 to 08:30: before 08:30 yesterday's night shift is on."""
    local = now.astimezone(SHANGHAI)
    return (
        local.date() - timedelta(days=1) if (local.hour, local.minute) < (8, 30) else local.date()
    )


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def slots_of(rows: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(shift, role) → [(name, phone)] of one unit's day; a leader counts as the day's."""
    slots: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows.itertuples(index=False):
        key = ("day", "leader") if r.role == "leader" else (r.shift, r.role)
        if key in SLOTS:
            slots[key].append((r.name, r.phone))
    return dict(slots)


def today_rows(
    roster: pd.DataFrame, day: date, districts: dict[str, str], lang: str = "zh"
) -> list:
    """Rows of the city-wide table: the city first, then each district."""
    todays = roster[roster["duty_date"] == day]
    rows = []
    for unit, label in [(UNIT_CITY, t("duty.city", lang)), *districts.items()]:
        rows.append((label, slots_of(todays[todays["unit"] == unit]), f"unit-{unit}"))
    return rows


def week_rows(roster: pd.DataFrame, unit: str, first: date, today: date, lang: str = "zh") -> list:
    rows = []
    for i in range(7):
        day = first + timedelta(days=i)
        mine = roster[(roster["duty_date"] == day) & (roster["unit"] == unit)]
        css = "today" if day == today else ("past" if day < today else "")
        rows.append((day_name(day, lang), slots_of(mine), css))
    return rows


def current_shift(now: datetime) -> str:
    """'day' from 08:30 to 17:30 Asia/Shanghai, else 'night'."""
    local = now.astimezone(SHANGHAI)
    minutes = local.hour * 60 + local.minute
    return "day" if 8 * 60 + 30 <= minutes < 17 * 60 + 30 else "night"


def _user_name() -> str:
    user = auth.current_user()
    return (user.display_name or user.name) if user else ""


def _account() -> str:
    """Who is signed in: what every record written here carries, whatever a form says."""
    user = auth.current_user()
    return user.name if user else ""


@guarded(
    "contacts",
    Output(Ids.TODAY, "children"),
    Output(Ids.TODAY, "className"),
    Output(Ids.TODAY_DATE, "children"),
    Output(Ids.WEEK, "children"),
    Output(Ids.WEEK_UNIT, "options"),
    Output(Ids.PEOPLE, "children"),
    Output(Ids.ROSTERS_SHOWN, "data"),
    Output(Ids.TODAY_AS_OF, "data-as-of"),
    Output(Ids.WEEK_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    Input(Ids.WEEK_UNIT, "value"),
    State(LangIds.PAGE, "data"),
    State(Ids.ROSTERS_SHOWN, "data"),
)
def refresh_rosters(_version: Any, unit: str | None, page: dict | None, shown: str | None = None):
    """Show today's roster of every unit and this week's of the chosen one; the tables are
    redrawn only when what they show changed (the stamps move with every pulse)."""
    lang = lang_of(page)
    sources = get_sources()
    now = datetime.now(UTC)
    today = duty_day(now)
    first, last = week_of(today)
    roster = sources.rosters.week(first, last)
    districts = sources.registry.district_names(lang)
    options = [{"label": t("duty.city", lang), "value": UNIT_CITY}] + [
        {"label": n, "value": a} for a, n in districts.items()
    ]
    names = sorted(set(roster.loc[roster["unit"] == UNIT_CITY, "name"]))
    stamp = sources.as_of(now).isoformat()
    shift = t(f"duty.shift.{current_shift(now)}", lang)
    return (
        *if_changed(
            shown,
            roster_rows(t("duty.unit", lang), today_rows(roster, today, districts, lang), lang),
            f"roster-table now-{current_shift(now)}",
            t("duty.day_now", lang, day=day_name(today, lang), shift=shift),
            roster_rows(
                t("duty.date", lang), week_rows(roster, unit or UNIT_CITY, first, today, lang), lang
            ),
            options,
            [html.Option(value=n) for n in names],
        ),
        stamp,
        stamp,
    )


@guarded(
    "contacts",
    Output(Ids.LOG, "children"),
    Output(Ids.HANDOVERS, "children"),
    Output(Ids.LOG_SHOWN, "data"),
    Output(Ids.LOG_AS_OF, "data-as-of"),
    Output(Ids.HANDOVER_AS_OF, "data-as-of"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
    State(Ids.LOG_SHOWN, "data"),
)
def refresh_log(_version: Any, page: dict | None, shown: str | None = None):
    """Show the duty log (newest first) and the latest handovers, redrawn only when changed."""
    lang = lang_of(page)
    sources = get_sources()
    log = sources.duty
    stamp = sources.as_of(datetime.now(UTC)).isoformat()
    return (
        *if_changed(
            shown,
            log_items(log.log_entries(limit=100), lang),
            handover_items(log.handovers(limit=5), lang),
        ),
        stamp,
        stamp,
    )


@guarded(
    "contacts",
    Output(Ids.LOG_AUTHOR, "value"),
    Output(Ids.HANDOVER_TO, "value"),
    Input(Ids.LOG_AUTHOR, "id"),
)
def prefill(_id: str):
    """Show who is signed in as the author (read-only) and suggest them as incoming officer."""
    name = _user_name()
    return name, name


@guarded(
    "duty_log",
    Output(Ids.LOG, "children", allow_duplicate=True),
    Output(Ids.LOG_MESSAGE, "children"),
    Output(Ids.LOG_TEXT, "value"),
    Input(Ids.LOG_ADD, "n_clicks"),
    Input(Ids.LOG_TEXT, "n_submit"),
    State(Ids.LOG_CATEGORY, "value"),
    State(Ids.LOG_TEXT, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def add_log(_clicks: int, _submit: int, category: str, text: str | None, page: dict | None):
    """Add a duty-log entry; it shows at once here and within a pulse on other screens."""
    lang = lang_of(page)
    if not auth.can("duty_log"):
        return no_update, html.Span(t("duty.no_log_right", lang), className="error"), no_update
    sources = get_sources()
    try:
        sources.duty.append_log(_account(), text or "", category or "other")
    except ValueError as exc:
        return no_update, html.Span(known_error(str(exc), lang), className="error"), no_update
    sources.versions.bump()
    auth.audit("duty_log.add", category=category)
    return (
        # The entry just written: read it where it was written, not on a lagging replica.
        log_items(sources.duty.log_entries(limit=100, primary=True), lang),
        html.Span(t("duty.recorded", lang), className="ok"),
        "",
    )


@guarded(
    "duty_log",
    Output(Ids.HANDOVERS, "children", allow_duplicate=True),
    Output(Ids.LOG, "children", allow_duplicate=True),
    Output(Ids.HANDOVER_MESSAGE, "children"),
    Output(Ids.HANDOVER_NOTES, "value"),
    Input(Ids.HANDOVER_ADD, "n_clicks"),
    State(Ids.HANDOVER_FROM, "value"),
    State(Ids.HANDOVER_TO, "value"),
    State(Ids.HANDOVER_NOTES, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def add_handover(
    n_clicks: int,
    from_name: str | None,
    to_name: str | None,
    notes: str | None,
    page: dict | None,
):
    """Record a shift handover with what was handed over and the open alarms and incidents."""
    if not n_clicks:
        return no_update, no_update, no_update, no_update
    lang = lang_of(page)
    if not auth.can("duty_log"):
        refused = html.Span(t("duty.no_handover_right", lang), className="error")
        return no_update, no_update, refused, no_update
    sources = get_sources()
    handed = {"text": (notes or "").strip()}
    try:
        handed["open_alarms"] = len(sources.alarms.active(closed_window_s=0))
        handed["open_incidents"] = len(sources.incidents.listed("open"))
    except Exception:  # noqa: BLE001 - the handover stands without the counts
        pass
    try:
        sources.duty.record_handover(
            from_name or "",
            to_name or "",
            handed,
            recorded_by=_account(),
        )
    except ValueError as exc:
        refused = html.Span(known_error(str(exc), lang), className="error")
        return no_update, no_update, refused, no_update
    sources.versions.bump()
    auth.audit("duty.handover", from_name=from_name, to_name=to_name)
    return (
        handover_items(sources.duty.handovers(limit=5, primary=True), lang),
        log_items(sources.duty.log_entries(limit=100, primary=True), lang),
        html.Span(t("duty.handed_over", lang), className="ok"),
        "",
    )


@guarded(
    "contacts",
    Output(Ids.CONTACTS, "data"),
    Output(Ids.CONTACTS_AS_OF, "data-as-of"),
    Input(Ids.CONTACT_SEARCH, "value"),
    Input(Ids.CONTACTS, "id"),
    State(LangIds.PAGE, "data"),
)
def contacts(query: str | None, _id: str, page: dict | None):
    """Everyone on the rosters of the past and coming weeks, team leaders and experts."""
    lang = lang_of(page)
    sources = get_sources()
    registry = sources.registry
    today = local_today()
    roster = sources.rosters.week(today - timedelta(days=14), today + timedelta(days=14))
    frame = duty.contacts(
        roster, registry.rescue_teams(), registry.experts(), registry.district_names()
    )
    found = duty.search_contacts(frame, query)
    if lang == "en":
        found = contacts_in_english(found, registry.district_names(), registry.district_names(lang))
    return call.linked(found.to_dict("records")), datetime.now(UTC).isoformat()


def contacts_in_english(
    frame: pd.DataFrame, districts: dict[str, str], districts_en: dict[str, str]
) -> pd.DataFrame:
    """The directory's own words (group, role, the bureau's and districts' names) in English;
    names, teams, organisations and specialties as recorded."""
    words = dict(MESSAGES[k] for k in MESSAGES if k.startswith(("contact.group.", "contact.role.")))
    places = {zh: districts_en.get(code, zh) for code, zh in districts.items()}
    places[t("contact.bureau")] = t("contact.bureau", "en")

    def detail(text: str) -> str:
        parts = []
        for part in str(text).split("、"):
            specialty, expert, title = part.partition("专家 · ")
            if expert:
                parts.append(t("contact.expert", "en", specialty=specialty, title=title))
            else:
                parts.append(words.get(part, part))
        return ", ".join(parts)

    return frame.assign(
        group=frame["group"].map(lambda g: words.get(g, g)),
        unit=frame["unit"].map(lambda u: places.get(u, u)),
        detail=frame["detail"].map(detail),
    )
