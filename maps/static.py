"""What a map draws once per page load: the district outlines, in the datum of the tiles
under them, and the base layers: TILE_URL's tiles, TILE_FILE's (served by the app at
TILE_ROUTE), or the offline base map (water, rivers, place names).

Every page's once-per-load map callback returns these, whatever order its outputs take.
"""

from __future__ import annotations

from typing import Any

from data_sources.tile_file import max_zoom
from maps import shapes
from maps.datum import gcj02_tiles
from maps.layout import tiles

TILE_ROUTE = "/tiles/{z}/{x}/{y}"


def tile_template(settings: Any) -> str | None:
    """The XYZ template the map asks for tiles at, or None offline."""
    if settings.TILE_FILE:
        return TILE_ROUTE
    return settings.TILE_URL


def base_layers(settings: Any) -> list:
    """The base group's children for a map drawn under `settings`."""
    template = tile_template(settings)
    if template is None:
        return tiles(None, shapes.basemap(gcj02_tiles(settings)))
    native = max_zoom(settings.TILE_FILE) if settings.TILE_FILE else None
    return tiles(template, max_native_zoom=native)


def static_layers(settings: Any) -> tuple[dict, list]:
    """(district outlines GeoJSON, base-layer children) for a map drawn under `settings`."""
    return shapes.districts(gcj02_tiles(settings)), base_layers(settings)
