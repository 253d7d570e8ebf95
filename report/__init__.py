"""The daily duty report (值班日报) at `/report/daily?date=YYYY-MM-DD`: a printable A4 page,
`&format=pdf` (WeasyPrint, the page's own HTML and print CSS) and `&format=xlsx` (a sheet per
section).

Without `date` the report is yesterday's (Asia/Shanghai): the address is redirected to name
the day, so that a printed or shared link always says which day it is. A bad date or format
gets a 400 page that says what is wrong. In English with `&lang=en` (or the `se_lang` cookie
of the sign-in pages, auth/i18n.py): headings, labels, dates and level and status words, from
the catalogue (catalogue.py); the data stays as recorded. Who may open it is `/duty`'s rule (auth/matrix.py
PAGES); the guard sees a page path like any other. Plain server-rendered HTML with Jinja's
autoescape: every text from upstream or from the duty room is text; no script.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, make_response, redirect, render_template, request
from flask import url_for as _url_for

from auth import i18n as lang_choice
from data_sources import get_sources
from data_sources.daily_report import BadDay, daily_report, default_day, local_today, parse_day
from layouts.i18n import t
from report import tables

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
CSS = HERE / "static" / "report.css"
FORMATS = ("html", "pdf", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

bp = Blueprint(
    "report",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/report/static",
)


def init_app(server: Flask) -> None:
    server.register_blueprint(bp)


def _now() -> datetime:
    return datetime.now(UTC)


def _headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
    return response


def _lang() -> str:
    return lang_choice.current()


def _in_lang(lang: str) -> dict[str, str]:
    """The query arguments that keep a link in the report's language: none for the default
    Chinese, `lang` when English or asked for by name (a `lang=zh` beats an English cookie)."""
    return {"lang": lang} if lang == "en" or "lang" in request.args else {}


def _error(message: str, status: int) -> Response:
    today = local_today(_now())
    lang = _lang()
    html = render_template(
        "report/daily.html",
        t=lambda key, **fields: t(key, lang, **fields),
        lang=lang,
        keep=_in_lang(lang),
        error=message,
        for_pdf=False,
        day_iso=None,
        today_iso=today.isoformat(),
        example_iso=default_day(_now()).isoformat(),
    )
    return _headers(make_response(html, status))


def _download(body: bytes, mimetype: str, day_iso: str, suffix: str, lang: str) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    ascii_name = f"daily-report-{day_iso}.{suffix}"
    disposition = f'attachment; filename="{ascii_name}"'
    if lang != "en":
        disposition += "; filename*=UTF-8''" + quote(f"值班日报-{day_iso}.{suffix}")
    response.headers["Content-Disposition"] = disposition
    return _headers(response)


@bp.get("/report/daily")
def daily() -> Response:
    """The report of the `date` asked for, as a page, a PDF or a workbook."""
    now, lang = _now(), _lang()
    fmt = (request.args.get("format") or "html").strip().lower()
    if fmt not in FORMATS:
        return _error(t("report.bad_format", lang), 400)
    if "date" not in request.args:
        target = {"date": default_day(now).isoformat(), **_in_lang(lang)}
        if fmt != "html":
            target["format"] = fmt
        return _headers(redirect(_url_for("report.daily", **target)))
    try:
        day = parse_day(request.args.get("date"), local_today(now))
    except BadDay as exc:
        return _error(t(f"report.bad_day.{exc.reason}", lang, **exc.fields), 400)
    try:
        report = daily_report(get_sources().warehouse, day, now)
    except Exception:  # noqa: BLE001 - any warehouse failure: say so, never a 500
        log.exception("daily report of %s: warehouse read failed", day)
        return _error(t("report.unavailable", lang), 503)
    day_iso = day.isoformat()
    if fmt == "xlsx":
        from report.xlsx import workbook

        return _download(workbook(report, lang), XLSX_TYPE, day_iso, "xlsx", lang)
    if fmt == "pdf":
        try:
            from report.pdf import render_pdf
        except OSError as exc:  # WeasyPrint loads Pango when imported
            log.error("PDF unavailable: %s", exc)
            return _error(t("report.no_pdf", lang), 503)
        html = _page(report, now, for_pdf=True, lang=lang)
        return _download(
            render_pdf(html, CSS, t("report.page_footer", lang)),
            "application/pdf",
            day_iso,
            "pdf",
            lang,
        )
    return _headers(make_response(_page(report, now, for_pdf=False, lang=lang)))


def _page(report, now: datetime, for_pdf: bool, lang: str) -> str:  # noqa: ANN001
    today = local_today(now)
    following = report.day + timedelta(days=1)
    return render_template(
        "report/daily.html",
        t=lambda key, **fields: t(key, lang, **fields),
        lang=lang,
        keep=_in_lang(lang),
        count_label=lambda n: tables.count_label(n, lang),
        error=None,
        for_pdf=for_pdf,
        day_iso=report.day.isoformat(),
        today_iso=today.isoformat(),
        previous_iso=(report.day - timedelta(days=1)).isoformat(),
        next_iso=following.isoformat() if following <= today else None,
        title=tables.day_title(report, lang),
        coverage=tables.coverage(report, lang),
        generated=tables.generated(now, lang),
        figures=tables.figures(report, lang),
        sections=tables.sections(report, lang),
    )
