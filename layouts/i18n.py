"""The pages' language: `?lang=en|zh` when given, else what the browser remembered from the
last explicit choice (a `dcc.Store` in localStorage; callbacks/presenter.py reloads the page
in that language through `Ids.LOCATION`), else Chinese; and the switch every page shows.

The words themselves are the one catalogue's (catalogue.py), re-exported here for the layouts
and callbacks. Data (alarm titles, enterprise names) stays as recorded.
"""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

from catalogue import (  # noqa: F401 - the catalogue, re-exported for layouts and callbacks
    CATEGORIES_EN,
    DEFAULT,
    LANGS,
    MESSAGES,
    category_name,
    day_name,
    grade_name,
    incident_level_name,
    known_error,
    level_name,
    long_date,
    moment,
    names_list,
    pick,
    status_name,
    t,
    word,
)


class Ids(StrEnum):
    STORE = "lang-store"  # localStorage: the last language chosen explicitly
    PAGE = "lang-page"  # {"lang", "explicit"}: what this page was rendered in
    LINK = "lang-switch"
    LOCATION = "lang-location"  # reloads the page in the remembered language


def lang_of(page: dict | None) -> str:
    """The language from the page's `Ids.PAGE` store data (callbacks take it as State)."""
    return pick((page or {}).get("lang"))


def remember(stored: str | None, page: dict | None) -> tuple[str | None, str | None]:
    """(language to remember, query to reload with) for a page rendered as `page` in a
    browser that remembers `stored`; None where nothing is to change."""
    if not page:
        return None, None
    lang = pick(page.get("lang"))
    if page.get("explicit"):
        return (lang if stored != lang else None), None
    if stored in LANGS and stored != lang:
        return None, f"?lang={stored}"
    return None, None


def dropdown_labels(lang: str) -> dict[str, str]:
    """Labels of Dash's dropdown chrome in `lang`."""
    return {
        "search": t("dropdown.search", lang),
        "clear_search": t("dropdown.clear", lang),
        "clear_selection": t("dropdown.clear", lang),
        "no_options_found": t("dropdown.none", lang),
        "selected_count": MESSAGES["dropdown.selected"][lang == "en"],
        "select_all": t("dropdown.all", lang),
        "deselect_all": t("dropdown.none_all", lang),
    }


def switch(lang: str, explicit: bool) -> html.Div:
    """The language link (a real link: it works before any script runs) and its stores."""
    other = "en" if lang == "zh" else "zh"
    return html.Div(
        [
            dcc.Store(id=Ids.STORE, storage_type="local"),
            dcc.Store(id=Ids.PAGE, data={"lang": lang, "explicit": explicit}),
            dcc.Location(id=Ids.LOCATION, refresh=True),
            html.A(
                t("lang.switch", lang),
                id=Ids.LINK,
                href=f"?lang={other}",
                className="lang-switch touch",
                lang=other,
            ),
        ],
        className="lang-box",
    )


def with_switch(page: html.Div, lang: str, explicit: bool) -> html.Div:
    """Put the language switch into the header of a `layouts.frame.frame` page (before the
    clock), where every screen size has room for it."""
    header = page.children[0]
    header.children.insert(len(header.children) - 1, switch(lang, explicit))
    return page
