"""The consultation room's panels: the charts (PNG export from plotly's modebar), the map of
the filtered view, the key figures, the alarm list and the enterprises with most alarms.
Their contents are built by callbacks/consult_panels.py and callbacks/consult_map.py."""

from __future__ import annotations

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html

from layouts import escalation
from layouts.common import local_time, panel
from layouts.consult_detail import DAY_TIME, drill_href
from layouts.consult_ids import MAP, MAP_SELECTED
from layouts.i18n import level_name, status_name, t
from maps.layout import city_map, districts_layer, risk_points
from maps.layout import map_panel as map_panel_of
from security.text import html_text
from thresholds.escalation import recorded_stage


def graph_config(filename: str) -> dict:
    """dcc.Graph config: always-visible modebar with just the client-side PNG export."""
    return {
        "displaylogo": False,
        "displayModeBar": True,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "responsive": True,
    }


def chart(title: str, graph_id: str, as_of_id: str, filename: str, lang: str) -> html.Section:
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
    layers = [
        districts_layer(MAP, interactive=True),  # a click on a district filters to it
        dl.GeoJSON(
            id=MAP_SELECTED,
            style={"color": "#ffffff", "weight": 4, "fillOpacity": 0, "dashArray": "6 4"},
            interactive=False,
        ),
        dl.LayerGroup(id=MAP.incidents),
        # One GeoJSON layer, not hundreds of marker components (see alarm_table).
        risk_points(MAP.alarms),
    ]
    body = city_map(MAP, layers, css="offline")
    return map_panel_of(MAP, body, source="redis", title=t("panel.map", lang))


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
        stage = recorded_stage(r)
        cells = (
            f'<td class="num">{local_time(r.occurred_at, DAY_TIME)}</td>'
            f'<td><span class="lvl">{html_text(level_name(r.level, lang))}</span></td>'
            f'<td><a class="drill-link" href="{html_text(drill_href("alarm", r.id))}">'
            f"{html_text(r.title)}</a>{escalation.badge_html(stage, r.occurred_at, lang)}</td>"
            f"<td>{html_text(names.get(r.district or '', '—'))}</td>"
            f"<td>{html_text(systems.get(r.source, r.source))}</td>"
            f'<td class="status-{html_text(r.status)}">{html_text(status_name(r.status, lang))}</td>'
        )
        rows.append(
            f'<tr class="level-{html_text(r.level)} status-{html_text(r.status)}'
            f'{" escalated" if stage else ""}" '
            f'data-alarm-id="{html_text(r.id)}" data-level="{html_text(r.level)}" '
            f'data-escalation="{stage}" '
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
