"""The ingest API (`/api/v1`): how upstream systems push alarms, readings and incidents."""

from __future__ import annotations

from flask import Flask

MAX_BODY = 1024 * 1024  # a batch of 5,000 readings fits with room to spare


def init_app(server: Flask) -> None:
    """Serve /api/v1 on `server`; SettingsError if INGEST_TOKENS names an unknown system."""
    from data_sources import EXTENSION
    from ingest import admin, credentials
    from ingest.api import bp

    credentials.init_app(server, server.extensions[EXTENSION])
    server.register_blueprint(bp)
    admin.init_app(server)
