"""Checking a roster file's rows: every bad row with its spreadsheet row number and a message
in Chinese, duplicate leaders, and overlapping shifts of one person (also against the rows
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

from data_sources.roster_files import (
    CITY,
    CITY_NAMES,
    COLUMNS,
    DATE,
    DAY_START,
    FIELD_NAMES,
    NIGHT_START,
    PHONE,
    ROLES,
    SHANGHAI,
    SHIFT_LABELS,
    SHIFTS,
    RosterFileError,
    parse_date,
    read_rows,
    text,
)


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (None: the whole file), field, message (Chinese)."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"文件：{self.message}"
        field_name = FIELD_NAMES.get(self.field, self.field)
        return f"第 {self.row} 行 · {field_name}({self.field})：{self.message}"


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
        problem = (
            "不是有效日期" if DATE.fullmatch(given) else "无法识别，应为 年-月-日(如 2027-01-04)"
        )
        errors.append(RowError(n, "date", f"日期「{given}」{problem}"))
    shift = SHIFTS.get(text(cells["shift"]).lower())
    if shift is None:
        errors.append(
            RowError(n, "shift", f"未知班次「{text(cells['shift'])}」，应为 白班 或 夜班")
        )
    role = ROLES.get(text(cells["role"]).lower())
    if role is None:
        errors.append(
            RowError(
                n, "role", f"未知岗位「{text(cells['role'])}」，应为 带班领导、值班长 或 值班员"
            )
        )
    name = text(cells["name"])
    if not name:
        errors.append(RowError(n, "name", "姓名为空"))
    phone = re.sub(r"\s+", "", text(cells["phone"]))
    if not PHONE.fullmatch(phone):
        errors.append(
            RowError(
                n,
                "phone",
                f"电话「{phone}」不是有效号码：手机为 1 开头的 11 位，座机为区号加号码(如 0512-65000001)",
            )
        )
    unit = units.get(text(cells["unit"]))
    if unit is None:
        errors.append(
            RowError(n, "unit", f"未知单位「{text(cells['unit'])}」，应为 市局 或 区县名称")
        )
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
            errors.append(
                RowError(
                    int(n),
                    "role",
                    f"带班领导重复：同一单位同一天已有带班领导(第 {first} 行)，{name} 为第二位",
                )
            )
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
                    errors.append(RowError(int(later.row), "shift", _overlap_text(name, earlier)))
            if previous is None or item.ends_at > previous.ends_at:
                previous = item
    return errors


def _overlap_text(name: str, other: Any) -> str:
    where = f"第 {int(other.row)} 行" if other.source == "file" else "系统中已有的值班安排"
    shift = "带班(24小时)" if other.role == "leader" else SHIFT_LABELS.get(other.shift, other.shift)
    return f"{name} 班次时间重叠：与{where}({other.duty_date:%m-%d} {shift})冲突"


def check_roster(
    filename: str, content: bytes, units: Mapping[str, str], kept: pd.DataFrame | None = None
) -> RosterCheck:
    """Read and validate a roster file; an unreadable file is one error of row None."""
    try:
        raw = read_rows(filename, content)
    except RosterFileError as exc:
        return RosterCheck(pd.DataFrame(columns=ROW_COLUMNS), [RowError(None, "file", str(exc))])
    return check_rows(raw, units, kept)
