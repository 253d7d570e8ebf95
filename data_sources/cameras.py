"""The registry of cameras (warehouse table `cameras`): the ones near a point, a site's own.

Addresses are checked on the way in (`put`, and the reference build) by video/addresses.py:
http or https, or a path on this server; a row that fails the check on the way out (written
around it, straight into the table) is left out rather than shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.warehouse import Warehouse
from video.addresses import camera_kind, camera_url

COLUMNS = ["id", "name", "owner", "site_id", "kind", "url", "lon", "lat"]
TTL = 60
EARTH_M = 6_371_000.0


class Cameras:
    def __init__(self, warehouse: Warehouse, cache: Cache | None = None) -> None:
        self.wh = warehouse
        self.cache = cache

    def all(self) -> pd.DataFrame:
        """Columns: id, name, owner, site_id (or None), kind (hls/mjpeg), url, lon, lat (WGS-84)."""

        def load() -> pd.DataFrame:
            frame = self.wh.query(f"SELECT {', '.join(COLUMNS)} FROM cameras ORDER BY id")
            ok = [_valid(u, k) for u, k in zip(frame["url"], frame["kind"])]
            return frame[ok].reset_index(drop=True) if len(frame) else frame

        return cached(self.cache, "cameras", TTL, load)

    def of_sites(self, site_ids: list[str]) -> pd.DataFrame:
        """The cameras watching any of `site_ids` (an enterprise and its hazard sources)."""
        frame = self.all()
        return frame[frame["site_id"].isin(site_ids)].reset_index(drop=True)

    def nearest(self, lon: float, lat: float, k: int, within_m: float) -> pd.DataFrame:
        """Up to `k` cameras within `within_m` metres of lon/lat, nearest first; adds `distance_m`."""
        frame = self.all()
        if frame.empty or not (math.isfinite(lon) and math.isfinite(lat)):
            return frame.assign(distance_m=pd.Series(dtype=float)).head(0)
        d = distances_m(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), lon, lat)
        frame = frame.assign(distance_m=d)
        frame = frame[frame["distance_m"] <= within_m]
        return frame.sort_values("distance_m", kind="stable").head(k).reset_index(drop=True)

    def put(self, row: Mapping[str, Any]) -> None:
        """Add or replace one camera; ValueError naming the field when a value is not usable."""
        record = {c: row.get(c) for c in COLUMNS}
        for name in ("id", "name", "owner"):
            if not isinstance(record[name], str) or not record[name].strip():
                raise ValueError(f"{name}: required")
        record["url"] = camera_url(record["url"])
        record["kind"] = camera_kind(record["kind"])
        for name, limit in (("lon", 180), ("lat", 90)):
            try:
                record[name] = float(record[name])
            except (TypeError, ValueError):
                raise ValueError(f"{name}: a number of degrees (WGS-84)") from None
            if not (math.isfinite(record[name]) and abs(record[name]) <= limit):
                raise ValueError(f"{name}: out of range")
        names = ", ".join(COLUMNS)
        params = ", ".join(f":{c}" for c in COLUMNS)
        self.wh.execute_all(
            [
                ("DELETE FROM cameras WHERE id = :id", {"id": record["id"]}),
                (f"INSERT INTO cameras ({names}) VALUES ({params})", record),
            ]
        )
        if self.cache is not None:
            self.cache.delete("cameras")


def _valid(url: Any, kind: Any) -> bool:
    try:
        camera_url(url)
        camera_kind(kind)
    except ValueError:
        return False
    return True


def distances_m(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> np.ndarray:
    """Great-circle distances (m) from lon0/lat0 (haversine)."""
    p1, p2 = np.radians(lat0), np.radians(lat)
    dp, dl = p2 - p1, np.radians(lon - lon0)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_M * np.arcsin(np.sqrt(a))
