"""Raster tiles from an MBTiles file (TILE_FILE), read-only.

MBTiles is SQLite: table (or view) `tiles(zoom_level, tile_column, tile_row, tile_data)`
with rows counted from the south (TMS); `tile()` takes XYZ rows (from the north), as
Leaflet asks for them. The file is opened read-only (SQLite `mode=ro`, `immutable` is not
assumed), one connection per thread.
"""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

# What a tile's first bytes say it is: the type the browser is told.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "image/webp"),
)
RASTER_FORMATS = ("png", "jpg", "jpeg", "webp")


class TileFileError(ValueError):
    """The file is not an MBTiles file of raster tiles."""


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


def check(path: str | Path) -> dict[str, str]:
    """The file's metadata; TileFileError unless it is a readable MBTiles of raster tiles."""
    path = Path(path)
    if not path.is_file():
        raise TileFileError(f"no such file: {path}")
    if path.suffix.lower() != ".mbtiles":
        raise TileFileError("expected an MBTiles file (.mbtiles) of PNG, JPEG or WebP tiles")
    try:
        with _connect(path) as db:
            meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
            db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1")
    except sqlite3.Error as exc:
        raise TileFileError(f"not an MBTiles file: {exc}") from None
    fmt = str(meta.get("format", "png")).lower()
    if fmt not in RASTER_FORMATS:
        raise TileFileError(f"tiles of format {fmt!r}: only raster tiles (png, jpg, webp)")
    return meta


class TileFile:
    """One MBTiles file; `tile(z, x, y)` is (bytes, media type) or None."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.meta = check(self.path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = _connect(self.path)
        return db

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        if not (0 <= z <= 30 and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        row = (
            self._db()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, 2**z - 1 - y),  # TMS counts rows from the south
            )
            .fetchone()
        )
        if row is None or not row[0]:
            return None
        data = bytes(row[0])
        kind = next(
            (t for sig, t in _SIGNATURES if data.startswith(sig)), "application/octet-stream"
        )
        return data, kind


@lru_cache(maxsize=4)
def max_zoom(path: str) -> int | None:
    """The file's `maxzoom` (past it the map enlarges the deepest tiles), None if unsaid."""
    try:
        return int(check(path)["maxzoom"])
    except (KeyError, ValueError):
        return None
