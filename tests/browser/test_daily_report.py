"""The daily duty report in real headless Chromium: opened from /duty, it shows yesterday's
figures; its PDF and xlsx download with the same figures (read back with Debian's pdftotext
and openpyxl). Screenshots: docs/screenshots/report-daily.png (the page) and
report-daily-pdf.png (the PDF's first page, by pdftoppm)."""

from __future__ import annotations

import io
import json
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
        "值班日志",
    ]
    districts = [list(r) for r in book["警情分区统计"].iter_rows(values_only=True)]
    assert districts[2] == ["区县", "红色", "橙色", "黄色", "蓝色", "合计"]
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
