"""Text stays text where it meets a markup language, and the CSP allows only this server."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from data_sources.rosters import export_roster
from security.headers import tile_source
from security.text import html_text, plotly_text, spreadsheet_cell


def test_html_text_escapes_markup_quotes_and_line_breaks():
    text = html_text('<img src=x onerror="a()">\n\n[x](javascript:a())')
    assert "<" not in text and ">" not in text and '"' not in text
    assert "\n" not in text and "&#10;&#10;" in text
    assert html_text(None) == ""


def test_plotly_text_shows_tags_and_entities_as_written():
    assert plotly_text("<b>m</b> & <br>") == "&lt;b&gt;m&lt;/b&gt; &amp; &lt;br&gt;"
    assert plotly_text(3) == "3"


def test_a_cell_that_a_spreadsheet_would_run_gets_an_apostrophe():
    for value in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_cell(value) == "'" + value
    for value in ("苏州", "0512-65000001", -3, 1.5, None):
        assert spreadsheet_cell(value) == value


def test_the_roster_export_never_holds_a_formula():
    roster = pd.DataFrame(
        {
            "duty_date": [pd.Timestamp("2026-12-01").date()],
            "shift": ["day"],
            "role": ["leader"],
            "name": ['=HYPERLINK("http://evil.invalid/","x")'],
            "phone": ["+8613800000000"],
            "unit": ["320508"],
        }
    )
    rows = list(csv.reader(io.StringIO(export_roster(roster, {}, "csv").decode("utf-8-sig"))))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.invalid/","x")'
    assert rows[1][4] == "'+8613800000000"
    book = openpyxl.load_workbook(io.BytesIO(export_roster(roster, {}, "xlsx")))
    cell = book.active["D2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_the_tile_servers_origin_is_the_only_other_image_source():
    assert tile_source(None) is None
    assert tile_source("https://tiles.example.gov.cn/{z}/{x}/{y}.png") == (
        "https://tiles.example.gov.cn"
    )
    assert tile_source("http://t{s}.tianditu.gov.cn/img_w/wmts?x={x}&y={y}&l={z}") == (
        "http://*.tianditu.gov.cn"
    )
    assert tile_source("http://10.1.2.3:8080/{z}/{x}/{y}.png") == "http://10.1.2.3:8080"
