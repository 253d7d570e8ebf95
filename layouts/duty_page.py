"""`/duty`: the duty room on one screen — today's roster of the city and every district, this
week's roster of one unit, the roll call of the district duty rooms (layouts/rollcall.py), the
duty log, shift handover, the contact directory, and roster import/export
(layouts/roster_import.py)."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from layouts import alert_strip, i18n, pulse, rollcall, roster_import
from layouts.call import number
from layouts.common import panel
from layouts.frame import frame
from layouts.i18n import moment, t
from layouts.resources_page import data_table
from vocabulary import LOG_CATEGORIES

# The columns of a day's roster: (shift, role), headed by the catalogue's `slot.<shift>.<role>`.
SLOTS = (
    ("day", "leader"),
    ("day", "chief"),
    ("day", "officer"),
    ("night", "chief"),
    ("night", "officer"),
)
USER_CATEGORIES = {k: v for k, v in LOG_CATEGORIES.items() if k != "handover"}


class Ids(StrEnum):
    # Each callback declares its own permission (callbacks.guarded): reading this page's
    # data needs "contacts", writing the duty log "duty_log"; the ids only name things.
    TODAY_PANEL = "duty-today-panel"
    TODAY = "duty-today"
    TODAY_AS_OF = "duty-today-as-of"
    TODAY_DATE = "duty-today-date"
    WEEK_PANEL = "duty-week-panel"
    WEEK_UNIT = "duty-week-unit"
    WEEK = "duty-week"
    WEEK_AS_OF = "duty-week-as-of"
    LOG_PANEL = "duty-log-panel"
    LOG_AUTHOR = "duty-author"
    LOG_CATEGORY = "duty-log-category"
    LOG_TEXT = "duty-log-text"
    LOG_ADD = "duty-log-add"
    LOG_MESSAGE = "duty-log-message"
    LOG = "duty-log"
    LOG_AS_OF = "duty-as-of-log"
    HANDOVER_PANEL = "duty-handover-panel"
    HANDOVER_FROM = "duty-handover-from"
    HANDOVER_TO = "duty-handover-to"
    HANDOVER_NOTES = "duty-handover-notes"
    HANDOVER_ADD = "duty-handover-add"
    HANDOVER_MESSAGE = "duty-log-handover-message"
    HANDOVERS = "duty-handovers"
    HANDOVER_AS_OF = "duty-handover-as-of"
    PEOPLE = "duty-people"
    CONTACTS_PANEL = "duty-contacts-panel"
    CONTACT_SEARCH = "duty-contact-search"
    CONTACTS = "duty-contacts"
    CONTACTS_AS_OF = "duty-contacts-as-of"
    REPORT_LINK = "duty-report-link"
    # Stores: the signature of what the rosters and the log show (redrawn only when changed)
    ROSTERS_SHOWN = "duty-rosters-shown"
    LOG_SHOWN = "duty-log-shown"


def _log_panel(lang: str) -> html.Section:
    form = html.Div(
        [
            # Who writes is the signed-in account: shown, never typed (the server ignores it).
            dcc.Input(
                id=Ids.LOG_AUTHOR,
                placeholder=t("duty.author", lang),
                readOnly=True,
                className="author",
            ),
            dcc.Dropdown(
                id=Ids.LOG_CATEGORY,
                options=[{"label": t(f"logcat.{k}", lang), "value": k} for k in USER_CATEGORIES],
                value="report",
                clearable=False,
                className="category",
            ),
            dcc.Input(
                id=Ids.LOG_TEXT,
                placeholder=t("duty.text", lang),
                className="text",
                n_submit=0,
            ),
            html.Button(t("duty.add", lang), id=Ids.LOG_ADD, className="btn primary", n_clicks=0),
        ],
        className="duty-form log-form",
    )
    body = [
        form,
        html.Div(id=Ids.LOG_MESSAGE, className="form-message", role="status"),
        html.Ol(id=Ids.LOG, className="duty-log"),
        dcc.Store(id=Ids.LOG_SHOWN),
    ]
    # The daily report is a server page (report/), not a Dash page: a plain link.
    report = html.A(
        t("duty.report", lang),
        href="/report/daily",
        id=Ids.REPORT_LINK,
        className="panel-link",
        title=t("duty.report_hint", lang),
    )
    return panel(
        t("duty.log", lang),
        body,
        panel_id=Ids.LOG_PANEL,
        as_of_id=Ids.LOG_AS_OF,
        source="warehouse",
        extra=[report],
    )


def _handover_panel(lang: str) -> html.Section:
    body = [
        html.Div(
            [
                dcc.Input(id=Ids.HANDOVER_FROM, placeholder=t("duty.from", lang), list=Ids.PEOPLE),
                html.Span("→", className="arrow"),
                dcc.Input(id=Ids.HANDOVER_TO, placeholder=t("duty.to", lang), list=Ids.PEOPLE),
            ],
            className="duty-form handover-names",
        ),
        dcc.Textarea(
            id=Ids.HANDOVER_NOTES,
            placeholder=t("duty.notes", lang),
            className="handover-notes",
        ),
        html.Div(
            [
                html.Button(
                    t("duty.confirm_handover", lang),
                    id=Ids.HANDOVER_ADD,
                    className="btn primary",
                    n_clicks=0,
                ),
                html.Div(id=Ids.HANDOVER_MESSAGE, className="form-message", role="status"),
            ],
            className="duty-form",
        ),
        html.Ol(id=Ids.HANDOVERS, className="handovers"),
    ]
    return panel(
        t("duty.handover", lang),
        body,
        panel_id=Ids.HANDOVER_PANEL,
        as_of_id=Ids.HANDOVER_AS_OF,
        source="warehouse",
    )


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    today = panel(
        t("duty.today", lang),
        [html.Table(id=Ids.TODAY, className="roster-table"), dcc.Store(id=Ids.ROSTERS_SHOWN)],
        panel_id=Ids.TODAY_PANEL,
        as_of_id=Ids.TODAY_AS_OF,
        source="warehouse",
        extra=[html.Span(id=Ids.TODAY_DATE, className="panel-date")],
    )
    week = panel(
        t("duty.week", lang),
        html.Table(id=Ids.WEEK, className="roster-table week"),
        panel_id=Ids.WEEK_PANEL,
        as_of_id=Ids.WEEK_AS_OF,
        source="warehouse",
        extra=[
            dcc.Dropdown(
                id=Ids.WEEK_UNIT,
                options=[{"label": t("duty.city", lang), "value": "city"}],
                value="city",
                clearable=False,
                className="week-unit",
            )
        ],
    )
    contacts = panel(
        t("duty.contacts", lang),
        [
            dcc.Input(
                id=Ids.CONTACT_SEARCH,
                type="search",
                placeholder=t("duty.search", lang),
                className="contact-search",
            ),
            data_table(
                Ids.CONTACTS,
                [
                    (c, t(f"contact.{c}", lang))
                    for c in ("name", "phone", "group", "unit", "detail")
                ],
                page_size=7,
                calls="phone",
                style_cell_conditional=[
                    {"if": {"column_id": c}, "width": w}
                    for c, w in (
                        ("name", "14%"),
                        ("phone", "20%"),
                        ("group", "13%"),
                        ("unit", "30%"),
                        ("detail", "23%"),
                    )
                ],
            ),
        ],
        panel_id=Ids.CONTACTS_PANEL,
        as_of_id=Ids.CONTACTS_AS_OF,
        source="warehouse",
    )
    children = [
        pulse.layout("duty", refresh_ms, stale_after_s),
        html.Datalist(id=Ids.PEOPLE),
        alert_strip.layout(lang),
        html.Div(
            [
                today,
                rollcall.layout(lang),
                _log_panel(lang),
                week,
                _handover_panel(lang),
                contacts,
            ],
            className="duty-grid",
        ),
        roster_import.layout(lang),
    ]
    page = frame(t("duty.title", lang), children, "duty", active="/duty", lang=lang)
    i18n.with_switch(page, lang, explicit)
    return html.Div(page, lang="en" if lang == "en" else "zh-CN")


# --- pieces the callbacks fill in ------------------------------------------------------


def person(name: str, phone: str | None = None) -> html.Span:
    parts = [html.Span(name, className="name")]
    if phone:
        parts.append(number(phone, name=name))
    return html.Span(parts, className="person", title=f"{name} {phone or ''}".strip())


def roster_rows(head: str, rows: list[tuple[str, dict, str]], lang: str = "zh") -> list:
    """A roster table: `rows` are (label, {(shift, role): [(name, phone)]}, css class)."""
    header = html.Thead(
        html.Tr(
            [html.Th(head)]
            + [html.Th(t(f"slot.{s}.{r}", lang), className=f"slot-{s}") for s, r in SLOTS]
        )
    )
    body = []
    for label, slots, css in rows:
        if not slots:
            cells = [html.Td(t("duty.unrostered", lang), colSpan=len(SLOTS), className="warn")]
        else:
            cells = []
            for slot in SLOTS:
                people = slots.get(slot, [])
                with_phone = slot[1] != "officer"
                cells.append(
                    html.Td(
                        [person(n, p if with_phone else None) for n, p in people] or "—",
                        className=f"slot-{slot[0]}",
                    )
                )
        body.append(html.Tr([html.Th(label, scope="row")] + cells, className=css))
    return [header, html.Tbody(body)]


def log_items(entries, lang: str = "zh") -> list:  # noqa: ANN001
    """Duty-log entries, newest first: time, category, author, text."""
    return [
        html.Li(
            [
                html.Span(moment(e.at, lang), className="at"),
                html.Span(
                    t(f"logcat.{e.category}", lang) if e.category in LOG_CATEGORIES else e.category,
                    className=f"cat cat-{e.category}",
                ),
                html.Span(e.author, className="author"),
                html.Span(e.text, className="text"),
            ],
            **{"data-log-id": str(e.id)},
        )
        for e in entries.itertuples(index=False)
    ] or [html.Li(t("duty.empty_log", lang), className="empty")]


def handover_items(records, lang: str = "zh") -> list:  # noqa: ANN001
    return [
        html.Li(
            [
                html.Span(moment(r.at, lang), className="at"),
                html.Span(f"{r.from_name} → {r.to_name}", className="names"),
                html.Span(r.notes.get("text") or t("duty.no_notes", lang), className="text"),
            ]
        )
        for r in records.itertuples(index=False)
    ] or [html.Li(t("duty.no_handovers", lang), className="empty")]
