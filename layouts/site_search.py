"""Search on /consult and /tablet: one box for alarms, incidents, enterprises, teams and
contacts, by name, place or number (data_sources/search.py), whose results open the view of
each: an alarm or an enterprise without hazard sources in the consultation room's detail panel
(`#alarm=<id>`), an incident in command mode, an enterprise's hazard source on /hazchem, a
team on /resources searched for, a person on /duty (on the roster) or /resources (an expert).

The box searches when Enter is pressed or it loses focus (`debounce=True`), never on each
keystroke, so an IME's composition (pinyin) is not searched half-typed. Results are text.
Contacts are personal data: their list is drawn only for those who may read them, and its
callback declares the "contacts" permission (callbacks/site_search.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from dash import dcc, html

from layouts.consult_detail import drill_href
from layouts.i18n import t

INPUT = "site-search"
RESULTS = "site-search-results"
CONTACTS = "site-search-contacts"
MAX_QUERY = 60


def ident(kind: str, page: str) -> dict[str, str]:
    """The pattern-matching id of the box (INPUT) or a result list of `page`."""
    return {"type": kind, "page": page}


def box(page: str, lang: str, contacts: bool) -> html.Div:
    """The search box of `page` ("consult" or "tablet") and its result lists."""
    lists = [html.Ol(id=ident(RESULTS, page), className="site-search-list")]
    if contacts:
        lists.append(html.Ol(id=ident(CONTACTS, page), className="site-search-list contacts"))
    field = dcc.Input(
        id=ident(INPUT, page),
        type="search",
        debounce=True,  # Enter or leaving the box: not while an IME composes
        maxLength=MAX_QUERY,
        placeholder=t("search.placeholder", lang),
        autoComplete="off",
        className="site-search-input touch",
    )
    return html.Div(
        [
            html.Label([html.Span(t("search.label", lang), className="visually-hidden"), field]),
            html.Div(lists, className="site-search-panel", role="region"),
        ],
        className="site-search",
        role="search",
    )


def href(hit, page: str) -> str:  # noqa: ANN001 - a data_sources.search.Hit
    """Where a result leads from `page`."""

    def detail(kind: str, record: str) -> str:
        return (
            drill_href(kind, record) if page == "consult" else "/consult" + drill_href(kind, record)
        )

    if hit.kind == "alarm":
        return detail("alarm", hit.id)
    if hit.kind == "incident":
        return f"/incident/{quote(hit.id, safe='')}"
    if hit.kind == "enterprise":
        return (
            "/hazchem?" + urlencode({"hs": hit.target})
            if hit.target
            else detail("enterprise", hit.id)
        )
    if hit.kind == "contact" and hit.target == "roster":
        return "/duty"
    return "/resources?" + urlencode({"q": hit.title})  # a team, an expert


def results(hits: list, page: str, lang: str, query: str, say_none: bool = True) -> list:
    """The result items (text only); "nothing found" when `say_none` and there is none."""
    if not hits:
        return [html.Li(t("search.none", lang, q=query), className="empty")] if say_none else []
    items = []
    for hit in hits:
        target = href(hit, page)
        body = [
            html.Span(t(f"search.kind.{hit.kind}", lang), className=f"kind kind-{hit.kind}"),
            html.Span(hit.title, className="title"),
            html.Span(hit.detail, className="detail"),
        ]
        # A hash stays on this page (the detail panel follows it); a path is the app's own.
        link = (
            html.A(body, href=target, className="hit touch")
            if target.startswith("#")
            else dcc.Link(body, href=target, className="hit touch")
        )
        items.append(
            html.Li(
                link,
                className=f"search-hit hit-{hit.kind}"
                + (f" level-{hit.level}" if hit.kind == "alarm" and hit.level else ""),
                **{"data-kind": hit.kind, "data-id": hit.id},
            )
        )
    return items
