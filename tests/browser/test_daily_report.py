"""The daily duty report in real headless Chromium: opened from /duty, it shows yesterday's
figures; its PDF and xlsx download with the same figures (read back with Debian's pdftotext
and openpyxl). Screenshots: docs/screenshots/report-daily.png (the page) and
report-daily-pdf.png (the PDF's first page, by pdftoppm)."""

from __future__ import annotations

import io
import json
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_sources import duty
from data_sources.daily_report import SHANGHAI, day_window, default_day

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">氯气泄漏"
FORMULA = '=HYPERLINK("http://evil.example/","点我")'
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+")
SECTIONS = (
    "summary",
    "on_duty",
    "districts",
    "red_alarms",
    "escalations",
    "incidents",
    "handovers",
    "rollcalls",
    "duty_log",
)
# The columns of each table that hold data as recorded (titles, people's names, what people
# wrote): they may be Chinese in an English report. Every other cell is the report's own words.
DATA_COLUMNS = {
    "on_duty": [2, 3],
    "red_alarms": [2, 5],
    "escalations": [2, 5],
    "incidents": [0, 1],
    "handovers": [2, 3, 4],
    "rollcalls": [1],
    "duty_log": [3, 4],
}
# The page's text split into data cells and the rest (the page's own words).
SPLIT_TEXT = """(columns) => {
  const body = document.body.cloneNode(true);
  const data = [];
  for (const [key, cols] of Object.entries(columns)) {
    for (const tr of body.querySelectorAll(`#report-${key} tbody tr`)) {
      [...tr.children].forEach((td, i) => {
        if (cols.includes(i)) { data.push(td.textContent); td.remove(); }
      });
    }
  }
  return {data, rest: body.textContent};
}"""
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _english_day(day) -> str:  # noqa: ANN001
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _not_data(text: str, data: list[str]) -> list[str]:
    """The runs of Chinese in `text` that are not part of any data cell."""
    return sorted({run for run in CJK.findall(text) if not any(run in d for d in data)})


def _day_counts(url: str, day) -> dict[str, int]:  # noqa: ANN001
    """The day's alarms per level, read straight from the SQLite file (not through the app)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        frame = pd.read_sql_query("SELECT level, occurred_at FROM alarm_history", conn)
    local = pd.to_datetime(frame["occurred_at"], utc=True, format="mixed").dt.tz_convert(SHANGHAI)
    frame = frame[local.dt.date == day]
    counts = {lv: int((frame["level"] == lv).sum()) for lv in ("red", "orange", "yellow", "blue")}
    return {**counts, "total": len(frame)}


@pytest.fixture
def server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url)
    warehouse = app.server.extensions["smart_emergency_sources"].warehouse
    day = default_day(datetime.now(UTC))
    start, _ = day_window(day)
    noon = start + timedelta(hours=12)
    counts = _day_counts(reference_url, day)  # before this test's own alarm
    warehouse.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, district, status) VALUES ('R-hostile', 'hazchem', 'red', '泄漏', :title, "
        ":at, :at, '320508', 'new')",
        {"title": HOSTILE, "at": noon},
    )
    state = {"id": "R-hostile", "escalation": "1", "body": {"title": HOSTILE, "level": "red"}}
    warehouse.execute(
        'INSERT INTO alarm_events (alarm_id, op, "at", actor, rev, state, stream_id) '
        "VALUES ('R-hostile', 'escalate', :at, 'escalation', 2, :state, '1-1')",
        {"at": noon + timedelta(minutes=10), "state": json.dumps(state, ensure_ascii=False)},
    )
    duty.Duty(warehouse).record_handover(
        "沈知远", "顾清和", {"text": FORMULA, "open_alarms": 1}, at=noon
    )
    duty.Duty(warehouse).append_log("@张三", FORMULA, "notice", at=noon + timedelta(hours=1))
    srv = serve(app)
    srv.day = day
    srv.counts = counts
    return srv


def _open_report(page_factory, server):  # noqa: ANN001, ANN202
    page = page_factory(1280, 1400)
    page.goto(server.url + "/duty")
    page.click("#duty-report-link")
    page.wait_for_selector("#report-figures")
    return page


def test_the_report_opens_from_duty_with_yesterdays_figures_and_text_stays_text(
    server, page_factory
):
    page = _open_report(page_factory, server)
    assert page.url.endswith(f"/report/daily?date={server.day.isoformat()}")
    assert page.get_attribute("#report-day", "data-date") == server.day.isoformat()
    assert f"{server.day.month}月{server.day.day}日" in page.inner_text("#report-day")
    figures = dict(
        zip(
            page.locator("#report-figures .label").all_inner_texts(),
            [int(v) for v in page.locator("#report-figures .value").all_inner_texts()],
        )
    )
    counts = server.counts
    assert figures["警情总数"] == counts["total"] + 1  # the alarm this test added
    assert figures["红色警情"] == counts["red"] + 1
    assert figures["蓝色警情"] == counts["blue"]
    assert figures["警情升级"] == 1
    district_total = page.locator("#report-districts tfoot td").all_inner_texts()
    assert district_total[0] == "全市" and int(district_total[-1]) == counts["total"] + 1
    # Upstream text is text: shown as typed, no element made of it.
    assert HOSTILE in page.inner_text("#report-red_alarms")
    assert HOSTILE in page.inner_text("#report-escalations")
    assert page.locator("#report-red_alarms img, #report-escalations img").count() == 0
    assert page.title() != "pwned"
    assert FORMULA in page.inner_text("#report-handovers")
    assert FORMULA in page.inner_text("#report-duty_log")
    assert page.console_errors == [] and page.outside_requests == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-daily.png"), full_page=True)
    # Printed, the toolbar goes and the page is one white A4 column.
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()


def test_the_pdf_downloads_with_the_days_numbers_and_a_chinese_heading(
    server, page_factory, tmp_path
):
    page = _open_report(page_factory, server)
    with page.expect_download() as download:
        page.click("#report-pdf")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == f"值班日报-{server.day.isoformat()}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = text.replace(" ", "")
    assert "值班日报" in flat
    assert f"{server.day.year}年{server.day.month}月{server.day.day}日" in flat
    assert "全市" in flat and HOSTILE.replace(" ", "") in flat
    # The district table's last line: 全市 red orange yellow blue total.
    counts = server.counts
    city_line = next(line for line in text.splitlines() if line.strip().startswith("全市"))
    assert city_line.split()[1:] == [
        str(counts["red"] + 1),
        str(counts["orange"]),
        str(counts["yellow"]),
        str(counts["blue"]),
        str(counts["total"] + 1),
    ]
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(SHOTS / "report-daily-pdf")],
            check=True,
        )  # fmt: skip


def test_the_xlsx_downloads_with_a_sheet_per_section_and_formulas_defused(
    server, page_factory, tmp_path
):
    page = _open_report(page_factory, server)
    with page.expect_download() as download:
        page.click("#report-xlsx")
    assert download.value.suggested_filename == f"值班日报-{server.day.isoformat()}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == [
        "概况",
        "值班人员(市局)",
        "警情分区统计",
        "红色警情",
        "警情升级",
        "突发事件",
        "交接班",
        "视频点名",
        "区县值班室在岗",
        "值班日志",
    ]
    districts = [list(r) for r in book["警情分区统计"].iter_rows(values_only=True)]
    assert districts[2] == ["区县", "红色", "橙色", "黄色", "蓝色", "合计"]
    # A Chinese report has Chinese headers on every sheet.
    for sheet in book.worksheets:
        headers = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))
        assert all(CJK.search(h) for h in headers if h is not None), (sheet.title, headers)
    city = next(r for r in districts if r[0] == "全市")
    counts = server.counts
    assert city[1:] == [
        counts["red"] + 1,
        counts["orange"],
        counts["yellow"],
        counts["blue"],
        counts["total"] + 1,
    ]
    summary = dict(r[:2] for r in book["概况"].iter_rows(min_row=4, values_only=True))
    assert summary["警情总数"] == counts["total"] + 1 and summary["警情升级"] == 1
    handovers = [r for r in book["交接班"].iter_rows(min_row=4, values_only=True)]
    mine = next(r for r in handovers if r[2] == "沈知远")
    assert mine[3] == "顾清和" and mine[4] == f"未结警情1起；{FORMULA}"
    log = [r for r in book["值班日志"].iter_rows(min_row=4, values_only=True)]
    assert ("'@张三", "'" + FORMULA) in [(r[3], r[4]) for r in log]
    # Every text cell that would start a formula starts with an apostrophe instead.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                    assert cell.data_type == "s"


def test_the_browser_is_told_what_is_wrong_with_a_bad_date(server, page_factory):
    page = page_factory(1280, 900)
    response = page.goto(server.url + "/report/daily?date=2026-02-30")
    assert response.status == 400
    assert "没有这一天" in page.inner_text("#report-error")
    response = page.goto(server.url + "/report/daily?date=%3Cscript%3E")
    assert response.status == 400 and "格式不对" in page.inner_text("#report-error")
    # Chromium logs each 400 it loads; nothing else may go wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_in_english_the_page_pdf_and_xlsx_have_english_words_and_dates_and_data_as_recorded(
    server, page_factory, tmp_path
):
    day = server.day
    page = page_factory(1280, 1400)
    page.goto(f"{server.url}/report/daily?date={day.isoformat()}&lang=en")
    page.wait_for_selector("#report-figures")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Daily duty report"
    assert page.inner_text("#report-day") == _english_day(day)  # e.g. Tue 1 Dec 2026
    assert (
        page.title()
        == f"Daily duty report · {day.isoformat()} · Suzhou Emergency Management Bureau"
    )
    figures = dict(
        zip(
            page.locator("#report-figures .label").all_inner_texts(),
            [int(v) for v in page.locator("#report-figures .value").all_inner_texts()],
        )
    )
    counts = server.counts
    assert figures["Alarms"] == counts["total"] + 1 and figures["Red alarms"] == counts["red"] + 1
    assert figures["Escalations"] == 1
    heads = page.locator("#report-districts thead th").all_inner_texts()
    assert heads == ["District", "Red", "Orange", "Yellow", "Blue", "Total"]
    assert page.locator("#report-districts tfoot td").first.inner_text() == "City"
    assert "Gusu" in page.inner_text("#report-districts tbody")
    red = page.locator("#report-red_alarms tr", has_text="氯气泄漏").inner_text()
    assert "Gusu" in red and "New" in red and "Hazardous-chemicals risk monitoring" in red
    escalation = page.locator("#report-escalations tbody tr").first.inner_text()
    assert "Stage 1" in escalation and "Not acknowledged" in escalation
    assert "1 open alarms" in page.inner_text("#report-handovers")
    # Data as recorded, Chinese and hostile text included; no Chinese of the report's own.
    split = page.evaluate(SPLIT_TEXT, DATA_COLUMNS)
    data = split["data"]
    assert HOSTILE in data and "沈知远" in data and "@张三" in data
    assert _not_data(split["rest"] + page.title(), data) == []
    assert page.locator("#report-red_alarms img").count() == 0
    # The toolbar's links stay in English, and so do the downloads they give.
    assert "lang=en" in page.get_attribute('a[rel="prev"]', "href")
    with page.expect_download() as download:
        page.click("#report-pdf")
    assert download.value.suggested_filename == f"daily-report-{day.isoformat()}.pdf"
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Daily duty report" in text and _english_day(day) in text
    assert "Alarms by district" in text and "Video roll calls" in text
    city_line = next(line for line in text.splitlines() if line.strip().startswith("City "))
    assert city_line.split()[-1] == str(counts["total"] + 1)
    assert "氯气泄漏" in text.replace(" ", "")
    assert _not_data(text, data) == []
    with page.expect_download() as download:
        page.click("#report-xlsx")
    assert download.value.suggested_filename == f"daily-report-{day.isoformat()}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == [
        "Summary",
        "On duty (city bureau)",
        "Alarms by district",
        "Red alarms",
        "Escalations",
        "Incidents",
        "Handovers",
        "Video roll calls",
        "District duty rooms",
        "Duty log",
    ]
    districts = [list(r) for r in book["Alarms by district"].iter_rows(values_only=True)]
    assert districts[0][0].startswith("Suzhou Emergency Management Bureau daily duty report")
    assert districts[1][0].startswith(_english_day(day))
    assert districts[2] == ["District", "Red", "Orange", "Yellow", "Blue", "Total"]
    summary = dict(r[:2] for r in book["Summary"].iter_rows(min_row=4, values_only=True))
    assert summary["Alarms"] == counts["total"] + 1 and summary["Escalations"] == 1
    log = [r for r in book["Duty log"].iter_rows(min_row=4, values_only=True)]
    assert ("Notice", "'@张三", "'" + FORMULA) in [(r[2], r[3], r[4]) for r in log]
    leaked = []
    for key, sheet in zip(SECTIONS, book.worksheets):
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            for index, value in enumerate(row):
                if number > 3 and index in DATA_COLUMNS.get(key, ()):
                    continue
                if isinstance(value, str) and CJK.search(value):
                    leaked.append((sheet.title, number, value))
    assert leaked == []
