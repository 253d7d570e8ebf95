"""The ingest API (`/api/v1`): how upstream systems push alarms, readings and incidents."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound

MAX_BODY = 1024 * 1024  # a batch of 5,000 readings fits with room to spare


def _not_found(exc: NotFound):  # noqa: ANN202 - a Flask error handler
    from flask import jsonify, request

    if request.path.startswith("/api/"):
        return jsonify(error=f"no such call: {request.method} {request.path}", field=None), 404
    return exc


def init_app(server: Flask) -> None:
    """Serve /api/v1 on `server`; SettingsError if INGEST_TOKENS names an unknown system."""
    from data_sources import EXTENSION
    from ingest import admin, credentials
    from ingest.api import bp

    credentials.init_app(server, server.extensions[EXTENSION])
    server.register_blueprint(bp)
    # No "//" merged into "/" with a 308 (an id of "/" or "\n" must not be redirected), and a
    # path the blueprint's catch-all cannot match (a newline in it) still answers JSON.
    server.url_map.merge_slashes = False
    server.register_error_handler(NotFound, _not_found)
    admin.init_app(server)
