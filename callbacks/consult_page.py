"""The consultation room's filter bar: one filter store drives every panel; the controls,
clicks on the map and on chart bars, and the presenter focus change it; CSV export of what it
shows. The logic is figures/consult_filter.py; the panels follow in callbacks/consult_*.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import pandas as pd
from dash import Input, Output, State, ctx, dcc
from dash.exceptions import PreventUpdate

from auth import audit
from callbacks import guarded
from data_sources import get_sources
from figures.consult_filter import DIMENSIONS, next_filter, replay_moment
from figures.consult_view import csv_text, current_view, names_of
from layouts import url_state
from layouts.common import SHANGHAI
from layouts.consult_ids import DEFAULT_FILTER, MAP, Ids, filter_query
from layouts.i18n import Ids as LangIds
from layouts.i18n import category_name, lang_of, level_name
from layouts.presenter import Ids as FocusIds
from vocabulary import LEVELS

CONTROLS = {
    Ids.WINDOW: "window",
    Ids.DISTRICT: "districts",
    Ids.SOURCE: "sources",
    Ids.CATEGORY: "categories",
    Ids.LEVEL: "levels",
    Ids.RESET: "reset",
    MAP.districts: "map",
    Ids.BY_DISTRICT: "chart-districts",
    Ids.BY_CATEGORY: "chart-categories",
    Ids.BY_SOURCE: "chart-sources",
    Ids.TREND: "chart-levels",
    Ids.FOCUS_SEEN: "focus",
}


@guarded(
    "view",
    Output(Ids.FOCUS_SEEN, "data"),
    Input(FocusIds.FOCUS, "data"),
    prevent_initial_call=True,
)
def relay_focus(focus: dict | None):
    """The presenter's focus, for the filter (see Ids.FOCUS_SEEN)."""
    return focus


@guarded(
    "view",
    Output(Ids.FILTER, "data"),
    Output(Ids.WINDOW, "value"),
    Output(Ids.RANGE_BOX, "hidden"),
    Output(Ids.DISTRICT, "value"),
    Output(Ids.SOURCE, "value"),
    Output(Ids.CATEGORY, "value"),
    Output(Ids.LEVEL, "value"),
    Output(Ids.URL, "search"),
    Output(url_state.SHOWN, "data", allow_duplicate=True),
    Input(Ids.WINDOW, "value"),
    Input(Ids.RANGE, "start_date"),
    Input(Ids.RANGE, "end_date"),
    Input(Ids.DISTRICT, "value"),
    Input(Ids.SOURCE, "value"),
    Input(Ids.CATEGORY, "value"),
    Input(Ids.LEVEL, "value"),
    Input(Ids.RESET, "n_clicks"),
    Input(MAP.districts, "clickData"),
    Input(Ids.BY_DISTRICT, "clickData"),
    Input(Ids.BY_CATEGORY, "clickData"),
    Input(Ids.BY_SOURCE, "clickData"),
    Input(Ids.TREND, "clickData"),
    Input(Ids.FOCUS_SEEN, "data"),
    State(Ids.FILTER, "data"),
    State(Ids.URL, "search"),
    prevent_initial_call=True,
)
def apply_filter(*args: Any):
    """Change the one filter every panel follows; keep the controls and the URL showing it."""
    current, focus, search = args[-2], args[-3], args[-1]
    trigger = ctx.triggered_id
    if trigger == Ids.RANGE:
        new = next_filter(current, "range", (args[1], args[2]))
    else:
        value = ctx.triggered[0]["value"] if ctx.triggered else None
        new = next_filter(current, CONTROLS.get(trigger, ""), value, focus)
    # Dropdowns that changed together (each drops the URL's unknown values when its options
    # arrive) change the filter together.
    for changed in ctx.triggered[1:]:
        control = CONTROLS.get(changed["prop_id"].rpartition(".")[0], "")
        if control in DIMENSIONS:
            new = next_filter(new or current, control, changed["value"]) or new
    if new is None:
        raise PreventUpdate
    return (
        new,
        new["window"],
        new["window"] != "custom",
        new["districts"],
        new["sources"],
        new["categories"],
        new["levels"],
        *url_state.write(search, filter_query(new)),
    )


def _categories(sources, chosen_sources: list | None, lang: str) -> list[dict]:  # noqa: ANN001
    categories = sources.analysis.categories()
    if chosen_sources:
        categories = categories[categories["source"].isin(chosen_sources)]
    return [
        {"label": category_name(c, lang), "value": c} for c in dict.fromkeys(categories["category"])
    ]


# At load, from a store no callback writes: an input that another callback may write (the
# source dropdown) would hold the call back until that callback answers, and it may not.
@guarded(
    "view",
    Output(Ids.DISTRICT, "options"),
    Output(Ids.SOURCE, "options"),
    Output(Ids.CATEGORY, "options"),
    Output(Ids.LEVEL, "options"),
    Input(LangIds.PAGE, "data"),
    State(Ids.SOURCE, "value"),
)
def fill_options(page_lang: dict | None, chosen_sources: list | None):
    """Offer the districts, source systems, their categories and the levels (the URL's
    values that are none of them then leave the dropdowns, and so the filter)."""
    lang = lang_of(page_lang)
    sources = get_sources()
    names, systems = names_of(sources, lang)
    return (
        [{"label": n, "value": a} for a, n in names.items()],
        [{"label": n, "value": c} for c, n in systems.items()],
        _categories(sources, chosen_sources, lang),
        [{"label": level_name(lv, lang), "value": lv} for lv in LEVELS],
    )


@guarded(
    "view",
    Output(Ids.CATEGORY, "options", allow_duplicate=True),
    Input(Ids.SOURCE, "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def fill_categories(chosen_sources: list | None, page_lang: dict | None):
    """Offer the categories of the chosen source systems."""
    return _categories(get_sources(), chosen_sources, lang_of(page_lang))


@guarded(
    "view",
    Output(Ids.DOWNLOAD, "data"),
    Input(Ids.EXPORT, "n_clicks"),
    State(Ids.FILTER, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def export_csv(_n: int, f: dict | None, page_lang: dict | None):
    """Download the filtered alarms as CSV."""
    lang, sources = lang_of(page_lang), get_sources()
    view = current_view(sources, f or DEFAULT_FILTER)
    names, systems = names_of(sources, lang)
    audit("export", rows=len(view), filter=f)
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
    return dcc.send_string(csv_text(view, names, systems, lang), f"alarms-{stamp}.csv")


@guarded(
    "view",
    Output(Ids.SCRUB_TIME, "children"),
    Output(Ids.SCRUB_LINK, "href"),
    Input(Ids.SCRUB, "value"),
    Input(Ids.FILTER, "data"),
)
def scrub(position: int | None, f: dict | None):
    """The scrubbed moment of the filter's window, and the wall replayed at it."""
    at = replay_moment(f or DEFAULT_FILTER, position, pd.Timestamp.now(tz="UTC"))
    local = at.tz_convert(SHANGHAI).strftime("%m-%d %H:%M:%S")
    return local, f"/wall?at={quote(at.isoformat())}"
