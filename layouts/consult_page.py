"""Placeholder: being built (issue 7)."""

from __future__ import annotations

from dash import html

from layouts.frame import frame


def layout(refresh_ms: int = 1000, stale_after_s: float = 15.0, **query: str) -> html.Div:
    return frame("建设中", [html.P("本页面正在建设中。", className="building")], "consult_page")
