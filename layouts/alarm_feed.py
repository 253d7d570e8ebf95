"""The live alarm feed (`#alarm-feed`) and the active-alarm counts by level."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts import demo, escalation
from layouts.common import STATUS_NAMES, local_time, panel
from thresholds.escalation import pinned_first, recorded_stage
from vocabulary import LEVEL_NAMES, LEVELS


class Ids(StrEnum):
    PANEL = "alarm-panel"
    FEED = "alarm-feed"
    AS_OF = "alarm-as-of"
    COUNTS = "alarm-counts"
    COUNTS_PANEL = "alarm-counts-panel"
    COUNTS_AS_OF = "alarm-counts-as-of"
    ROWS = "alarm-rows"  # Store: a full read of the feed {v, rows, counts, as_of}
    DELTA = "alarm-delta"  # Store: the latest pushed change (assets/push.js)


def layout() -> html.Section:
    return panel(
        "实时警情",
        [
            # Drawn by assets/push.js as plain DOM (the rows are no Dash components).
            html.Ol(id=Ids.FEED, className="alarm-feed"),
            dcc.Store(id=Ids.ROWS),
            dcc.Store(id=Ids.DELTA),
        ],
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
    now: datetime | None = None,
) -> list[html.Li]:
    """Rows of the feed: escalated alarms pinned at the top (highest stage, longest waiting
    first) with their stage and minutes unacknowledged, then the rest newest first. Each row:
    level, time, title, place, source system, state, count."""
    if alarms.empty:
        return [html.Li("当前无警情", className="alarm-empty")]
    now = now or datetime.now(UTC)
    ordered = pinned_first(alarms).head(limit)
    return [
        feed_item(row, district_names, source_names, now) for row in ordered.itertuples(index=False)
    ]


def feed_item(
    row: Any, district_names: dict[str, str], source_names: dict[str, str], now: datetime
) -> html.Li:
    """One row of the feed, from an alarm with the frame's columns as attributes (a frame's
    row, or a namespace of a plain change record)."""
    count = [html.Span(f"×{row.count}", className="alarm-count")] if row.count > 1 else []
    stage = recorded_stage(row)
    escalated = escalation.badge(stage, row.occurred_at, now=now)
    return html.Li(
        [
            html.Span(LEVEL_NAMES[row.level], className="alarm-level"),
            html.Span(local_time(row.occurred_at), className="alarm-time"),
            html.Span(row.title, className="alarm-title"),
            *demo.tag(row.detail),
            *count,
            html.Span(district_names.get(row.district or "", "—"), className="alarm-place"),
            html.Span(source_names.get(row.source, row.source), className="alarm-source"),
            html.Span(STATUS_NAMES[row.status], className=f"alarm-status status-{row.status}"),
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
