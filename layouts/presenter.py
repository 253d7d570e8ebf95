"""Presenter control (会商投屏), on /consult and /tablet: pick an open incident or a district and
put it on the wall and the consultation displays until released. Both actions ask to confirm on
screen first; the panel says who holds the focus now. The focus lives in the live state
(`Focus.current()`), so every display follows it within one refresh.

The writing callback declares the "focus" permission (callbacks/presenter.py); the
read-only parts (`focus-*`) follow the focus on every session, enrolled displays included.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts.common import panel
from layouts.gate import gated_tick
from layouts.i18n import t


class Ids(StrEnum):
    # read-only: every session follows the focus
    PANEL = "focus-panel"
    AS_OF = "focus-as-of"
    FOCUS = "focus-state"  # Store: Focus.current(), refreshed by TICK
    TICK = "focus-tick"  # its own timer: the panel sits on several pages, each with its own pulse
    CURRENT = "focus-current"
    KIND = "focus-kind"
    TARGET = "focus-target"
    # writing: needs the "focus" permission
    PROJECT = "presenter-project"
    RELEASE = "presenter-release"
    CONFIRM_BOX = "presenter-confirm"
    CONFIRM_TEXT = "presenter-confirm-text"
    CONFIRM = "presenter-confirm-yes"
    CANCEL = "presenter-confirm-no"
    PENDING = "presenter-pending"  # Store: the action waiting for its confirmation
    MESSAGE = "presenter-message"


def controls(lang: str) -> list:
    """Pick, project / release, the on-screen confirmation and the outcome message."""
    kinds = [
        {"label": t("presenter.incident", lang), "value": "incident"},
        {"label": t("presenter.district", lang), "value": "district"},
    ]
    confirm = html.Div(
        [
            html.P(id=Ids.CONFIRM_TEXT, className="confirm-text"),
            html.Div(
                [
                    html.Button(
                        t("presenter.yes", lang), id=Ids.CONFIRM, className="btn primary touch"
                    ),
                    html.Button(t("presenter.no", lang), id=Ids.CANCEL, className="btn touch"),
                ],
                className="btn-row",
            ),
        ],
        id=Ids.CONFIRM_BOX,
        className="presenter-confirm",
        role="alertdialog",
        hidden=True,
    )
    return [
        html.Div(
            [
                dcc.RadioItems(
                    kinds,
                    value="incident",
                    id=Ids.KIND,
                    inline=True,
                    className="segmented",
                    labelClassName="touch",
                ),
                dcc.Dropdown(
                    id=Ids.TARGET,
                    placeholder=t("presenter.pick", lang),
                    clearable=False,
                    className="presenter-target",
                ),
            ],
            className="presenter-pick",
        ),
        html.Div(
            [
                html.Button(
                    t("presenter.project", lang), id=Ids.PROJECT, className="btn primary touch"
                ),
                html.Button(t("presenter.release", lang), id=Ids.RELEASE, className="btn touch"),
            ],
            className="btn-row",
        ),
        confirm,
        html.Div(id=Ids.MESSAGE, className="presenter-message", role="status"),
        dcc.Store(id=Ids.PENDING),
    ]


def layout(lang: str, allowed: bool = True, refresh_ms: int = 1000) -> html.Section:
    """The panel; without the "focus" permission it only shows who holds the focus."""
    body = [
        html.Div(t("presenter.none", lang), id=Ids.CURRENT, className="presenter-current"),
        *(controls(lang) if allowed else []),
        dcc.Store(id=Ids.FOCUS),
        *gated_tick(Ids.TICK, refresh_ms),  # a tick asks only once the last was answered
    ]
    return panel(
        t("presenter.title", lang), body, panel_id=Ids.PANEL, as_of_id=Ids.AS_OF, source="redis"
    )
