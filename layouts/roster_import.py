"""Roster import and export on /duty: drop a spreadsheet, see a preview and every bad row, and
import only a clean file; export a date range as .xlsx or .csv."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import panel
from layouts.i18n import t
from layouts.resources_page import data_table

RANGES = ("this_week", "next_week", "last_week", "this_month", "next_month")  # `range.<key>`
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


def layout(lang: str = "zh") -> html.Section:
    upload = dcc.Upload(
        id=Ids.UPLOAD,
        children=html.Div(
            [
                html.Strong(t("roster.drop", lang)),
                html.Span(t("roster.formats", lang)),
            ]
        ),
        accept=".xlsx,.csv",
        max_size=MAX_UPLOAD,
        multiple=False,
        className="roster-upload",
    )
    importing = html.Div(
        [
            html.H3(t("roster.import", lang)),
            upload,
            html.Div(id=Ids.SUMMARY, className="roster-summary", role="status"),
            html.Ul(id=Ids.ERRORS, className="roster-errors"),
            html.Div(id=Ids.ACTIONS, className="duty-form"),
            html.Div(
                data_table(
                    Ids.PREVIEW,
                    [
                        (c, t(f"col.{c}", lang))
                        for c in ("row", "date", "unit", "shift", "role", "name", "phone")
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
            html.H3(t("roster.export", lang)),
            dcc.RadioItems(
                id=Ids.RANGE,
                options=[{"label": t(f"range.{k}", lang), "value": k} for k in RANGES],
                value="this_week",
                inline=True,
                className="range-chips",
            ),
            html.Div(
                [
                    html.Button(
                        t("roster.xlsx", lang), id=Ids.EXPORT_XLSX, className="btn", n_clicks=0
                    ),
                    html.Button(
                        t("roster.csv", lang), id=Ids.EXPORT_CSV, className="btn", n_clicks=0
                    ),
                ],
                className="duty-form",
            ),
            html.P(t("roster.same_format", lang), className="muted"),
            dcc.Download(id=Ids.DOWNLOAD),
        ],
        className="roster-export",
    )
    return panel(
        t("roster.title", lang),
        html.Div([importing, exporting], className="roster-body"),
        panel_id=Ids.PANEL,
        as_of_id=Ids.AS_OF,
        source="warehouse",
    )


def import_button(lang: str = "zh") -> html.Button:
    """Offered only once a file has passed every check (a fresh one per clean upload)."""
    return html.Button(
        t("roster.confirm", lang), id=Ids.IMPORT, className="btn primary", n_clicks=0
    )


def error_items(errors, lang: str = "zh") -> list:  # noqa: ANN001
    """Every problem of a file (RowError) in `lang`, each with its row and field for people
    and tests."""
    return [
        html.Li(e.text(lang), **{"data-row": str(e.row or 0), "data-field": e.field})
        for e in errors
    ]
