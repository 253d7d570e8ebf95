"""The report page as a PDF, by WeasyPrint (HTML + print CSS → PDF, fonts from fontconfig).

Importing this module loads Pango (OSError when the system lacks it; the caller says so).
WeasyPrint fetches nothing: the stylesheet is read from its file and every URL in the HTML is
refused (no protocol allowed), so no text from upstream can make the server request anything.
"""

from __future__ import annotations

import logging
from pathlib import Path

# WeasyPrint logs every layout step at INFO (from its import on); the app wants its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402 - after the log level
from weasyprint.urls import URLFetcher  # noqa: E402


def render_pdf(html: str, stylesheet: Path) -> bytes:
    """A4 PDF of `html` styled by `stylesheet`."""
    refuse_all = URLFetcher(allowed_protocols=())
    document = HTML(string=html, url_fetcher=refuse_all)
    return document.write_pdf(stylesheets=[CSS(filename=str(stylesheet), url_fetcher=refuse_all)])
