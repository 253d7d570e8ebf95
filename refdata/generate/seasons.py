"""When things happen: hour-of-day and seasonal weights, and times drawn by them."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from refdata.generate.base import SHANGHAI, Rng
from refdata.generate.world import World

# fmt: off
HOUR_OF_DAY = np.array([0.35, 0.3, 0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.2, 1.2, 1.2, 1.2,
                        1.0, 1.0, 1.2, 1.2, 1.2, 1.2, 0.9, 0.9, 0.7, 0.7, 0.6, 0.5])
SEASON = {  # month factors, January first
    "flat": np.ones(12),
    "heat": np.array([0.6, 0.6, 0.8, 1.0, 1.5, 2.5, 3.0, 3.0, 2.0, 1.2, 0.8, 0.6]),
    "summer": np.array([1.0, 0.8, 0.8, 1.0, 1.3, 2.5, 3.0, 3.0, 2.0, 1.0, 0.9, 1.0]),
    "flood": np.array([0.1, 0.1, 0.2, 0.4, 1.0, 5.0, 6.0, 3.0, 2.5, 0.6, 0.2, 0.1]),  # 梅雨, typhoons
}
# fmt: on


def sample_times(rng: Rng, world: World, n: int, season: str, latest: timedelta) -> pd.Series:
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
