"""`/resources`: rescue teams, supply depots and their stock, shelters and experts — on the map
(`#main-map`) and in sortable tables, filtered by district, team kind and a search word, with
the totals the wall's forces panel shows."""

from __future__ import annotations

import re
from enum import StrEnum

import dash_leaflet as dl
from dash import dash_table, dcc, html

from layouts import call, i18n, pulse
from layouts.common import panel
from layouts.forces import TEAM_KINDS
from layouts.frame import frame
from layouts.i18n import t
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
    """A sortable, paged, dark DataTable; `columns` are (id, header). The column
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


def _filters(view: dict, lang: str) -> html.Div:
    kinds = [{"label": t(f"team.{kind}", lang), "value": kind} for kind in TEAM_KINDS]
    return html.Div(
        [
            html.Label(
                [
                    t("res.district", lang),
                    dcc.Dropdown(
                        id=Ids.DISTRICT,
                        options=[{"label": t("res.city", lang), "value": ALL}],
                        value=view["district"],
                        clearable=False,
                    ),
                ]
            ),
            html.Div(
                [
                    html.Span(t("res.kinds", lang), className="filter-label"),
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
                    t("res.search", lang),
                    dcc.Input(
                        id=Ids.SEARCH,
                        type="search",
                        debounce=True,
                        placeholder=t("res.search_hint", lang),
                        value=view["q"],
                        maxLength=MAX_QUERY,
                    ),
                ]
            ),
        ],
        className="res-filters",
    )


LEGEND = ("team", "busy", "depot", "short", "shelter")  # swatch `lg-<key>`, label `res.lg.<key>`


def _map(lang: str) -> html.Section:
    layers = [districts_layer(MAP), registry_points(MAP_POINTS), dl.LayerGroup(id=MAP_SHORT)]
    items = [(f"lg-{key}", t(f"res.lg.{key}", lang)) for key in LEGEND]
    body = [city_map(MAP, layers, css="res-map"), legend(items)]
    return map_panel(MAP, body, source="redis", title=t("res.map", lang))


# (column, header: the catalogue's `res.col.<key>`, width)
COLUMNS = {
    Ids.TEAMS: [
        ("name", "team", "16%"),
        ("kind_label", "kind", "8%"),
        ("district_name", "district", "8%"),
        ("personnel", "personnel", "6%"),
        ("vehicles", "vehicles", "6%"),
        ("equipment", "equipment", "26%"),
        ("status_label", "status", "8%"),
        ("leader", "leader", "8%"),
        ("phone", "phone", "14%"),
    ],
    Ids.STOCK: [
        ("depot", "depot", "27%"),
        ("item_name", "item", "19%"),
        ("quantity_text", "quantity", "20%"),
        ("min_text", "min", "20%"),
        ("fill", "fill", "14%"),
    ],
    Ids.SHELTERS: [
        ("name", "shelter", "35%"),
        ("kind_label", "kind", "11%"),
        ("capacity", "capacity", "15%"),
        ("open_label", "status", "11%"),
        ("occupancy", "occupancy", "15%"),
        ("use", "use", "13%"),
    ],
    Ids.EXPERTS: [
        ("name", "name", "17%"),
        ("specialty", "specialty", "13%"),
        ("organisation", "organisation", "42%"),
        ("phone", "phone", "28%"),
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


def _table(table_id: str, lang: str) -> dash_table.DataTable:
    columns = COLUMNS[table_id]
    widths = [{"if": {"column_id": c}, "width": w} for c, _, w in columns]
    return data_table(
        table_id,
        [(c, t(f"res.col.{key}", lang)) for c, key, _ in columns],
        calls="phone" if any(c == "phone" for c, _, _ in columns) else None,
        style_cell_conditional=widths,
        style_data_conditional=HIGHLIGHTS[table_id],
    )


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)

    def table_panel(title: str, panel_id: str, as_of_id: str, table_id: str) -> html.Section:
        return panel(
            t(title, lang),
            _table(table_id, lang),
            panel_id=panel_id,
            as_of_id=as_of_id,
            source="warehouse",
        )

    children = [
        pulse.layout("resources", refresh_ms, stale_after_s),
        dcc.Location(id=Ids.URL, refresh=False),
        _filters(view_from_query(query), lang),
        html.Div(id=Ids.TOTALS, className="res-totals"),
        html.Div(
            [
                html.Div(
                    [_map(lang), html.Table(id=Ids.SUMMARY, className="forces-teams res-summary")],
                    className="res-left",
                ),
                html.Div(
                    [
                        table_panel("res.teams", Ids.TEAMS_PANEL, Ids.TEAMS_AS_OF, Ids.TEAMS),
                        table_panel("res.stock", Ids.STOCK_PANEL, Ids.STOCK_AS_OF, Ids.STOCK),
                        table_panel(
                            "res.shelters", Ids.SHELTERS_PANEL, Ids.SHELTERS_AS_OF, Ids.SHELTERS
                        ),
                        table_panel(
                            "res.experts", Ids.EXPERTS_PANEL, Ids.EXPERTS_AS_OF, Ids.EXPERTS
                        ),
                    ],
                    className="res-tables",
                ),
            ],
            className="res-grid",
        ),
    ]
    page = frame(t("res.title", lang), children, "resources", active="/resources", lang=lang)
    i18n.with_switch(page, lang, explicit)
    return html.Div(page, lang="en" if lang == "en" else "zh-CN")


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
