"""Reading and checking roster spreadsheets (data_sources/rosters.py), without a warehouse."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_sources import rosters
from data_sources.rosters import check_roster, export_roster, unit_lookup
from tests.data import make_rosters
from tests.data.make_rosters import BAD

DATA = Path(__file__).resolve().parents[1] / "data"
DISTRICTS = {"320508": "姑苏区", "320509": "吴江区", "320583": "昆山市"}
UNITS = unit_lookup(DISTRICTS)


def check_file(name: str, kept: pd.DataFrame | None = None) -> rosters.RosterCheck:
    return check_roster(name, (DATA / name).read_bytes(), UNITS, kept)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["日期", "班次", "岗位", "姓名", "电话", "单位"], *rows])
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("name", ["roster_good.xlsx", "roster_good.csv"])
def test_the_good_rosters_are_clean_and_fully_read(name):
    check = check_file(name)
    assert check.errors == []
    assert check.ok
    assert len(check.rows) == 42  # 3 units x 2 days x 7 people
    assert set(check.rows["unit"]) == {"city", "320508", "320509"}
    assert sorted(check.rows["role"].value_counts().to_dict().items()) == [
        ("chief", 12),
        ("leader", 6),
        ("officer", 24),
    ]


def test_chinese_values_become_codes_and_shift_times_follow_the_bureaus_hours():
    rows = check_file("roster_good.xlsx").rows
    leader = rows[(rows["unit"] == "city") & (rows["role"] == "leader")].iloc[0]
    assert leader["duty_date"] == date(2027, 1, 4)
    assert leader["phone"] == "0512-65230110"  # a landline is a good number too
    # 08:30 Asia/Shanghai is 00:30 UTC; the leader is on call for 24 hours.
    assert leader["starts_at"] == datetime(2027, 1, 4, 0, 30, tzinfo=UTC)
    assert leader["ends_at"] == datetime(2027, 1, 5, 0, 30, tzinfo=UTC)
    night = rows[(rows["unit"] == "320508") & (rows["shift"] == "night")].iloc[0]
    assert night["starts_at"] == datetime(2027, 1, 4, 9, 30, tzinfo=UTC)  # 17:30 local
    assert night["ends_at"] == datetime(2027, 1, 5, 0, 30, tzinfo=UTC)


def test_the_bad_roster_reports_each_kind_of_error_on_its_row():
    check = check_file("roster_bad.xlsx")
    assert not check.ok
    assert [(e.row, e.field) for e in check.errors] == sorted(BAD.items())
    text = {e.row: str(e) for e in check.errors}
    assert "未知岗位「值守员」" in text[3] and "岗位(role)" in text[3]
    assert "未知单位「火星区」" in text[5] and "单位(unit)" in text[5]
    assert "日期「2027-02-30」不是有效日期" in text[7] and text[7].startswith("第 7 行")
    assert "班次时间重叠" in text[11] and "第 4 行" in text[11]
    assert "带班领导重复" in text[13] and "第 9 行" in text[13]
    assert "电话「1381234567」不是有效号码" in text[17]
    # The rows without errors are still read (for the preview), the bad ones are not.
    assert len(check.rows) == 21 - len(BAD)
    assert not set(BAD) & set(check.rows["row"])


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13912345678", True),
        ("19912345678", True),
        ("0512-65230110", True),
        ("051265230110", True),
        ("010-12345678", True),
        ("139 1234 5678", True),  # spaces as people type them
        ("12912345678", False),  # no mobile prefix 12
        ("1391234567", False),
        ("139123456789", False),
        ("65230110", False),  # a landline needs its area code
        ("0512-652301", False),
        ("", False),
    ],
)
def test_phone_numbers_are_mainland_mobiles_or_landlines(phone, ok):
    check = check_roster(
        "r.csv", csv_bytes([["2027-01-04", "白班", "值班员", "张三", phone, "市局"]]), UNITS
    )
    assert check.ok is ok, check.errors


@pytest.mark.parametrize(
    "value", ["2027-01-04", "2027/1/4", "2027.01.04", "2027年1月4日", "2027-01-04 00:00:00"]
)
def test_dates_as_bureaus_write_them(value):
    check = check_roster(
        "r.csv", csv_bytes([[value, "夜班", "值班长", "张三", "13912345678", "姑苏"]]), UNITS
    )
    assert check.ok, check.errors
    assert check.rows["duty_date"].iloc[0] == date(2027, 1, 4)
    assert check.rows["unit"].iloc[0] == "320508"  # 姑苏 without its 区 is still 姑苏区


def test_an_unreadable_date_says_what_is_expected():
    check = check_roster(
        "r.csv", csv_bytes([["下周一", "白班", "值班员", "张三", "13912345678", "市局"]]), UNITS
    )
    assert [str(e) for e in check.errors] == [
        "第 2 行 · 日期(date)：日期「下周一」无法识别，应为 年-月-日(如 2027-01-04)"
    ]


def test_a_missing_column_is_named_and_no_row_is_read():
    content = b"date,shift,role,name,unit\n2027-01-04,day,chief,Zhang,city\n"
    check = check_roster("r.csv", content, UNITS)
    assert [(e.row, e.field) for e in check.errors] == [(None, "file")]
    assert "电话(phone)" in str(check.errors[0])
    assert check.rows.empty


def test_other_file_types_and_broken_workbooks_are_refused_with_a_message():
    assert "不支持的文件类型" in str(check_roster("r.xls", b"\xd0\xcf", UNITS).errors[0])
    assert "无法读取 Excel 文件" in str(check_roster("r.xlsx", b"not a zip", UNITS).errors[0])


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read():
    content = csv_bytes(
        [["2027-01-04", "白班", "带班领导", "张三", "13912345678", "吴江区"]], "gb18030"
    )
    check = check_roster("r.csv", content, UNITS)
    assert check.ok, check.errors
    assert check.rows["name"].iloc[0] == "张三"


def test_an_overlap_with_a_shift_already_in_the_warehouse_is_an_error():
    kept = check_roster(
        "k.csv", csv_bytes([["2027-01-03", "夜班", "值班长", "张三", "13912345678", "市局"]]), UNITS
    ).rows.drop(columns="row")
    # Leader of 昆山 from 08:30 on the 3rd: overlaps the city night shift 3rd 17:30-4th 08:30.
    content = csv_bytes([["2027-01-03", "白班", "带班领导", "张三", "13912345678", "昆山市"]])
    check = check_roster("r.csv", content, UNITS, kept)
    assert [(e.row, e.field) for e in check.errors] == [(2, "shift")]
    assert "系统中已有的值班安排" in str(check.errors[0])
    # The next morning's day shift begins as the night shift ends: no overlap.
    later = csv_bytes([["2027-01-04", "白班", "值班长", "张三", "13912345678", "昆山市"]])
    assert check_roster("r.csv", later, UNITS, kept).ok


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_roster_imports_back_to_the_same_rows(fmt, lang):
    rows = check_file("roster_good.xlsx").rows.drop(columns="row")
    content = export_roster(rows, DISTRICTS, fmt, lang)
    again = check_roster(f"export.{fmt}", content, UNITS)
    assert again.ok, again.errors
    key = ["unit", "duty_date", "shift", "role", "name", "phone", "starts_at", "ends_at"]
    left = rows[key].sort_values(key).reset_index(drop=True)
    right = again.rows[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    if fmt == "xlsx" and lang == "en":  # the import's own words, no Chinese of the export's
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert [c.value for c in sheet[1]] == ["date", "shift", "role", "name", "phone", "unit"]
        assert [c.value for c in sheet[2]][1:3] == ["day", "leader"]
        assert sheet[2][5].value == "city"
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert [c.value for c in sheet[1]] == ["日期", "班次", "岗位", "姓名", "电话", "单位"]
        assert [c.value for c in sheet[2]][1:] == [
            "白班",
            "带班领导",
            "周建国",
            "0512-65230110",
            "市局",
        ]
    else:
        head = "date,shift,role" if lang == "en" else "日期,班次,岗位"
        assert content.startswith(f"\ufeff{head}".encode())


def test_an_unclean_roster_is_never_imported():
    check = check_file("roster_bad.xlsx")
    with pytest.raises(ValueError, match="nothing was imported"):
        rosters.Rosters(None).import_roster(check)  # refuses before it touches the warehouse


def test_the_committed_roster_files_are_what_the_script_writes(tmp_path):
    make_rosters.main(tmp_path)
    for name in ("roster_good.xlsx", "roster_good.csv", "roster_bad.xlsx"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# What an English message may quote in Chinese: the words a roster file is written in.
FILE_WORDS = ("白班", "夜班", "带班领导", "值班长", "值班员", "市局")


def english_words(text: str, *data: str) -> str:
    """`text` without what it quotes (data as it came, the file's own words)."""
    for quoted in (*data, *FILE_WORDS):
        text = text.replace(quoted, "")
    return text


def test_a_roster_file_s_problems_read_in_english_with_the_data_as_it_came():
    content = csv_bytes(
        [
            ["下周一", "早班", "组长", "", "12345", "火星区"],
            ["2027-02-30", "白班", "值班长", "张三", "13912345678", "市局"],
            ["2027-01-04", "白班", "带班领导", "李四", "13912345670", "市局"],
            ["2027-01-04", "夜班", "带班领导", "王五", "13912345671", "市局"],
            ["2027-01-04", "夜班", "值班长", "李四", "13912345670", "姑苏区"],
        ]
    )
    check = check_roster("r.csv", content, UNITS)
    given = ("下周一", "早班", "组长", "火星区", "12345", "王五", "李四")
    english = [e.text("en") for e in check.errors]
    assert len(english) == 9, english
    for text in english:
        assert not CJK.search(english_words(text, *given)), text
    assert english[0] == (
        "Row 2 · Date (date): Date “下周一” is not understood: write year-month-day "
        "(e.g. 2027-01-04)"
    )
    assert "Row 3 · Date (date): Date “2027-02-30” is not a real day" in english
    assert any("Two duty leaders" in e and "(row 4)" in e for e in english), english
    overlap = [e for e in english if "shifts overlap" in e]
    assert overlap == [
        "Row 6 · Shift (shift): 李四's shifts overlap: with row 4 (Mon 4 Jan, leader (24 h))"
    ]
    # The Chinese words are the same problems (str is Chinese, as the log and audit keep it).
    assert [str(e) for e in check.errors] == [e.text("zh") for e in check.errors]
    assert (
        "第 5 行 · 岗位(role)：带班领导重复：同一单位同一天已有带班领导(第 4 行)，王五 为第二位"
        in [str(e) for e in check.errors]
    )


def test_a_file_that_cannot_be_read_says_so_in_english():
    content = b"date,shift,role,name,unit\n2027-01-04,day,chief,Zhang,city\n"
    missing = check_roster("r.csv", content, UNITS).errors[0].text("en")
    assert missing == "File: Row 1 (the header) lacks columns: Phone(phone)"
    assert check_roster("r.xls", b"\xd0\xcf", UNITS).errors[0].text("en") == (
        "File: “r.xls” is not a file type that can be read: upload .xlsx or .csv"
    )
    assert "第 1 行(表头)缺少列：电话(phone)" in str(
        check_roster("r.csv", content, UNITS).errors[0]
    )
