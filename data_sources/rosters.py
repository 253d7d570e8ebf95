"""Duty rosters in the warehouse: the rows of a period, checking an upload against what stays,
importing a clean file, and the cached week the duty screen shows.

`Rosters` owns the cache keys of rosters (`roster:<day>:<unit>`, `duty:roster:<first>:<last>`)
and drops them on an import. Reading and writing roster files is
`roster_files`; checking their rows `roster_checks`; both are re-exported here, so that a
caller imports one module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pandas as pd

from data_sources.caching import cached
from data_sources.roster_checks import (
    ROW_COLUMNS,
    RosterCheck,
    RowError,
    check_roster,
    check_rows,
    shift_times,
    unit_lookup,
)
from data_sources.roster_files import (
    CITY,
    CITY_LABEL,
    COLUMNS,
    EXPORT_HEADERS,
    FIELD_NAMES,
    ROLE_LABELS,
    SHIFT_LABELS,
    RosterFileError,
    export_roster,
    export_rows,
    parse_date,
    read_rows,
    text,
)
from data_sources.warehouse import Warehouse, utc

__all__ = [
    "CITY",
    "CITY_LABEL",
    "COLUMNS",
    "EXPORT_HEADERS",
    "FIELD_NAMES",
    "ROLE_LABELS",
    "ROW_COLUMNS",
    "SHIFT_LABELS",
    "RosterCheck",
    "RosterFileError",
    "Rosters",
    "RowError",
    "check_roster",
    "check_rows",
    "export_roster",
    "export_rows",
    "read_rows",
    "shift_times",
    "unit_lookup",
]

# A minute of cache on a day's and on the week's roster; an import drops both.
DAY_TTL = 60
WEEK_TTL = 60


class Rosters:
    """Read, check and import the duty roster. Times in and out are UTC."""

    def __init__(self, warehouse: Warehouse, cache: Any = None) -> None:
        self.wh = warehouse
        self.cache = cache

    def on_day(self, day: date, unit: str | None = None) -> pd.DataFrame:
        """Who is on duty on `day` (Asia/Shanghai calendar day).

        Columns: unit, duty_date, shift (day/night), role (leader/chief/officer), name,
        phone, starts_at, ends_at (UTC).
        """

        def load() -> pd.DataFrame:
            sql = (
                "SELECT unit, duty_date, shift, role, name, phone, starts_at, ends_at "
                "FROM duty_roster WHERE duty_date = :day"
            )
            params: dict[str, Any] = {"day": day}
            if unit is not None:
                sql += " AND unit = :unit"
                params["unit"] = unit
            frame = self.wh.query(sql + " ORDER BY unit, starts_at, role, name", params)
            return utc(frame, "starts_at", "ends_at")

        return cached(self.cache, f"roster:{day.isoformat()}:{unit}", DAY_TTL, load)

    def between(self, first: date, last: date) -> pd.DataFrame:
        """Roster rows with duty_date in [first, last]. Columns: unit, duty_date (date), shift,
        role, name, phone, starts_at, ends_at (UTC)."""
        frame = self.wh.query(
            "SELECT unit, duty_date, shift, role, name, phone, starts_at, ends_at FROM duty_roster "
            "WHERE duty_date >= :first AND duty_date <= :last ORDER BY duty_date, unit, starts_at, role",
            {"first": first, "last": last},
        )
        frame["duty_date"] = pd.to_datetime(frame["duty_date"]).dt.date
        for column in ("starts_at", "ends_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
        return frame

    def kept_rows(self, raw: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
        """The warehouse's roster rows around the file's dates that an import would keep."""
        days = [d for d in (parse_date(cells["date"]) for _, cells in raw) if d is not None]
        if not days:
            return pd.DataFrame(columns=ROW_COLUMNS[1:])
        return self.between(min(days) - timedelta(days=1), max(days) + timedelta(days=1))

    def check_upload(
        self, filename: str, content: bytes, districts: Mapping[str, str]
    ) -> RosterCheck:
        """`check_roster` against the warehouse: overlaps with the rows that would stay count."""
        units = unit_lookup(districts)
        try:
            raw = read_rows(filename, content)
        except RosterFileError as exc:
            return RosterCheck(pd.DataFrame(columns=ROW_COLUMNS), [RowError.of_file(exc)])
        kept = self.kept_rows(raw)
        replaced = {
            (units.get(text(c["unit"])), parse_date(c["date"]))
            for _, c in raw
            if parse_date(c["date"])
        }
        if len(kept):
            pairs = list(zip(kept["unit"], kept["duty_date"]))
            kept = kept[[p not in replaced for p in pairs]]
        return check_rows(raw, units, kept)

    def import_roster(self, check: RosterCheck) -> dict[str, int]:
        """Replace the roster of every (unit, date) in a clean file, all in one transaction."""
        if not check.ok:
            raise ValueError("the roster has errors (or no rows); nothing was imported")
        rows = check.rows
        pairs = sorted({(u, d) for u, d in zip(rows["unit"], rows["duty_date"])})
        records = [
            {
                "unit": r.unit,
                "duty_date": r.duty_date,
                "shift": r.shift,
                "role": r.role,
                "name": r.name,
                "phone": r.phone,
                "starts_at": r.starts_at.to_pydatetime(),
                "ends_at": r.ends_at.to_pydatetime(),
            }
            for r in rows.itertuples(index=False)
        ]
        self.wh.execute_all(
            [
                (
                    "DELETE FROM duty_roster WHERE unit = :unit AND duty_date = :day",
                    [{"unit": u, "day": d} for u, d in pairs],
                ),
                (
                    "INSERT INTO duty_roster (unit, duty_date, shift, role, name, phone, starts_at, "
                    "ends_at) VALUES (:unit, :duty_date, :shift, :role, :name, :phone, :starts_at, "
                    ":ends_at)",
                    records,
                ),
            ]
        )
        return {"rows": len(records), "pairs": len(pairs), "days": len({d for _, d in pairs})}

    def forget_days(self, days: list[date]) -> None:
        """Drop the cached rosters of `days` (`on_day`'s cache keys)."""
        if self.cache is None:
            return
        keys = [f"roster:{d.isoformat()}:{u}" for d in days for u in ("None", CITY)]
        self.cache.delete_many(*keys)

    def week(self, first: date, last: date) -> pd.DataFrame:
        """`between(first, last)`, cached for a minute (an import drops the cache)."""
        key = f"duty:roster:{first.isoformat()}:{last.isoformat()}"
        frame = self.cache.get(key) if self.cache is not None else None
        if frame is None:
            frame = self.between(first, last)
            if self.cache is not None:
                self.cache.set(key, frame, timeout=WEEK_TTL)
        return frame

    def forget_week(self, first: date, last: date) -> None:
        if self.cache is not None:
            self.cache.delete(f"duty:roster:{first.isoformat()}:{last.isoformat()}")
