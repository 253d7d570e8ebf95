"""Check an uploaded roster, import it when clean, and export a date range."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

import auth
from callbacks import guarded
from data_sources import get_sources, rosters
from layouts.common import SHANGHAI
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from layouts.roster_import import Ids, error_items, import_button


def export_range(key: str, today: date) -> tuple[date, date]:
    """First and last day of 本周 / 下周 / 上周 / 本月 / 下月 around `today`."""
    monday = today - timedelta(days=today.weekday())
    weeks = {"last_week": -1, "this_week": 0, "next_week": 1}
    if key in weeks:
        first = monday + timedelta(weeks=weeks[key])
        return first, first + timedelta(days=6)
    first = today.replace(day=1)
    if key == "next_month":
        first = (first + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def preview_rows(
    rows: pd.DataFrame, districts: dict[str, str], lang: str = "zh"
) -> list[dict[str, Any]]:
    """The checked rows as the preview table shows them (labels in `lang`)."""
    names = {rosters.CITY: t("duty.city", lang), **districts}
    shifts = {s: t(f"shift.{s}", lang) for s in rosters.SHIFT_LABELS}
    roles = {r: t(f"contact.role.{r}", lang) for r in rosters.ROLE_LABELS}
    return [
        {
            "row": int(r.row),
            "date": r.duty_date.isoformat(),
            "unit": names.get(r.unit, r.unit),
            "shift": shifts.get(r.shift, r.shift),
            "role": roles.get(r.role, r.role),
            "name": r.name,
            "phone": r.phone,
        }
        for r in rows.itertuples(index=False)
    ]


def summary_text(filename: str, check: rosters.RosterCheck, lang: str = "zh") -> str:
    if check.errors and all(e.row is None for e in check.errors):
        return t("roster.unreadable", lang, file=filename)
    bad = len({e.row for e in check.errors})
    total = len(check.rows) + bad
    if check.errors:
        return t("roster.bad_rows", lang, file=filename, total=total, bad=bad)
    if not len(check.rows):
        return t("roster.no_rows", lang, file=filename)
    units = check.rows["unit"].nunique()
    days = check.rows["duty_date"].nunique()
    return t("roster.clean", lang, file=filename, total=total, units=units, days=days)


def _decode(contents: str | None) -> bytes | None:
    if not contents or "," not in contents:
        return None
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def _check(contents: str | None, filename: str | None) -> rosters.RosterCheck | None:
    content = _decode(contents)
    if content is None or not filename:
        return None
    sources = get_sources()
    return sources.rosters.check_upload(filename, content, sources.registry.district_names())


@guarded(
    "roster_import",
    Output(Ids.SUMMARY, "children"),
    Output(Ids.ERRORS, "children"),
    Output(Ids.PREVIEW, "data"),
    Output(Ids.PREVIEW_BOX, "hidden"),
    Output(Ids.ACTIONS, "children"),
    Input(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def check(contents: str | None, filename: str | None, page: dict | None):
    """Check the uploaded file: preview, every bad row; the import button only when clean."""
    lang = lang_of(page)
    result = _check(contents, filename)
    if result is None:
        return t("roster.no_file", lang), [], [], True, []
    districts = get_sources().registry.district_names(lang)
    return (
        summary_text(filename, result, lang),
        error_items(result.errors, lang),
        preview_rows(result.rows, districts, lang),
        result.rows.empty,
        [import_button(lang)] if result.ok else [],
    )


@guarded(
    "roster_import",
    Output(Ids.IMPORT, "disabled"),
    Output(Ids.SUMMARY, "children", allow_duplicate=True),
    Input(Ids.IMPORT, "n_clicks"),
    State(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def import_file(n_clicks: int, contents: str | None, filename: str | None, page: dict | None):
    """Import the checked file (checked again here: the browser's word is not enough)."""
    if not n_clicks:
        return no_update, no_update
    lang = lang_of(page)
    if not auth.can("roster_import"):
        return True, t("roster.denied", lang)
    result = _check(contents, filename)
    if result is None or not result.ok:
        return True, t("roster.not_clean", lang)
    sources = get_sources()
    counts = sources.rosters.import_roster(result)
    days = sorted(set(result.rows["duty_date"]))
    sources.rosters.forget_days(days)
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    for key in ("last_week", "this_week", "next_week"):
        sources.rosters.forget_week(*export_range(key, today))
    sources.versions.bump()  # every screen showing a roster redraws it
    auth.audit("roster.import", file=filename, **counts)
    return True, html.Span(
        t(
            "roster.imported",
            lang,
            file=filename,
            rows=counts["rows"],
            pairs=counts["pairs"],
            first=f"{days[0]:%Y-%m-%d}",
            last=f"{days[-1]:%Y-%m-%d}",
        ),
        className="ok",
        **{"data-imported": str(counts["rows"])},
    )


@guarded(
    "contacts",
    Output(Ids.DOWNLOAD, "data"),
    Input(Ids.EXPORT_XLSX, "n_clicks"),
    Input(Ids.EXPORT_CSV, "n_clicks"),
    State(Ids.RANGE, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def export(_xlsx: int, _csv: int, key: str, page: dict | None):
    """Send the roster of the chosen range in the import format."""
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        return no_update
    fmt = "xlsx" if ctx.triggered_id == Ids.EXPORT_XLSX else "csv"
    sources = get_sources()
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    first, last = export_range(key or "this_week", today)
    frame = sources.rosters.between(first, last)
    lang = lang_of(page)
    content = rosters.export_roster(frame, sources.registry.district_names(), fmt, lang)
    auth.audit("roster.export", fmt=fmt, first=first.isoformat(), last=last.isoformat())
    name = t("roster.file", lang, first=f"{first:%Y%m%d}", last=f"{last:%Y%m%d}", fmt=fmt)
    return dcc.send_bytes(content, name)
