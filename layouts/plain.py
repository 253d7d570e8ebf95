"""Plain pages: not found (the landing page is layouts/home_page.py), in the language asked
(`?lang=en`), else Chinese."""

from __future__ import annotations

from dash import dcc, html

from catalogue import pick, t


def _frame(title: str, body: list, screen: str, lang: str) -> html.Main:
    return html.Main(
        [
            html.Header([dcc.Link(t("auth.org", lang), href="/", className="org"), html.H1(title)]),
            *body,
        ],
        className=f"plain-page screen-{screen}",
        lang="en" if lang == "en" else "zh-CN",
    )


def not_found(lang: str | None = None, **_query: str) -> html.Main:
    lang = pick(lang)
    home = "/?lang=en" if lang == "en" else "/"
    return _frame(
        t("page.not_found", lang), [dcc.Link(t("auth.home", lang), href=home)], "404", lang
    )
