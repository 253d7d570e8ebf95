"""The offline base map of Suzhou: water, rivers and canals, town names.

The source file (reference/suzhou_basemap.geojson, built by scripts/build_basemap.py from
GSHHG and GeoNames; provenance in reference/README.md) is WGS-84 (EPSG:4326). Read lazily
on first use and cached, never at import time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

BASEMAP_PATH: Path = Path(__file__).resolve().parent.parent / "reference" / "suzhou_basemap.geojson"

# Feature kinds: polygons `water` (properties ref, name, km2; a named one has `label`
# [lon, lat]), lines `river` and `canal`, points `city` (a neighbouring city) and `town`
# (in Suzhou), both with name (Chinese), name_en, population and rank (0 the most important).
SHAPE_KINDS = ("water", "river", "canal")
PLACE_KINDS = ("city", "town")


@lru_cache(maxsize=2)
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def basemap_geojson(path: Path = BASEMAP_PATH) -> dict[str, Any]:
    """The base map as one GeoJSON FeatureCollection in WGS-84; a new dict each call."""
    return json.loads(_text(path.resolve()))
