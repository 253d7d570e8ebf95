"""The live alarm feed (`#alarm-feed`) and the active-alarm counts by level."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd
from dash import html

from data_sources.live import LEVELS
from layouts import demo
from layouts.common import LEVEL_NAMES, STATUS_NAMES, local_time, panel
from thresholds.escalation import escalation_text


class Ids(StrEnum):
    PANEL = "alarm-panel"
    FEED = "alarm-feed"
    AS_OF = "alarm-as-of"
    COUNTS = "alarm-counts"
    COUNTS_PANEL = "alarm-counts-panel"
    COUNTS_AS_OF = "alarm-counts-as-of"


def layout() -> html.Section:
    return panel(
        "实时警情",
        html.Ol(id=Ids.FEED, className="alarm-feed"),
        panel_id=Ids.PANEL,
        as_of_id=Ids.AS_OF,
        source="redis",
    )


def counts_layout() -> html.Section:
    return panel(
        "在办警情",
        html.Div(counts_items(dict.fromkeys(LEVELS, 0)), id=Ids.COUNTS, className="level-counts"),
        panel_id=Ids.COUNTS_PANEL,
        as_of_id=Ids.COUNTS_AS_OF,
        source="redis",
    )


def counts_items(counts: dict[str, int]) -> list[html.Div]:
    return [
        html.Div(
            [html.Span(str(counts.get(level, 0)), className="n"), html.Span(LEVEL_NAMES[level])],
            className=f"level-count level-{level}",
            **{"data-level": level},
        )
        for level in LEVELS
    ]


def feed_items(
    alarms: pd.DataFrame,
    district_names: dict[str, str],
    source_names: dict[str, str],
    limit: int = 60,
) -> list[html.Li]:
    """Rows of the feed, newest first: level, time, title, place, source system, state, count,
    and, for an unacknowledged alarm past its escalation time, what has been escalated."""
    if alarms.empty:
        return [html.Li("当前无警情", className="alarm-empty")]
    ordered = alarms.sort_values("occurred_at", ascending=False).head(limit)
    items = []
    for row in ordered.itertuples(index=False):
        count = [html.Span(f"×{row.count}", className="alarm-count")] if row.count > 1 else []
        stage = int(row.escalation or 0) if row.status == "new" else 0
        escalated = (
            [html.Span(escalation_text(stage), className="alarm-escalation")] if stage else []
        )
        items.append(
            html.Li(
                [
                    html.Span(LEVEL_NAMES[row.level], className="alarm-level"),
                    html.Span(local_time(row.occurred_at), className="alarm-time"),
                    html.Span(row.title, className="alarm-title"),
                    *demo.tag(row.detail),
                    *count,
                    html.Span(district_names.get(row.district or "", "—"), className="alarm-place"),
                    html.Span(source_names.get(row.source, row.source), className="alarm-source"),
                    html.Span(
                        STATUS_NAMES[row.status], className=f"alarm-status status-{row.status}"
                    ),
                    *escalated,
                ],
                className=f"alarm level-{row.level} status-{row.status}"
                + (f" escalated stage-{stage}" if stage else ""),
                **{
                    "data-alarm-id": row.id,
                    "data-level": row.level,
                    "data-status": row.status,
                    "data-escalation": str(stage),
                },
                **({"data-demo": "1"} if demo.is_demo(row.detail) else {}),
            )
        )
    return items
