"""`/consult`: the consultation room. The wall's data made interactive: a time window, district,
source, category and level filters; a click on a district or on a chart bar filters every panel
(one `Ids.FILTER` store is the current filter); drill-down to an alarm, an enterprise or an
incident; CSV export of the filtered alarms and PNG export of each chart (plotly's modebar)."""

from __future__ import annotations

from dash import dcc, html

from auth import can
from layouts import alarm_actions, i18n, presenter, pulse, site_search
from layouts.common import panel
from layouts.consult_filters import filter_bar
from layouts.consult_ids import DEFAULT_FILTER, Ids, filter_from_query
from layouts.consult_panels import chart, map_panel
from layouts.frame import frame
from layouts.i18n import t
from layouts.video import Ids as VideoIds
from layouts.video import video_panel

__all__ = ["DEFAULT_FILTER", "Ids", "layout"]


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    initial = filter_from_query(_query)  # the view the URL asks for (layouts/url_state.py)
    kpi = panel(
        t("panel.kpi", lang),
        html.Div(id=Ids.KPI, className="consult-kpi"),
        panel_id="consult-kpi-panel",
        as_of_id=Ids.KPI_AS_OF,
        source="warehouse",
    )
    alarms = panel(
        t("panel.alarms", lang),
        html.Div(id=Ids.ALARMS, className="consult-table-wrap"),
        panel_id="consult-alarms-panel",
        as_of_id=Ids.ALARMS_AS_OF,
        source="warehouse",
        extra=[html.Span(id=Ids.ALARMS_COUNT, className="hint")],
    )
    enterprises = panel(
        t("panel.enterprises", lang),
        html.Ol(id=Ids.ENTERPRISES, className="consult-enterprises"),
        panel_id="consult-enterprises-panel",
        as_of_id=Ids.ENTERPRISES_AS_OF,
        source="warehouse",
    )
    detail = panel(
        t("panel.detail", lang),
        html.Div(t("detail.hint", lang), id=Ids.DETAIL, className="consult-detail"),
        panel_id="consult-detail-panel",
        as_of_id=Ids.DETAIL_AS_OF,
        source="warehouse",
    )
    grid = html.Div(
        [
            html.Div(
                [
                    kpi,
                    chart(
                        t("panel.districts", lang),
                        Ids.BY_DISTRICT,
                        Ids.BY_DISTRICT_AS_OF,
                        "districts",
                        lang,
                    ),
                    chart(
                        t("panel.categories", lang),
                        Ids.BY_CATEGORY,
                        Ids.BY_CATEGORY_AS_OF,
                        "categories",
                        lang,
                    ),
                    chart(
                        t("panel.sources", lang),
                        Ids.BY_SOURCE,
                        Ids.BY_SOURCE_AS_OF,
                        "sources",
                        lang,
                    ),
                ],
                className="consult-col consult-left",
            ),
            html.Div(
                [
                    map_panel(lang),
                    html.Div(
                        [
                            chart(
                                t("panel.trend", lang), Ids.TREND, Ids.TREND_AS_OF, "trend", lang
                            ),
                            enterprises,
                        ],
                        className="consult-row-bottom",
                    ),
                ],
                className="consult-col consult-centre",
            ),
            html.Div(
                [
                    presenter.layout(lang, can("focus"), refresh_ms),
                    detail,
                    video_panel(
                        t("panel.video", lang),
                        VideoIds.CONSULT,
                        VideoIds.CONSULT_PANEL,
                        VideoIds.CONSULT_AS_OF,
                    ),
                    alarms,
                ],
                className="consult-col consult-right",
            ),
        ],
        className="consult-grid",
    )
    page = frame(
        t("consult.title", lang),
        [filter_bar(lang, initial, site_search.box("consult", lang, can("contacts"))), grid],
        "consult",
        active="/consult",
        lang=lang,
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(
        [
            page,
            pulse.layout("consult", refresh_ms, stale_after_s),
            dcc.Store(id=Ids.FILTER, data=initial),
            # Drill-down links are plain `#kind=id` anchors: hundreds of pattern-matching
            # buttons would cost the browser seconds on every refresh. The same Location
            # writes the filter into the query (one Location: each writes its own search).
            dcc.Location(id=Ids.URL, refresh=False),
            dcc.Store(id=Ids.FOCUS_SEEN),
            alarm_actions.layout(lang),
        ],
        id=Ids.ROOT,
        lang="en" if lang == "en" else "zh-CN",
    )
