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


def preview_rows(rows: pd.DataFrame, districts: dict[str, str]) -> list[dict[str, Any]]:
    """The checked rows as the preview table shows them (Chinese labels)."""
    names = {rosters.CITY: rosters.CITY_LABEL, **districts}
    return [
        {
            "row": int(r.row),
            "date": r.duty_date.isoformat(),
            "unit": names.get(r.unit, r.unit),
            "shift": rosters.SHIFT_LABELS.get(r.shift, r.shift),
            "role": rosters.ROLE_LABELS.get(r.role, r.role),
            "name": r.name,
            "phone": r.phone,
        }
        for r in rows.itertuples(index=False)
    ]


def summary_text(filename: str, check: rosters.RosterCheck) -> str:
    if check.errors and all(e.row is None for e in check.errors):
        return f"「{filename}」无法导入。"
    bad = len({e.row for e in check.errors})
    total = len(check.rows) + bad
    if check.errors:
        return (
            f"「{filename}」共 {total} 行，其中 {bad} 行有错误（见下），未导入任何数据；"
            "请修改后重新上传。"
        )
    if not len(check.rows):
        return f"「{filename}」没有值班数据。"
    units = check.rows["unit"].nunique()
    days = check.rows["duty_date"].nunique()
    return (
        f"「{filename}」共 {total} 行，全部通过检查（{units} 个单位、{days} 天）。"
        "确认导入后将替换这些单位在这些日期的值班安排。"
    )


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
    prevent_initial_call=True,
)
def check(contents: str | None, filename: str | None):
    """Check the uploaded file: preview, every bad row; the import button only when clean."""
    result = _check(contents, filename)
    if result is None:
        return "无法读取上传的文件。", [], [], True, []
    districts = get_sources().registry.district_names()
    return (
        summary_text(filename, result),
        error_items(result.errors),
        preview_rows(result.rows, districts),
        result.rows.empty,
        [import_button()] if result.ok else [],
    )


@guarded(
    "roster_import",
    Output(Ids.IMPORT, "disabled"),
    Output(Ids.SUMMARY, "children", allow_duplicate=True),
    Input(Ids.IMPORT, "n_clicks"),
    State(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    prevent_initial_call=True,
)
def import_file(n_clicks: int, contents: str | None, filename: str | None):
    """Import the checked file (checked again here: the browser's word is not enough)."""
    if not n_clicks:
        return no_update, no_update
    if not auth.can("roster_import"):
        return True, "无权导入值班表。"
    result = _check(contents, filename)
    if result is None or not result.ok:
        return True, "文件未通过检查，未导入任何数据。"
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
        f"已导入「{filename}」：{counts['rows']} 条值班安排，替换了 {counts['pairs']} 个单位·日期"
        f"（{days[0]:%Y-%m-%d} 至 {days[-1]:%Y-%m-%d}）。",
        className="ok",
        **{"data-imported": str(counts["rows"])},
    )


@guarded(
    "contacts",
    Output(Ids.DOWNLOAD, "data"),
    Input(Ids.EXPORT_XLSX, "n_clicks"),
    Input(Ids.EXPORT_CSV, "n_clicks"),
    State(Ids.RANGE, "value"),
    prevent_initial_call=True,
)
def export(_xlsx: int, _csv: int, key: str):
    """Send the roster of the chosen range in the import format."""
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        return no_update
    fmt = "xlsx" if ctx.triggered_id == Ids.EXPORT_XLSX else "csv"
    sources = get_sources()
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    first, last = export_range(key or "this_week", today)
    frame = sources.rosters.between(first, last)
    content = rosters.export_roster(frame, sources.registry.district_names(), fmt)
    auth.audit("roster.export", fmt=fmt, first=first.isoformat(), last=last.isoformat())
    return dcc.send_bytes(content, f"值班表_{first:%Y%m%d}-{last:%Y%m%d}.{fmt}")
