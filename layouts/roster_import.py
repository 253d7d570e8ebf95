"""Roster import and export on /duty: drop a spreadsheet, see a preview and every bad row, and
import only a clean file; export a date range as .xlsx or .csv."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import panel
from layouts.resources_page import data_table

RANGES = {
    "this_week": "本周",
    "next_week": "下周",
    "last_week": "上周",
    "this_month": "本月",
    "next_month": "下月",
}
MAX_UPLOAD = 2 * 1024 * 1024


class Ids(StrEnum):
    PANEL = "roster-panel"
    AS_OF = "roster-as-of"
    UPLOAD = "roster-upload"
    SUMMARY = "roster-summary"
    ERRORS = "roster-errors"
    PREVIEW = "roster-preview"
    PREVIEW_BOX = "roster-preview-box"
    ACTIONS = "roster-actions"
    # Checking and importing need "roster_import" (declared with their callbacks).
    IMPORT = "duty-roster-import"
    RANGE = "roster-export-range"
    EXPORT_XLSX = "roster-export-xlsx"
    EXPORT_CSV = "roster-export-csv"
    DOWNLOAD = "roster-download"


def layout() -> html.Section:
    upload = dcc.Upload(
        id=Ids.UPLOAD,
        children=html.Div(
            [
                html.Strong("拖入值班表文件，或点击选择"),
                html.Span(
                    "支持 .xlsx / .csv；列：日期、班次、岗位、姓名、电话、单位"
                    "（也可用 date, shift, role, name, phone, unit）"
                ),
            ]
        ),
        accept=".xlsx,.csv",
        max_size=MAX_UPLOAD,
        multiple=False,
        className="roster-upload",
    )
    importing = html.Div(
        [
            html.H3("导入"),
            upload,
            html.Div(id=Ids.SUMMARY, className="roster-summary", role="status"),
            html.Ul(id=Ids.ERRORS, className="roster-errors"),
            html.Div(id=Ids.ACTIONS, className="duty-form"),
            html.Div(
                data_table(
                    Ids.PREVIEW,
                    [
                        ("row", "行"),
                        ("date", "日期"),
                        ("unit", "单位"),
                        ("shift", "班次"),
                        ("role", "岗位"),
                        ("name", "姓名"),
                        ("phone", "电话"),
                    ],
                    page_size=8,
                ),
                id=Ids.PREVIEW_BOX,
                hidden=True,
            ),
        ],
        className="roster-import",
    )
    exporting = html.Div(
        [
            html.H3("导出"),
            dcc.RadioItems(
                id=Ids.RANGE,
                options=[{"label": v, "value": k} for k, v in RANGES.items()],
                value="this_week",
                inline=True,
                className="range-chips",
            ),
            html.Div(
                [
                    html.Button(
                        "导出 Excel (.xlsx)", id=Ids.EXPORT_XLSX, className="btn", n_clicks=0
                    ),
                    html.Button("导出 CSV", id=Ids.EXPORT_CSV, className="btn", n_clicks=0),
                ],
                className="duty-form",
            ),
            html.P("导出文件与导入格式相同，修改后可直接导入。", className="muted"),
            dcc.Download(id=Ids.DOWNLOAD),
        ],
        className="roster-export",
    )
    return panel(
        "值班表导入 / 导出",
        html.Div([importing, exporting], className="roster-body"),
        panel_id=Ids.PANEL,
        as_of_id=Ids.AS_OF,
        source="warehouse",
    )


def import_button() -> html.Button:
    """Offered only once a file has passed every check (a fresh one per clean upload)."""
    return html.Button("确认导入", id=Ids.IMPORT, className="btn primary", n_clicks=0)


def error_items(errors) -> list:  # noqa: ANN001
    """Every problem of a file (RowError), each with its row and field for people and tests."""
    return [html.Li(str(e), **{"data-row": str(e.row or 0), "data-field": e.field}) for e in errors]
