"""The live alarm feed (`#alarm-feed`) and the active-alarm counts by level."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from dash import dcc, html

from layouts import demo, escalation
from layouts.common import local_time, panel
from layouts.i18n import level_name, status_name, t
from thresholds.escalation import pinned_first, recorded_stage
from vocabulary import LEVELS


class Ids(StrEnum):
    PANEL = "alarm-panel"
    FEED = "alarm-feed"
    AS_OF = "alarm-as-of"
    COUNTS = "alarm-counts"
    COUNTS_PANEL = "alarm-counts-panel"
    COUNTS_AS_OF = "alarm-counts-as-of"
    ROWS = "alarm-rows"  # Store: a full read of the feed {v, rows, counts, as_of}
    DELTA = "alarm-delta"  # Store: the latest pushed change (assets/push.js)


def layout(lang: str = "zh") -> html.Section:
    return panel(
        t("wall.feed", lang),
        [
            # Drawn by assets/push.js as plain DOM (the rows are no Dash components), in the
            # page's language; `data-empty`: what it says when there is no alarm.
            html.Ol(
                id=Ids.FEED, className="alarm-feed", **{"data-empty": t("wall.feed.empty", lang)}
            ),
            dcc.Store(id=Ids.ROWS),
            dcc.Store(id=Ids.DELTA),
        ],
        panel_id=Ids.PANEL,
        as_of_id=Ids.AS_OF,
        source="redis",
    )


def counts_layout(lang: str = "zh") -> html.Section:
    return panel(
        t("wall.counts", lang),
        html.Div(
            counts_items(dict.fromkeys(LEVELS, 0), lang), id=Ids.COUNTS, className="level-counts"
        ),
        panel_id=Ids.COUNTS_PANEL,
        as_of_id=Ids.COUNTS_AS_OF,
        source="redis",
    )


def counts_items(counts: dict[str, int], lang: str = "zh") -> list[html.Div]:
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


def feed_items(
    alarms: pd.DataFrame,
    district_names: dict[str, str],
    source_names: dict[str, str],
    limit: int = 60,
    now: datetime | None = None,
    lang: str = "zh",
) -> list[html.Li]:
    """Rows of the feed: escalated alarms pinned at the top (highest stage, longest waiting
    first) with their stage and minutes unacknowledged, then the rest newest first. Each row:
    level, time, title, place, source system, state, count."""
    if alarms.empty:
        return [html.Li(t("wall.feed.empty", lang), className="alarm-empty")]
    now = now or datetime.now(UTC)
    ordered = pinned_first(alarms).head(limit)
    return [
        feed_item(row, district_names, source_names, now, lang)
        for row in ordered.itertuples(index=False)
    ]


def feed_item(
    row: Any,
    district_names: dict[str, str],
    source_names: dict[str, str],
    now: datetime,
    lang: str = "zh",
) -> html.Li:
    """One row of the feed, from an alarm with the frame's columns as attributes (a frame's
    row, or a namespace of a plain change record)."""
    count = [html.Span(f"×{row.count}", className="alarm-count")] if row.count > 1 else []
    stage = recorded_stage(row)
    escalated = escalation.badge(stage, row.occurred_at, lang, now=now)
    return html.Li(
        [
            html.Span(level_name(row.level, lang), className="alarm-level"),
            html.Span(local_time(row.occurred_at), className="alarm-time"),
            html.Span(row.title, className="alarm-title"),
            *demo.tag(row.detail, lang),
            *count,
            html.Span(district_names.get(row.district or "", "—"), className="alarm-place"),
            html.Span(source_names.get(row.source, row.source), className="alarm-source"),
            html.Span(status_name(row.status, lang), className=f"alarm-status status-{row.status}"),
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
