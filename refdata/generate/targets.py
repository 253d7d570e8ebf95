"""Sensitive targets: schools, hospitals, residential blocks, elderly homes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from refdata import names
from refdata.generate.base import Rng
from refdata.generate.places import (
    DISTRICTS,
    PARKS,
    pick_town,
)
from refdata.generate.world import World

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


def sensitive_targets(world: World) -> pd.DataFrame:
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
            town = pick_town(rng, adcode)
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
