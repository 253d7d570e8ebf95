"""The frame of the generated tables: seed, clock, columns, and small helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

SEED = 20261129
SHANGHAI = ZoneInfo("Asia/Shanghai")

Rng = np.random.Generator


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The columns of each table, in the order of the migration; `generate` returns exactly these.
# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "districts": words("adcode name name_en geojson population"),
    "source_systems": words("code name heartbeat_s"),
    "chemical_parks": words("id name district lon lat radius_m"),
    "enterprises": words("id name district park_id industry hazchem risk employees contact phone lon lat"),
    "hazard_sources": words("id enterprise_id name grade chemicals capacity_t district lon lat"),
    "sensors": words("id hazard_source_id kind name unit normal low_low low high high_high"),
    "rescue_teams": words("id name kind district personnel vehicles equipment leader phone lon lat"),
    "depots": words("id name tier district manager phone lon lat"),
    "depot_stock": words("depot_id item item_name unit quantity min_quantity"),
    "shelters": words("id name kind district capacity area_m2 is_open occupancy lon lat"),
    "experts": words("id name specialty organisation title phone district"),
    "sensitive_targets": words("id name kind population district lon lat"),
    "duty_roster": words("id unit duty_date shift role name phone starts_at ends_at"),
    "duty_log": words("id unit at author category text"),
    "duty_handover": words("id unit at from_name to_name notes recorded_by"),
    "incidents": words("id title category level status district lon lat opened_at closed_at casualties summary"),
    "incident_timeline": words("id incident_id at kind text author"),
    "alarm_history": words("id source level category title occurred_at received_at lon lat site_id district "
                           "status count ack_by ack_at closed_by closed_at close_note detail"),
    "reading_history": words("sensor_id ts value"),
    "cameras": words("id name owner site_id kind url lon lat"),
}
# fmt: on
TABLES = tuple(COLUMNS)  # dependency order: a table only refers to tables before it


def clock(today: date | None, now: datetime | None) -> tuple[date, datetime]:
    if now is None:
        now = datetime.now(UTC) if today is None else datetime.combine(today, time(12), SHANGHAI)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % 10)
    return today or now.astimezone(SHANGHAI).date(), now


def utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Make `columns` tz-aware UTC with millisecond precision (what upstream systems send)."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.floor("ms")
    return frame


def split(rng: Rng, total: int, weights) -> np.ndarray:
    """`total` split over the weights (multinomial)."""
    w = np.asarray(weights, dtype=float)
    return rng.multinomial(total, w / w.sum())
