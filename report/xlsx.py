"""The daily report as an Excel workbook: one sheet per section, headers in the report's
language (Chinese, or English).

Spreadsheet programs run a cell that starts with = + - @ (or a tab / carriage return) as a
formula; upstream text could be one (`=HYPERLINK(...)`), so such text cells get a leading
apostrophe and stay text (security/text.py's rule, as for every CSV and xlsx export).
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from data_sources.daily_report import DailyReport
from layouts.i18n import t
from report.tables import Section, Value, coverage, day_title, sections
from security.text import spreadsheet_cell

# openpyxl refuses the C0 controls Excel cannot store; upstream text may carry them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
WIDE = 60  # characters: the widest a column gets; longer text wraps


def cell_value(value: Value) -> Value:
    """A value that a spreadsheet shows as it is and never runs."""
    if isinstance(value, int):
        return value
    return spreadsheet_cell(_ILLEGAL.sub("", str(value)))


def _sheet_title(section: Section) -> str:
    return section.title.replace("（", "(").replace("）", ")")[:31]


def workbook(report: DailyReport, lang: str = "zh") -> bytes:
    """The .xlsx file of `report`, its words in `lang`."""
    book = Workbook()
    book.remove(book.active)
    for section in sections(report, lang):
        sheet = book.create_sheet(_sheet_title(section))
        sheet.append([cell_value(t("report.sheet_head", lang, title=section.title))])
        line = t(
            "report.day_line", lang, day=day_title(report, lang), coverage=coverage(report, lang)
        )
        sheet.append([cell_value(line)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([cell_value(c) for c in section.columns])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
        for row in section.rows:
            sheet.append([cell_value(v) for v in row])
        if section.total:
            sheet.append([cell_value(v) for v in section.total])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if not section.rows:
            sheet.append([t("report.empty", lang)])
        if section.note:
            sheet.append([cell_value(section.note)])
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        for index, name in enumerate(section.columns, start=1):
            longest = max(
                [len(str(name))] + [len(str(r[index - 1])) for r in section.rows], default=4
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(WIDE, longest * 2 + 2)
            if longest > WIDE // 2:
                for (cell,) in sheet.iter_rows(
                    min_row=header_row + 1, min_col=index, max_col=index
                ):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
