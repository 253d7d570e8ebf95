"""`GET /tiles/<z>/<x>/<y>`: TILE_FILE's tiles served by the app itself (XYZ rows).

Read-only; a tile the file does not have is a 204 (the map shows nothing there, and the
browser logs no error), a tile that cannot exist a 404, never a 500. The route needs the same session as the screens (auth/matrix.py `SESSION_PREFIXES`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort

from data_sources.tile_file import TileFile
from maps.static import TILE_ROUTE

PREFIX = TILE_ROUTE.split("{")[0]  # /tiles/


def init_app(server: Flask, settings: Any) -> None:
    """Serve TILE_FILE's tiles (without it every tile is a 404, not a page)."""
    tiles = TileFile(settings.TILE_FILE) if settings.TILE_FILE else None

    @server.get(PREFIX + "<int:z>/<int:x>/<int:y>")
    def tile(z: int, x: int, y: int) -> Response:
        if tiles is None or not (0 <= z <= 30 and 0 <= x < 2**z and 0 <= y < 2**z):
            abort(404)
        found = tiles.tile(z, x, y)
        if found is None:
            # Beyond what the file covers: nothing to draw, and no error in the console.
            return Response(status=204)
        data, kind = found
        response = Response(data, mimetype=kind)
        response.cache_control.private = True  # behind the login, like the screens
        response.cache_control.max_age = 3600
        return response
