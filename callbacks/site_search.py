"""Search on /consult and /tablet (layouts/site_search.py): the records of the warehouse and
the live alarms (data_sources/search.py), and, for those who may read personal data, contacts."""

from __future__ import annotations

from dash import MATCH, Input, Output, State, ctx

from auth import audit
from callbacks import guarded
from data_sources import get_sources
from layouts import site_search as page
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of

LIMIT = 5  # results of each kind


def _page() -> str:
    return ctx.outputs_list["id"]["page"]


@guarded(
    "view",
    Output(page.ident(page.RESULTS, MATCH), "children"),
    Input(page.ident(page.INPUT, MATCH), "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def search(text: str | None, page_lang: dict | None):
    """Find alarms, incidents, enterprises and teams by name, place or number."""
    query = (text or "").strip()[: page.MAX_QUERY]
    if not query:
        return []
    hits = get_sources().search.find(query, limit=LIMIT)
    return page.results(hits, _page(), lang_of(page_lang), query)


@guarded(
    "contacts",
    Output(page.ident(page.CONTACTS, MATCH), "children"),
    Input(page.ident(page.INPUT, MATCH), "value"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call=True,
)
def search_contacts(text: str | None, page_lang: dict | None):
    """Find people on the duty rosters and experts by name or phone number."""
    query = (text or "").strip()[: page.MAX_QUERY]
    if not query:
        return []
    hits = get_sources().search.contacts(query, limit=LIMIT)
    if hits:
        audit("search_contacts", query=query, found=len(hits))
    return page.results(hits, _page(), lang_of(page_lang), query, say_none=False)
