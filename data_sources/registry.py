"""The registry and history in the warehouse, as DataFrames and GeoDataFrames.

Every accessor documents the columns it guarantees. Positions are WGS-84 (EPSG:4326);
times are tz-aware UTC. Results are cached at this layer (flask-caching) so that twenty
screens polling the same panel cost one query per period.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import geopandas as gpd
import pandas as pd
from flask_caching import Cache
from shapely.geometry import shape

from data_sources.caching import StaleCopies, cached
from data_sources.warehouse import Warehouse, utc

T = TypeVar("T")

# Registry data changes by the hour; a minute of cache is invisible to users.
REGISTRY_TTL = 60
# History panels ("today's alarms") follow the live picture more closely.
HISTORY_TTL = 10


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


class Registry:
    """Typed read access to the warehouse for the screens."""

    def __init__(self, warehouse: Warehouse, cache: Cache | None = None) -> None:
        self.wh = warehouse
        self.cache = cache
        # Ingest checks sensor and site ids against these: a warehouse outage must not stop it.
        self._stale = StaleCopies(cache)

    def _cached(self, key: str, ttl: int, load: Callable[[], T]) -> T:
        return cached(self.cache, key, ttl, load)

    def is_built(self) -> bool:
        """True when the reference data has been loaded."""
        return self.wh.count("districts") > 0

    # geography ------------------------------------------------------------------------

    def districts(self) -> gpd.GeoDataFrame:
        """Columns: adcode, name, name_en, population, geometry (EPSG:4326 polygons)."""

        def load() -> gpd.GeoDataFrame:
            frame = self.wh.query(
                "SELECT adcode, name, name_en, population, geojson FROM districts ORDER BY adcode"
            )
            geometry = [shape(json.loads(g)) for g in frame.pop("geojson")]
            return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

        return self._cached("districts", REGISTRY_TTL, load)

    def district_names(self, lang: str = "zh") -> dict[str, str]:
        """adcode → name: Chinese, or English when `lang` is "en"."""
        frame = self.districts()
        column = "name_en" if lang == "en" else "name"
        return dict(zip(frame["adcode"], frame[column], strict=True))

    def source_systems(self) -> pd.DataFrame:
        """Columns: code, name, heartbeat_s (expected heartbeat period, s)."""
        return self._cached(
            "source_systems",
            REGISTRY_TTL,
            lambda: self.wh.query(
                "SELECT code, name, heartbeat_s FROM source_systems ORDER BY code"
            ),
        )

    # hazardous chemicals --------------------------------------------------------------

    def enterprises(self, hazchem_only: bool = False) -> gpd.GeoDataFrame:
        """Columns: id, name, district, park_id, industry, hazchem, risk, employees, contact,
        phone, lon, lat, geometry."""
        where = "WHERE hazchem" if hazchem_only else ""
        return self._cached(
            f"enterprises:{hazchem_only}",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT id, name, district, park_id, industry, hazchem, risk, employees, "
                    f"contact, phone, lon, lat FROM enterprises {where} ORDER BY id"
                )
            ),
        )

    def hazard_sources(self) -> gpd.GeoDataFrame:
        """Columns: id, enterprise_id, enterprise, name, grade (1-4), chemicals, capacity_t,
        district, park_id, lon, lat, geometry."""
        return self._cached(
            "hazard_sources",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT h.id, h.enterprise_id, e.name AS enterprise, h.name, h.grade, "
                    "h.chemicals, h.capacity_t, h.district, e.park_id, h.lon, h.lat "
                    "FROM hazard_sources h JOIN enterprises e ON e.id = h.enterprise_id "
                    "ORDER BY h.id"
                )
            ),
        )

    def chemical_parks(self) -> gpd.GeoDataFrame:
        """Columns: id, name, district, lon, lat, radius_m, geometry (centre point)."""
        return self._cached(
            "chemical_parks",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT id, name, district, lon, lat, radius_m FROM chemical_parks ORDER BY id"
                )
            ),
        )

    def sensors(self) -> pd.DataFrame:
        """Columns: id, hazard_source_id, kind, name, unit, normal, low_low, low, high,
        high_high (thresholds may be NaN where a kind has none).

        While the warehouse is down, the last copy read (this process's, or Redis's) is
        served; `caching.Unavailable` when there is none."""
        return self._stale.get(
            "sensors",
            REGISTRY_TTL,
            lambda: self.wh.query(
                "SELECT id, hazard_source_id, kind, name, unit, normal, low_low, low, high, "
                "high_high FROM sensors ORDER BY id"
            ),
        )

    def sites(self) -> pd.DataFrame:
        """Every place an alarm may name by `site_id`: enterprises, hazard sources, sensors.

        Index: id. Columns: kind (enterprise/hazard_source/sensor), name, district, lon, lat.
        Served from the last copy while the warehouse is down, like `sensors`.
        """

        def load() -> pd.DataFrame:
            frame = self.wh.query(
                "SELECT id, 'enterprise' AS kind, name, district, lon, lat FROM enterprises "
                "UNION ALL SELECT id, 'hazard_source', name, district, lon, lat FROM hazard_sources "
                "UNION ALL SELECT s.id, 'sensor', s.name, h.district, h.lon, h.lat FROM sensors s "
                "JOIN hazard_sources h ON h.id = s.hazard_source_id"
            )
            return frame.set_index("id")

        return self._stale.get("sites", REGISTRY_TTL, load)

    # forces ---------------------------------------------------------------------------

    def rescue_teams(self) -> gpd.GeoDataFrame:
        """Columns: id, name, kind, district, personnel, vehicles, equipment, leader, phone,
        lon, lat, geometry."""
        return self._cached(
            "rescue_teams",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT id, name, kind, district, personnel, vehicles, equipment, leader, "
                    "phone, lon, lat FROM rescue_teams ORDER BY id"
                )
            ),
        )

    def depots(self) -> gpd.GeoDataFrame:
        """Columns: id, name, tier, district, manager, phone, lon, lat, geometry,
        short_items (number of items below their minimum)."""

        def load() -> gpd.GeoDataFrame:
            frame = self.wh.query(
                "SELECT d.id, d.name, d.tier, d.district, d.manager, d.phone, d.lon, d.lat, "
                "COALESCE(SUM(CASE WHEN s.quantity < s.min_quantity THEN 1 ELSE 0 END), 0) "
                "AS short_items FROM depots d LEFT JOIN depot_stock s ON s.depot_id = d.id "
                "GROUP BY d.id, d.name, d.tier, d.district, d.manager, d.phone, d.lon, d.lat "
                "ORDER BY d.id"
            )
            frame["short_items"] = frame["short_items"].astype(int)
            return _points(frame)

        return self._cached("depots", REGISTRY_TTL, load)

    def depot_stock(self) -> pd.DataFrame:
        """Columns: depot_id, depot, district, item, item_name, unit, quantity, min_quantity."""
        return self._cached(
            "depot_stock",
            REGISTRY_TTL,
            lambda: self.wh.query(
                "SELECT s.depot_id, d.name AS depot, d.district, s.item, s.item_name, s.unit, "
                "s.quantity, s.min_quantity FROM depot_stock s JOIN depots d ON d.id = s.depot_id "
                "ORDER BY s.depot_id, s.item"
            ),
        )

    def shelters(self) -> gpd.GeoDataFrame:
        """Columns: id, name, kind, district, capacity, area_m2, is_open, occupancy, lon, lat,
        geometry."""
        return self._cached(
            "shelters",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT id, name, kind, district, capacity, area_m2, is_open, occupancy, "
                    "lon, lat FROM shelters ORDER BY id"
                )
            ),
        )

    def experts(self) -> pd.DataFrame:
        """Columns: id, name, specialty, organisation, title, phone, district."""
        return self._cached(
            "experts",
            REGISTRY_TTL,
            lambda: self.wh.query(
                "SELECT id, name, specialty, organisation, title, phone, district FROM experts "
                "ORDER BY id"
            ),
        )

    def sensitive_targets(self, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
        """Columns: id, name, kind (school/hospital/residential/elderly), population,
        district, lon, lat, geometry."""
        frame = self._cached(
            "sensitive_targets",
            REGISTRY_TTL,
            lambda: _points(
                self.wh.query(
                    "SELECT id, name, kind, population, district, lon, lat "
                    "FROM sensitive_targets ORDER BY id"
                )
            ),
        )
        return frame if kinds is None else frame[frame["kind"].isin(kinds)]

    # history --------------------------------------------------------------------------

    def alarm_history(self, since: datetime, until: datetime | None = None) -> pd.DataFrame:
        """Alarms that occurred in [since, until). Columns: id, source, level, category,
        title, occurred_at (UTC), district, status, count."""
        until = until or datetime.max.replace(tzinfo=since.tzinfo)

        def load() -> pd.DataFrame:
            frame = self.wh.query(
                "SELECT id, source, level, category, title, occurred_at, district, status, count "
                "FROM alarm_history WHERE occurred_at >= :since AND occurred_at < :until "
                "ORDER BY occurred_at",
                {"since": since, "until": until},
            )
            return utc(frame, "occurred_at")

        key = f"alarm_history:{since.isoformat()}:{until.isoformat()}"
        return self._cached(key, HISTORY_TTL, load)
