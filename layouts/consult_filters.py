"""The consultation room's filter bar: time window (or calendar days), district, source,
category and level, reset, and CSV export of what the filter shows."""

from __future__ import annotations

from datetime import datetime

from dash import dcc, html

from layouts import i18n
from layouts.common import SHANGHAI
from layouts.consult_ids import DEFAULT_FILTER, WINDOWS, Ids
from layouts.i18n import t


def _dropdown(ident: str, key: str, lang: str, value: list[str], label=str) -> dcc.Dropdown:  # noqa: ANN001
    # The values the URL asks for are their own options until the callback sends the real
    # ones: Dash's Dropdown drops a value that is not an option (so then an unknown one goes).
    return dcc.Dropdown(
        id=ident,
        multi=True,
        value=value,
        options=[{"label": label(v), "value": v} for v in value],
        placeholder=t(key, lang),
        labels=i18n.dropdown_labels(lang),
        className="consult-dropdown",
    )


def filter_bar(lang: str, f: dict | None = None, search=None) -> html.Div:  # noqa: ANN001
    """The controls, showing the filter `f` (the one the page's URL asks for); `search`, the
    search box, at the end of the row."""
    f = f or DEFAULT_FILTER
    windows = [{"label": t(f"window.{w}", lang), "value": w} for w in WINDOWS]
    return html.Div(
        [
            html.Span(t("filter.window", lang), className="filter-label"),
            dcc.RadioItems(
                windows, value=f["window"], id=Ids.WINDOW, inline=True, className="segmented"
            ),
            html.Div(
                dcc.DatePickerRange(
                    id=Ids.RANGE,
                    display_format="YYYY-MM-DD",
                    start_date_placeholder_text=t("filter.start", lang),
                    end_date_placeholder_text=t("filter.end", lang),
                    first_day_of_week=1,
                    clearable=True,
                    max_date_allowed=datetime.now(SHANGHAI).date(),
                    start_date=f["start"],
                    end_date=f["end"],
                ),
                id=Ids.RANGE_BOX,
                hidden=f["window"] != "custom",
                className="range-box",
            ),
            _dropdown(Ids.DISTRICT, "filter.district", lang, f["districts"]),
            _dropdown(Ids.SOURCE, "filter.source", lang, f["sources"]),
            _dropdown(Ids.CATEGORY, "filter.category", lang, f["categories"]),
            _dropdown(
                Ids.LEVEL, "filter.level", lang, f["levels"], lambda v: i18n.level_name(v, lang)
            ),
            html.Button(t("filter.reset", lang), id=Ids.RESET, className="btn"),
            html.Button(t("export.csv", lang), id=Ids.EXPORT, className="btn primary"),
            dcc.Download(id=Ids.DOWNLOAD),
            scrubber(lang),
            *([search] if search is not None else []),
        ],
        className="consult-filters",
    )


def scrubber(lang: str) -> html.Div:
    """A moment in the filter's window, and the wall replayed at it (`/wall?at=`)."""
    return html.Div(
        [
            html.Span(t("replay.label", lang), className="filter-label"),
            dcc.Slider(
                0,
                1000,
                1,
                value=1000,
                id=Ids.SCRUB,
                marks=None,
                allow_direct_input=False,
                className="consult-replay-slider",
            ),
            html.Span("", id=Ids.SCRUB_TIME, className="consult-replay-time"),
            html.A(
                t("replay.open", lang),
                id=Ids.SCRUB_LINK,
                href="/wall",
                target="_blank",
                className="btn consult-replay-link",
            ),
        ],
        className="consult-replay",
        # The slider thumb's accessible name (assets/a11y.js).
        **{"data-label": t("replay.time", lang)},
    )
