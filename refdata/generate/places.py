"""The real geography of Suzhou the generator builds on: districts, chemical parks, open water."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Polygon

from refdata.generate.base import Rng, words
from refdata.names import one


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
    "320505": DistrictInfo("虎丘", 833_067, words("浒墅关 通安 东渚 镇湖 枫桥 狮山 横塘 科技城"),
                           ("苏州高新区", "苏州"), "苏州高新区", 1.0),
    "320506": DistrictInfo("吴中", 1_388_785,
                           words("木渎 甪直 胥口 临湖 光福 东山 越溪 横泾 郭巷 长桥 香山 斜塘 唯亭 娄葑 胜浦"),
                           ("苏州市吴中区", "苏州工业园区", "苏州"), "苏州市吴中区", 1.0),
    "320507": DistrictInfo("相城", 891_043, words("黄埭 渭塘 望亭 北桥 阳澄湖 太平 黄桥 元和 漕湖 北河泾"),
                           ("苏州市相城区", "苏州"), "苏州市相城区", 1.0),
    "320508": DistrictInfo("姑苏", 924_079, words("平江 沧浪 金阊 双塔 虎丘 石路 留园 观前 胥江 吴门桥 城北"),
                           ("苏州市姑苏区", "苏州"), "苏州市", 0.25),
    "320509": DistrictInfo("吴江", 1_543_738, words("松陵 盛泽 震泽 平望 黎里 七都 桃源 同里 汾湖 横扇 八坼"),
                           ("苏州市吴江区", "吴江"), "苏州市吴江区", 1.0),
    "320581": DistrictInfo("常熟", 1_677_050, words("虞山 海虞 梅李 碧溪 沙家浜 支塘 古里 辛庄 尚湖 董浜 莫城 琴川"),
                           ("常熟市", "常熟"), "常熟市", 1.0),
    "320582": DistrictInfo("张家港", 1_432_044, words("杨舍 金港 锦丰 乐余 凤凰 塘桥 南丰 大新 常阴沙 后塍 德积"),
                           ("张家港市", "张家港"), "张家港市", 1.0),
    "320583": DistrictInfo("昆山", 2_092_496, words("玉山 千灯 周市 巴城 陆家 花桥 张浦 淀山湖 锦溪 周庄 城北"),
                           ("昆山市", "昆山"), "昆山市", 1.0),
    "320585": DistrictInfo("太仓", 831_113, words("城厢 浮桥 沙溪 浏河 璜泾 双凤 陆渡 科教新城 港区"),
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
# lie 2.5-4.5 km inland of the strip of the district polygons that is river (world.yangtze_band).
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


def pick_town(rng: Rng, adcode: str) -> str:
    return one(rng, DISTRICTS[adcode].towns)
