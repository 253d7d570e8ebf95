"""The app shell around every page."""

import dash
from dash import html
from flask import current_app, has_app_context

from layouts import alert


def layout() -> html.Div:
    settings = current_app.config["SE_SETTINGS"] if has_app_context() else None
    levels = settings.ALERT_SOUND_LEVELS if settings is not None else ("red",)
    return html.Div([dash.page_container, alert.config(levels)], className="shell")
