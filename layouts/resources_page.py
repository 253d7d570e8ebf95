"""`/resources`: rescue teams, supply depots and their stock, shelters and experts — on the map
(`#main-map`) and in sortable tables, filtered by district, team kind and a search word, with
the totals the wall's forces panel shows."""

from __future__ import annotations

import re
from enum import StrEnum

import dash_leaflet as dl
from dash import dash_table, dcc, html

from layouts import call, pulse
from layouts.common import panel
from layouts.forces import TEAM_KINDS
from layouts.frame import frame
from layouts.url_state import first, text, values
from maps.layout import MapIds, city_map, districts_layer, legend, map_panel, registry_points

ALL = "all"

MAP = MapIds("res-map")  # res-map-panel, res-map-districts, ...
MAP_POINTS = MAP.layer("points")
MAP_SHORT = MAP.layer("short")


class Ids(StrEnum):
    URL = "res-url"  # its query holds the filters (layouts/url_state.py)
    DISTRICT = "res-district"
    KINDS = "res-kinds"
    SEARCH = "res-search"
    TOTALS = "res-totals"
    SUMMARY = "res-summary"
    TEAMS_PANEL = "res-teams-panel"
    TEAMS = "res-teams"
    TEAMS_AS_OF = "res-teams-as-of"
    STOCK_PANEL = "res-stock-panel"
    STOCK = "res-stock"
    STOCK_AS_OF = "res-stock-as-of"
    SHELTERS_PANEL = "res-shelters-panel"
    SHELTERS = "res-shelters"
    SHELTERS_AS_OF = "res-shelters-as-of"
    EXPERTS_PANEL = "res-experts-panel"
    EXPERTS = "res-experts"
    EXPERTS_AS_OF = "res-experts-as-of"


# Dark, dense tables for desks and the consultation room; the rest is in assets/resources.css.
TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_header": {
        "backgroundColor": "#12304f",
        "color": "#e6f0ff",
        "fontWeight": 600,
        "border": "1px solid #1f4b7a",
    },
    "style_cell": {
        "backgroundColor": "transparent",
        "color": "#e6f0ff",
        "fontFamily": "inherit",
        "fontSize": "14px",
        "textAlign": "left",
        "padding": "4px 8px",
        "border": "1px solid rgba(143, 176, 214, .18)",
        "overflow": "hidden",
        "textOverflow": "ellipsis",
        "maxWidth": 0,
        "whiteSpace": "nowrap",
    },
    "css": [
        {"selector": ".dash-spreadsheet tr:hover td", "rule": "background: #16375c;"},
        {"selector": ".cell-markdown p", "rule": "margin: 0;"},
    ],
}


def data_table(  # noqa: ANN201
    table_id: str,
    columns: list[tuple[str, str]],
    page_size: int = 9,
    calls: str | None = None,
    **kwargs,  # noqa: ANN003
):
    """A sortable, paged, dark DataTable; `columns` are (id, Chinese header). The column
    named by `calls` holds call links (`layouts.call.markdown` of each number)."""
    style = {**TABLE_STYLE, **kwargs.pop("style", {})}
    return dash_table.DataTable(
        id=table_id,
        columns=[
            {"id": c, "name": name, **({"presentation": "markdown"} if c == calls else {})}
            for c, name in columns
        ],
        markdown_options=call.MARKDOWN_OPTIONS,
        data=[],
        sort_action="native",
        page_action="native",
        page_size=page_size,
        cell_selectable=True,
        tooltip_delay=300,
        tooltip_duration=None,
        **style,
        **kwargs,
    )


NONE = "none"  # `?kind=none`: no team kind ticked
MAX_QUERY = 100


def view_from_query(query: dict) -> dict:
    """The filters a URL query asks for (`?district=<adcode>&kind=fire&kind=water&q=...`);
    what does not fit is left at its default."""
    district = first(query.get("district"))
    asked = values(query.get("kind"), split=True)
    kinds = [k for k in TEAM_KINDS if k in asked]
    return {
        "district": district if district and re.fullmatch(r"\d{6}", district) else ALL,
        "kinds": [] if asked == [NONE] else kinds or list(TEAM_KINDS),
        "q": text(query.get("q"), MAX_QUERY),
    }


def view_query(district: str | None, kinds: list[str] | None, q: str | None) -> dict:
    """The URL parameters of the filters (the defaults are left out)."""
    kinds = [k for k in TEAM_KINDS if k in (kinds or [])]
    return {
        "district": district if district and district != ALL else None,
        "kind": None if kinds == list(TEAM_KINDS) else kinds or NONE,
        "q": (q or "").strip()[:MAX_QUERY] or None,
    }


def _filters(view: dict) -> html.Div:
    kinds = [{"label": name, "value": kind} for kind, name in TEAM_KINDS.items()]
    return html.Div(
        [
            html.Label(
                [
                    "区县",
                    dcc.Dropdown(
                        id=Ids.DISTRICT,
                        options=[{"label": "全市", "value": ALL}],
                        value=view["district"],
                        clearable=False,
                    ),
                ]
            ),
            html.Div(
                [
                    html.Span("队伍类型", className="filter-label"),
                    dcc.Checklist(
                        id=Ids.KINDS,
                        options=kinds,
                        value=view["kinds"],
                        inline=True,
                        className="kind-chips",
                    ),
                ],
                className="filter-kinds",
            ),
            html.Label(
                [
                    "搜索",
                    dcc.Input(
                        id=Ids.SEARCH,
                        type="search",
                        debounce=True,
                        placeholder="名称、装备、物资、专业…",
                        value=view["q"],
                        maxLength=MAX_QUERY,
                    ),
                ]
            ),
        ],
        className="res-filters",
    )


LEGEND = (
    ("lg-team", "救援队伍 在岗"),
    ("lg-busy", "出动/返回/休整"),
    ("lg-depot", "物资储备库"),
    ("lg-short", "储备不足"),
    ("lg-shelter", "避难场所"),
)


def _map() -> html.Section:
    layers = [districts_layer(MAP), registry_points(MAP_POINTS), dl.LayerGroup(id=MAP_SHORT)]
    body = [city_map(MAP, layers, css="res-map"), legend(list(LEGEND))]
    return map_panel(MAP, body, source="redis", title="资源分布")


COLUMNS = {
    Ids.TEAMS: [
        ("name", "队伍", "16%"),
        ("kind_label", "类型", "8%"),
        ("district_name", "区县", "8%"),
        ("personnel", "人员", "6%"),
        ("vehicles", "车辆", "6%"),
        ("equipment", "主要装备", "26%"),
        ("status_label", "状态", "8%"),
        ("leader", "队长", "8%"),
        ("phone", "电话", "14%"),
    ],
    Ids.STOCK: [
        ("depot", "储备库", "27%"),
        ("item_name", "物资", "19%"),
        ("quantity_text", "库存", "20%"),
        ("min_text", "下限", "20%"),
        ("fill", "达标", "14%"),
    ],
    Ids.SHELTERS: [
        ("name", "避难场所", "35%"),
        ("kind_label", "类型", "11%"),
        ("capacity", "容量", "15%"),
        ("open_label", "状态", "11%"),
        ("occupancy", "安置", "15%"),
        ("use", "占用", "13%"),
    ],
    Ids.EXPERTS: [
        ("name", "姓名", "17%"),
        ("specialty", "专业", "13%"),
        ("organisation", "单位", "42%"),
        ("phone", "电话", "28%"),
    ],
}

# What must stand out: stock below its minimum, teams not ready, shelters open.
HIGHLIGHTS = {
    Ids.TEAMS: [
        {
            "if": {"filter_query": '{status} != "ready"', "column_id": "status_label"},
            "color": "#ff9500",
            "fontWeight": 700,
        }
    ],
    Ids.STOCK: [
        {
            "if": {"filter_query": "{short} = 1"},
            "color": "#ff8a80",
            "fontWeight": 700,
            "backgroundColor": "rgba(255, 59, 48, .14)",
        }
    ],
    Ids.SHELTERS: [
        {
            "if": {"filter_query": "{is_open} = 1", "column_id": "open_label"},
            "color": "#30d158",
            "fontWeight": 700,
        }
    ],
    Ids.EXPERTS: [],
}


def _table(table_id: str) -> dash_table.DataTable:
    columns = COLUMNS[table_id]
    widths = [{"if": {"column_id": c}, "width": w} for c, _, w in columns]
    return data_table(
        table_id,
        [(c, name) for c, name, _ in columns],
        calls="phone" if any(c == "phone" for c, _, _ in columns) else None,
        style_cell_conditional=widths,
        style_data_conditional=HIGHLIGHTS[table_id],
    )


def layout(refresh_ms: int = 1000, stale_after_s: float = 15.0, **query: str) -> html.Div:
    def table_panel(title: str, panel_id: str, as_of_id: str, table_id: str) -> html.Section:
        return panel(
            title, _table(table_id), panel_id=panel_id, as_of_id=as_of_id, source="warehouse"
        )

    children = [
        pulse.layout("resources", refresh_ms, stale_after_s),
        dcc.Location(id=Ids.URL, refresh=False),
        _filters(view_from_query(query)),
        html.Div(id=Ids.TOTALS, className="res-totals"),
        html.Div(
            [
                html.Div(
                    [_map(), html.Table(id=Ids.SUMMARY, className="forces-teams res-summary")],
                    className="res-left",
                ),
                html.Div(
                    [
                        table_panel("救援队伍", Ids.TEAMS_PANEL, Ids.TEAMS_AS_OF, Ids.TEAMS),
                        table_panel(
                            "物资储备 · 低于下限者在前", Ids.STOCK_PANEL, Ids.STOCK_AS_OF, Ids.STOCK
                        ),
                        table_panel(
                            "避难场所", Ids.SHELTERS_PANEL, Ids.SHELTERS_AS_OF, Ids.SHELTERS
                        ),
                        table_panel("专家", Ids.EXPERTS_PANEL, Ids.EXPERTS_AS_OF, Ids.EXPERTS),
                    ],
                    className="res-tables",
                ),
            ],
            className="res-grid",
        ),
    ]
    return frame("应急资源", children, "resources", active="/resources")


def totals_block(totals: dict[str, tuple[str, str, bool]]) -> list:
    """KPI tiles: key → (big number, caption, warn)."""
    return [
        html.Div(
            [html.Span(big, className="big" + (" warn" if warn else "")), html.Span(caption)],
            className="kpi",
            **{"data-kpi": key},
        )
        for key, (big, caption, warn) in totals.items()
    ]
