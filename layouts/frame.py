"""The frame of the desk and consultation-room pages (everything but the wall): a header
with the bureau's name, the page title, navigation between screens and the clock."""

from __future__ import annotations

from dash import dcc, html

NAV = [
    ("/wall", "综合态势"),
    ("/consult", "会商研判"),
    ("/hazchem", "危化品监测"),
    ("/resources", "应急资源"),
    ("/duty", "值班值守"),
    ("/tablet", "移动端"),
]


def frame(title: str, children: list, screen: str, *, active: str | None = None) -> html.Div:
    """A page: header (org, title, navigation, clock) above `children`."""
    nav = [
        dcc.Link(label, href=path, className="nav-link" + (" active" if path == active else ""))
        for path, label in NAV
    ]
    header = html.Header(
        [
            dcc.Link("苏州市应急管理局", href="/", className="org"),
            html.H1(title),
            html.Nav(nav, className="nav"),
            html.Div(id=f"{screen}-clock", className="page-clock"),
        ],
        className="page-header",
    )
    return html.Div(
        [header, html.Main(children, className="page-main")], className=f"page screen-{screen}"
    )
