"""Roster files as bureaus keep them: spreadsheets (.xlsx or .csv) with one row per person
and shift — date, shift, role, name, phone, unit — under English or Chinese headers (日期, 班次,
岗位, 姓名, 电话, 单位) and with English or Chinese values (带班领导/值班长/值班员, 白班/夜班).

This module reads such a file into raw rows and writes a roster back in the same format; the
words of the format are defined here. Checking the rows is `roster_checks`.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from catalogue import names_list, t
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


def roster_message(key: str, values: dict[str, Any], lang: str = "zh") -> str:
    """A roster problem's words in `lang`; a `columns` value (column codes) is named."""
    filled = dict(values)
    if "columns" in filled:
        filled["columns"] = names_list(
            [f"{t(f'col.{c}', lang)}({c})" for c in filled["columns"]], lang
        )
    return t(f"roster.err.{key}", lang, **filled)


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all: the catalogue's `roster.err.<key>`, with
    its values (its Chinese words are the exception's message)."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(roster_message(key, values))


# --- reading ---------------------------------------------------------------------------


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {column: raw value}) of every non-empty data row."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        table = _xlsx_rows(content)
    elif suffix == "csv":
        table = _csv_rows(content)
    else:
        raise RosterFileError("file_type", file=filename)
    rows = [(n, cells) for n, cells in table if any(text(c) for c in cells)]
    if not rows:
        raise RosterFileError("empty")
    header_no, header = rows[0]
    names = [text(h).lower() for h in header]
    index = {}
    for column, aliases in HEADERS.items():
        found = [i for i, h in enumerate(names) if h in aliases]
        if found:
            index[column] = found[0]
    missing = tuple(c for c in COLUMNS if c not in index)
    if missing:
        raise RosterFileError("columns", row=header_no, columns=missing)
    if len(rows) - 1 > MAX_ROWS:
        raise RosterFileError("too_many", n=MAX_ROWS)
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
        raise RosterFileError("excel", kind=type(exc).__name__) from exc
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
        raise RosterFileError("encoding")
    return [(n, tuple(r)) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1)]


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE.fullmatch(text(value))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


# --- export ----------------------------------------------------------------------------

EXPORT_HEADERS = [FIELD_NAMES[c] for c in COLUMNS]


def export_rows(
    roster: pd.DataFrame, districts: Mapping[str, str], lang: str = "zh"
) -> list[list[Any]]:
    """Roster rows as the spreadsheet's rows, in date and unit order: Chinese values, or in
    English (`lang` "en") the import's own codes (day, leader, city, a district's adcode)."""
    english = lang == "en"
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
            r.shift if english else SHIFT_LABELS.get(r.shift, r.shift),
            r.role if english else ROLE_LABELS.get(r.role, r.role),
            r.name,
            r.phone,
            r.unit if english else CITY_LABEL if r.unit == CITY else districts.get(r.unit, r.unit),
        ]
        for r in frame.itertuples(index=False)
    ]


def export_roster(
    roster: pd.DataFrame, districts: Mapping[str, str], fmt: str, lang: str = "zh"
) -> bytes:
    """The roster as an .xlsx workbook or a .csv file (UTF-8 with BOM, which Excel opens), with
    Chinese headers and values, or English ones (`lang` "en"; the import reads both).
    No cell is ever a formula: text that a spreadsheet would run starts with an apostrophe."""
    rows = [[spreadsheet_cell(v) for v in row] for row in export_rows(roster, districts, lang)]
    headers = list(COLUMNS) if lang == "en" else EXPORT_HEADERS
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([[r[0].isoformat(), *r[1:]] for r in rows])
        return out.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Roster" if lang == "en" else "值班表"
    sheet.append(headers)
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
