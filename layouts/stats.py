"""Statistics panel: today's alarms by level and district, the 24-hour trend, top sources."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import panel
from layouts.i18n import t


class Ids(StrEnum):
    PANEL = "stats-panel"
    AS_OF = "stats-as-of"
    TODAY = "stats-today"
    DISTRICTS = "stats-districts"
    TREND = "stats-trend"
    SOURCES = "stats-sources"
    DIGEST = "stats-digest"  # Store: a digest of what is drawn (callbacks/stats.py)


def layout(lang: str = "zh") -> html.Section:
    body = [
        html.Div(id=Ids.TODAY, className="stats-today"),
        html.H3(t("wall.stats.districts", lang), className="sub"),
        html.Div(id=Ids.DISTRICTS, className="bars"),
        html.H3(t("wall.stats.trend", lang), className="sub"),
        dcc.Graph(
            id=Ids.TREND,
            className="trend",
            config={"displayModeBar": False, "staticPlot": True},
            style={"height": "calc(220 * var(--u))"},
        ),
        html.H3(t("wall.stats.sources", lang), className="sub"),
        html.Div(id=Ids.SOURCES, className="bars"),
        dcc.Store(id=Ids.DIGEST),
    ]
    return panel(
        t("wall.stats", lang), body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="warehouse"
    )


def bars(rows: list[tuple[str, int]], total: int | None = None, key: str = "bar") -> list[html.Div]:
    """Horizontal bars as plain HTML (crisp at any scale): (label, value) pairs."""
    top = max([v for _, v in rows] + [1]) if total is None else max(total, 1)
    return [
        html.Div(
            [
                html.Span(label, className="bar-label"),
                html.Span(
                    html.Span(style={"width": f"{100 * value / top:.1f}%"}), className="bar-track"
                ),
                html.Span(str(value), className="bar-value"),
            ],
            className="bar",
            **{f"data-{key}": label},
        )
        for label, value in rows
    ]
