"""The frame of the desk and consultation-room pages (everything but the wall): a header
with the bureau's name, the page title, navigation between screens and the clock."""

from __future__ import annotations

from dash import dcc, html

NAV = [
    ("/wall", "综合态势", "Situation wall"),
    ("/consult", "会商研判", "Consultation"),
    ("/hazchem", "危化品监测", "Hazchem"),
    ("/resources", "应急资源", "Resources"),
    ("/duty", "值班值守", "Duty"),
    ("/governance", "系统接入", "Systems"),
    ("/tablet", "移动端", "Tablet"),
]
ORG = {"zh": "苏州市应急管理局", "en": "Suzhou Emergency Management Bureau"}


def frame(
    title: str, children: list, screen: str, *, active: str | None = None, lang: str = "zh"
) -> html.Div:
    """A page: header (org, title, navigation, clock) above `children`, in `lang` (zh/en)."""
    nav = [
        dcc.Link(
            en if lang == "en" else zh,
            href=path,
            className="nav-link" + (" active" if path == active else ""),
        )
        for path, zh, en in NAV
    ]
    header = html.Header(
        [
            dcc.Link(ORG.get(lang, ORG["zh"]), href="/", className="org"),
            html.H1(title),
            html.Nav(nav, className="nav"),
            html.Div(id=f"{screen}-clock", className="page-clock"),
        ],
        className="page-header",
    )
    return html.Div(
        [header, html.Main(children, className="page-main")], className=f"page screen-{screen}"
    )
