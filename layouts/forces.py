"""Forces panel: teams, personnel and vehicles ready by kind; depots short of stock; shelters."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd
from dash import html

from layouts.common import panel
from layouts.i18n import t

TEAM_KINDS = {
    "fire": "消防救援",
    "hazchem": "危化救援",
    "water": "水上救援",
    "medical": "医疗救护",
    "engineering": "工程抢险",
    "volunteer": "社会力量",
}


class Ids(StrEnum):
    PANEL = "forces-panel"
    AS_OF = "forces-as-of"
    TEAMS = "forces-teams"
    DEPOTS = "forces-depots"
    SHELTERS = "forces-shelters"


def layout(lang: str = "zh") -> html.Section:
    body = [
        html.Table(id=Ids.TEAMS, className="forces-teams"),
        html.Div(
            [
                html.Div(id=Ids.DEPOTS, className="forces-depots"),
                html.Div(id=Ids.SHELTERS, className="forces-shelters"),
            ],
            className="forces-row",
        ),
    ]
    return panel(
        t("wall.forces", lang), body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="redis"
    )


def teams_table(summary: pd.DataFrame, lang: str = "zh") -> list:
    """Rows: kind, teams ready / all, personnel ready, vehicles ready."""
    columns = ("kind", "ready", "personnel", "vehicles")
    head = html.Thead(html.Tr([html.Th(t(f"res.summary.{c}", lang)) for c in columns]))
    rows = [
        html.Tr(
            [
                html.Td(t(f"team.{kind}", lang) if kind in TEAM_KINDS else kind),
                html.Td(f"{row.ready}/{row.teams}", className="num"),
                html.Td(f"{row.personnel:,}", className="num"),
                html.Td(f"{row.vehicles:,}", className="num"),
            ],
            **{"data-kind": kind, "data-ready": str(row.ready)},
        )
        for kind, row in summary.iterrows()
    ]
    return [head, html.Tbody(rows)]


def depots_block(short: pd.DataFrame, total_depots: int, lang: str = "zh") -> list:
    items = [
        html.Li(f"{r.depot} · {r.item_name} {r.quantity}/{r.min_quantity}{r.unit}")
        for r in short.head(4).itertuples(index=False)
    ]
    return [
        html.Div(
            [
                html.Span(str(len(short)), className="big warn" if len(short) else "big"),
                html.Span(t("wall.forces.short", lang, n=total_depots)),
            ]
        ),
        html.Ul(items, className="short-list"),
    ]


def shelters_block(
    total: int, open_count: int, capacity: int, occupancy: int, lang: str = "zh"
) -> list:
    free = capacity - occupancy
    return [
        html.Div(
            [
                html.Span(f"{capacity / 10000:.1f}", className="big"),
                html.Span(t("wall.forces.shelters", lang, n=total)),
            ]
        ),
        html.Div(
            t(
                "wall.forces.open",
                lang,
                open=open_count,
                occupancy=f"{occupancy:,}",
                free=f"{free:,}",
            ),
            className="sub-line",
        ),
    ]
