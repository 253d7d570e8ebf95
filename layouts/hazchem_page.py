"""`/hazchem`: every major hazard source (重大危险源), its risk colour and live readings.

The map and the table show each source coloured by risk (the rule: callbacks/hazchem_page.py,
also stated under the table); each row's bullet shows how close its worst reading is to its
alarm limit. Click a row or a marker (or open `?hs=<id>`) to drill down: every sensor's live
value against its limits and its last 24 hours. Below: the four-colour distribution by
chemical park and by district, and alarms per enterprise.
"""

from __future__ import annotations

from enum import StrEnum

import dash_leaflet as dl
from dash import dash_table, dcc, html

from layouts import i18n, pulse
from layouts.common import panel
from layouts.frame import frame
from layouts.i18n import grade_name, level_name, t
from layouts.video import Ids as VideoIds
from layouts.video import video_panel
from maps.layout import (
    MapIds,
    city_map,
    districts_layer,
    legend,
    map_panel,
    registry_points,
    risk_points,
)
from security.text import html_text
from vocabulary import LEVELS

RISK_COLOURS = {"red": "#ff3b30", "orange": "#ff9500", "yellow": "#ffd60a", "blue": "#2f8cff"}
GRAPH_CONFIG = {"displayModeBar": False, "displaylogo": False}
# The chemical parks and the districts around them.
BOUNDS = [[30.85, 120.3], [32.05, 121.35]]
MAP = MapIds("hazchem-map")  # hazchem-map-panel, hazchem-map-districts, ...
HOSPITALS = MAP.layer("hospitals")  # where the injured of a chemical accident are taken


class Ids(StrEnum):
    SELECTED = "hazchem-selected"
    PARKS = "hazchem-parks"
    SOURCES = "hazchem-sources"
    TABLE_PANEL = "hazchem-table-panel"
    TABLE = "hazchem-table"
    TABLE_AS_OF = "hazchem-table-as-of"
    DIST_PANEL = "hazchem-dist-panel"
    COUNTS = "hazchem-counts"
    BY_PARK = "hazchem-by-park"
    BY_DISTRICT = "hazchem-by-district"
    DIST_AS_OF = "hazchem-dist-as-of"
    ALARMS_PANEL = "hazchem-alarms-panel"
    ALARMS = "hazchem-alarms"
    ALARMS_AS_OF = "hazchem-alarms-as-of"
    DETAIL_PANEL = "hazchem-detail-panel"
    DETAIL_INFO = "hazchem-detail-info"
    DETAIL_CHART = "hazchem-detail-chart"
    DETAIL_AS_OF = "hazchem-detail-as-of"


def _map(lang: str) -> html.Section:
    items = [(f"level-{lv}", level_name(lv, lang)) for lv in LEVELS]
    items += [("park", t("hz.park", lang)), ("lg-hospital", t("target.hospital", lang))]
    layers = [
        districts_layer(MAP),
        dl.LayerGroup(id=Ids.PARKS),
        registry_points(HOSPITALS),
        risk_points(Ids.SOURCES, selected=None),
    ]
    body = [city_map(MAP, layers, bounds=BOUNDS), legend(items, css="hazchem-legend")]
    return map_panel(MAP, body, source="redis")


def layout(
    refresh_ms: int = 1000,
    stale_after_s: float = 15.0,
    hs: str | None = None,
    lang: str | None = None,
    **_query: str,
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    distribution = panel(
        t("hz.distribution", lang),
        [
            html.Div(id=Ids.COUNTS, className="risk-counts"),
            html.Div(
                [
                    html.Div(
                        [
                            html.H3(t("hz.by_park", lang)),
                            dcc.Graph(id=Ids.BY_PARK, config=GRAPH_CONFIG),
                        ]
                    ),
                    html.Div(
                        [
                            html.H3(t("hz.by_district", lang)),
                            dcc.Graph(id=Ids.BY_DISTRICT, config=GRAPH_CONFIG),
                        ]
                    ),
                ],
                className="dist-charts",
            ),
        ],
        panel_id=Ids.DIST_PANEL,
        as_of_id=Ids.DIST_AS_OF,
        source="redis",
    )
    table = panel(
        t("detail.hazards", lang),
        [sources_table(lang), html.P(t("hz.rule", lang), className="risk-rule")],
        panel_id=Ids.TABLE_PANEL,
        as_of_id=Ids.TABLE_AS_OF,
        source="redis",
    )
    alarms = panel(
        t("hz.alarms", lang),
        html.Div(id=Ids.ALARMS),
        panel_id=Ids.ALARMS_PANEL,
        as_of_id=Ids.ALARMS_AS_OF,
        source="warehouse",
    )
    detail = panel(
        t("hz.detail", lang),
        [
            html.Div(id=Ids.DETAIL_INFO, className="detail-info"),
            dcc.Graph(id=Ids.DETAIL_CHART, config=GRAPH_CONFIG, className="detail-chart"),
        ],
        panel_id=Ids.DETAIL_PANEL,
        as_of_id=Ids.DETAIL_AS_OF,
        source="redis",
    )
    grid = html.Div(
        [
            html.Div([_map(lang), distribution], className="hz-col hz-left"),
            html.Div([table, alarms], className="hz-col hz-middle"),
            html.Div(
                [
                    detail,
                    video_panel(
                        t("hz.video", lang),
                        VideoIds.HAZCHEM,
                        VideoIds.HAZCHEM_PANEL,
                        VideoIds.HAZCHEM_AS_OF,
                    ),
                ],
                className="hz-col hz-right",
            ),
        ],
        className="hazchem-grid",
    )
    page = frame(
        t("hz.title", lang),
        [
            grid,
            dcc.Store(id=Ids.SELECTED, data=hs),
            dcc.Store(id=VideoIds.HAZCHEM_SITE),
            pulse.layout("hazchem", refresh_ms, stale_after_s),
        ],
        "hazchem",
        active="/hazchem",
        lang=lang,
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(page, lang="en" if lang == "en" else "zh-CN")


# --- content (plain frames in, components out) -------------------------------------------

# The bullet's scale: the alarm limit sits at 80 % of its width, so overshoot stays visible.
GAUGE_FULL = 1.25


def counts_tiles(counts: dict[str, int], lang: str = "zh") -> list[html.Div]:
    return [
        html.Div(
            [
                html.Span(str(counts.get(level, 0)), className="n"),
                html.Span(level_name(level, lang)),
            ],
            className=f"level-count level-{level}",
            **{"data-level": level},
        )
        for level in LEVELS
    ]


def gauge(load: float, state: str, sensor: str = "", lang: str = "zh") -> str:
    """A bullet (HTML for a markdown cell): how far the worst reading has gone from normal
    toward its alarm limit (the white tick), and which sensor that is. Text is escaped."""
    if state == "fault":  # a value no sensor of its kind can read
        return f'<div class="hz-gauge st-fault">{t("sensor.fault", lang)}</div><div class="hz-sensor">{html_text(sensor)}</div>'  # fmt: skip
    if load != load:  # no reading
        return f'<div class="hz-gauge st-none">{t("sensor.none", lang)}</div>'
    width = max(0.0, min(load, GAUGE_FULL)) / GAUGE_FULL * 100
    return (
        f'<div class="hz-gauge st-{state}" data-load="{load:.3f}"><span class="track">'
        f'<span class="fill" style="width:{width:.1f}%"></span>'
        f'<i class="limit" style="left:{100 / GAUGE_FULL:.0f}%"></i></span>'
        f'<span class="pct">{load * 100:.0f}%</span></div>'
        f'<div class="hz-sensor">{html_text(sensor)}</div>'
    )


# One DataTable, not an HTML table: Dash's renderer costs grow with the square of the number
# of components, and two hundred rows of cells refreshed every few seconds would stall it.
# (column, header: the catalogue's `hz.col.<key>`, more of the column)
COLUMNS = [
    ("risk_name", "risk", {}),
    ("source", "source", {}),
    ("grade_name", "grade", {}),
    ("place", "place", {}),
    ("active", "active", {"type": "numeric"}),
    ("gauge", "gauge", {"presentation": "markdown"}),
]


def sources_table(lang: str = "zh") -> dash_table.DataTable:
    return dash_table.DataTable(
        id=Ids.TABLE,
        columns=[{"id": c, "name": t(f"hz.col.{key}", lang), **more} for c, key, more in COLUMNS],
        data=[],
        sort_action="native",
        page_action="none",
        markdown_options={"html": True},
        cell_selectable=True,
        style_as_list_view=True,
        style_table={"overflowY": "auto", "height": "100%"},
        style_header={
            "backgroundColor": "#0b1d33",
            "color": "#8fb0d6",
            "fontWeight": "400",
            "border": "none",
            "borderBottom": "1px solid #1f4b7a",
        },  # fmt: skip
        style_cell={
            "backgroundColor": "transparent",
            "color": "#e6f0ff",
            "fontFamily": "inherit",
            "fontSize": "13px",
            "textAlign": "left",
            "padding": "3px 6px",
            "border": "none",
            "borderBottom": "1px solid rgba(143, 176, 214, .15)",
            "whiteSpace": "normal",
            "height": "auto",
        },  # fmt: skip
        style_cell_conditional=[
            {"if": {"column_id": "risk_name"}, "width": "48px", "textAlign": "center"},
            {"if": {"column_id": "grade_name"}, "width": "44px"},
            {"if": {"column_id": "active"}, "width": "64px", "textAlign": "right"},
            {"if": {"column_id": "gauge"}, "width": "200px"},
        ],
        css=[{"selector": ".dash-spreadsheet-menu", "rule": "display: none"}],
    )


def table_rows(table, lang: str = "zh") -> list[dict]:  # noqa: ANN001
    """`table`: id, enterprise, name, grade, place, risk, active, load, state, sensor."""
    return [
        {
            "id": r.id,
            "risk": r.risk,
            "risk_name": level_name(r.risk, lang),
            "source": f"{r.enterprise} · {r.name}",
            "grade_name": grade_name(r.grade, lang),
            "place": r.place,
            "active": int(r.active),
            "gauge": gauge(r.load, r.state, r.sensor, lang),
        }
        for r in table.itertuples(index=False)
    ]


def table_styles(selected: str | None) -> list[dict]:
    """The selected row highlighted; the risk colour of the first column (later rules win)."""
    tint = "rgba(124, 196, 255, .22)"
    styles = [
        {"if": {"state": "active"}, "backgroundColor": tint, "border": "none"},
        {"if": {"state": "selected"}, "backgroundColor": tint, "border": "none"},
    ]
    if selected:
        styles.append({"if": {"filter_query": f'{{id}} = "{selected}"'}, "backgroundColor": tint})
    return styles + [
        {
            "if": {"filter_query": f'{{risk}} = "{level}"', "column_id": "risk_name"},
            "backgroundColor": colour,
            "color": "#000",
            "fontWeight": "700",
        }
        for level, colour in RISK_COLOURS.items()
    ]


def alarms_table(rows, lang: str = "zh") -> list:  # noqa: ANN001
    """`rows`: enterprise, active, total and one column per level."""
    if rows.empty:
        return [html.P(t("hz.no_alarms", lang), className="empty")]
    head = [
        t("hz.col.enterprise", lang),
        t("hz.col.open", lang),
        "24h",
        *[level_name(lv, lang) for lv in LEVELS],
    ]
    body = [
        html.Tr(
            [
                html.Td(r["enterprise"], className="name"),
                html.Td(str(r["active"]), className="num active" if r["active"] else "num"),
                html.Td(str(r["total"]), className="num"),
                *[html.Td(str(r[lv]) or "", className=f"num lv lv-{lv}") for lv in LEVELS],
            ],
            **{"data-enterprise": r["enterprise_id"]},
        )
        for r in rows.to_dict("records")
    ]
    return [
        html.Table(
            [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
            className="hz-table compact",
        )
    ]


def detail_info(source: dict, alarms: list[str], lang: str = "zh") -> list:
    """The selected hazard source: who, what, how much, its risk and why, its open alarms."""
    amount = t(
        "hz.fact.amount", lang, chemicals=source["chemicals"], t=f"{source['capacity_t']:,.0f}"
    )
    facts = [
        (t("hz.col.enterprise", lang), source["enterprise"]),
        (
            t("hz.col.grade", lang),
            t("hz.fact.grade", lang, grade=grade_name(source["grade"], lang)),
        ),
        (t("hz.fact.chemicals", lang), amount),
        (t("hz.col.place", lang), source["place"]),
        (t("field.contact", lang), f"{source['contact']} {source['phone']}"),
    ]
    items = [html.Li(a) for a in alarms] or [html.Li(t("hz.no_open", lang), className="none")]
    return [
        html.Div(
            [
                html.Span(
                    level_name(source["risk"], lang), className=f"chip level-{source['risk']}"
                ),
                html.H3(source["name"]),
            ],
            className="detail-head",
            **{"data-id": source["id"], "data-risk": source["risk"]},
        ),
        html.P(source["reason"], className="reason"),
        html.Dl([c for k, v in facts for c in (html.Dt(k), html.Dd(v))]),
        html.Ul(items, className="detail-alarms"),
    ]
