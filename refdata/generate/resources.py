"""Forces and resources: rescue teams, depots and their stock, shelters, experts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from refdata import names
from refdata.generate.base import split
from refdata.generate.places import (
    DISTRICTS,
    PARKS,
    RIVERSIDE,
    pick_town,
)
from refdata.generate.world import World

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


def rescue_teams(world: World) -> pd.DataFrame:
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


def depots(world: World) -> tuple[pd.DataFrame, pd.DataFrame]:
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
            plan.append((f"{dname}{pick_town(rng, adcode)}应急物资储备点", "district", adcode))
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


def shelters(world: World) -> pd.DataFrame:
    rng = world.rng("shelters")
    n = 80
    adcodes = world.pick_districts(rng, n)
    taken: set[str] = set()
    rows = []
    for adcode in adcodes:
        name, kind = names.shelter_name(rng, world.names[adcode], pick_town(rng, adcode))
        while name in taken:
            name, kind = names.shelter_name(rng, world.names[adcode], pick_town(rng, adcode))
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


def experts(world: World) -> pd.DataFrame:
    rng = world.rng("experts")
    n = 100
    rows = []
    for specialty, count in zip(EXPERT_WEIGHTS, split(rng, n, list(EXPERT_WEIGHTS.values()))):
        for _ in range(count):
            org, adcode, kind = EXPERT_ORGS[specialty][rng.integers(len(EXPERT_ORGS[specialty]))]
            titles, p = zip(*TITLES[kind])
            rows.append((specialty, org, titles[rng.choice(len(titles), p=p)], adcode))
    frame = pd.DataFrame(rows, columns=["specialty", "organisation", "title", "district"])
    frame["id"] = [f"EX{i:03d}" for i in range(1, n + 1)]
    frame["name"] = names.person_names(rng, n)
    frame["phone"] = names.phones(rng, n)
    return frame
