"""A generated, reproducible picture of Suzhou: one DataFrame per warehouse table.

`generate(districts, seed, today)` is pure: the same boundaries, seed and day give the same
frames, with the columns of migrations/versions/0001_initial.py (`COLUMNS`). Positions are
WGS-84 lon/lat on land inside the district each record names (checked before returning);
times are tz-aware UTC. Each table draws from its own random stream, so changing one table
does not reshuffle the others.

Real: the nine districts and their 2020 census populations, the three Yangtze chemical parks
and two smaller clusters, and the open water (Lake Taihu, the Yangtze, Yangcheng and Jinji
lakes) that land features avoid. Everything else (firms, people, sensors, history) is
invented to look plausible.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from geo.projection import METRIC_CRS, WGS84
from refdata import names
from refdata.names import one

SEED = 20261129
SHANGHAI = ZoneInfo("Asia/Shanghai")
GEOJSON_DECIMALS = 6
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_EQUATOR = 111_320.0

Rng = np.random.Generator


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The columns of each table, in the order of the migration; `generate` returns exactly these.
# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "districts": _words("adcode name name_en geojson population"),
    "source_systems": _words("code name heartbeat_s"),
    "chemical_parks": _words("id name district lon lat radius_m"),
    "enterprises": _words("id name district park_id industry hazchem risk employees contact phone lon lat"),
    "hazard_sources": _words("id enterprise_id name grade chemicals capacity_t district lon lat"),
    "sensors": _words("id hazard_source_id kind name unit normal low_low low high high_high"),
    "rescue_teams": _words("id name kind district personnel vehicles equipment leader phone lon lat"),
    "depots": _words("id name tier district manager phone lon lat"),
    "depot_stock": _words("depot_id item item_name unit quantity min_quantity"),
    "shelters": _words("id name kind district capacity area_m2 is_open occupancy lon lat"),
    "experts": _words("id name specialty organisation title phone district"),
    "sensitive_targets": _words("id name kind population district lon lat"),
    "duty_roster": _words("id unit duty_date shift role name phone starts_at ends_at"),
    "duty_log": _words("id unit at author category text"),
    "incidents": _words("id title category level status district lon lat opened_at closed_at casualties summary"),
    "incident_timeline": _words("id incident_id at kind text author"),
    "alarm_history": _words("id source level category title occurred_at received_at lon lat site_id district "
                            "status count ack_by ack_at closed_by closed_at close_note detail"),
    "reading_history": _words("sensor_id ts value"),
}
# fmt: on
TABLES = tuple(COLUMNS)  # dependency order: a table only refers to tables before it


@dataclass(frozen=True)
class DistrictInfo:
    short: str
    population: int  # 2020 census (第七次全国人口普查), resident population
    towns: tuple[str, ...]
    company_prefixes: tuple[str, ...]
    school_prefix: str
    industry: float  # ordinary firms per inhabitant, relative (the old town has few factories)


# fmt: off
DISTRICTS: dict[str, DistrictInfo] = {
    "320505": DistrictInfo("虎丘", 833_067, _words("浒墅关 通安 东渚 镇湖 枫桥 狮山 横塘 科技城"),
                           ("苏州高新区", "苏州"), "苏州高新区", 1.0),
    "320506": DistrictInfo("吴中", 1_388_785,
                           _words("木渎 甪直 胥口 临湖 光福 东山 越溪 横泾 郭巷 长桥 香山 斜塘 唯亭 娄葑 胜浦"),
                           ("苏州市吴中区", "苏州工业园区", "苏州"), "苏州市吴中区", 1.0),
    "320507": DistrictInfo("相城", 891_043, _words("黄埭 渭塘 望亭 北桥 阳澄湖 太平 黄桥 元和 漕湖 北河泾"),
                           ("苏州市相城区", "苏州"), "苏州市相城区", 1.0),
    "320508": DistrictInfo("姑苏", 924_079, _words("平江 沧浪 金阊 双塔 虎丘 石路 留园 观前 胥江 吴门桥 城北"),
                           ("苏州市姑苏区", "苏州"), "苏州市", 0.25),
    "320509": DistrictInfo("吴江", 1_543_738, _words("松陵 盛泽 震泽 平望 黎里 七都 桃源 同里 汾湖 横扇 八坼"),
                           ("苏州市吴江区", "吴江"), "苏州市吴江区", 1.0),
    "320581": DistrictInfo("常熟", 1_677_050, _words("虞山 海虞 梅李 碧溪 沙家浜 支塘 古里 辛庄 尚湖 董浜 莫城 琴川"),
                           ("常熟市", "常熟"), "常熟市", 1.0),
    "320582": DistrictInfo("张家港", 1_432_044, _words("杨舍 金港 锦丰 乐余 凤凰 塘桥 南丰 大新 常阴沙 后塍 德积"),
                           ("张家港市", "张家港"), "张家港市", 1.0),
    "320583": DistrictInfo("昆山", 2_092_496, _words("玉山 千灯 周市 巴城 陆家 花桥 张浦 淀山湖 锦溪 周庄 城北"),
                           ("昆山市", "昆山"), "昆山市", 1.0),
    "320585": DistrictInfo("太仓", 831_113, _words("城厢 浮桥 沙溪 浏河 璜泾 双凤 陆渡 科教新城 港区"),
                           ("太仓市", "太仓"), "太仓市", 1.0),
}
RIVERSIDE = ("320582", "320581", "320585")
# Town centres (checked with district_of) around which homes, schools and hospitals gather.
URBAN_CENTRES: dict[str, tuple[tuple[float, float], ...]] = {
    "320505": ((120.550, 31.300),),                      # 狮山
    "320506": ((120.610, 31.260), (120.720, 31.320)),    # 长桥; 湖东 (工业园区)
    "320507": ((120.640, 31.370),),                      # 元和
    "320508": ((120.625, 31.315),),                      # 观前
    "320509": ((120.645, 31.160),),                      # 松陵
    "320581": ((120.750, 31.655),),                      # 虞山
    "320582": ((120.550, 31.870),),                      # 杨舍
    "320583": ((120.980, 31.385),),                      # 玉山
    "320585": ((121.110, 31.455),),                      # 城厢
}
SOURCE_SYSTEMS = (
    ("emergency", "应急指挥平台", 30), ("supervision", "安全生产监管系统", 30),
    ("enforcement", "安全生产执法系统", 30), ("gis", "安全生产GIS系统", 30),
    ("hazchem", "危化品风险监测预警系统", 30), ("monitor", "监测中心", 30), ("iot", "物联感知网络", 10),
)
# fmt: on


@dataclass(frozen=True)
class Park:
    id: str
    name: str
    district: str
    lon: float
    lat: float
    radius_m: float
    prefix: str  # how the names of its firms begin
    hazchem_firms: int
    industries: dict[str, float]


# Centres checked with district_of: each lies inside its district, and the three Yangtze parks
# lie 2.5-4.5 km inland of the strip of the district polygons that is river (_yangtze_band).
# 常熟新材料产业园 sits 4 km north-east of 海虞 town: 张家港's polygon lies north of 海虞, so
# 常熟's own river frontage starts further east.
# fmt: off
PARKS = (
    Park("CP01", "江苏扬子江国际化学工业园", "320582", 120.445, 31.958, 3500, "张家港保税区", 125,
         {"化工": 0.7, "仓储物流": 0.2, "医药": 0.1}),
    Park("CP02", "常熟新材料产业园", "320581", 120.840, 31.790, 3000, "常熟", 85, {"化工": 0.8, "医药": 0.2}),
    Park("CP03", "太仓港经济技术开发区化工区", "320585", 121.195, 31.620, 3000, "太仓港", 70,
         {"化工": 0.6, "仓储物流": 0.3, "燃气": 0.1}),
    Park("CP04", "昆山精细化工集中区(千灯)", "320583", 120.985, 31.265, 2000, "昆山", 25, {"化工": 0.7, "电子": 0.3}),
    Park("CP05", "吴江盛泽印染集中区", "320509", 120.645, 30.905, 2500, "吴江盛泽", 20, {"印染": 0.9, "化工": 0.1}),
)

# Open water that land features avoid. The district polygons include the water they
# administer: 吴中区 holds most of the Suzhou part of Lake Taihu (虎丘, 相城 and 吴江 a little),
# and the riverside districts reach into the Yangtze. A coarse hand outline of the lake
# surface: islands such as 西山 are left inside it, the 东山 peninsula is left out.
TAIHU = Polygon([
    (119.80, 31.60), (120.30, 31.50), (120.36, 31.46), (120.40, 31.42), (120.38, 31.36),
    (120.34, 31.32), (120.36, 31.28), (120.40, 31.25), (120.42, 31.21), (120.40, 31.17),
    (120.36, 31.13), (120.33, 31.06), (120.37, 31.03), (120.42, 31.06), (120.45, 31.10),
    (120.50, 31.13), (120.56, 31.15), (120.58, 31.10), (120.52, 31.04), (120.44, 31.00),
    (120.40, 30.96), (120.30, 30.92), (119.80, 30.85),
])
# The open middle of the two large lakes inside the city (conservative cores, not shorelines).
YANGCHENG_LAKE = Polygon([(120.745, 31.400), (120.780, 31.385), (120.805, 31.410), (120.800, 31.455),
                          (120.765, 31.465), (120.745, 31.440)])
JINJI_LAKE = Polygon([(120.688, 31.306), (120.704, 31.306), (120.706, 31.326), (120.690, 31.326)])
# fmt: on
# Where the city outline leaves the land border for the Yangtze (张家港's north-west corner)
# and where it returns to it (太仓's border with Shanghai). The outline between the two runs
# in the river; a strip this wide along it is treated as water.
YANGTZE_FROM = (120.383, 32.008)
YANGTZE_TO = (121.368, 31.555)
YANGTZE_STRIP_M = 3500.0


def generate(
    districts: gpd.GeoDataFrame,
    seed: int = SEED,
    today: date | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, pd.DataFrame]:
    """One DataFrame per warehouse table, keyed by table name, in dependency order (`TABLES`).

    `districts` is `data_sources.boundaries.load_districts()` (WGS-84). History ends at `now`
    (UTC, floored to 10 minutes); without it: the current time when `today` is None, else
    noon of `today` in Asia/Shanghai, so that a given day always gives the same frames.
    Autoincrement ids (duty_roster, duty_log, incident_timeline) are numbered from 1.
    Raises ValueError if any position is off land or outside the district it names.
    """
    world = _World(districts, seed, *_clock(today, now))
    frames: dict[str, pd.DataFrame] = {
        "districts": _districts(districts),
        "source_systems": pd.DataFrame(SOURCE_SYSTEMS, columns=COLUMNS["source_systems"]),
        "chemical_parks": pd.DataFrame(
            [(p.id, p.name, p.district, p.lon, p.lat, float(p.radius_m)) for p in PARKS],
            columns=COLUMNS["chemical_parks"],
        ),
    }
    frames["enterprises"] = _enterprises(world)
    frames["hazard_sources"], storage = _hazard_sources(world, frames["enterprises"])
    frames["sensors"] = _sensors(world, frames["hazard_sources"], storage)
    frames["rescue_teams"] = _rescue_teams(world)
    frames["depots"], frames["depot_stock"] = _depots(world)
    frames["shelters"] = _shelters(world)
    frames["experts"] = _experts(world)
    frames["sensitive_targets"] = _sensitive_targets(world)
    frames["duty_roster"] = _duty_roster(world)
    frames["duty_log"] = _duty_log(world, frames)
    frames["incidents"], frames["incident_timeline"] = _incidents(world, frames)
    frames["reading_history"], excursions = _readings(world, frames["sensors"])
    frames["alarm_history"] = _alarms(world, frames, excursions)
    frames = {table: frames[table][list(COLUMNS[table])] for table in TABLES}
    _check_positions(frames, districts, world.water)
    return frames


def _clock(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    if now is None:
        now = datetime.now(UTC) if today is None else datetime.combine(today, time(12), SHANGHAI)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % 10)
    return today or now.astimezone(SHANGHAI).date(), now


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Make `columns` tz-aware UTC with millisecond precision (what upstream systems send)."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.floor("ms")
    return frame


def _split(rng: Rng, total: int, weights) -> np.ndarray:
    """`total` split over the weights (multinomial)."""
    w = np.asarray(weights, dtype=float)
    return rng.multinomial(total, w / w.sum())


def _town(rng: Rng, adcode: str) -> str:
    return one(rng, DISTRICTS[adcode].towns)


# --- geography ---------------------------------------------------------------------------


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


def _locate(districts: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Adcode per point by the rule of data_sources.boundaries.district_of (lowest adcode wins)."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    joined = gpd.sjoin(points, districts[["adcode", "geometry"]], how="inner", predicate="within")
    joined = joined.sort_values("adcode", kind="stable")
    joined = joined[~joined.index.duplicated(keep="first")]
    result = np.full(len(lon), None, dtype=object)
    result[joined.index.to_numpy()] = joined["adcode"].to_numpy(dtype=object)
    return result


class _World:
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


def _districts(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    rounded = shapely.transform(
        districts.geometry.to_numpy(), lambda xy: np.round(xy, GEOJSON_DECIMALS)
    )
    frame = pd.DataFrame(districts[["adcode", "name", "name_en"]])
    frame["geojson"] = [json.dumps(mapping(g), separators=(",", ":")) for g in rounded]
    frame["population"] = [DISTRICTS[a].population for a in frame["adcode"]]
    return frame.reset_index(drop=True)


# --- enterprises, hazard sources, sensors ------------------------------------------------------

# fmt: off
HAZCHEM_INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {  # weight, trade words
    "化工": (0.55, _words("化工 化学 精细化工 新材料 石化 树脂 涂料")), "医药": (0.10, _words("制药 药业 医药化工")),
    "仓储物流": (0.12, _words("化工物流 石化仓储 危险品仓储")), "燃气": (0.08, _words("燃气 液化气 能源")),
    "金属冶炼": (0.06, _words("钢铁 金属材料 冶金")), "印染": (0.06, _words("印染 纺织印染")),
    "电子": (0.03, _words("电子材料 半导体材料")),
}
OTHER_INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "机械制造": (0.18, _words("机械 精密机械 机电 装备")), "电子": (0.17, _words("电子 光电 电子科技 智能科技")),
    "纺织": (0.12, _words("纺织 丝绸 服饰 化纤")), "仓储物流": (0.08, _words("物流 供应链 仓储")),
    "金属制品": (0.07, _words("金属制品 五金 不锈钢 铝业")), "汽车零部件": (0.07, _words("汽车零部件 汽车部件")),
    "建材": (0.06, _words("建材 新型建材 混凝土 装饰材料")), "食品": (0.06, _words("食品 乳业 饮料")),
    "塑料橡胶": (0.05, _words("塑胶 橡塑 塑业")), "造纸印刷": (0.04, _words("纸业 印务 包装")),
    "医药": (0.04, _words("医疗器械 生物科技")), "家具": (0.03, _words("家具 木业")),
    "金属冶炼": (0.03, _words("特钢 冶金 铸造")),
}
# Hazchem firms outside the parks, by district: weighted to the riverside cities.
LOOSE_HAZCHEM = {"320505": 0.08, "320506": 0.10, "320507": 0.08, "320508": 0.02, "320509": 0.12,
                 "320581": 0.16, "320582": 0.16, "320583": 0.16, "320585": 0.12}
# fmt: on
N_ENTERPRISES = 4000
N_HAZCHEM = 500


def _trade(rng: Rng, hazchem: bool, weights: dict[str, float] | None) -> tuple[str, str]:
    """(industry, trade word of the company name)."""
    table = HAZCHEM_INDUSTRIES if hazchem else OTHER_INDUSTRIES
    weights = weights or {k: v[0] for k, v in table.items()}
    p = np.array(list(weights.values()))
    industry = list(weights)[rng.choice(len(weights), p=p / p.sum())]
    return industry, one(rng, table[industry][1])


def _enterprises(world: _World) -> pd.DataFrame:
    rng = world.rng("enterprises")
    rows: list[tuple] = []
    taken: set[str] = set()

    def add(adcode: str, lon, lat, hazchem: bool, park: Park | None = None, mix=None) -> None:
        info = DISTRICTS[adcode]
        for x, y in zip(lon, lat):
            industry, trade = _trade(rng, hazchem, mix)
            prefix = park.prefix if park else one(rng, info.company_prefixes)
            make = partial(names.company_name, rng, prefix, trade, info.short)
            name = names.unique(make, 1, taken)[0]
            rows.append((name, adcode, park.id if park else None, industry, hazchem, x, y))

    for park in PARKS:
        # Most firms of a park inside it; some just outside its boundary.
        inside = round(park.hazchem_firms * 0.85)
        lon, lat = world.around(
            rng, park.district, [park.lon] * inside, park.lat, 0, park.radius_m * 0.95
        )
        add(park.district, lon, lat, True, park, park.industries)
        near = park.hazchem_firms - inside
        lon, lat = world.around(
            rng,
            park.district,
            [park.lon] * near,
            park.lat,
            park.radius_m * 1.05,
            park.radius_m + 3000,
        )
        add(park.district, lon, lat, True, None, park.industries)
    loose = _split(
        rng,
        N_HAZCHEM - sum(p.hazchem_firms for p in PARKS),
        [LOOSE_HAZCHEM[a] for a in world.adcodes],
    )
    ordinary = _split(
        rng,
        N_ENTERPRISES - N_HAZCHEM,
        [DISTRICTS[a].population * DISTRICTS[a].industry for a in world.adcodes],
    )
    for adcode, n_haz, n_other in zip(world.adcodes, loose, ordinary):
        # Firms gather in a district's industrial estates (dense cores thinning outwards);
        # a quarter are scattered.
        cx, cy = world.uniform_in(rng, world.land[adcode], 3 if adcode == "320508" else 9)
        for n, hazchem in ((n_haz, True), (n_other, False)):
            scattered = n // 4
            pick = rng.integers(len(cx), size=n - scattered)
            lon_c, lat_c = world.around(
                rng, adcode, cx[pick], cy[pick], 0, rng.uniform(600, 3500, pick.size)
            )
            lon_s, lat_s = world.uniform_in(rng, world.land[adcode], scattered)
            add(adcode, np.r_[lon_s, lon_c], np.r_[lat_s, lat_c], hazchem)

    frame = pd.DataFrame(
        rows, columns=["name", "district", "park_id", "industry", "hazchem", "lon", "lat"]
    )
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    n = len(frame)
    hazchem = frame["hazchem"].to_numpy()
    frame["id"] = [f"E{i:05d}" for i in range(1, n + 1)]
    frame["risk"] = np.where(
        hazchem,
        rng.choice(["red", "orange", "yellow", "blue"], size=n, p=[0.04, 0.30, 0.56, 0.10]),
        rng.choice(["orange", "yellow", "blue"], size=n, p=[0.03, 0.17, 0.80]),
    )
    frame["employees"] = np.where(
        hazchem,
        np.clip(rng.lognormal(np.log(150), 0.8, n), 10, 5000),
        np.clip(rng.lognormal(np.log(80), 1.0, n), 5, 20000),
    ).astype(int)
    frame["contact"] = names.person_names(rng, n)
    frame["phone"] = names.phones(rng, n)
    return frame


@dataclass(frozen=True)
class Chemical:
    phase: str  # liquid / liquefied (pressurised liquefied gas) / gas
    flammable: bool
    toxic_gas: str | None = None
    pressure_mpa: float | None = None  # typical storage pressure (gauge)
    temperature: tuple[float, float, float] | None = None  # normal, high, high_high (°C)


# fmt: off
CHEMICALS: dict[str, Chemical] = {
    "液氯": Chemical("liquefied", False, "氯气", 0.6), "液氨": Chemical("liquefied", True, "氨气", 1.0),
    "丙烯": Chemical("liquefied", True, None, 1.1), "液化石油气": Chemical("liquefied", True, None, 0.7),
    "氯乙烯": Chemical("liquefied", True, "氯乙烯", 0.35),
    "环氧乙烷": Chemical("liquefied", True, "环氧乙烷", 0.25, (8.0, 15.0, 25.0)),  # kept cool
    "氢气": Chemical("gas", True, None, 1.6),
    "甲醇": Chemical("liquid", True), "甲苯": Chemical("liquid", True), "二甲苯": Chemical("liquid", True),
    "苯乙烯": Chemical("liquid", True, None, None, (18.0, 25.0, 30.0)),  # polymerises when warm
    "丙烯腈": Chemical("liquid", True, "丙烯腈"), "乙醇": Chemical("liquid", True), "丙酮": Chemical("liquid", True),
    "硫酸": Chemical("liquid", False), "盐酸": Chemical("liquid", False, "氯化氢"),
}
# Toxic gas alarm settings (ppm): first level at or below 100 % and second at or below 200 % of
# the occupational exposure limit (GB/T 50493-2019, limits of GBZ 2.1-2019 converted at 25 °C:
# MAC where there is one, else PC-STEL, else PC-TWA).
TOXIC_PPM: dict[str, tuple[float, float]] = {
    "氯气": (0.3, 0.6),      # MAC 1 mg/m3 = 0.34 ppm
    "氨气": (25.0, 50.0),    # PC-STEL 30 mg/m3 = 43 ppm
    "氯化氢": (5.0, 10.0),   # MAC 7.5 mg/m3 = 5.0 ppm
    "氯乙烯": (3.0, 6.0),    # PC-TWA 10 mg/m3 = 3.9 ppm
    "环氧乙烷": (1.0, 2.0),  # PC-TWA 2 mg/m3 = 1.1 ppm
    "丙烯腈": (0.9, 1.8),    # PC-STEL 2 mg/m3 = 0.92 ppm
}
# fmt: on
LIQUEFIED = [c for c, v in CHEMICALS.items() if v.phase != "liquid"]
SOLVENTS = [c for c, v in CHEMICALS.items() if v.phase == "liquid" and v.flammable]
ACIDS = ["硫酸", "盐酸"]
LEL_ALARMS = (20.0, 40.0)  # flammable gas: at most 25 % and 50 % LEL (GB/T 50493-2019)
LEVEL_ALARMS = (5.0, 10.0, 85.0, 95.0)  # low_low, low, high, high_high (% of tank height)
GRADE_SHARE = (0.05, 0.15, 0.30, 0.50)  # 重大危险源 一级 (few) to 四级 (most)
GRADE_CAPACITY_T = {1: (3000, 30000), 2: (800, 5000), 3: (200, 1500), 4: (20, 400)}
CN = "一二三四五六七八九十"


def _storage(rng: Rng, industry: str) -> tuple[str, list[str]]:
    """(tanks/warehouse/process, chemicals) of one hazard source; incompatible ones kept apart."""
    kind = str(rng.choice(["tanks", "warehouse", "process"], p=[0.7, 0.15, 0.15]))
    if industry == "燃气":
        return "tanks", ["液化石油气" if rng.random() < 0.8 else "氢气"]
    if kind == "process":
        return kind, [one(rng, list(CHEMICALS))]
    if kind == "tanks" and rng.random() < 0.35:  # one liquefied gas per tank farm
        return kind, [one(rng, LIQUEFIED)]
    pool, most = (ACIDS, 2) if kind == "tanks" and rng.random() < 0.2 else (SOLVENTS, 3)
    return kind, [
        str(c) for c in rng.choice(pool, size=int(rng.integers(1, most + 1)), replace=False)
    ]


def _hazard_sources(
    world: _World, enterprises: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Major hazard sources on about 155 hazchem firms (1-3 each); also each one's storage kind."""
    rng = world.rng("hazard_sources")
    haz = enterprises[enterprises["hazchem"]].reset_index(drop=True)
    core = haz["industry"].isin(["化工", "仓储物流", "燃气", "医药"]).to_numpy()
    weight = (1 + 2 * haz["park_id"].notna().to_numpy()) * np.where(core, 4, 1)
    chosen = np.sort(rng.choice(len(haz), size=155, replace=False, p=weight / weight.sum()))
    rows, kinds = [], []
    for firm in haz.iloc[chosen].itertuples(index=False):
        used: set[str] = set()
        for k in range(int(rng.choice([1, 2, 3], p=[0.7, 0.22, 0.08]))):
            kind, chems = _storage(rng, firm.industry)
            if kind == "tanks":
                name = f"{chems[0]}储罐区" if len(chems) == 1 else f"{CN[k]}号储罐区"
            else:
                name = f"{CN[k]}号甲类仓库" if kind == "warehouse" else f"{chems[0]}生产装置"
            name = f"{name}({CN[k]})" if name in used else name
            used.add(name)
            grade = int(rng.choice([1, 2, 3, 4], p=GRADE_SHARE))
            lo, hi = GRADE_CAPACITY_T[grade]
            capacity = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 1)
            rows.append(
                (
                    firm.id,
                    name,
                    grade,
                    "、".join(chems),
                    capacity,
                    firm.district,
                    firm.lon,
                    firm.lat,
                )
            )
            kinds.append(kind)
    frame = pd.DataFrame(
        rows,
        columns=[
            "enterprise_id",
            "name",
            "grade",
            "chemicals",
            "capacity_t",
            "district",
            "lon",
            "lat",
        ],
    )
    frame["id"] = [f"HS{i:04d}" for i in range(1, len(frame) + 1)]
    for adcode, idx in frame.groupby("district").indices.items():
        # A few hundred metres from the firm's gate.
        lon, lat = world.around(
            rng, adcode, frame["lon"].to_numpy()[idx], frame["lat"].to_numpy()[idx], 100, 500
        )
        frame.loc[frame.index[idx], "lon"], frame.loc[frame.index[idx], "lat"] = lon, lat
    return frame, dict(zip(frame["id"], kinds))


def _setpoint(mpa: float) -> float:
    """A pressure alarm setting: rounded up to 0.05 MPa, as set on a real panel."""
    return float(np.ceil(round(mpa * 20, 6)) / 20)


def _sensor_specs(rng: Rng, kind: str, chems: list[str]) -> list[tuple]:
    """(kind, name, unit, normal, low_low, low, high, high_high) of one hazard source: 4-12."""
    nan = float("nan")

    def tank(t: int) -> list[tuple]:
        chem = chems[(t - 1) % len(chems)]
        props = CHEMICALS[chem]
        vessel = f"{t}#{chem}{'储气罐' if props.phase == 'gas' else '储罐'}"
        out = []
        if props.phase != "gas":
            ll, lo, hi, hh = LEVEL_ALARMS
            out.append(
                (
                    "level",
                    f"{vessel}液位",
                    "%",
                    round(float(rng.uniform(35, 75)), 1),
                    ll,
                    lo,
                    hi,
                    hh,
                )
            )
        normal, hi, hh = props.temperature or (round(float(rng.uniform(20, 28)), 1), 40.0, 50.0)
        out.append(("temperature", f"{vessel}温度", "°C", normal, nan, nan, hi, hh))
        if props.pressure_mpa:
            p = round(props.pressure_mpa * float(rng.uniform(0.85, 1.15)), 2)
            out.append(
                (
                    "pressure",
                    f"{vessel}压力",
                    "MPa",
                    p,
                    nan,
                    nan,
                    _setpoint(p * 1.3),
                    _setpoint(p * 1.6),
                )
            )
        return out

    detectors = []
    if any(CHEMICALS[c].flammable for c in chems):
        for k in range(1, int(rng.integers(1, 4)) + 1):
            detectors.append(("gas_lel", f"{k}#可燃气体探测器", "%LEL", 0.0, nan, nan, *LEL_ALARMS))
    for gas in sorted({CHEMICALS[c].toxic_gas for c in chems if CHEMICALS[c].toxic_gas}):
        for k in range(1, int(rng.integers(1, 3)) + 1):
            detectors.append(
                ("toxic_ppm", f"{k}#{gas}检测仪", "ppm", 0.0, nan, nan, *TOXIC_PPM[gas])
            )

    if kind == "tanks":
        tanks = [tank(t) for t in range(1, int(rng.integers(1, 5)) + 1)]
        while sum(map(len, tanks)) + len(detectors) < 4:
            tanks.append(tank(len(tanks) + 1))
        while sum(map(len, tanks)) + len(detectors) > 12:
            tanks.pop()
        return [s for t in tanks for s in t] + detectors
    body: list[tuple] = []
    if kind == "warehouse":
        for k in range(1, int(rng.integers(1, 3)) + 1):
            normal = round(float(rng.uniform(18, 24)), 1)
            body.append(("temperature", f"{k}#库房温度", "°C", normal, nan, nan, 30.0, 35.0))
    else:
        for k in range(101, 101 + int(rng.integers(2, 5))):
            t = float(round(rng.uniform(60, 160)))
            body.append(("temperature", f"R{k}反应釜温度", "°C", t, t - 40, t - 25, t + 15, t + 30))
            if rng.random() < 0.6:
                p = round(float(rng.uniform(0.2, 2.5)), 2)
                body.append(
                    (
                        "pressure",
                        f"R{k}反应釜压力",
                        "MPa",
                        p,
                        nan,
                        nan,
                        _setpoint(p * 1.25),
                        _setpoint(p * 1.5),
                    )
                )
    while len(body) + len(detectors) < 4:
        body.append(("temperature", f"{len(body) + 1}#环境温度", "°C", 22.0, nan, nan, 35.0, 40.0))
    return (body + detectors)[:12]


def _sensors(world: _World, hazard_sources: pd.DataFrame, storage: dict[str, str]) -> pd.DataFrame:
    rng = world.rng("sensors")
    rows = []
    for hs in hazard_sources.itertuples(index=False):
        for n, spec in enumerate(_sensor_specs(rng, storage[hs.id], hs.chemicals.split("、")), 1):
            rows.append((f"{hs.id}-T{n:02d}", hs.id, *spec))
    return pd.DataFrame(rows, columns=COLUMNS["sensors"])


# --- forces and resources ------------------------------------------------------------------

# fmt: off
TEAM_PROFILES = {  # personnel range, vehicles (and boats) range, equipment
    "fire": ((25, 45), (4, 9), "水罐消防车、泡沫消防车、抢险救援消防车、空气呼吸器、破拆工具组、救生照明线"),
    "fire_brigade": ((12, 25), (2, 4), "指挥车、通信指挥车、无人机、侦检仪器"),
    "hazchem": ((30, 60), (6, 12), "防化洗消车、化学侦检车、重型防化服、有毒气体检测仪、堵漏工具组、防爆输转泵、泡沫消防车"),
    "water": ((15, 30), (2, 6), "冲锋舟、橡皮艇、救生衣、救生抛投器、水下机器人、潜水装备"),
    "medical": ((20, 60), (5, 15), "负压救护车、除颤仪、转运呼吸机、铲式担架、急救药品箱"),
    "engineering": ((30, 100), (5, 20), "挖掘机、装载机、大功率排涝泵车、发电车、照明车、吊车"),
    "volunteer": ((30, 120), (2, 8), "冲锋舟、绳索救援装备、无人机、对讲机、卫星电话、急救包"),
}
FIRE_STATIONS = {"320505": 5, "320506": 7, "320507": 5, "320508": 4, "320509": 6,
                 "320581": 6, "320582": 6, "320583": 7, "320585": 5}
HAZCHEM_TEAMS = (  # name, park (index in PARKS), how far from its centre (in park radii)
    ("张家港保税区危化品应急救援队", 0, 0.5), ("扬子江化工园区企业联防救援队", 0, 0.9),
    ("常熟新材料产业园危化品应急救援队", 1, 0.5), ("常熟市危化品专业救援中队", 1, 2.5),
    ("太仓港区危化品应急救援队", 2, 0.5), ("太仓市危化品专业救援中队", 2, 2.5),
    ("昆山千灯化工集中区危化品救援队", 3, 0.8),
)
WATER_TEAMS = (  # name, district, water, rough place
    ("东山太湖水上救援队", "320506", "taihu", (120.40, 31.07)),
    ("胥口太湖水上救援队", "320506", "taihu", (120.46, 31.22)),
    ("光福太湖水上救援队", "320506", "taihu", (120.40, 31.27)),
    ("七都太湖水上救援队", "320509", "taihu", (120.42, 30.94)),
    ("吴江东太湖水上救援队", "320509", "taihu", (120.60, 31.12)),
    ("镇湖太湖水上救援队", "320505", "taihu", (120.36, 31.35)),
    ("阳澄湖水上救援队", "320507", "yangcheng", (120.77, 31.47)),
    ("张家港长江水上救援队", "320582", "yangtze", (120.55, 31.99)),
    ("常熟浒浦长江水上救援队", "320581", "yangtze", (120.93, 31.75)),
    ("太仓浏河长江水上救援队", "320585", "yangtze", (121.29, 31.53)),
)
CITY_TEAMS = (  # name, kind, district
    ("苏州市危险化学品应急救援队", "hazchem", "320507"),
    ("苏州市急救中心", "medical", "320508"), ("苏州大学附属第一医院紧急医学救援队", "medical", "320508"),
    ("苏州市立医院应急医疗队", "medical", "320508"), ("苏州市市政工程抢险队", "engineering", "320508"),
    ("国网苏州供电公司电力抢修队", "engineering", "320505"), ("苏州市燃气抢险队", "engineering", "320506"),
    ("苏州市供水抢修队", "engineering", "320507"), ("苏州市交通工程抢险队", "engineering", "320506"),
    ("苏州蓝天救援队", "volunteer", "320508"), ("苏州市红十字应急救护队", "volunteer", "320508"),
    ("张家港蓝天救援队", "volunteer", "320582"), ("常熟蓝天救援队", "volunteer", "320581"),
    ("昆山蓝天救援队", "volunteer", "320583"), ("吴江蓝天救援队", "volunteer", "320509"),
    ("太仓蓝天救援队", "volunteer", "320585"), ("常熟市红十字救援队", "volunteer", "320581"),
    ("苏州市志愿消防救援队", "volunteer", "320507"), ("吴中区太湖志愿救援队", "volunteer", "320506"),
    ("苏州高新区应急志愿服务队", "volunteer", "320505"),
)
# fmt: on


def _rescue_teams(world: _World) -> pd.DataFrame:
    rng = world.rng("rescue_teams")
    rows: list[tuple] = []  # name, kind, district, lon, lat, profile

    def at(name: str, kind: str, adcode: str, lon, lat, profile: str | None = None) -> None:
        rows.append((name, kind, adcode, float(lon[0]), float(lat[0]), profile or kind))

    for adcode in world.adcodes:
        info, dname = DISTRICTS[adcode], world.names[adcode]
        at(
            f"{dname}消防救援大队",
            "fire",
            adcode,
            *world.uniform_in(rng, world.land[adcode], 1),
            "fire_brigade",
        )
        for j, town in enumerate(rng.permutation(info.towns)[: FIRE_STATIONS[adcode]]):
            station = "特勤消防救援站" if j == 0 else "消防救援站"
            at(
                f"{info.short}{town}{station}",
                "fire",
                adcode,
                *world.uniform_in(rng, world.land[adcode], 1),
            )
        if adcode != "320508":  # the city's own emergency centre serves the old town
            at(
                f"{dname}急救分中心",
                "medical",
                adcode,
                *world.uniform_in(rng, world.land[adcode], 1),
            )
        at(
            f"{dname}水利工程抢险队",
            "engineering",
            adcode,
            *world.uniform_in(rng, world.land[adcode], 1),
        )
    for name, park_index, spread in HAZCHEM_TEAMS:
        park = PARKS[park_index]
        at(
            name,
            "hazchem",
            park.district,
            *world.around(rng, park.district, park.lon, park.lat, 0, park.radius_m * spread),
        )
    for name, adcode, water, (x, y) in WATER_TEAMS:
        # On land by the water, as close to the namesake place as that allows.
        at(
            name,
            "water",
            adcode,
            *world.around(rng, adcode, x, y, 0, 3000, world.shore(adcode, water)),
        )
    for name, kind, adcode in CITY_TEAMS:
        at(name, kind, adcode, *world.uniform_in(rng, world.land[adcode], 1))

    frame = pd.DataFrame(rows, columns=["name", "kind", "district", "lon", "lat", "profile"])
    n = len(frame)
    frame["id"] = [f"RT{i:03d}" for i in range(1, n + 1)]
    profiles = [TEAM_PROFILES[p] for p in frame["profile"]]
    frame["personnel"] = [int(rng.integers(p[0][0], p[0][1] + 1)) for p in profiles]
    frame["vehicles"] = [int(rng.integers(p[1][0], p[1][1] + 1)) for p in profiles]
    frame["equipment"] = [p[2] for p in profiles]
    frame["leader"] = names.person_names(rng, n)
    frame["phone"] = names.phones(rng, n)
    return frame


# fmt: off
STOCK_ITEMS = (  # code, name, unit, minimum at a city depot, at a district depot
    ("sandbags", "编织袋(沙袋)", "条", 50000, 10000), ("life_jackets", "救生衣", "件", 2000, 500),
    ("tents", "帐篷", "顶", 500, 100), ("pumps", "排涝泵", "台", 50, 10), ("generators", "发电机", "台", 30, 8),
    ("booms", "吸油围栏", "米", 3000, 500), ("suits", "防化服", "套", 300, 50), ("quilts", "棉被", "床", 3000, 500),
    ("lights", "应急照明灯", "台", 500, 100), ("boats", "冲锋舟", "艘", 20, 4),
)
# fmt: on
HAZCHEM_ITEMS = {"booms", "suits"}  # only where chemical accidents are expected
SHORT_SHARE = 0.15  # of (depot, item) below the minimum


def _depots(world: _World) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = world.rng("depots")
    plan = [
        ("苏州市应急物资储备库", "city", "320507"),
        ("苏州市防汛抗旱物资仓库", "city", "320506"),
        ("苏州市危化品事故应急物资储备库", "city", "320582"),
    ]
    for adcode in world.adcodes:
        dname = world.names[adcode]
        plan.append((f"{dname}应急物资储备库", "district", adcode))
        if rng.random() < 0.6:
            plan.append((f"{dname}防汛物资仓库", "district", adcode))
        if adcode != "320508" and rng.random() < 0.5:
            plan.append((f"{dname}{_town(rng, adcode)}应急物资储备点", "district", adcode))
    depots = pd.DataFrame(plan, columns=["name", "tier", "district"])
    n = len(depots)
    depots["id"] = [f"DP{i:02d}" for i in range(1, n + 1)]
    depots["manager"] = names.person_names(rng, n)
    depots["phone"] = names.phones(rng, n)
    depots["lon"], depots["lat"] = world.scatter(rng, depots["district"].to_numpy())

    stock = []
    for depot in depots.itertuples(index=False):
        hazchem = depot.tier == "city" or depot.district in (*RIVERSIDE, "320583", "320509")
        for code, name, unit, city_min, district_min in STOCK_ITEMS:
            if hazchem or code not in HAZCHEM_ITEMS:
                minimum = city_min if depot.tier == "city" else district_min
                stock.append((depot.id, code, name, unit, minimum))
    stock = pd.DataFrame(stock, columns=["depot_id", "item", "item_name", "unit", "min_quantity"])
    m = len(stock)
    short = np.zeros(m, dtype=bool)
    short[rng.choice(m, size=round(SHORT_SHARE * m), replace=False)] = True
    quantity = stock["min_quantity"].to_numpy() * np.where(
        short, rng.uniform(0.3, 0.95, m), rng.uniform(1.05, 2.5, m)
    )
    stock["quantity"] = np.where(short, np.floor(quantity), np.ceil(quantity)).astype(int)
    return depots, stock


def _shelters(world: _World) -> pd.DataFrame:
    rng = world.rng("shelters")
    n = 80
    adcodes = world.pick_districts(rng, n)
    taken: set[str] = set()
    rows = []
    for adcode in adcodes:
        name, kind = names.shelter_name(rng, world.names[adcode], _town(rng, adcode))
        while name in taken:
            name, kind = names.shelter_name(rng, world.names[adcode], _town(rng, adcode))
        taken.add(name)
        # Outdoor: 1.5-3 m2 a person (GB 21734); indoor halls hold fewer.
        area = int(rng.uniform(5_000, 120_000) if kind == "outdoor" else rng.uniform(1_500, 15_000))
        capacity = int(
            area / (rng.uniform(1.5, 3.0) if kind == "outdoor" else rng.uniform(2.0, 4.0))
        )
        rows.append((name, kind, adcode, capacity, area))
    frame = pd.DataFrame(rows, columns=["name", "kind", "district", "capacity", "area_m2"])
    frame["id"] = [f"SH{i:03d}" for i in range(1, n + 1)]
    is_open = np.zeros(n, dtype=bool)
    is_open[rng.choice(n, size=3, replace=False)] = True
    frame["is_open"] = is_open
    frame["occupancy"] = np.where(
        is_open, (frame["capacity"] * rng.uniform(0.05, 0.4, n)).astype(int), 0
    )
    frame["lon"], frame["lat"] = world.towns(rng, adcodes, 0.5)
    return frame


# fmt: off
EXPERT_ORGS: dict[str, tuple[tuple[str, str, str], ...]] = {  # organisation, district, kind of title
    "危化": (("苏州大学材料与化学化工学部", "320506", "academic"), ("常熟理工学院化学与材料工程学院", "320581", "academic"),
           ("江苏扬子江国际化学工业园管委会", "320582", "engineer"), ("苏州市化工设计院", "320505", "engineer"),
           ("张家港市应急管理局", "320582", "engineer"), ("太仓港经济技术开发区安监局", "320585", "engineer")),
    "消防": (("苏州市消防救援支队", "320508", "engineer"), ("昆山市消防救援大队", "320583", "engineer"),
           ("张家港市消防救援大队", "320582", "engineer")),
    "水利": (("苏州市水利设计研究院", "320508", "engineer"), ("苏州市水务局", "320508", "engineer"),
           ("苏州科技大学环境科学与工程学院", "320505", "academic"), ("吴江区水利局", "320509", "engineer")),
    "地质": (("江苏省地质调查研究院苏州分院", "320505", "engineer"), ("苏州科技大学土木工程学院", "320505", "academic"),
           ("苏州市自然资源和规划局", "320508", "engineer")),
    "医疗": (("苏州大学附属第一医院", "320508", "doctor"), ("苏州大学附属第二医院", "320508", "doctor"),
           ("苏州市立医院", "320508", "doctor"), ("苏州市急救中心", "320508", "doctor"),
           ("昆山市第一人民医院", "320583", "doctor"), ("常熟市第一人民医院", "320581", "doctor"),
           ("张家港市第一人民医院", "320582", "doctor"), ("苏州市第五人民医院", "320506", "doctor")),
    "气象": (("苏州市气象局", "320506", "engineer"), ("昆山市气象局", "320583", "engineer"),
           ("吴江区气象局", "320509", "engineer")),
    "电力": (("国网苏州供电公司", "320508", "engineer"), ("苏州热工研究院", "320508", "engineer"),
           ("国网张家港市供电公司", "320582", "engineer"), ("国网昆山市供电公司", "320583", "engineer")),
    "建筑": (("苏州市建筑设计研究院", "320508", "engineer"), ("苏州市建设工程质量检测中心", "320505", "engineer"),
           ("苏州科技大学土木工程学院", "320505", "academic")),
}
EXPERT_WEIGHTS = {"危化": 22, "消防": 12, "水利": 13, "地质": 8, "医疗": 16, "气象": 8, "电力": 9, "建筑": 12}
TITLES = {
    "academic": (("教授", 0.45), ("副教授", 0.4), ("研究员", 0.15)),
    "engineer": (("正高级工程师", 0.3), ("高级工程师", 0.6), ("研究员", 0.1)),
    "doctor": (("主任医师", 0.5), ("副主任医师", 0.5)),
}
# fmt: on


def _experts(world: _World) -> pd.DataFrame:
    rng = world.rng("experts")
    n = 100
    rows = []
    for specialty, count in zip(EXPERT_WEIGHTS, _split(rng, n, list(EXPERT_WEIGHTS.values()))):
        for _ in range(count):
            org, adcode, kind = EXPERT_ORGS[specialty][rng.integers(len(EXPERT_ORGS[specialty]))]
            titles, p = zip(*TITLES[kind])
            rows.append((specialty, org, titles[rng.choice(len(titles), p=p)], adcode))
    frame = pd.DataFrame(rows, columns=["specialty", "organisation", "title", "district"])
    frame["id"] = [f"EX{i:03d}" for i in range(1, n + 1)]
    frame["name"] = names.person_names(rng, n)
    frame["phone"] = names.phones(rng, n)
    return frame


TARGET_COUNTS = {"school": 400, "hospital": 60, "residential": 600, "elderly": 60}
TARGET_URBAN_SHARE = {"school": 0.5, "hospital": 0.6, "residential": 0.6, "elderly": 0.4}
TARGET_SIZES = {
    "hospital": (100, 3000),
    "residential": (1000, 20000),
    "elderly": (30, 400),
    "kindergarten": (150, 500),
    "primary": (600, 3000),
    "middle": (800, 3500),
}


def _target_name(rng: Rng, kind: str, adcode: str, dname: str, town: str) -> tuple[str, str]:
    """(name, size class) of one sensitive target."""
    if kind == "school":
        return names.school_name(rng, DISTRICTS[adcode].school_prefix, town)
    if kind == "hospital":
        return names.hospital_name(rng, dname, town), kind
    if kind == "residential":
        return names.residential_name(rng, town), kind
    return names.elderly_name(rng, dname, town), kind


def _sensitive_targets(world: _World) -> pd.DataFrame:
    rng = world.rng("sensitive_targets")
    rows = []
    for kind, n in TARGET_COUNTS.items():
        adcodes = world.pick_districts(rng, n)
        lon, lat = world.towns(rng, adcodes, TARGET_URBAN_SHARE[kind])
        if kind in ("school", "residential"):
            # Towns grew up around the riverside parks: some homes and schools are near them.
            for park in PARKS[:3]:
                idx = np.flatnonzero(adcodes == park.district)[: n // 45 + 1]
                lon[idx], lat[idx] = world.around(
                    rng,
                    park.district,
                    [park.lon] * idx.size,
                    park.lat,
                    park.radius_m + 1000,
                    park.radius_m + 5000,
                )
        taken: set[str] = set()
        for adcode, x, y in zip(adcodes, lon, lat):
            town = _town(rng, adcode)
            name, size = _target_name(rng, kind, adcode, world.names[adcode], town)
            while name in taken:
                name, size = _target_name(rng, kind, adcode, world.names[adcode], town)
            taken.add(name)
            low, high = TARGET_SIZES[size]
            rows.append(
                (name, kind, int(np.exp(rng.uniform(np.log(low), np.log(high)))), adcode, x, y)
            )
    frame = pd.DataFrame(rows, columns=["name", "kind", "population", "district", "lon", "lat"])
    frame["id"] = [f"ST{i:04d}" for i in range(1, len(frame) + 1)]
    return frame


# --- duty ------------------------------------------------------------------------------------

DAY_START = time(8, 30)
NIGHT_START = time(17, 30)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, SHANGHAI).astimezone(UTC)


def _duty_roster(world: _World) -> pd.DataFrame:
    """Four weeks from the Monday of last week. Per unit and day: one leader (带班领导) on call
    for 24 hours from 08:30 (shift 'day'), and per shift one chief (值班长) and two officers
    (值班员); people rotate through a fixed staff, with a swapped shift now and then."""
    start = world.today - timedelta(days=world.today.weekday() + 7)
    rows = []
    for unit in ["city", *world.adcodes]:
        rng = world.rng(f"roster:{unit}")
        people, phones = world.staff(unit)
        leaders, chiefs, officers = people[:5], people[5:13], people[13:29]
        offset = int(rng.integers(0, 40))
        for d in range(28):
            day = start + timedelta(days=d)
            morning, evening = _local(day, DAY_START), _local(day, NIGHT_START)
            next_morning = _local(day + timedelta(days=1), DAY_START)
            k = d + offset
            crew = [
                ("day", "leader", leaders[k % 5], morning, next_morning),
                ("day", "chief", chiefs[2 * k % 8], morning, evening),
                ("day", "officer", officers[4 * k % 16], morning, evening),
                ("day", "officer", officers[(4 * k + 1) % 16], morning, evening),
                ("night", "chief", chiefs[(2 * k + 1) % 8], evening, next_morning),
                ("night", "officer", officers[(4 * k + 2) % 16], evening, next_morning),
                ("night", "officer", officers[(4 * k + 3) % 16], evening, next_morning),
            ]
            if rng.random() < 0.08:  # 调班
                j = int(rng.integers(2, 7))
                pool = officers if crew[j][1] == "officer" else chiefs
                spare = [p for p in pool if p not in {c[2] for c in crew}]
                crew[j] = (*crew[j][:2], one(rng, spare), *crew[j][3:])
            for shift, role, name, starts, ends in crew:
                rows.append((unit, day, shift, role, name, phones[name], starts, ends))
    frame = pd.DataFrame(rows, columns=COLUMNS["duty_roster"][1:])
    frame["id"] = np.arange(1, len(frame) + 1)
    return _utc(frame, "starts_at", "ends_at")


def _on_duty(
    roster: pd.DataFrame, unit: str, at: datetime, roles=("chief", "officer")
) -> list[str]:
    on = roster[
        (roster["unit"] == unit)
        & roster["role"].isin(roles)
        & (roster["starts_at"] <= at)
        & (roster["ends_at"] > at)
    ]
    return list(on["name"])


def _duty_log(world: _World, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The city duty room's log of the past week: handovers, reports taken, checks, notices."""
    rng = world.rng("duty_log")
    roster = frames["duty_roster"]
    sites = _with_firm(frames["hazard_sources"], frames["enterprises"])
    rows = []

    def author(at: datetime) -> str:
        return one(rng, _on_duty(roster, "city", at) or world.duty_officers())

    first = (world.now - timedelta(days=7)).astimezone(SHANGHAI).date()
    for offset in range((world.today - first).days + 1):
        day = first + timedelta(days=offset)
        for at in (_local(day, DAY_START), _local(day, NIGHT_START)):
            before = _on_duty(roster, "city", at - timedelta(minutes=1), ("chief",))
            after = _on_duty(roster, "city", at, ("chief",))
            if before and after:
                text = (
                    f"交接班：{before[0]}与{after[0]}完成交接，在办事项{rng.integers(0, 5)}项、"
                    f"未结警情{rng.integers(0, 3)}起已逐项交接，值班设备运行正常。"
                )
                rows.append((at, author(at), "handover", text))
        for _ in range(int(rng.integers(1, 4))):
            at = _local(day, time(int(rng.integers(0, 24)), int(rng.integers(0, 60))))
            adcode = one(rng, world.adcodes)
            dname = world.names[adcode]
            text = (
                f"接报：{dname}{_town(rng, adcode)}{one(rng, names.DUTY_REPORTS)}，"
                f"已通知{dname}应急管理局核实处置并续报。"
            )
            rows.append((at, author(at), "report", text))
        for _ in range(int(rng.integers(1, 3))):
            at = _local(day, time(int(rng.integers(9, 23)), int(rng.integers(0, 60))))
            if rng.random() < 0.5:
                adcode = one(rng, world.adcodes)
                who = (_on_duty(roster, adcode, at) or ["值班员"])[0]
                text = f"检查：视频抽查{world.names[adcode]}应急值班室，{who}在岗在位。"
            else:
                site = sites[int(rng.integers(len(sites)))]
                text = f"检查：视频巡查{site['firm']}{site['name']}，运行正常，未见异常作业。"
            rows.append((at, author(at), "inspection", text))
        if rng.random() < 0.5:
            at = _local(day, time(int(rng.integers(8, 18)), int(rng.integers(0, 60))))
            rows.append((at, author(at), "notice", one(rng, names.DUTY_NOTICES)))
    frame = pd.DataFrame(rows, columns=["at", "author", "category", "text"])
    frame = frame[(frame["at"] <= world.now) & (frame["at"] > world.now - timedelta(days=7))]
    frame = _utc(frame.sort_values("at", kind="stable").reset_index(drop=True), "at")
    frame["unit"] = "city"
    frame["id"] = np.arange(1, len(frame) + 1)
    return frame


def _with_firm(hazard_sources: pd.DataFrame, enterprises: pd.DataFrame) -> list[dict]:
    """Hazard sources as records, each with its firm's name as `firm`."""
    firms = enterprises[["id", "name"]].rename(columns={"id": "enterprise_id", "name": "firm"})
    return hazard_sources.merge(firms, how="left").to_dict("records")


# --- history: incidents ---------------------------------------------------------------------

# fmt: off
HOUR_OF_DAY = np.array([0.35, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2, 1.2, 1.2, 1.2,
                        1.0, 1.0, 1.2, 1.2, 1.2, 1.2, 0.9, 0.9, 0.7, 0.7, 0.6, 0.5])
SEASON = {  # month factors, January first
    "flat": np.ones(12),
    "heat": np.array([0.6, 0.6, 0.8, 1.0, 1.5, 2.5, 3.0, 3.0, 2.0, 1.2, 0.8, 0.6]),
    "summer": np.array([1.0, 0.8, 0.8, 1.0, 1.3, 2.5, 3.0, 3.0, 2.0, 1.0, 0.9, 1.0]),
    "flood": np.array([0.1, 0.1, 0.2, 0.4, 1.0, 5.0, 6.0, 3.0, 2.5, 0.6, 0.2, 0.1]),  # 梅雨, typhoons
}
INCIDENT_CATEGORIES = {  # weight, season, hours to close (low, high), teams sent
    "交通事故": (0.28, "flat", (1, 4), ("fire", "medical")),
    "火灾": (0.27, "flat", (1, 5), ("fire", "medical")),
    "防汛": (0.12, "flood", (12, 72), ("water", "engineering")),
    "生产安全事故": (0.15, "flat", (2, 10), ("fire", "medical")),
    "危化品泄漏": (0.10, "flat", (3, 24), ("hazchem", "fire")),
    "特种设备": (0.08, "flat", (0.5, 2), ("fire",)),
}
# What may be going on now, late in the year: no floods.
OPEN_CATEGORIES = {"交通事故": 0.3, "火灾": 0.3, "生产安全事故": 0.15, "危化品泄漏": 0.15, "特种设备": 0.1}
# fmt: on
N_CLOSED_INCIDENTS = 145


def _sample_times(rng: Rng, world: _World, n: int, season: str, latest: timedelta) -> pd.Series:
    """n times in the year before now - `latest`, fewer at night, weighted by `season`."""
    hours = pd.date_range(end=pd.Timestamp(world.now).floor("h"), periods=365 * 24, freq="h")
    local = hours.tz_convert(SHANGHAI)
    w = HOUR_OF_DAY[local.hour] * SEASON[season][local.month - 1]
    times = hours[rng.choice(len(hours), size=n, p=w / w.sum())]
    times += pd.to_timedelta(rng.uniform(0, 3600, n), unit="s")
    limit = pd.Timestamp(world.now - latest)
    return pd.Series(
        times.where(times <= limit, limit - pd.to_timedelta(rng.uniform(0, 3600, n), unit="s"))
    )


def _incidents(world: _World, frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A year of incidents, all closed but the 4-6 opened in the last two days; and the
    timeline of each."""
    rng = world.rng("incidents")
    cases: list[tuple[str, pd.Timestamp, bool]] = []  # category, opened_at, still open
    for category, (weight, season, _, _) in INCIDENT_CATEGORIES.items():
        count = round(N_CLOSED_INCIDENTS * weight)
        opened = _sample_times(rng, world, count, season, latest=timedelta(days=2))
        cases += [(category, t, False) for t in opened]
    p = np.array(list(OPEN_CATEGORIES.values()))
    for _ in range(int(rng.integers(4, 7))):
        category = list(OPEN_CATEGORIES)[rng.choice(len(p), p=p)]
        cases.append(
            (
                category,
                pd.Timestamp(world.now) - pd.Timedelta(minutes=float(rng.uniform(60, 2760))),
                True,
            )
        )

    context = {
        "hazard": _with_firm(frames["hazard_sources"], frames["enterprises"]),
        "firms": frames["enterprises"].to_dict("records"),
        "homes": frames["sensitive_targets"].query("kind == 'residential'").to_dict("records"),
    }
    teams = frames["rescue_teams"]
    now = pd.Timestamp(world.now)
    rows, timelines = [], []
    for category, opened_at, is_open in cases:
        level = int(rng.choice([2, 3, 4], p=[0.01, 0.09, 0.90]))
        adcode, lon, lat, title, summary = _incident_site(rng, world, category, context)
        casualties = (
            0
            if category == "防汛"
            else int(rng.integers(3, 10) if level <= 3 else rng.choice([0, 0, 0, 1, 1, 2]))
        )
        low, high = INCIDENT_CATEGORIES[category][2]
        closed_at = None
        if not is_open:
            duration = pd.Timedelta(hours=float(rng.uniform(low, high)) * (2 if level <= 3 else 1))
            # Recent ones that would still be running now closed a little earlier.
            closed_at = min(
                opened_at + duration, opened_at + (now - opened_at) * float(rng.uniform(0.5, 0.9))
            )
        rows.append(
            (
                title,
                category,
                level,
                "open" if is_open else "closed",
                adcode,
                lon,
                lat,
                opened_at,
                closed_at,
                casualties,
                summary,
            )
        )
        timelines.append(
            _timeline(rng, world, teams, category, title, adcode, lon, lat, opened_at, closed_at)
        )

    frame = pd.DataFrame(rows, columns=COLUMNS["incidents"][1:])
    day = frame["opened_at"].dt.tz_convert(SHANGHAI).dt.strftime("%Y%m%d")
    order = np.argsort(frame["opened_at"].to_numpy(), kind="stable")
    serial = pd.Series(np.empty(len(frame), dtype=int))
    serial.iloc[order] = day.iloc[order].groupby(day.iloc[order]).cumcount().to_numpy() + 1
    frame["id"] = "INC-" + day + "-" + serial.map("{:03d}".format)
    events = [
        (frame["id"].iloc[i], *event) for i, entries in enumerate(timelines) for event in entries
    ]
    events = pd.DataFrame(events, columns=COLUMNS["incident_timeline"][1:])
    events = _utc(
        events.sort_values(["at", "incident_id"], kind="stable").reset_index(drop=True), "at"
    )
    events["id"] = np.arange(1, len(events) + 1)
    frame = _utc(frame.iloc[order].reset_index(drop=True), "opened_at", "closed_at")
    return frame, events


def _incident_site(rng: Rng, world: _World, category: str, context: dict) -> tuple:
    """(district, lon, lat, title, summary) of one incident."""
    what = one(rng, names.ACCIDENT_KINDS.get(category, ("",)))
    if category == "危化品泄漏":
        site = one(rng, context["hazard"])
        chem = site["chemicals"].split("、")[0]
        title = f"{site['firm']}{site['name']}{chem}泄漏"
        summary = (
            f"{site['firm']}{site['name']}一处法兰密封失效导致{chem}泄漏，企业启动应急预案并切断物料，"
            f"消防救援和生态环境部门到场处置，周边{int(rng.integers(2, 8)) * 100}米范围设置警戒。"
        )
    elif category == "生产安全事故" or (category == "特种设备" and rng.random() < 0.7):
        site = one(rng, context["firms"])
        title = f"{site['name']}{what}事故"
        summary = f"{site['name']}发生一起{what}事故，伤员已送医救治，属地应急管理部门已到场调查，企业相关作业已停工整改。"
    elif category == "特种设备":
        site = one(rng, context["homes"])
        title = f"{site['name']}电梯困人"
        summary = (
            f"{site['name']}一部电梯运行中停梯，{int(rng.integers(1, 6))}人被困，"
            "消防救援站到场破拆救出，电梯维保单位已到场检修。"
        )
    else:
        adcode = world.pick_districts(rng, 1)[0]
        lon, lat = world.uniform_in(rng, world.land[adcode], 1)
        place = world.names[adcode] + _town(rng, adcode)
        if category == "火灾":
            title = f"{place}{what}火灾"
            summary = (
                f"{place}一{what}发生火灾，过火面积约{int(rng.integers(10, 800))}平方米，消防救援站出动"
                f"{int(rng.integers(3, 12))}车{int(rng.integers(15, 60))}人扑救，火势已控制。"
            )
        elif category == "交通事故":
            road = one(rng, names.ROADS[adcode])
            title = f"{road}{what}事故"
            summary = f"{road}发生一起{what}事故，交警、消防、急救到场处置，现场交通已临时管制。"
        else:
            title = f"{place}{what}"
            summary = f"受强降雨影响，{place}出现{what}，属地组织抢险队伍排涝、巡堤，转移群众{int(rng.integers(0, 300))}人。"
        return adcode, float(lon[0]), float(lat[0]), title, summary
    lon, lat = world.around(rng, site["district"], site["lon"], site["lat"], 0, 150)
    return site["district"], float(lon[0]), float(lat[0]), title, summary


def _timeline(
    rng, world, teams, category, title, adcode, lon, lat, opened_at, closed_at
) -> list[tuple]:
    """(at, kind, text, author) entries up to now: 接报 report, 派出 dispatch, 到场 arrive,
    处置 handle (1-3), 结束 close."""
    people = world.duty_officers()
    nearby = teams[teams["kind"].isin(INCIDENT_CATEGORIES[category][3])]
    distance = np.hypot(nearby["lon"].to_numpy() - lon, (nearby["lat"].to_numpy() - lat) * 1.17)
    sent = list(nearby["name"].to_numpy()[np.argsort(distance)[: int(rng.integers(1, 4))]])
    source = one(rng, names.REPORTED_BY[category]).format(district=world.names[adcode])
    dispatched = opened_at + pd.Timedelta(minutes=float(rng.uniform(2, 8)))
    arrived = dispatched + pd.Timedelta(minutes=float(rng.uniform(8, 30)))
    entries = [
        (opened_at, "report", f"接报：{source}报告{title}。"),
        (dispatched, "dispatch", f"派出：调派{'、'.join(sent)}赶赴现场。"),
        (arrived, "arrive", f"到场：{sent[0]}到达现场，开展侦察并设置警戒。"),
    ]
    end, at = closed_at if closed_at is not None else pd.Timestamp(world.now), arrived
    for _ in range(int(rng.integers(1, 4))):
        at = at + (end - at) * float(rng.uniform(0.2, 0.6))
        entries.append((at, "handle", f"处置：{one(rng, names.HANDLING_STEPS)}"))
    if closed_at is not None:
        entries.append((closed_at, "close", "结束：现场处置完毕，队伍归建。"))
    return [(*e, one(rng, people)) for e in entries if e[0] <= pd.Timestamp(world.now)]


# --- history: readings and alarms -----------------------------------------------------------

READING_STEPS = 144  # the last 24 hours every 10 minutes


def _readings(world: _World, sensors: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The last 24 h of each sensor every 10 minutes, and the rare excursions past `high`."""
    rng = world.rng("readings")
    ts = pd.date_range(end=pd.Timestamp(world.now), periods=READING_STEPS, freq="10min")
    local = ts.tz_convert(SHANGHAI)
    diurnal = np.sin((local.hour.to_numpy() + local.minute.to_numpy() / 60 - 8) / 24 * 2 * np.pi)
    kind = sensors["kind"].to_numpy()
    normal, high, high_high = (sensors[c].to_numpy() for c in ("normal", "high", "high_high"))
    n, steps = len(sensors), READING_STEPS
    values = np.empty((n, steps))
    for k in np.unique(kind):
        idx = np.flatnonzero(kind == k)
        m, base = idx.size, normal[idx][:, None]
        noise = rng.normal(0, 1, (m, steps))
        if k == "level":  # filling and emptying cycles plus drift
            amp = np.minimum(10, np.minimum(base - 15, 80 - base)) * rng.uniform(0.3, 1, (m, 1))
            cycle = np.arange(steps) / (rng.uniform(8, 24, (m, 1)) * 6) * 2 * np.pi
            drift = np.cumsum(rng.normal(0, 0.15, (m, steps)), axis=1)
            v = base + amp * np.sin(cycle + rng.uniform(0, 2 * np.pi, (m, 1))) + drift + 0.2 * noise
        elif k == "temperature":  # warmest mid-afternoon
            v = base + rng.uniform(1, 3, (m, 1)) * diurnal + 0.3 * noise
        elif k == "pressure":
            v = base * (1 + 0.03 * diurnal + 0.01 * noise)
        elif k == "gas_lel":
            v = np.maximum(0, 0.8 * noise - 0.5)
        else:
            v = np.maximum(0, (0.05 * noise - 0.1) * high[idx][:, None])
        values[idx] = v
    excursions = []
    for i in rng.choice(n, size=max(2, n // 100), replace=False):
        start, length = int(rng.integers(0, steps - 6)), int(rng.integers(2, 6))
        peak = high[i] + (high_high[i] - high[i]) * float(rng.uniform(0.1, 1.3))
        values[i, start : start + length] = np.maximum(values[i, start : start + length], peak)
        excursions.append({"sensor": int(i), "start": ts[start], "value": float(peak)})
    decimals = np.select([kind == "pressure", kind == "toxic_ppm"], [3, 2], 1)[:, None]
    values = np.round(values * 10.0**decimals) / 10.0**decimals
    frame = pd.DataFrame(
        {
            "sensor_id": np.repeat(sensors["id"].to_numpy(), steps),
            "ts": pd.to_datetime(np.tile(ts.tz_convert(None).to_numpy(), n), utc=True),
            "value": values.ravel(),
        }
    )
    return frame, excursions


@dataclass(frozen=True)
class AlarmKind:
    source: str
    category: str
    weights: tuple[float, float, float, float]  # relative weight at red, orange, yellow, blue
    season: str
    site: str  # what raises it: a sensor (of a kind), a hazard source, a firm, an area, a shore
    close_minutes: float  # median time from acknowledgement to closing


# fmt: off
ALARM_KINDS = (
    AlarmKind("hazchem", "液位超限", (2, 10, 30, 5), "flat", "sensor:level", 30),
    AlarmKind("hazchem", "温度超限", (2, 8, 25, 5), "heat", "sensor:temperature", 30),
    AlarmKind("hazchem", "压力超限", (2, 8, 20, 3), "heat", "sensor:pressure", 30),
    AlarmKind("hazchem", "可燃气体报警", (4, 10, 25, 3), "flat", "sensor:gas_lel", 40),
    AlarmKind("hazchem", "有毒气体报警", (3, 6, 12, 2), "flat", "sensor:toxic_ppm", 40),
    AlarmKind("iot", "设备离线", (0, 0, 5, 120), "flat", "sensor", 60),
    AlarmKind("iot", "视频智能分析告警", (0, 3, 40, 40), "flat", "hazard", 15),
    AlarmKind("supervision", "隐患超期未整改", (0, 8, 30, 10), "flat", "firm", 2880),
    AlarmKind("supervision", "安全承诺未按时报送", (0, 0, 5, 40), "flat", "hazchem_firm", 240),
    AlarmKind("supervision", "特殊作业报备异常", (0, 3, 12, 10), "flat", "hazchem_firm", 120),
    AlarmKind("enforcement", "执法检查发现重大隐患", (3, 12, 5, 0), "flat", "firm", 4320),
    AlarmKind("enforcement", "执法计划逾期", (0, 0, 3, 10), "flat", "area", 1440),
    AlarmKind("monitor", "气象预警", (1, 4, 10, 12), "summer", "area", 720),
    AlarmKind("monitor", "水位超警戒", (1, 5, 12, 4), "flood", "shore", 2880),
    AlarmKind("emergency", "突发事件接报", (2, 6, 10, 5), "flat", "area", 180),
    AlarmKind("emergency", "值班签到超时", (0, 0, 3, 15), "flat", "area", 10),
    AlarmKind("gis", "危化品运输车辆偏离路线", (0, 2, 12, 8), "flat", "area", 30),
    AlarmKind("gis", "运输车辆超速", (0, 0, 5, 20), "flat", "area", 15),
    AlarmKind("gis", "车辆进入禁行区域", (0, 3, 8, 3), "flat", "area", 20),
)
SHORES = (("320506", "taihu", "太湖"), ("320509", "taihu", "太湖"), ("320505", "taihu", "太湖"),
          ("320507", "yangcheng", "阳澄湖"), ("320582", "yangtze", "长江"), ("320581", "yangtze", "长江"),
          ("320585", "yangtze", "长江"))
# fmt: on
LEVELS = ("red", "orange", "yellow", "blue")
LEVEL_SHARE = (0.02, 0.10, 0.38, 0.50)
ACK_MINUTES = {"red": 1, "orange": 2, "yellow": 5, "blue": 15}  # median
N_ALARMS = 30_000


@dataclass(frozen=True)
class _Sites:
    """What alarms come from, as plain records (fast to pick from one at a time)."""

    sensors: list[dict]
    by_kind: dict[str, list[dict]]
    hazard: list[dict]
    firms: list[dict]
    hazchem_firms: list[dict]


def _alarms(world: _World, frames: dict[str, pd.DataFrame], excursions: list[dict]) -> pd.DataFrame:
    """A year of alarms from every source system, and those the last day's excursions raised.
    Those not yet acknowledged or closed by now are 'new' or 'acknowledged'."""
    rng = world.rng("alarms")
    hazard = pd.DataFrame(_with_firm(frames["hazard_sources"], frames["enterprises"]))
    sensors = frames["sensors"].merge(
        hazard[["id", "firm", "district", "lon", "lat"]].rename(columns={"id": "hazard_source_id"}),
        how="left",
    )
    firms = frames["enterprises"]
    sites = _Sites(
        sensors=sensors.to_dict("records"),
        by_kind={k: g.to_dict("records") for k, g in sensors.groupby("kind")},
        hazard=hazard.to_dict("records"),
        firms=firms.to_dict("records"),
        hazchem_firms=firms[firms["hazchem"]].to_dict("records"),
    )
    # The level first (so the shares hold), then what kind of alarm has that level.
    levels = rng.choice(4, size=N_ALARMS, p=LEVEL_SHARE)
    weights = np.array([k.weights for k in ALARM_KINDS], dtype=float)
    kinds = np.empty(N_ALARMS, dtype=int)
    for lv in range(4):
        idx = np.flatnonzero(levels == lv)
        kinds[idx] = rng.choice(
            len(ALARM_KINDS), size=idx.size, p=weights[:, lv] / weights[:, lv].sum()
        )
    rows = []
    for k, kind in enumerate(ALARM_KINDS):
        idx = np.flatnonzero(kinds == k)
        times = _sample_times(rng, world, idx.size, kind.season, latest=timedelta(minutes=10))
        rows += [
            _alarm(rng, world, kind, LEVELS[lv], t, sites) for lv, t in zip(levels[idx], times)
        ]
    for ex in excursions:
        sensor = sites.sensors[ex["sensor"]]
        kind = next(k for k in ALARM_KINDS if k.site == f"sensor:{sensor['kind']}")
        level = "orange" if ex["value"] >= sensor["high_high"] else "yellow"
        rows.append(_sensor_alarm(kind, level, ex["start"], sensor, ex["value"]))

    frame = pd.DataFrame(rows).sort_values("occurred_at", kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["id"] = (
        "H-" + frame["source"] + "-" + (frame.groupby("source").cumcount() + 1).map("{:06d}".format)
    )
    frame["received_at"] = frame["occurred_at"] + pd.to_timedelta(rng.uniform(0.5, 8, n), unit="s")
    ack_minutes = rng.lognormal(np.log(frame["level"].map(ACK_MINUTES).to_numpy(dtype=float)), 0.7)
    ack = frame["received_at"] + pd.to_timedelta(np.minimum(ack_minutes, 120), unit="min")
    close_minutes = rng.lognormal(np.log(frame["close_minutes"].to_numpy(dtype=float)), 0.8)
    close = ack + pd.to_timedelta(close_minutes, unit="min")
    acked = (ack <= pd.Timestamp(world.now)).to_numpy()
    closed = (close <= pd.Timestamp(world.now)).to_numpy()
    people = np.array(world.duty_officers(), dtype=object)
    frame["status"] = np.where(closed, "closed", np.where(acked, "acknowledged", "new"))
    frame["ack_by"] = np.where(acked, people[rng.integers(len(people), size=n)], None)
    frame["ack_at"] = ack.where(acked)
    frame["closed_by"] = np.where(closed, people[rng.integers(len(people), size=n)], None)
    frame["closed_at"] = close.where(closed)
    notes = [names.CLOSE_NOTES.get(c, names.CLOSE_NOTES["sensor"]) for c in frame["category"]]
    frame["close_note"] = np.where(
        closed, np.array([one(rng, ns) for ns in notes], dtype=object), None
    )
    repeats = frame["category"].isin(["设备离线", "可燃气体报警"]).to_numpy() & (
        rng.random(n) < 0.4
    )
    frame["count"] = np.where(repeats, rng.geometric(0.4, n) + 1, 1)
    return _utc(frame, "occurred_at", "received_at", "ack_at", "closed_at")


def _sensor_alarm(
    kind: AlarmKind, level: str, occurred, sensor: dict, value: float, low=False
) -> dict:
    if low:
        word, threshold = (
            ("低低报警", "low_low") if level in ("red", "orange") else ("低报警", "low")
        )
    else:
        word, threshold = {
            "red": ("高高报警", "high_high"),
            "orange": ("高高报警", "high_high"),
            "yellow": ("高报警", "high"),
            "blue": ("接近报警值", "high"),
        }[level]
    detail = {
        "sensor_id": sensor["id"],
        "value": round(float(value), 3),
        "threshold": float(sensor[threshold]),
        "unit": sensor["unit"],
    }
    return {
        "source": kind.source,
        "level": level,
        "category": kind.category,
        "title": f"{sensor['firm']} {sensor['name']}{word}",
        "occurred_at": occurred,
        "lon": float(sensor["lon"]),
        "lat": float(sensor["lat"]),
        "site_id": sensor["id"],
        "district": sensor["district"],
        "close_minutes": kind.close_minutes,
        "detail": json.dumps(detail, ensure_ascii=False),
    }


def _alarm(rng: Rng, world: _World, kind: AlarmKind, level: str, occurred, sites: _Sites) -> dict:
    """One alarm of `kind`: where it comes from, and its title."""
    if kind.site.startswith("sensor:"):
        sensor = one(rng, sites.by_kind[kind.site.split(":")[1]])
        low = sensor["kind"] == "level" and rng.random() < 0.3
        if low:
            value = (
                sensor["low_low"] * rng.uniform(0.2, 0.9)
                if level in ("red", "orange")
                else sensor["low"] * rng.uniform(0.6, 0.95)
            )
        elif level in ("red", "orange"):
            value = sensor["high_high"] * rng.uniform(1.0, 1.3 if level == "orange" else 1.6)
        elif level == "yellow":
            value = sensor["high"] + (sensor["high_high"] - sensor["high"]) * rng.uniform(0, 1)
        else:
            value = sensor["high"] * rng.uniform(0.9, 1.0)
        return _sensor_alarm(kind, level, occurred, sensor, value, low)

    site, adcode = None, None
    if kind.site == "sensor":
        site = one(rng, sites.sensors)
        title = f"{site['firm']} {site['name']}设备离线"
    elif kind.site == "hazard":
        site = one(rng, sites.hazard)
        title = f"{site['firm']} {site['name']}视频告警：{one(rng, names.VIDEO_EVENTS)}"
    elif kind.site in ("firm", "hazchem_firm"):
        site = one(rng, sites.hazchem_firms if kind.site == "hazchem_firm" else sites.firms)
        title = {
            "安全承诺未按时报送": f"{site['name']} 今日安全承诺未按时报送",
            "特殊作业报备异常": f"{site['name']} {one(rng, names.SPECIAL_WORK)}作业未按规定报备",
            "执法检查发现重大隐患": f"{site['name']} 执法检查发现重大事故隐患：{one(rng, names.HIDDEN_DANGERS)}",
        }.get(kind.category, f"{site['name']} {one(rng, names.HIDDEN_DANGERS)}隐患超期未整改")
    elif kind.site == "shore":
        adcode, water, water_name = SHORES[rng.integers(len(SHORES))]
        lon, lat = world.uniform_in(rng, world.shore(adcode, water), 1)
        title = f"{water_name}{_town(rng, adcode)}站水位超警戒{rng.uniform(0.02, 0.6):.2f}米"
    else:
        adcode = world.pick_districts(rng, 1)[0]
        lon, lat = world.uniform_in(rng, world.land[adcode], 1)
        title = _area_alarm_title(rng, world, kind.category, level, adcode, occurred)
    place = (
        {
            "site_id": site["id"],
            "district": site["district"],
            "lon": float(site["lon"]),
            "lat": float(site["lat"]),
        }
        if site
        else {"site_id": None, "district": adcode, "lon": float(lon[0]), "lat": float(lat[0])}
    )
    return {
        "source": kind.source,
        "level": level,
        "category": kind.category,
        "title": title,
        "occurred_at": occurred,
        "close_minutes": kind.close_minutes,
        "detail": "{}",
        **place,
    }


def _area_alarm_title(
    rng: Rng, world: _World, category: str, level: str, adcode: str, occurred
) -> str:
    dname, month = world.names[adcode], occurred.tz_convert(SHANGHAI).month
    if category == "气象预警":
        hazard = one(rng, names.WEATHER["summer" if 5 <= month <= 9 else "winter"])
        if hazard == "高温" and level == "blue":
            hazard = "大风"  # there is no blue heat warning
        office = {
            "320505": "苏州市",
            "320506": "苏州市",
            "320507": "苏州市",
            "320508": "苏州市",
            "320509": "吴江区",
        }.get(adcode, f"{DISTRICTS[adcode].short}市")
        return f"{office}气象台发布{hazard}{names.COLOURS[level]}预警"
    if category == "突发事件接报":
        return f"{dname}{_town(rng, adcode)}{one(rng, names.REPORTED_EVENTS)}"
    if category == "值班签到超时":
        return f"{dname}应急值班室签到超时"
    if category == "执法计划逾期":
        return f"{dname}{month}月执法计划逾期未完成"
    if category == "运输车辆超速":
        return f"运输车辆{names.plate(rng)}超速行驶({int(rng.integers(85, 130))}km/h)"
    if category == "车辆进入禁行区域":
        return f"危化品运输车辆{names.plate(rng)}进入{_town(rng, adcode)}禁行区域"
    return f"危化品运输车辆{names.plate(rng)}偏离规定路线"


# --- the final check ---------------------------------------------------------------------------


def _check_positions(frames: dict[str, pd.DataFrame], districts: gpd.GeoDataFrame, water) -> None:
    """Raise unless every position lies on land in the district its record names."""
    for table, frame in frames.items():
        if not {"lon", "lat", "district"} <= set(frame.columns):
            continue
        lon, lat = frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)
        found = _locate(districts, lon, lat)
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
