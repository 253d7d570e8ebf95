"""The consultation room's panels: key figures and charts of the filtered alarms (each ranked
chart leaves out its own dimension's filter), the alarm list, the enterprises with most
alarms, and the map's alarms and district shading of the same view."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from dash import Input, Output, State

from callbacks import guarded
from data_sources import get_sources
from figures.consult import ranked_figure, trend_counts, trend_figure
from figures.consult_filter import DIMENSIONS, alarm_filter, window_bounds
from figures.consult_view import current_view, names_of, ranked_levels, top_enterprises
from layouts import consult_panels as page
from layouts.consult_ids import DEFAULT_FILTER, MAP, MAP_SELECTED, PULSE, Ids
from layouts.i18n import Ids as LangIds
from layouts.i18n import category_name, lang_of, t
from maps import features, shapes
from maps.datum import gcj02_tiles
from vocabulary import LEVELS


@guarded(
    "view",
    Output(Ids.KPI, "children"),
    Output(Ids.KPI_AS_OF, "data-as-of"),
    Output(Ids.TREND, "figure"),
    Output(Ids.TREND_AS_OF, "data-as-of"),
    Output(Ids.BY_DISTRICT, "figure"),
    Output(Ids.BY_DISTRICT_AS_OF, "data-as-of"),
    Output(Ids.BY_CATEGORY, "figure"),
    Output(Ids.BY_CATEGORY_AS_OF, "data-as-of"),
    Output(Ids.BY_SOURCE, "figure"),
    Output(Ids.BY_SOURCE_AS_OF, "data-as-of"),
    Input(Ids.FILTER, "data"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh_charts(f: dict, _version: int | None, page_lang: dict | None):
    """Summarise the filtered alarms. Each ranked chart leaves out its own dimension's filter,
    so it still shows the other values to click (dimmed), as cross-filtering does."""
    lang, sources, now = lang_of(page_lang), get_sources(), pd.Timestamp.now(tz="UTC")
    f = {**DEFAULT_FILTER, **(f or {})}
    window = current_view(sources, {**f, **dict.fromkeys(DIMENSIONS, [])}, now)
    view = alarm_filter(f, now).apply(window)
    names, systems = names_of(sources, lang)
    since, until = window_bounds(f, now)
    categories = {c: category_name(c, lang) for c in window["category"].dropna().unique()}
    by_level = {lv: int((view["level"] == lv).sum()) for lv in LEVELS}
    kpis = page.kpi_items(
        len(view),
        by_level,
        int((view["status"] != "closed").sum()),
        int(view["district"].nunique()),
        lang,
    )

    def chart(column: str, dimension: str, labels: dict, limit: int = 12):  # noqa: ANN202
        rows = ranked_levels(
            alarm_filter(f, now, skip=dimension).apply(window), column, labels, limit
        )
        return ranked_figure(rows, f[dimension], lang)

    stamp = datetime.now(UTC).isoformat()
    return (
        kpis,
        stamp,
        trend_figure(trend_counts(view, since, until), lang),
        stamp,
        chart("district", "districts", names),
        stamp,
        chart("category", "categories", categories, limit=10),
        stamp,
        chart("source", "sources", systems),
        stamp,
    )


@guarded(
    "view",
    Output(Ids.ALARMS, "children"),
    Output(Ids.ALARMS_COUNT, "children"),
    Output(Ids.ALARMS_AS_OF, "data-as-of"),
    Output(Ids.ENTERPRISES, "children"),
    Output(Ids.ENTERPRISES_AS_OF, "data-as-of"),
    Output(MAP.alarms, "data"),
    Output(MAP.alarms, "hideout"),
    Output(MAP.districts, "hideout"),
    Output(MAP_SELECTED, "data"),
    Output(MAP.as_of, "data-as-of"),
    Input(Ids.FILTER, "data"),
    Input(PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh_lists(f: dict, _version: int | None, page_lang: dict | None):
    """The alarm list, the enterprises with most alarms, and the map of the filtered view."""
    lang, sources = lang_of(page_lang), get_sources()
    f = f or DEFAULT_FILTER
    view = current_view(sources, f)
    names, systems = names_of(sources, lang)
    shown = min(len(view), 200)
    gcj02 = gcj02_tiles(sources.settings)
    stamp = datetime.now(UTC).isoformat()
    return (
        page.alarm_table(view, names, systems, lang),
        t("alarms.shown", lang, n=len(view), shown=shown),
        stamp,
        page.enterprise_items(top_enterprises(view, sources), lang),
        stamp,
        *features.alarm_points(view, gcj02),
        {"levels": features.worst_levels(view)},
        shapes.districts(gcj02, only=f["districts"]),
        stamp,
    )
