"""A few demo cameras at the hazchem enterprises: those nearest the open incidents and those
holding the largest grade-1 hazard sources. Each such enterprise gets a gate camera (HLS) and
a tank-farm camera (MJPEG), a few tens of metres from its registered position; their streams
are the demo's own test streams on this server (video/demo.py), played only when it runs them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from refdata.generate.base import COLUMNS
from refdata.generate.world import World
from video.addresses import camera_url
from video.demo import DEMO_HLS, DEMO_MJPEG

NEAR_INCIDENTS = 6
BIGGEST_SOURCES = 6
VIEWS = (("大门", "hls", DEMO_HLS), ("罐区", "mjpeg", DEMO_MJPEG))


def cameras(world: World, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rng = world.rng("cameras")
    firms = frames["enterprises"]
    sources = frames["hazard_sources"]
    hosts = firms[firms["id"].isin(sources["enterprise_id"])].reset_index(drop=True)
    chosen: list[str] = []
    incidents = frames["incidents"]
    for i in incidents[incidents["status"] != "closed"].itertuples(index=False):
        d = np.hypot(hosts["lon"].to_numpy() - i.lon, (hosts["lat"].to_numpy() - i.lat) * 1.17)
        chosen.append(hosts["id"].iloc[int(np.argmin(d))])
    biggest = sources[sources["grade"] == 1].sort_values("capacity_t", ascending=False)
    chosen += list(biggest["enterprise_id"].drop_duplicates().head(BIGGEST_SOURCES))
    chosen = list(dict.fromkeys(chosen))[: NEAR_INCIDENTS + BIGGEST_SOURCES]
    rows = []
    by_id = hosts.set_index("id")
    for firm_id in chosen:
        firm = by_id.loc[firm_id]
        lon, lat = world.around(rng, firm["district"], [firm["lon"]] * 2, [firm["lat"]] * 2, 20, 80)
        for k, (view, kind, url) in enumerate(VIEWS):
            n = len(rows) + 1
            rows.append(
                (f"CAM-{n:04d}", f"{firm['name']}{view}", firm["name"], firm_id, kind, camera_url(url),
                 round(float(lon[k]), 6), round(float(lat[k]), 6))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS["cameras"])
