"""The escalation mark every screen puts on an alarm: its stage and the minutes it has waited.

The minutes are a `.waiting-min` span with `data-since` (epoch s) that assets/escalation.js
keeps current between server updates, so a quiet hour does not freeze them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from dash import html

from thresholds.escalation import escalation_badge, waiting_minutes

_SPLIT = {"zh": "未确认", "en": " min unacknowledged"}


def minutes_span(occurred_at: datetime | pd.Timestamp, now: datetime | None = None) -> html.Span:
    now = now or datetime.now(UTC)
    return html.Span(
        str(waiting_minutes(occurred_at, now)),
        className="waiting-min",
        **{"data-since": f"{pd.Timestamp(occurred_at).timestamp():.0f}"},
    )


def badge(
    stage: int,
    occurred_at: datetime | pd.Timestamp,
    lang: str = "zh",
    now: datetime | None = None,
    class_name: str = "alarm-escalation",
) -> list[html.Span]:
    """[the mark] for an escalated alarm, [] at stage 0; its text is `escalation_badge`'s."""
    if stage <= 0:
        return []
    now = now or datetime.now(UTC)
    minutes = waiting_minutes(occurred_at, now)
    text = escalation_badge(stage, minutes, "en" if lang == "en" else "zh")
    # Split the text around the minutes so that the number can be kept current in the browser.
    head, _, tail = text.partition(f"{_SPLIT['zh']}{minutes}" if lang != "en" else f" {minutes}")
    middle = _SPLIT["zh"] if lang != "en" else " "
    return [
        html.Span(
            [head + middle, minutes_span(occurred_at, now), tail],
            className=f"{class_name} stage-{stage}",
            **{"data-stage": str(stage)},
        )
    ]


def badge_html(
    stage: int, occurred_at: datetime | pd.Timestamp, lang: str = "zh", now: datetime | None = None
) -> str:
    """The mark as one escaped HTML span, for tables rendered as one HTML string (/consult).

    Plain text, no nested element: dcc.Markdown renders nothing at all for the whole table
    when a cell nests spans with attributes (seen in Chromium); the minutes are those of the
    last server update."""
    from html import escape

    if stage <= 0:
        return ""
    now = now or datetime.now(UTC)
    text = escalation_badge(
        stage, waiting_minutes(occurred_at, now), "en" if lang == "en" else "zh"
    )
    return f'<span class="alarm-escalation stage-{stage}">{escape(text)}</span>'
