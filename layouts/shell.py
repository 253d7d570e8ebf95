"""The app shell around every page."""

import dash
from dash import html
from flask import current_app

from layouts import alert


def layout() -> html.Div:
    settings = current_app.config["SE_SETTINGS"]
    return html.Div(
        [dash.page_container, alert.config(settings.ALERT_SOUND_LEVELS), alert.controls()],
        className="shell",
    )
