"""The pulse every live page carries: one cheap server look per refresh, and the offline banner.

Ids are per page (`ids("wall")`, `ids("hazchem")`, …): a callback that follows the pulse of
one page must never be triggered on another page, where its outputs do not exist. Panels
follow `ids(page).version` (alarms, incidents, teams, duty changed) or `ids(page).readings`
(sensor values changed); they run once when the page loads, then only when it moves.
assets/wall.js keeps every `.as-of` stamp's age and the banner current between answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html


@dataclass(frozen=True)
class PulseIds:
    tick: dict
    data: dict
    version: dict
    readings: dict
    banner: dict


def ids(page: str) -> PulseIds:
    """The pulse component ids of `page` (pattern-matching ids keyed by page)."""
    return PulseIds(
        tick={"type": "pulse-tick", "page": page},
        data={"type": "pulse-data", "page": page},
        version={"type": "pulse-version", "page": page},
        readings={"type": "pulse-readings", "page": page},
        banner={"type": "pulse-banner", "page": page},
    )


def layout(page: str, refresh_ms: int = 1000, stale_after_s: float = 15.0) -> html.Div:
    own = ids(page)
    return html.Div(
        [
            dcc.Interval(id=own.tick, interval=refresh_ms),
            dcc.Store(id=own.data),
            dcc.Store(id=own.version),
            dcc.Store(id=own.readings),
            html.Div(id=own.banner, className="conn-banner", hidden=True, role="alert"),
        ],
        id="pulse",
        **{
            "data-page": page,
            "data-refresh-ms": str(refresh_ms),
            "data-stale-ms": str(int(stale_after_s * 1000)),
        },
    )
