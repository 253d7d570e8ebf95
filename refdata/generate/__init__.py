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

from datetime import date, datetime

import geopandas as gpd
import pandas as pd

from refdata.generate import (
    alarms,
    cameras,
    duty,
    firms,
    hazchem,
    incidents,
    readings,
    resources,
    targets,
)
from refdata.generate.base import COLUMNS, SEED, SHANGHAI, TABLES, clock
from refdata.generate.places import PARKS, SOURCE_SYSTEMS, TAIHU
from refdata.generate.world import World, check_positions, districts_frame, yangtze_band

__all__ = ["COLUMNS", "PARKS", "SEED", "SHANGHAI", "TABLES", "TAIHU", "generate", "yangtze_band"]


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
    Autoincrement ids (duty_roster, duty_log, duty_handover, incident_timeline) are numbered from 1.
    Raises ValueError if any position is off land or outside the district it names.
    """
    world = World(districts, seed, *clock(today, now))
    frames: dict[str, pd.DataFrame] = {
        "districts": districts_frame(districts),
        "source_systems": pd.DataFrame(SOURCE_SYSTEMS, columns=COLUMNS["source_systems"]),
        "chemical_parks": pd.DataFrame(
            [(p.id, p.name, p.district, p.lon, p.lat, float(p.radius_m)) for p in PARKS],
            columns=COLUMNS["chemical_parks"],
        ),
    }
    frames["enterprises"] = firms.enterprises(world)
    frames["hazard_sources"], storage = hazchem.hazard_sources(world, frames["enterprises"])
    frames["sensors"] = hazchem.sensors(world, frames["hazard_sources"], storage)
    frames["rescue_teams"] = resources.rescue_teams(world)
    frames["depots"], frames["depot_stock"] = resources.depots(world)
    frames["shelters"] = resources.shelters(world)
    frames["experts"] = resources.experts(world)
    frames["sensitive_targets"] = targets.sensitive_targets(world)
    frames["duty_roster"] = duty.duty_roster(world)
    frames["duty_log"], frames["duty_handover"] = duty.duty_log(world, frames)
    frames["incidents"], frames["incident_timeline"] = incidents.incidents(world, frames)
    frames["reading_history"], excursions = readings.reading_history(world, frames["sensors"])
    frames["alarm_history"] = alarms.alarm_history(world, frames, excursions)
    frames["cameras"] = cameras.cameras(world, frames)
    frames = {table: frames[table][list(COLUMNS[table])] for table in TABLES}
    check_positions(frames, districts, world.water)
    return frames
