"""The pulse every live page carries: what the push channel (assets/push.js) tells the page,
the poll that stands in for it where it cannot be opened, and the offline banner.

Ids are per page (`ids("wall")`, `ids("hazchem")`, …): a callback that follows the pulse of
one page must never be triggered on another page, where its outputs do not exist. Panels
follow `ids(page).version` (alarms, incidents, teams, duty changed) or `ids(page).readings`
(sensor values changed); they run once when the page loads, then only when it moves. On a
page whose alarm panels take the changes themselves (the wall), `ids(page).alarms` moves on
alarm changes and `version` on the rest. The poll (`tick`) is off while the push channel is
up; each tick asks the server only when its last ask has been answered (`ids(page).ask`),
so a server slower than the tick still answers every ask. assets/wall.js keeps every `.as-of` stamp's age and the banner current between answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html


@dataclass(frozen=True)
class PulseIds:
    tick: dict
    ask: dict
    data: dict
    version: dict
    readings: dict
    alarms: dict
    banner: dict


def ids(page: str) -> PulseIds:
    """The pulse component ids of `page` (pattern-matching ids keyed by page)."""
    return PulseIds(
        tick={"type": "pulse-tick", "page": page},
        ask={"type": "pulse-ask", "page": page},
        data={"type": "pulse-data", "page": page},
        version={"type": "pulse-version", "page": page},
        readings={"type": "pulse-readings", "page": page},
        alarms={"type": "pulse-alarms", "page": page},
        banner={"type": "pulse-banner", "page": page},
    )


def layout(
    page: str, refresh_ms: int = 1000, stale_after_s: float = 15.0, alarms: bool = False
) -> html.Div:
    """`alarms`: the page's alarm panels follow `ids(page).alarms` (see above)."""
    own = ids(page)
    return html.Div(
        [
            # Off until assets/push.js finds the push channel closed to it.
            dcc.Interval(id=own.tick, interval=refresh_ms, disabled=True),
            # A tick asks the server only when no ask is in flight (callbacks/pulse.py).
            dcc.Store(id=own.ask),
            dcc.Store(id=own.data),
            dcc.Store(id=own.version),
            dcc.Store(id=own.readings),
            dcc.Store(id=own.alarms),
            html.Div(id=own.banner, className="conn-banner", hidden=True, role="alert"),
        ],
        id="pulse",
        **{
            "data-page": page,
            "data-refresh-ms": str(refresh_ms),
            "data-stale-ms": str(int(stale_after_s * 1000)),
            "data-alarms": "1" if alarms else "0",
        },
    )
