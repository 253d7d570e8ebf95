"""The last day of every sensor's readings, with rare excursions past its alarm setting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from refdata.generate.base import SHANGHAI
from refdata.generate.world import World

READING_STEPS = 144  # the last 24 hours every 10 minutes


def reading_history(world: World, sensors: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
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
