"""Write the committed roster files the tests import: `python tests/data/make_rosters.py`.

- roster_good.xlsx: Chinese headers and values, as a bureau keeps it (市局, 姑苏区, 吴江区;
  4-5 January 2027): clean.
- roster_good.csv: the same week's next two days under English headers and codes: clean.
- roster_bad.xlsx: the good file's layout with exactly one of each kind of error (see BAD).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
HEADERS_CN = ["日期", "班次", "岗位", "姓名", "电话", "单位"]
HEADERS_EN = ["date", "shift", "role", "name", "phone", "unit"]

STAFF = {  # unit → two leaders (带班领导) and six chiefs/officers who rotate
    "市局": (["周建国", "马彬"], ["陆志伟", "徐伟华", "王鹏", "王艳", "李萍", "顾春华"]),
    "姑苏区": (["沈卫东", "吴建华"], ["钱海峰", "朱丽娟", "吴斌", "张敏", "孙静", "杨帆"]),
    "吴江区": (["蒋国平", "浦晨"], ["费明", "凌晓燕", "陈刚", "邱红", "金鑫", "范磊"]),
}
ADCODES = {"市局": "city", "姑苏区": "320508", "吴江区": "320509"}
SLOTS = [  # after the leader: one chief and two officers per shift
    ("白班", "值班长"),
    ("白班", "值班员"),
    ("白班", "值班员"),
    ("夜班", "值班长"),
    ("夜班", "值班员"),
    ("夜班", "值班员"),
]


def phone(unit_no: int, person_no: int) -> str:
    """Each person's own number; the city's leaders are reached on the duty room's landline."""
    if unit_no == 0 and person_no < 2:
        return f"0512-6523011{person_no}"
    return f"13{unit_no + 5}{unit_no:02d}{person_no:06d}"


def crew(day: date, day_no: int) -> list[list]:
    """One day of every unit, 7 rows each. Six different people a day and the night shift
    ending as the next day shift begins: nobody is on two shifts at once."""
    rows = []
    for u, (unit, (leaders, people)) in enumerate(STAFF.items()):
        rows.append([day, "白班", "带班领导", leaders[day_no % 2], phone(u, day_no % 2), unit])
        for k, (shift, role) in enumerate(SLOTS):
            p = (k + day_no) % 6
            rows.append([day, shift, role, people[p], phone(u, 2 + p), unit])
    return rows


GOOD_XLSX_DAYS = [date(2027, 1, 4), date(2027, 1, 5)]
GOOD_CSV_DAYS = [date(2027, 1, 6), date(2027, 1, 7)]


def good_rows(days: list[date]) -> list[list]:
    return [row for n, day in enumerate(days) for row in crew(day, n)]


def write_xlsx(path: Path, rows: list[list]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "值班表"
    sheet.append(HEADERS_CN)
    for row in rows:
        sheet.append(row)
    book.properties.created = datetime(2026, 12, 1, 9, 0)
    raw = io.BytesIO()
    book.save(raw)
    path.write_bytes(_fixed_times(raw.getvalue()))


def _fixed_times(content: bytes) -> bytes:
    """The workbook with the save time (openpyxl stamps it) and the zip entries' times
    fixed, so that running this script again writes the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-12-01T09:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 12, 1, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


# Row numbers in roster_bad.xlsx (header is row 1; 市局 rows 2-8, 姑苏区 9-15, 吴江区 16-22):
# the field of the one error each holds. Every other row is clean.
BAD = {
    3: "role",  # 值守员: unknown role
    5: "unit",  # 火星区: unknown unit
    7: "date",  # 2027-02-30: bad date
    11: "shift",  # 姑苏区 day officer is the city's day officer of row 4: overlapping shift
    13: "role",  # a second 带班领导 for 姑苏区 that day (row 9 is the first): duplicate leader
    17: "phone",  # 1381234567, ten digits: bad phone number
}


def bad_rows() -> list[list]:
    """The first good day with other people (an import would show) and the six errors."""
    rows = [[*r[:3], r[3] + "乙", *r[4:]] for r in good_rows(GOOD_XLSX_DAYS[:1])]

    def at(n: int) -> list:
        return rows[n - 2]

    at(3)[2] = "值守员"
    at(5)[5] = "火星区"
    at(7)[0] = "2027-02-30"
    at(11)[3], at(11)[4] = at(4)[3], at(4)[4]
    at(13)[2] = "带班领导"
    at(17)[4] = "1381234567"
    return rows


def main(out: Path = HERE) -> None:
    write_xlsx(out / "roster_good.xlsx", good_rows(GOOD_XLSX_DAYS))
    with (out / "roster_good.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS_EN)
        shifts = {"白班": "day", "夜班": "night"}
        roles = {"带班领导": "leader", "值班长": "chief", "值班员": "officer"}
        for day, shift, role, name, tel, unit in good_rows(GOOD_CSV_DAYS):
            writer.writerow([day.isoformat(), shifts[shift], roles[role], name, tel, ADCODES[unit]])
    write_xlsx(out / "roster_bad.xlsx", bad_rows())


if __name__ == "__main__":
    main()
