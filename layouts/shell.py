"""The app shell around every page."""

import dash
from dash import dcc, html
from flask import current_app

from layouts import alert, url_state


def layout() -> html.Div:
    settings = current_app.config["SE_SETTINGS"]
    return html.Div(
        [
            dash.page_container,
            dcc.Store(id=url_state.SHOWN),
            alert.config(settings.ALERT_SOUND_LEVELS),
            alert.controls(),
        ],
        className="shell",
    )
