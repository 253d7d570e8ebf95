"""GeoJSON points from frames with `lon`/`lat` (WGS-84), as the map draws them. Plain data:
no Dash, no data source (the layout side may build on it too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from maps.datum import display_xy


def collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def point_features(frame: pd.DataFrame, gcj02: bool, digits: int = 5, **properties: Any) -> list:
    """One GeoJSON point per row of `frame`; each keyword is a property, given as one value for
    every point or as a sequence with one value per row (e.g. `id=frame["id"]`)."""
    lon, lat = display_xy(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), gcj02)
    columns = {
        key: list(value) if _per_row(value) else [value] * len(frame)
        for key, value in properties.items()
    }
    return [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(float(x), digits), round(float(y), digits)],
            },
            "properties": {key: values[i] for key, values in columns.items()},
        }
        for i, (x, y) in enumerate(zip(np.atleast_1d(lon), np.atleast_1d(lat)))
    ]


def _per_row(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | dict)
