"""The pulse every live page carries: one cheap server look per refresh, and the offline banner.

Panels follow `Ids.VERSION` (alarms, incidents, teams, duty) or `Ids.READINGS` (sensor values):
their callbacks run only when the version they follow moves. assets/wall.js keeps the age of
every `.as-of` stamp and the banner current between server answers.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html


class Ids(StrEnum):
    ROOT = "pulse"
    TICK = "pulse-tick"
    DATA = "pulse-data"
    VERSION = "pulse-version"
    READINGS = "pulse-readings"
    BANNER = "conn-banner"


def layout(refresh_ms: int = 1000, stale_after_s: float = 15.0) -> html.Div:
    return html.Div(
        [
            dcc.Interval(id=Ids.TICK, interval=refresh_ms),
            dcc.Store(id=Ids.DATA),
            dcc.Store(id=Ids.VERSION),
            dcc.Store(id=Ids.READINGS),
            html.Div(id=Ids.BANNER, className="conn-banner", hidden=True, role="alert"),
        ],
        id=Ids.ROOT,
        **{"data-refresh-ms": str(refresh_ms), "data-stale-ms": str(int(stale_after_s * 1000))},
    )
