"""The report page as a PDF, by WeasyPrint (HTML + print CSS → PDF, fonts from fontconfig).

Importing this module loads Pango (OSError when the system lacks it; the caller says so).
WeasyPrint fetches nothing: the stylesheet is read from its file and every URL in the HTML is
refused (no protocol allowed), so no text from upstream can make the server request anything.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

# WeasyPrint logs every layout step at INFO (from its import on); the app wants its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402 - after the log level
from weasyprint.urls import URLFetcher  # noqa: E402


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def footer_css(footer: str) -> str:
    """The page footer rule of `footer`, a catalogue text with {page} and {pages} fields
    ("… 第 {page} 页 / 共 {pages} 页"), as CSS counters."""
    parts = re.split(r"\{(pages?)\}", footer)
    content = " ".join(
        f"counter({part})" if i % 2 else _css_string(part) for i, part in enumerate(parts) if part
    )
    return f"@page {{ @bottom-center {{ content: {content}; }} }}"


def render_pdf(html: str, stylesheet: Path, footer: str) -> bytes:
    """A4 PDF of `html` styled by `stylesheet`, each page's foot saying `footer` (see
    `footer_css`)."""
    refuse_all = URLFetcher(allowed_protocols=())
    document = HTML(string=html, url_fetcher=refuse_all)
    sheets = [
        CSS(filename=str(stylesheet), url_fetcher=refuse_all),
        CSS(string=footer_css(footer), url_fetcher=refuse_all),
    ]
    return document.write_pdf(stylesheets=sheets)
