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

from layouts import pulse
from layouts.common import panel
from layouts.frame import frame
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
from vocabulary import LEVEL_NAMES, LEVELS, SENSOR_FAULT

RULE = (
    "风险四色判定：取三者中最高者——① 危险源等级底色（一级橙、二级黄、三/四级蓝）；"
    "② 该危险源、其传感器或所属企业的在办报警的最高级别；"
    "③ 实时读数越过报警限为黄、越过联锁(高高/低低)限为橙。"
)
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


def _map() -> html.Section:
    items = [(f"level-{lv}", LEVEL_NAMES[lv]) for lv in LEVELS]
    items += [("park", "化工园区"), ("lg-hospital", "医院")]
    layers = [
        districts_layer(MAP),
        dl.LayerGroup(id=Ids.PARKS),
        registry_points(HOSPITALS),
        risk_points(Ids.SOURCES, selected=None),
    ]
    body = [city_map(MAP, layers, bounds=BOUNDS), legend(items, css="hazchem-legend")]
    return map_panel(MAP, body, source="redis")


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, hs: str | None = None, **_query: str
) -> html.Div:
    distribution = panel(
        "四色分布",
        [
            html.Div(id=Ids.COUNTS, className="risk-counts"),
            html.Div(
                [
                    html.Div(
                        [html.H3("按化工园区"), dcc.Graph(id=Ids.BY_PARK, config=GRAPH_CONFIG)]
                    ),
                    html.Div(
                        [html.H3("按行政区"), dcc.Graph(id=Ids.BY_DISTRICT, config=GRAPH_CONFIG)]
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
        "重大危险源",
        [sources_table(), html.P(RULE, className="risk-rule")],
        panel_id=Ids.TABLE_PANEL,
        as_of_id=Ids.TABLE_AS_OF,
        source="redis",
    )
    alarms = panel(
        "企业报警（24 小时，含在办）",
        html.Div(id=Ids.ALARMS),
        panel_id=Ids.ALARMS_PANEL,
        as_of_id=Ids.ALARMS_AS_OF,
        source="warehouse",
    )
    detail = panel(
        "危险源详情",
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
            html.Div([_map(), distribution], className="hz-col hz-left"),
            html.Div([table, alarms], className="hz-col hz-middle"),
            html.Div(
                [
                    detail,
                    video_panel(
                        "企业视频",
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
    return frame(
        "危化品重大危险源监测",
        [
            grid,
            dcc.Store(id=Ids.SELECTED, data=hs),
            dcc.Store(id=VideoIds.HAZCHEM_SITE),
            pulse.layout("hazchem", refresh_ms, stale_after_s),
        ],
        "hazchem",
        active="/hazchem",
    )


# --- content (plain frames in, components out) -------------------------------------------

GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
# The bullet's scale: the alarm limit sits at 80 % of its width, so overshoot stays visible.
GAUGE_FULL = 1.25


def counts_tiles(counts: dict[str, int]) -> list[html.Div]:
    return [
        html.Div(
            [html.Span(str(counts.get(level, 0)), className="n"), html.Span(LEVEL_NAMES[level])],
            className=f"level-count level-{level}",
            **{"data-level": level},
        )
        for level in LEVELS
    ]


def gauge(load: float, state: str, sensor: str = "") -> str:
    """A bullet (HTML for a markdown cell): how far the worst reading has gone from normal
    toward its alarm limit (the white tick), and which sensor that is. Text is escaped."""
    if state == "fault":  # a value no sensor of its kind can read
        return f'<div class="hz-gauge st-fault">{SENSOR_FAULT}</div><div class="hz-sensor">{html_text(sensor)}</div>'  # fmt: skip
    if load != load:  # no reading
        return '<div class="hz-gauge st-none">无读数</div>'
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
COLUMNS = [
    {"id": "risk_name", "name": "风险"},
    {"id": "source", "name": "危险源"},
    {"id": "grade_name", "name": "等级"},
    {"id": "place", "name": "所在"},
    {"id": "active", "name": "在办报警", "type": "numeric"},
    {"id": "gauge", "name": "最接近报警限的读数", "presentation": "markdown"},
]


def sources_table() -> dash_table.DataTable:
    return dash_table.DataTable(
        id=Ids.TABLE,
        columns=COLUMNS,
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


def table_rows(table) -> list[dict]:  # noqa: ANN001
    """`table`: id, enterprise, name, grade, place, risk, active, load, state, sensor."""
    return [
        {
            "id": r.id,
            "risk": r.risk,
            "risk_name": LEVEL_NAMES[r.risk],
            "source": f"{r.enterprise} · {r.name}",
            "grade_name": GRADES.get(int(r.grade), "—"),
            "place": r.place,
            "active": int(r.active),
            "gauge": gauge(r.load, r.state, r.sensor),
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


def alarms_table(rows) -> list:  # noqa: ANN001
    """`rows`: enterprise, active, total and one column per level."""
    if rows.empty:
        return [html.P("24 小时内无企业报警", className="empty")]
    head = ["企业", "在办", "24h", *[LEVEL_NAMES[lv] for lv in LEVELS]]
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


def detail_info(source: dict, alarms: list[str]) -> list:
    """The selected hazard source: who, what, how much, its risk and why, its open alarms."""
    facts = [
        ("企业", source["enterprise"]),
        ("等级", f"{GRADES.get(int(source['grade']), '—')}重大危险源"),
        ("物料", f"{source['chemicals']} · {source['capacity_t']:,.0f} 吨"),
        ("所在", source["place"]),
        ("联系人", f"{source['contact']} {source['phone']}"),
    ]
    items = [html.Li(a) for a in alarms] or [html.Li("无在办报警", className="none")]
    return [
        html.Div(
            [
                html.Span(LEVEL_NAMES[source["risk"]], className=f"chip level-{source['risk']}"),
                html.H3(source["name"]),
            ],
            className="detail-head",
            **{"data-id": source["id"], "data-risk": source["risk"]},
        ),
        html.P(source["reason"], className="reason"),
        html.Dl([c for k, v in facts for c in (html.Dt(k), html.Dd(v))]),
        html.Ul(items, className="detail-alarms"),
    ]
