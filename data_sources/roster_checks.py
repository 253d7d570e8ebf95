"""Checking a roster file's rows: every bad row with its spreadsheet row number and a message
(the catalogue's, in Chinese or English), duplicate leaders, and overlapping shifts of one person (also against the rows
that stay in the warehouse).

Shift times (Asia/Shanghai): day 08:30-17:30, night 17:30-08:30 next day; the leader (带班领导)
is on call 24 hours from 08:30 whatever shift the row names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd

from catalogue import DayName, phrase, t
from data_sources.roster_files import (
    CITY,
    CITY_NAMES,
    COLUMNS,
    DATE,
    DAY_START,
    NIGHT_START,
    PHONE,
    ROLES,
    SHANGHAI,
    SHIFTS,
    RosterFileError,
    parse_date,
    read_rows,
    roster_message,
    text,
)


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (None: the whole file), field, and what is wrong as the
    catalogue's `roster.err.<key>` with its values; `text(lang)` words it (str: Chinese)."""

    row: int | None
    field: str
    key: str
    values: tuple[tuple[str, Any], ...] = ()

    def message(self, lang: str = "zh") -> str:
        return roster_message(self.key, dict(self.values), lang)

    def text(self, lang: str = "zh") -> str:
        if self.row is None:
            return t("roster.err.file", lang, message=self.message(lang))
        field_name = t(f"col.{self.field}", lang)
        return t(
            "roster.err.row", lang, row=self.row, field=field_name, code=self.field,
            message=self.message(lang),
        )  # fmt: skip

    def __str__(self) -> str:
        return self.text()

    @classmethod
    def of_file(cls, exc: RosterFileError) -> RowError:
        return cls(None, "file", exc.key, tuple(exc.values.items()))


def _error(row: int, field: str, key: str, **values: Any) -> RowError:
    return RowError(row, field, key, tuple(values.items()))


@dataclass
class RosterCheck:
    """A checked file: its good rows (columns: row, unit, duty_date, shift, role, name, phone,
    starts_at, ends_at (UTC)) and every error. Import only when `errors` is empty."""

    rows: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and len(self.rows) > 0


def unit_lookup(districts: Mapping[str, str]) -> dict[str, str]:
    """Every spelling of a unit → its code: 'city' and its Chinese names, adcodes, district
    names with and without 区/市."""
    lookup = dict.fromkeys(CITY_NAMES, CITY)
    for adcode, name in districts.items():
        lookup[adcode] = lookup[name] = lookup[name.rstrip("区市")] = adcode
    return lookup


def shift_times(day: date, shift: str, role: str) -> tuple[datetime, datetime]:
    """(starts_at, ends_at) in UTC of a roster row."""

    def at(d: date, t: time) -> datetime:
        return datetime.combine(d, t, SHANGHAI).astimezone(UTC)

    next_day = day + timedelta(days=1)
    if role == "leader":
        return at(day, DAY_START), at(next_day, DAY_START)
    if shift == "day":
        return at(day, DAY_START), at(day, NIGHT_START)
    return at(day, NIGHT_START), at(next_day, DAY_START)


ROW_COLUMNS = ["row", "unit", "duty_date", "shift", "role", "name", "phone", "starts_at", "ends_at"]


def check_rows(
    raw: list[tuple[int, dict[str, Any]]],
    units: Mapping[str, str],
    kept: pd.DataFrame | None = None,
) -> RosterCheck:
    """Validate raw rows against the known `units` (spelling → code, see `unit_lookup`) and
    the roster rows that stay in the warehouse (`kept`: unit, duty_date, shift, role, name,
    phone, starts_at, ends_at), so that an overlap with them is found too."""
    errors: list[RowError] = []
    good = []
    for n, cells in raw:
        row_errors, parsed = _check_one(n, cells, units)
        errors += row_errors
        if not row_errors:
            good.append(parsed)
    rows = pd.DataFrame(good, columns=ROW_COLUMNS)
    errors += _duplicate_leaders(rows) + _overlaps(rows, kept)
    bad = {e.row for e in errors}
    rows = rows[~rows["row"].isin(bad)].reset_index(drop=True)
    errors.sort(key=lambda e: (e.row or 0, COLUMNS.index(e.field) if e.field in COLUMNS else 9))
    return RosterCheck(rows, errors)


def _check_one(n: int, cells: dict[str, Any], units: Mapping[str, str]) -> tuple[list, tuple]:
    errors = []
    day = parse_date(cells["date"])
    if day is None:
        given = text(cells["date"])
        problem = "date_invalid" if DATE.fullmatch(given) else "date_format"
        errors.append(_error(n, "date", problem, given=given))
    shift = SHIFTS.get(text(cells["shift"]).lower())
    if shift is None:
        errors.append(_error(n, "shift", "shift", given=text(cells["shift"])))
    role = ROLES.get(text(cells["role"]).lower())
    if role is None:
        errors.append(_error(n, "role", "role", given=text(cells["role"])))
    name = text(cells["name"])
    if not name:
        errors.append(_error(n, "name", "name"))
    phone = re.sub(r"\s+", "", text(cells["phone"]))
    if not PHONE.fullmatch(phone):
        errors.append(_error(n, "phone", "phone", given=phone))
    unit = units.get(text(cells["unit"]))
    if unit is None:
        errors.append(_error(n, "unit", "unit", given=text(cells["unit"])))
    if errors:
        return errors, ()
    starts, ends = shift_times(day, shift, role)
    return [], (n, unit, day, shift, role, name, phone, starts, ends)


def _duplicate_leaders(rows: pd.DataFrame) -> list[RowError]:
    errors = []
    leaders = rows[rows["role"] == "leader"]
    for _, group in leaders.groupby(["unit", "duty_date"]):
        first = int(group["row"].iloc[0])
        for n, name in zip(group["row"].iloc[1:], group["name"].iloc[1:]):
            errors.append(_error(int(n), "role", "leader_twice", first=first, name=name))
    return errors


def _overlaps(rows: pd.DataFrame, kept: pd.DataFrame | None) -> list[RowError]:
    """The same person (name and phone) in two shifts that overlap in time."""
    frames = [rows.assign(source="file")]
    if kept is not None and len(kept):
        frames.append(kept.assign(row=0, source="kept"))
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    errors = []
    for (name, _phone), group in both.groupby(["name", "phone"]):
        group = group.sort_values(["starts_at", "row"])
        previous = None
        for item in group.itertuples(index=False):
            if previous is not None and item.starts_at < previous.ends_at:
                later, earlier = (item, previous) if item.source == "file" else (previous, item)
                if later.source == "file":
                    errors.append(_overlap(int(later.row), name, earlier))
            if previous is None or item.ends_at > previous.ends_at:
                previous = item
    return errors


def _overlap(row: int, name: str, other: Any) -> RowError:
    where = (
        phrase("roster.err.where_row", row=int(other.row))
        if other.source == "file"
        else phrase("roster.err.where_kept")
    )
    shift = (
        phrase("roster.err.leader_shift")
        if other.role == "leader"
        else phrase(f"duty.shift.{other.shift}")
    )
    return _error(
        row, "shift", "overlap", name=name, where=where, day=DayName(other.duty_date), shift=shift
    )


def check_roster(
    filename: str, content: bytes, units: Mapping[str, str], kept: pd.DataFrame | None = None
) -> RosterCheck:
    """Read and validate a roster file; an unreadable file is one error of row None."""
    try:
        raw = read_rows(filename, content)
    except RosterFileError as exc:
        return RosterCheck(pd.DataFrame(columns=ROW_COLUMNS), [RowError.of_file(exc)])
    return check_rows(raw, units, kept)
