"""Text from upstream systems is text: the escaping rules where it meets a markup language.

Dash components render their children as text, so most screens need nothing from here. These
are for the places that do not: an HTML string handed to a Markdown renderer, plotly's labels
(plotly reads `<br>`, `<b>`, `<a href>` and entities in every text it draws), and cells of a
CSV or xlsx file (a spreadsheet runs a cell that starts with `=` as a formula).
"""

from __future__ import annotations

import html
from typing import Any

# CommonMark ends a raw HTML block at a blank line and reads what follows as Markdown again,
# so a line break inside escaped text must not reach the Markdown parser as one.
_LINE_BREAKS = str.maketrans({"\r": "&#13;", "\n": "&#10;"})


def html_text(value: Any) -> str:
    """`value` as text inside an HTML string (element content or a quoted attribute) that a
    Markdown renderer will read: every markup character and line break as an entity."""
    return html.escape("" if value is None else str(value), quote=True).translate(_LINE_BREAKS)


_PLOTLY = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plotly_text(value: Any) -> str:
    """`value` as a plotly label (axis category, trace name, title, hover text): plotly turns
    `&lt;` back into `<` when it draws, so the text shows as written and no tag is read."""
    return ("" if value is None else str(value)).translate(_PLOTLY)


# Spreadsheet programs read a cell starting with one of these as a formula (or, for tab and
# carriage return, strip them and then read what follows): OWASP "CSV injection".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_cell(value: Any) -> Any:
    """`value` for a CSV or xlsx cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe, which the spreadsheet shows as plain text. Numbers, dates and None
    pass through unchanged (a negative number is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
