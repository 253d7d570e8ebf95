"""The frame of the desk and consultation-room pages (everything but the wall): a header
with the bureau's name, the page title, navigation between screens and the clock."""

from __future__ import annotations

from dash import dcc, html

import screens
from catalogue import t
from layouts import call


def frame(
    title: str,
    children: list,
    screen: str,
    *,
    active: str | None = None,
    lang: str = "zh",
    calls: bool = True,
) -> html.Div:
    """A page: header (org, title, navigation, clock) above `children`, in `lang` (zh/en);
    with the click-to-call bar of a desk unless `calls` is False (the tablet dials itself)."""
    nav = [
        dcc.Link(
            p.en if lang == "en" else p.label,
            href=p.path,
            className="nav-link" + (" active" if p.path == active else ""),
        )
        for p in screens.nav()
    ]
    header = html.Header(
        [
            dcc.Link(t("auth.org", lang), href="/", className="org"),
            html.H1(title),
            html.Nav(nav, className="nav"),
            *([call.bar(lang)] if calls else []),
            html.Div(id=f"{screen}-clock", className="page-clock"),
        ],
        className="page-header",
    )
    return html.Div(
        [header, html.Main(children, className="page-main")], className=f"page screen-{screen}"
    )
