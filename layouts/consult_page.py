"""`/consult`: the consultation room. The wall's data made interactive: a time window, district,
source, category and level filters; a click on a district or on a chart bar filters every panel
(one `Ids.FILTER` store is the current filter); drill-down to an alarm, an enterprise or an
incident; CSV export of the filtered alarms and PNG export of each chart (plotly's modebar)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote, unquote

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html

from auth import can
from layouts import i18n, presenter, pulse
from layouts.city_map import BOUNDS
from layouts.common import SHANGHAI, local_time, panel
from layouts.frame import frame
from layouts.i18n import level_name, status_name, t
from security.text import html_text

DAY_TIME = "%m-%d %H:%M"

WINDOWS = ("1h", "6h", "24h", "7d", "custom")
DEFAULT_FILTER = {
    "window": "24h",
    "start": None,  # custom window: Asia/Shanghai calendar days, inclusive
    "end": None,
    "districts": [],
    "sources": [],
    "categories": [],
    "levels": [],
    "focus_at": None,  # the presenter focus this filter last followed
    "focus_districts": [],
}


class Ids(StrEnum):
    ROOT = "consult"
    FILTER = "consult-filter"
    URL = "consult-url"  # its hash names what the detail panel shows: #alarm=<id>, ...
    WINDOW = "consult-window"
    RANGE = "consult-range"
    RANGE_BOX = "consult-range-box"
    DISTRICT = "consult-district"
    SOURCE = "consult-source"
    CATEGORY = "consult-category"
    LEVEL = "consult-level"
    RESET = "consult-reset"
    EXPORT = "consult-export"
    DOWNLOAD = "consult-download"
    KPI = "consult-kpi"
    KPI_AS_OF = "consult-kpi-as-of"
    MAP_PANEL = "consult-map-panel"
    MAP = "main-map"
    MAP_BASE = "consult-map-base"
    MAP_DISTRICTS = "consult-map-districts"
    MAP_SELECTED = "consult-map-selected"
    MAP_ALARMS = "consult-map-alarms"
    MAP_INCIDENTS = "consult-map-incidents"
    MAP_AS_OF = "consult-map-as-of"
    TREND = "consult-trend"
    TREND_AS_OF = "consult-trend-as-of"
    BY_DISTRICT = "consult-by-district"
    BY_DISTRICT_AS_OF = "consult-by-district-as-of"
    BY_CATEGORY = "consult-by-category"
    BY_CATEGORY_AS_OF = "consult-by-category-as-of"
    BY_SOURCE = "consult-by-source"
    BY_SOURCE_AS_OF = "consult-by-source-as-of"
    ALARMS = "consult-alarms"
    ALARMS_COUNT = "consult-alarms-count"
    ALARMS_AS_OF = "consult-alarms-as-of"
    ENTERPRISES = "consult-enterprises"
    ENTERPRISES_AS_OF = "consult-enterprises-as-of"
    DETAIL = "consult-detail"
    DETAIL_AS_OF = "consult-detail-as-of"


def graph_config(filename: str) -> dict:
    """dcc.Graph config: always-visible modebar with just the client-side PNG export."""
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "responsive": True,
    }


def _dropdown(ident: str, key: str, lang: str) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=ident,
        multi=True,
        value=[],
        placeholder=t(key, lang),
        labels=i18n.dropdown_labels(lang),
        className="consult-dropdown",
    )


def filter_bar(lang: str) -> html.Div:
    windows = [{"label": t(f"window.{w}", lang), "value": w} for w in WINDOWS]
    return html.Div(
        [
            html.Span(t("filter.window", lang), className="filter-label"),
            dcc.RadioItems(windows, value="24h", id=Ids.WINDOW, inline=True, className="segmented"),
            html.Div(
                dcc.DatePickerRange(
                    id=Ids.RANGE,
                    display_format="YYYY-MM-DD",
                    start_date_placeholder_text=t("filter.start", lang),
                    end_date_placeholder_text=t("filter.end", lang),
                    first_day_of_week=1,
                    clearable=True,
                    max_date_allowed=datetime.now(SHANGHAI).date(),
                ),
                id=Ids.RANGE_BOX,
                hidden=True,
                className="range-box",
            ),
            _dropdown(Ids.DISTRICT, "filter.district", lang),
            _dropdown(Ids.SOURCE, "filter.source", lang),
            _dropdown(Ids.CATEGORY, "filter.category", lang),
            _dropdown(Ids.LEVEL, "filter.level", lang),
            html.Button(t("filter.reset", lang), id=Ids.RESET, className="btn"),
            html.Button(t("export.csv", lang), id=Ids.EXPORT, className="btn primary"),
            dcc.Download(id=Ids.DOWNLOAD),
        ],
        className="consult-filters",
    )


def _chart(title: str, graph_id: str, as_of_id: str, filename: str, lang: str) -> html.Section:
    graph = dcc.Graph(
        id=graph_id, config=graph_config(filename), className="consult-graph", responsive=True
    )
    hint = [html.Span(t("chart.hint", lang), className="hint")]
    return panel(
        title,
        graph,
        panel_id=f"{graph_id}-panel",
        as_of_id=as_of_id,
        source="warehouse",
        extra=hint,
    )


def map_panel(lang: str) -> html.Section:
    body = dl.Map(
        [
            dl.LayerGroup(id=Ids.MAP_BASE),
            dl.GeoJSON(
                id=Ids.MAP_DISTRICTS,
                style={"variable": "seMap.districtStyle"},
                hideout={"levels": {}},
            ),
            dl.GeoJSON(
                id=Ids.MAP_SELECTED,
                style={"color": "#ffffff", "weight": 4, "fillOpacity": 0, "dashArray": "6 4"},
                interactive=False,
            ),
            dl.LayerGroup(id=Ids.MAP_INCIDENTS),
            # One GeoJSON layer, not hundreds of marker components (see alarm_table).
            dl.GeoJSON(
                id=Ids.MAP_ALARMS,
                pointToLayer={"variable": "seMap.riskPoint"},
                hideout={"risk": {}},
            ),
        ],
        id=Ids.MAP,
        bounds=BOUNDS,
        trackViewport=False,
        zoomSnap=0.25,
        attributionControl=False,
        className="main-map offline",
    )
    return panel(
        t("panel.map", lang), body, panel_id=Ids.MAP_PANEL, as_of_id=Ids.MAP_AS_OF, source="redis"
    )


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
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
                    _chart(
                        t("panel.districts", lang),
                        Ids.BY_DISTRICT,
                        Ids.BY_DISTRICT_AS_OF,
                        "districts",
                        lang,
                    ),
                    _chart(
                        t("panel.categories", lang),
                        Ids.BY_CATEGORY,
                        Ids.BY_CATEGORY_AS_OF,
                        "categories",
                        lang,
                    ),
                    _chart(
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
                            _chart(
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
                [presenter.layout(lang, can("focus"), refresh_ms), detail, alarms],
                className="consult-col consult-right",
            ),
        ],
        className="consult-grid",
    )
    page = frame(
        t("consult.title", lang), [filter_bar(lang), grid], "consult", active="/consult", lang=lang
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(
        [
            page,
            pulse.layout("consult", refresh_ms, stale_after_s),
            dcc.Store(id=Ids.FILTER, data=dict(DEFAULT_FILTER)),
            # Drill-down links are plain `#kind=id` anchors: hundreds of pattern-matching
            # buttons would cost the browser seconds on every refresh.
            dcc.Location(id=Ids.URL, refresh=False),
        ],
        id=Ids.ROOT,
        lang="en" if lang == "en" else "zh-CN",
    )


# --- panel contents (built by callbacks/consult_page.py) -----------------------------------


def kpi_items(total: int, by_level: dict[str, int], not_closed: int, districts: int, lang: str):
    cells = [
        ("kpi.total", total, ""),
        *[(f"level.{lv}", n, f" level-{lv}") for lv, n in by_level.items()],
    ]
    cells += [("kpi.open", not_closed, ""), ("kpi.districts", districts, "")]
    return [
        html.Div([html.Span(str(n), className="n"), html.Span(t(key, lang))], className="kpi" + css)
        for key, n, css in cells
    ]


def alarm_table(view: pd.DataFrame, names: dict, systems: dict, lang: str, limit: int = 200):
    """The newest `limit` alarms of the view; a click on a title opens its detail.

    One Markdown component holding escaped HTML rather than ~1,400 Dash components: the
    browser re-renders every Dash component on each update, which costs seconds at this size.
    """
    if view.empty:
        return html.P(t("alarms.none", lang), className="empty")
    columns = ("col.time", "col.level", "col.title", "field.district", "field.source", "col.status")
    head = "".join(f"<th>{html_text(t(k, lang))}</th>" for k in columns)
    rows = []
    for r in view.head(limit).itertuples(index=False):
        cells = (
            f'<td class="num">{local_time(r.occurred_at, DAY_TIME)}</td>'
            f'<td><span class="lvl">{html_text(level_name(r.level, lang))}</span></td>'
            f'<td><a class="drill-link" href="{html_text(drill_href("alarm", r.id))}">'
            f"{html_text(r.title)}</a></td>"
            f"<td>{html_text(names.get(r.district or '', '—'))}</td>"
            f"<td>{html_text(systems.get(r.source, r.source))}</td>"
            f'<td class="status-{html_text(r.status)}">{html_text(status_name(r.status, lang))}</td>'
        )
        rows.append(
            f'<tr class="level-{html_text(r.level)} status-{html_text(r.status)}" '
            f'data-alarm-id="{html_text(r.id)}" data-level="{html_text(r.level)}" '
            f'data-district="{html_text(r.district or "")}" '
            f'data-category="{html_text(r.category)}">{cells}</tr>'
        )
    table = (
        f'<table class="consult-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return dcc.Markdown(table, dangerously_allow_html=True, dedent=False)


def enterprise_items(rows: list[tuple[str, str, int]], lang: str) -> list:
    if not rows:
        return [html.Li(t("alarms.none", lang), className="empty")]
    return [
        html.Li(
            html.A(
                [html.Span(name, className="name"), html.Span(str(n), className="n")],
                href=drill_href("enterprise", ent_id),
                className="drill-link row-link",
            ),
            **{"data-enterprise-id": ent_id},
        )
        for ent_id, name, n in rows
    ]


def drill_href(kind: str, ident: str) -> str:
    """The link that opens a record in the detail panel (alarm, enterprise or incident)."""
    return f"#{kind}={quote(str(ident), safe='')}"


def parse_drill(hash_: str | None) -> tuple[str, str] | None:
    """(kind, id) of a `drill_href` hash; None for anything else."""
    kind, _, ident = (hash_ or "").lstrip("#").partition("=")
    if kind in ("alarm", "enterprise", "incident") and ident:
        return kind, unquote(ident)
    return None


def _pairs(rows: list[tuple[str, Any]]) -> html.Dl:
    items = []
    for label, value in rows:
        items += [html.Dt(label), html.Dd(value if value not in (None, "") else "—")]
    return html.Dl(items, className="kv")


def alarm_detail(
    alarm: dict, events: pd.DataFrame, names: dict, systems: dict, enterprise, lang: str
):
    """One alarm: what, where, its lifecycle and every recorded change."""
    steps = [
        ("life.occurred", alarm.get("occurred_at"), ""),
        ("life.received", alarm.get("received_at"), ""),
        ("life.acknowledged", alarm.get("ack_at"), alarm.get("ack_by")),
        (
            "life.closed",
            alarm.get("closed_at"),
            " ".join(filter(None, [alarm.get("closed_by"), alarm.get("close_note")])),
        ),
    ]
    life = [
        html.Li(
            [
                html.Span(t(key, lang), className="step"),
                html.Span(local_time(at, DAY_TIME + ":%S")),
                html.Span(who or ""),
            ],
            className="done" if at is not None and at == at else "pending",
        )
        for key, at, who in steps
    ]
    count = int(alarm.get("count") or 1)
    parts = [
        html.H3(
            [
                html.Span(
                    level_name(alarm["level"], lang), className=f"lvl level-{alarm['level']}"
                ),
                " ",
                alarm["title"],
            ]
        ),
        _pairs(
            [
                ("ID", alarm["id"]),
                (t("field.source", lang), systems.get(alarm["source"], alarm["source"])),
                (t("field.category", lang), alarm["category"]),
                (t("field.district", lang), names.get(alarm.get("district") or "", "—")),
                (t("field.site", lang), alarm.get("site_id")),
                (
                    t("col.status", lang),
                    status_name(alarm["status"], lang)
                    + (" · " + t("life.repeats", lang, n=count) if count > 1 else ""),
                ),
            ]
        ),
        html.H4(t("detail.lifecycle", lang)),
        html.Ol(life, className="lifecycle"),
    ]
    detail = alarm.get("detail") or {}
    if detail:
        parts += [
            html.H4(t("detail.fields", lang)),
            _pairs([(k, str(v)) for k, v in detail.items()]),
        ]
    if len(events):
        parts += [
            html.H4(t("detail.history", lang)),
            html.Ol(
                [
                    html.Li(
                        f"{local_time(e.at, DAY_TIME + ':%S')} {t('op.' + e.op, lang)} {e.actor or ''}"
                    )
                    for e in events.itertuples(index=False)
                ],
                className="events",
            ),
        ]
    if enterprise:
        ent_id, ent_name = enterprise
        parts.append(
            html.A(
                f"{t('detail.enterprise', lang)}：{ent_name}",
                href=drill_href("enterprise", ent_id),
                className="btn",
            )
        )
    return parts


def enterprise_detail(
    ent: dict, hazards: pd.DataFrame, alarms: pd.DataFrame, names: dict, lang: str
):
    """One enterprise: its record, its major hazard sources and its alarms in the view."""
    parts = [
        html.H3(ent["name"]),
        _pairs(
            [
                ("ID", ent["id"]),
                (t("field.district", lang), names.get(ent["district"], "—")),
                (t("field.industry", lang), ent["industry"]),
                (
                    t("field.risk", lang),
                    level_name(ent["risk"], lang)
                    if ent.get("risk") in ("red", "orange", "yellow", "blue")
                    else ent.get("risk"),
                ),
                (t("field.employees", lang), ent["employees"]),
                (t("field.contact", lang), f"{ent['contact']} {ent['phone']}"),
            ]
        ),
    ]
    if len(hazards):
        parts += [
            html.H4(t("detail.hazards", lang)),
            html.Ul(
                [
                    html.Li(f"{h.name} · {t('field.grade', lang).format(h.grade)} · {h.chemicals}")
                    for h in hazards.itertuples(index=False)
                ]
            ),
        ]
    parts += [
        html.H4(f"{t('detail.ent_alarms', lang)} ({len(alarms)})"),
        html.Ul(
            [
                html.Li(
                    html.A(
                        f"{local_time(a.occurred_at, DAY_TIME)} {level_name(a.level, lang)} {a.title}",
                        href=drill_href("alarm", a.id),
                        className="drill-link",
                    )
                )
                for a in alarms.head(12).itertuples(index=False)
            ]
        ),
    ]
    return parts


def incident_detail(inc: dict, timeline: pd.DataFrame, names: dict, lang: str):
    """One incident: its record, the newest timeline entries and the way to its command page."""
    return [
        html.H3(
            [
                html.Span(
                    t("incident.level", lang).format("ⅠⅡⅢⅣ"[int(inc["level"]) - 1]), className="lvl"
                ),
                " ",
                inc["title"],
            ]
        ),
        _pairs(
            [
                ("ID", inc["id"]),
                (t("field.category", lang), inc["category"]),
                (t("field.district", lang), names.get(inc["district"], "—")),
                (t("field.opened", lang), local_time(inc["opened_at"], DAY_TIME)),
                (t("field.casualties", lang), inc["casualties"]),
            ]
        ),
        html.P(inc.get("summary") or ""),
        dcc.Link(
            t("detail.open_incident", lang), href=f"/incident/{inc['id']}", className="btn primary"
        ),
        html.H4(t("detail.timeline", lang)),
        html.Ol(
            [
                html.Li(f"{local_time(e.at, DAY_TIME)} {e.text} ({e.author})")
                for e in timeline.itertuples(index=False)
            ],
            className="events",
        ),
    ]
