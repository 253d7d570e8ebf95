"""Where things may go: seeded random streams, the clock, land per district; the final check."""

from __future__ import annotations

import json
import zlib
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, mapping
from shapely.geometry.base import BaseGeometry

from geo.projection import METRIC_CRS, WGS84
from refdata import names
from refdata.generate.base import Rng
from refdata.generate.places import (
    DISTRICTS,
    JINJI_LAKE,
    TAIHU,
    URBAN_CENTRES,
    YANGCHENG_LAKE,
    YANGTZE_FROM,
    YANGTZE_STRIP_M,
    YANGTZE_TO,
)

M_PER_DEG_LAT = 110_900.0
M_PER_DEG_EQUATOR = 111_320.0
GEOJSON_DECIMALS = 6


def _metric_transform(geom: BaseGeometry, inverse: bool = False) -> BaseGeometry:
    src, dst = (METRIC_CRS, WGS84) if inverse else (WGS84, METRIC_CRS)
    transformer = Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def yangtze_band(districts: gpd.GeoDataFrame) -> BaseGeometry:
    """The strip of the district polygons that is the Yangtze, along the city's river edge."""
    city = shapely.union_all(districts.geometry.to_numpy())
    outline = max(getattr(city, "geoms", [city]), key=lambda p: p.area).exterior
    ring = np.asarray(outline.coords)[:-1]
    start, end = (int(np.argmin(((ring - p) ** 2).sum(axis=1))) for p in (YANGTZE_FROM, YANGTZE_TO))
    # Of the two ways round the outline between them, the river is the one past its north tip.
    north = int(np.argmax(ring[:, 1]))
    n = len(ring)
    path = [(start + k) % n for k in range((end - start) % n + 1)]
    if north not in path:
        path = [(start - k) % n for k in range((start - end) % n + 1)]
    metric = _metric_transform(LineString(ring[path]))
    return _metric_transform(metric.buffer(YANGTZE_STRIP_M), inverse=True)


def locate(districts: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Adcode per point by the rule of data_sources.boundaries.district_of (lowest adcode wins)."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    joined = gpd.sjoin(points, districts[["adcode", "geometry"]], how="inner", predicate="within")
    joined = joined.sort_values("adcode", kind="stable")
    joined = joined[~joined.index.duplicated(keep="first")]
    result = np.full(len(lon), None, dtype=object)
    result[joined.index.to_numpy()] = joined["adcode"].to_numpy(dtype=object)
    return result


class World:
    """Seeded random streams, the clock, and where on land each district's features may go."""

    def __init__(self, districts: gpd.GeoDataFrame, seed: int, today: date, now: datetime) -> None:
        self.seed = seed
        self.today = today
        self.now = now
        self.adcodes = sorted(districts["adcode"])
        self.names = dict(zip(districts["adcode"], districts["name"]))
        self.yangtze = yangtze_band(districts)
        self.water = shapely.union_all([TAIHU, YANGCHENG_LAKE, JINJI_LAKE, self.yangtze])
        geoms = dict(zip(districts["adcode"], districts.geometry))
        self.land: dict[str, BaseGeometry] = {}
        for i, adcode in enumerate(self.adcodes):
            land = geoms[adcode].difference(self.water)
            if i:  # leave out what district_of gives to a lower adcode (slivers of overlap)
                land = land.difference(shapely.union_all([geoms[a] for a in self.adcodes[:i]]))
            shapely.prepare(land)
            self.land[adcode] = land
        pops = np.array([DISTRICTS[a].population for a in self.adcodes], dtype=float)
        self.pop_weights = pops / pops.sum()
        self._staff: dict[str, tuple[list[str], dict[str, str]]] = {}
        self._shores: dict[tuple[str, str], BaseGeometry] = {}

    def rng(self, stream: str) -> Rng:
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    def pick_districts(self, rng: Rng, n: int) -> np.ndarray:
        """n adcodes, weighted by population."""
        choice = rng.choice(len(self.adcodes), size=n, p=self.pop_weights)
        return np.asarray(self.adcodes, dtype=object)[choice]

    def uniform_in(self, rng: Rng, area: BaseGeometry, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n points uniform over `area` (rejection sampling in its bounding box)."""
        x0, y0, x1, y1 = area.bounds
        xs, ys, got = [np.empty(0)], [np.empty(0)], 0
        for _ in range(1000):
            if got >= n:
                return np.concatenate(xs)[:n], np.concatenate(ys)[:n]
            x = rng.uniform(x0, x1, max(64, 4 * (n - got)))
            y = rng.uniform(y0, y1, x.size)
            inside = shapely.contains_xy(area, x, y)
            xs.append(x[inside])
            ys.append(y[inside])
            got += int(inside.sum())
        raise RuntimeError("could not place points: the area is (nearly) empty")

    def scatter(self, rng: Rng, adcodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One uniform land point in each district given."""
        lon, lat = np.empty(len(adcodes)), np.empty(len(adcodes))
        for adcode in np.unique(adcodes):
            idx = np.flatnonzero(adcodes == adcode)
            lon[idx], lat[idx] = self.uniform_in(rng, self.land[adcode], idx.size)
        return lon, lat

    def towns(
        self, rng: Rng, adcodes: np.ndarray, share: float, radius_m: float = 7000
    ) -> tuple[np.ndarray, np.ndarray]:
        """One land point per district given: `share` of them near an urban centre."""
        lon, lat = self.scatter(rng, adcodes)
        central = np.flatnonzero(rng.random(len(adcodes)) < share)
        for adcode in np.unique(adcodes[central]):
            idx = central[adcodes[central] == adcode]
            options = np.array(URBAN_CENTRES[adcode])
            centres = options[rng.integers(len(options), size=idx.size)]
            # Ring sizes vary per point: dense cores thinning outwards.
            radius = rng.uniform(0.2, 1.0, idx.size) * radius_m
            lon[idx], lat[idx] = self.around(rng, adcode, centres[:, 0], centres[:, 1], 0, radius)
        return lon, lat

    def around(
        self, rng: Rng, adcode: str, lon0, lat0, r_min: float, r_max, area=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One point per centre, uniform over the ring r_min..r_max metres around it (r_max may
        differ per point), on land in `adcode` (or in `area`); rings widen where land is scarce."""
        lon0, lat0 = (np.array(a, dtype=float) for a in np.broadcast_arrays(lon0, lat0))
        lon0, lat0 = np.atleast_1d(lon0), np.atleast_1d(lat0)
        area = self.land[adcode] if area is None else area
        n = lon0.size
        lon, lat = np.empty(n), np.empty(n)
        todo = np.arange(n)
        r_hi = np.array(np.broadcast_to(np.asarray(r_max, dtype=float), (n,)))
        for attempt in range(80):
            if todo.size == 0:
                return lon, lat
            r = np.sqrt(rng.uniform(r_min**2, r_hi[todo] ** 2))
            a = rng.uniform(0, 2 * np.pi, todo.size)
            y = lat0[todo] + r * np.sin(a) / M_PER_DEG_LAT
            x = lon0[todo] + r * np.cos(a) / (M_PER_DEG_EQUATOR * np.cos(np.radians(lat0[todo])))
            inside = shapely.contains_xy(area, x, y)
            lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
            todo = todo[~inside]
            if attempt % 10 == 9:
                r_hi[todo] *= 1.5
        lon[todo], lat[todo] = self.uniform_in(rng, area, todo.size)
        return lon, lat

    def shore(self, adcode: str, water: str) -> BaseGeometry:
        """Land of `adcode` within about 1.5 km of `water` (taihu, yangcheng or yangtze)."""
        if (adcode, water) not in self._shores:
            body = {"taihu": TAIHU, "yangcheng": YANGCHENG_LAKE, "yangtze": self.yangtze}[water]
            zone = self.land[adcode].intersection(body.buffer(0.015))
            shapely.prepare(zone)
            self._shores[adcode, water] = zone
        return self._shores[adcode, water]

    def staff(self, unit: str) -> tuple[list[str], dict[str, str]]:
        """The duty staff of a unit: 5 leaders, 8 chiefs, 16 officers; and their phones."""
        if unit not in self._staff:
            rng = self.rng(f"staff:{unit}")
            people = names.unique(lambda: names.person_names(rng, 1)[0], 29)
            self._staff[unit] = (people, dict(zip(people, names.phones(rng, len(people)))))
        return self._staff[unit]

    def duty_officers(self) -> list[str]:
        """The city's chiefs and officers: who acknowledges alarms and writes the logs."""
        return self.staff("city")[0][5:]


def districts_frame(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    rounded = shapely.transform(
        districts.geometry.to_numpy(), lambda xy: np.round(xy, GEOJSON_DECIMALS)
    )
    frame = pd.DataFrame(districts[["adcode", "name", "name_en"]])
    frame["geojson"] = [json.dumps(mapping(g), separators=(",", ":")) for g in rounded]
    frame["population"] = [DISTRICTS[a].population for a in frame["adcode"]]
    return frame.reset_index(drop=True)


def check_positions(frames: dict[str, pd.DataFrame], districts: gpd.GeoDataFrame, water) -> None:
    """Raise unless every position lies on land in the district its record names."""
    for table, frame in frames.items():
        if not {"lon", "lat", "district"} <= set(frame.columns):
            continue
        lon, lat = frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)
        found = locate(districts, lon, lat)
        wrong = np.flatnonzero(found != frame["district"].to_numpy(dtype=object))
        if wrong.size:
            i = wrong[0]
            raise ValueError(
                f"{table}: {wrong.size} positions outside their district, e.g. row {i} "
                f"at {lon[i]:.5f},{lat[i]:.5f} names {frame['district'].iloc[i]}, "
                f"lies in {found[i]}"
            )
        wet = np.flatnonzero(shapely.contains_xy(water, lon, lat))
        if wet.size:
            i = wet[0]
            raise ValueError(
                f"{table}: {wet.size} positions in open water, e.g. {lon[i]:.5f},{lat[i]:.5f}"
            )
