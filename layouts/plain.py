"""Plain pages: not found (the landing page is layouts/home_page.py)."""

from __future__ import annotations

from dash import dcc, html


def _frame(title: str, body: list, screen: str) -> html.Main:
    return html.Main(
        [
            html.Header([dcc.Link("苏州市应急管理局", href="/", className="org"), html.H1(title)]),
            *body,
        ],
        className=f"plain-page screen-{screen}",
    )


def not_found(**_query: str) -> html.Main:
    return _frame("未找到该页面", [dcc.Link("返回首页", href="/")], "404")
