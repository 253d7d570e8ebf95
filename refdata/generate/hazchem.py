"""Major hazard sources on the hazchem firms and the sensors that watch them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from refdata.generate.base import COLUMNS, Rng
from refdata.generate.world import World
from refdata.names import one


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


def hazard_sources(world: World, enterprises: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
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


def sensors(world: World, hazard_sources: pd.DataFrame, storage: dict[str, str]) -> pd.DataFrame:
    rng = world.rng("sensors")
    rows = []
    for hs in hazard_sources.itertuples(index=False):
        for n, spec in enumerate(_sensor_specs(rng, storage[hs.id], hs.chemicals.split("、")), 1):
            rows.append((f"{hs.id}-T{n:02d}", hs.id, *spec))
    return pd.DataFrame(rows, columns=COLUMNS["sensors"])
