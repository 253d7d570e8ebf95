"""Plain pages: the home index, and screens that later issues build out."""

from __future__ import annotations

from dash import dcc, html

SCREENS = [
    ("/wall", "综合态势一张图", "指挥大厅大屏"),
    ("/consult", "会商研判", "会商室"),
    ("/tablet", "领导移动端", "平板 / 手机"),
    ("/hazchem", "危化品重大危险源监测", "危险源与实时监测"),
    ("/resources", "应急资源", "队伍、物资、避难场所、专家"),
    ("/duty", "值班值守", "值班表、值班日志、点名"),
    ("/governance", "系统接入治理", "上游业务系统接入状态、业务系统整合率"),
]


def _frame(title: str, body: list, screen: str) -> html.Main:
    return html.Main(
        [
            html.Header([dcc.Link("苏州市应急管理局", href="/", className="org"), html.H1(title)]),
            *body,
        ],
        className=f"plain-page screen-{screen}",
    )


def home(**_query: str) -> html.Main:
    links = [
        html.Li([dcc.Link(name, href=path), html.Span(f" — {note}")])
        for path, name, note in SCREENS
    ]
    return _frame("智慧应急 · 综合指挥", [html.Ul(links, className="screen-list")], "home")


def not_found(**_query: str) -> html.Main:
    return _frame("未找到该页面", [dcc.Link("返回首页", href="/")], "404")
