"""Enterprises: hazchem firms in and around the chemical parks, ordinary firms by district."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from refdata import names
from refdata.generate.base import Rng, split, words
from refdata.generate.places import (
    DISTRICTS,
    PARKS,
    Park,
)
from refdata.generate.world import World
from refdata.names import one

# fmt: off
HAZCHEM_INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {  # weight, trade words
    "化工": (0.55, words("化工 化学 精细化工 新材料 石化 树脂 涂料")), "医药": (0.10, words("制药 药业 医药化工")),
    "仓储物流": (0.12, words("化工物流 石化仓储 危险品仓储")), "燃气": (0.08, words("燃气 液化气 能源")),
    "金属冶炼": (0.06, words("钢铁 金属材料 冶金")), "印染": (0.06, words("印染 纺织印染")),
    "电子": (0.03, words("电子材料 半导体材料")),
}
OTHER_INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "机械制造": (0.18, words("机械 精密机械 机电 装备")), "电子": (0.17, words("电子 光电 电子科技 智能科技")),
    "纺织": (0.12, words("纺织 丝绸 服饰 化纤")), "仓储物流": (0.08, words("物流 供应链 仓储")),
    "金属制品": (0.07, words("金属制品 五金 不锈钢 铝业")), "汽车零部件": (0.07, words("汽车零部件 汽车部件")),
    "建材": (0.06, words("建材 新型建材 混凝土 装饰材料")), "食品": (0.06, words("食品 乳业 饮料")),
    "塑料橡胶": (0.05, words("塑胶 橡塑 塑业")), "造纸印刷": (0.04, words("纸业 印务 包装")),
    "医药": (0.04, words("医疗器械 生物科技")), "家具": (0.03, words("家具 木业")),
    "金属冶炼": (0.03, words("特钢 冶金 铸造")),
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


def enterprises(world: World) -> pd.DataFrame:
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
    loose = split(
        rng,
        N_HAZCHEM - sum(p.hazchem_firms for p in PARKS),
        [LOOSE_HAZCHEM[a] for a in world.adcodes],
    )
    ordinary = split(
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


def with_firm(hazard_sources: pd.DataFrame, enterprises: pd.DataFrame) -> list[dict]:
    """Hazard sources as records, each with its firm's name as `firm`."""
    firms = enterprises[["id", "name"]].rename(columns={"id": "enterprise_id", "name": "firm"})
    return hazard_sources.merge(firms, how="left").to_dict("records")
