"""Duty rosters as bureaus keep them: spreadsheets (.xlsx or .csv) with one row per person and
shift — date, shift, role, name, phone, unit — under English or Chinese headers (日期, 班次,
岗位, 姓名, 电话, 单位) and with English or Chinese values (带班领导/值班长/值班员, 白班/夜班).

`check_roster(filename, content, units, kept)` reads and validates a file and returns every
bad row with its spreadsheet row number; `import_roster` replaces, in one transaction, the
roster of each (unit, date) the file covers; `export_roster` writes the same format back.

Shift times (Asia/Shanghai): day 08:30-17:30, night 17:30-08:30 next day; the leader (带班领导)
is on call 24 hours from 08:30 whatever shift the row names.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from data_sources.warehouse import Warehouse
from security.text import spreadsheet_cell

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = ("date", "shift", "role", "name", "phone", "unit")
FIELD_NAMES = {
    "date": "日期",
    "shift": "班次",
    "role": "岗位",
    "name": "姓名",
    "phone": "电话",
    "unit": "单位",
    "file": "文件",
}
HEADERS = {
    "date": ("date", "日期", "值班日期"),
    "shift": ("shift", "班次"),
    "role": ("role", "岗位", "角色", "职务"),
    "name": ("name", "姓名"),
    "phone": ("phone", "电话", "联系电话", "手机"),
    "unit": ("unit", "单位", "值班单位"),
}
ROLE_LABELS = {"leader": "带班领导", "chief": "值班长", "officer": "值班员"}
SHIFT_LABELS = {"day": "白班", "night": "夜班"}
ROLES = {"leader": "leader", "带班领导": "leader", "带班": "leader", "chief": "chief"}
ROLES |= {"值班长": "chief", "officer": "officer", "值班员": "officer"}
SHIFTS = {"day": "day", "白班": "day", "日班": "day", "全天": "day"}
SHIFTS |= {"night": "night", "夜班": "night"}
CITY = "city"
CITY_NAMES = ("city", "市局", "市级", "苏州市", "市应急管理局", "苏州市应急管理局")
CITY_LABEL = "市局"
DAY_START, NIGHT_START = time(8, 30), time(17, 30)
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?"
)
MAX_ROWS = 10_000


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


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all."""


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


# --- reading ---------------------------------------------------------------------------


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {column: raw value}) of every non-empty data row."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        table = _xlsx_rows(content)
    elif suffix == "csv":
        table = _csv_rows(content)
    else:
        raise RosterFileError(f"不支持的文件类型「{filename}」，请上传 .xlsx 或 .csv")
    rows = [(n, cells) for n, cells in table if any(_text(c) for c in cells)]
    if not rows:
        raise RosterFileError("文件是空的")
    header_no, header = rows[0]
    names = [_text(h).lower() for h in header]
    index = {}
    for column, aliases in HEADERS.items():
        found = [i for i, h in enumerate(names) if h in aliases]
        if found:
            index[column] = found[0]
    missing = [f"{FIELD_NAMES[c]}({c})" for c in COLUMNS if c not in index]
    if missing:
        raise RosterFileError(f"第 {header_no} 行(表头)缺少列：{'、'.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        raise RosterFileError(f"行数超过 {MAX_ROWS}，请分批导入")
    return [
        (n, {c: cells[i] if i < len(cells) else None for c, i in index.items()})
        for n, cells in rows[1:]
    ]


def _xlsx_rows(content: bytes) -> list[tuple[int, tuple]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # Spreadsheets from WPS or old Excel warn about styles; the values are what count.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure: not a readable workbook
        raise RosterFileError(f"无法读取 Excel 文件：{type(exc).__name__}") from exc
    try:
        sheet = book.worksheets[0]
        return [(n, tuple(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _csv_rows(content: bytes) -> list[tuple[int, tuple]]:
    # Excel on a Chinese Windows saves CSV as GB18030; everything else writes UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("CSV 文件编码无法识别，请保存为 UTF-8")
    return [(n, tuple(r)) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1)]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE.fullmatch(_text(value))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


# --- checking --------------------------------------------------------------------------

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
    day = _date(cells["date"])
    if day is None:
        given = _text(cells["date"])
        problem = (
            "不是有效日期" if DATE.fullmatch(given) else "无法识别，应为 年-月-日(如 2027-01-04)"
        )
        errors.append(RowError(n, "date", f"日期「{given}」{problem}"))
    shift = SHIFTS.get(_text(cells["shift"]).lower())
    if shift is None:
        errors.append(
            RowError(n, "shift", f"未知班次「{_text(cells['shift'])}」，应为 白班 或 夜班")
        )
    role = ROLES.get(_text(cells["role"]).lower())
    if role is None:
        errors.append(
            RowError(
                n, "role", f"未知岗位「{_text(cells['role'])}」，应为 带班领导、值班长 或 值班员"
            )
        )
    name = _text(cells["name"])
    if not name:
        errors.append(RowError(n, "name", "姓名为空"))
    phone = re.sub(r"\s+", "", _text(cells["phone"]))
    if not PHONE.fullmatch(phone):
        errors.append(
            RowError(
                n,
                "phone",
                f"电话「{phone}」不是有效号码：手机为 1 开头的 11 位，座机为区号加号码(如 0512-65000001)",
            )
        )
    unit = units.get(_text(cells["unit"]))
    if unit is None:
        errors.append(
            RowError(n, "unit", f"未知单位「{_text(cells['unit'])}」，应为 市局 或 区县名称")
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


# --- the warehouse ---------------------------------------------------------------------


def roster_between(warehouse: Warehouse, first: date, last: date) -> pd.DataFrame:
    """Roster rows with duty_date in [first, last]. Columns: unit, duty_date (date), shift,
    role, name, phone, starts_at, ends_at (UTC)."""
    frame = warehouse.query(
        "SELECT unit, duty_date, shift, role, name, phone, starts_at, ends_at FROM duty_roster "
        "WHERE duty_date >= :first AND duty_date <= :last ORDER BY duty_date, unit, starts_at, role",
        {"first": first, "last": last},
    )
    frame["duty_date"] = pd.to_datetime(frame["duty_date"]).dt.date
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
    return frame


def kept_rows(warehouse: Warehouse, raw: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    """The warehouse's roster rows around the file's dates that an import would keep."""
    days = [d for d in (_date(cells["date"]) for _, cells in raw) if d is not None]
    if not days:
        return pd.DataFrame(columns=ROW_COLUMNS[1:])
    return roster_between(warehouse, min(days) - timedelta(days=1), max(days) + timedelta(days=1))


def check_upload(
    warehouse: Warehouse, filename: str, content: bytes, districts: Mapping[str, str]
) -> RosterCheck:
    """`check_roster` against the warehouse: overlaps with the rows that would stay count."""
    units = unit_lookup(districts)
    try:
        raw = read_rows(filename, content)
    except RosterFileError as exc:
        return RosterCheck(pd.DataFrame(columns=ROW_COLUMNS), [RowError(None, "file", str(exc))])
    kept = kept_rows(warehouse, raw)
    replaced = {(units.get(_text(c["unit"])), _date(c["date"])) for _, c in raw if _date(c["date"])}
    if len(kept):
        pairs = list(zip(kept["unit"], kept["duty_date"]))
        kept = kept[[p not in replaced for p in pairs]]
    return check_rows(raw, units, kept)


def import_roster(warehouse: Warehouse, check: RosterCheck) -> dict[str, int]:
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
    warehouse.execute_all(
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


def forget_cached(cache: Any, days: list[date]) -> None:
    """Drop the registry's cached rosters of `days` (see Registry.roster's cache keys)."""
    if cache is None:
        return
    keys = [f"roster:{d.isoformat()}:{u}" for d in days for u in ("None", CITY)]
    cache.delete_many(*keys)


# --- export ----------------------------------------------------------------------------

EXPORT_HEADERS = [FIELD_NAMES[c] for c in COLUMNS]


def export_rows(roster: pd.DataFrame, districts: Mapping[str, str]) -> list[list[Any]]:
    """Roster rows as the spreadsheet's rows (Chinese values), in date and unit order."""
    unit_order = {CITY: 0, **{a: i + 1 for i, a in enumerate(sorted(districts))}}
    role_order = {"leader": 0, "chief": 1, "officer": 2}
    frame = roster.assign(
        u=roster["unit"].map(unit_order).fillna(99),
        s=roster["shift"].map({"day": 0, "night": 1}),
        r=roster["role"].map(role_order),
    ).sort_values(["duty_date", "u", "s", "r", "name"])
    return [
        [
            r.duty_date,
            SHIFT_LABELS.get(r.shift, r.shift),
            ROLE_LABELS.get(r.role, r.role),
            r.name,
            r.phone,
            CITY_LABEL if r.unit == CITY else districts.get(r.unit, r.unit),
        ]
        for r in frame.itertuples(index=False)
    ]


def export_roster(roster: pd.DataFrame, districts: Mapping[str, str], fmt: str) -> bytes:
    """The roster as an .xlsx workbook or a .csv file (UTF-8 with BOM, which Excel opens).
    No cell is ever a formula: text that a spreadsheet would run starts with an apostrophe."""
    rows = [[spreadsheet_cell(v) for v in row] for row in export_rows(roster, districts)]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_HEADERS)
        writer.writerows([[r[0].isoformat(), *r[1:]] for r in rows])
        return out.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "值班表"
    sheet.append(EXPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    for cell in sheet["E"][1:]:
        cell.number_format = "@"  # text: a landline keeps its leading 0
    for column, width in zip("ABCDEF", (12, 8, 12, 10, 16, 12)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
