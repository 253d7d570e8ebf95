"""The duty room's strip of alarms waiting for someone (`#duty-alerts`): red and orange alarms
nobody has acknowledged yet, most overdue first, with their escalation stage. Its rows carry
the feed's DOM hooks (data-alarm-id, data-level, data-status, data-escalation), so the alert
tone (assets/alert.js) sounds on /duty as it does on the wall; each row can be acknowledged
or closed there (layouts/alarm_actions.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import pandas as pd
from dash import html

from layouts import alarm_actions, escalation
from layouts.common import local_time
from layouts.i18n import level_name, t

SHOWN = 3


class Ids(StrEnum):
    STRIP = "duty-alerts-strip"
    LIST = "duty-alerts"
    AS_OF = "duty-alerts-as-of"


def layout(lang: str = "zh") -> html.Section:
    return html.Section(
        [
            html.H2(t("strip.title", lang), className="alerts-title"),
            html.Ol(id=Ids.LIST, className="duty-alerts"),
            html.Span(
                "…", id=Ids.AS_OF, className="as-of", **{"data-as-of": "", "data-source": "redis"}
            ),
            alarm_actions.layout(lang),
        ],
        id=Ids.STRIP,
        className="duty-alerts-strip",
        **{"data-source": "redis"},
    )


def waiting(alarms: pd.DataFrame) -> pd.DataFrame:
    """Red and orange alarms not yet acknowledged: the highest stage, then the oldest, first."""
    if alarms.empty:
        return alarms
    picked = alarms[alarms["level"].isin(["red", "orange"]) & (alarms["status"] == "new")]
    stage = picked.get("escalation", 0)
    return picked.assign(_stage=stage, _red=picked["level"] == "red").sort_values(
        ["_stage", "_red", "occurred_at"], ascending=[False, False, True], kind="stable"
    )


def items(
    alarms: pd.DataFrame,
    district_names: dict[str, str],
    allowed: frozenset[str] = frozenset(),
    now: datetime | None = None,
    lang: str = "zh",
) -> list[html.Li]:
    """The strip's rows (`alarms` as `waiting` orders them), each with the actions
    (`allowed`: "ack", "close") the account may take."""
    if alarms.empty:
        return [html.Li(t("strip.none", lang), className="empty")]
    rows = []
    for row in alarms.head(SHOWN).itertuples(index=False):
        stage = int(getattr(row, "escalation", 0) or 0)
        rows.append(
            html.Li(
                [
                    html.Span(level_name(row.level, lang), className="alarm-level"),
                    html.Span(local_time(row.occurred_at, "%H:%M"), className="alarm-time"),
                    html.Span(row.title, className="alarm-title"),
                    html.Span(district_names.get(row.district or "", "—"), className="alarm-place"),
                    *escalation.badge(stage, row.occurred_at, lang=lang, now=now),
                    html.Div(
                        alarm_actions.buttons(row.id, "new", allowed, lang, touch=False),
                        className="actions",
                    ),
                ],
                className=f"alarm level-{row.level} status-new"
                + (f" escalated stage-{stage}" if stage else ""),
                **{
                    "data-alarm-id": row.id,
                    "data-level": row.level,
                    "data-status": "new",
                    "data-escalation": str(stage),
                },
            )
        )
    if len(alarms) > SHOWN:
        rows.append(html.Li(t("strip.more", lang, n=len(alarms) - SHOWN), className="more"))
    return rows
