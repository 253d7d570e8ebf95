"""The 演示 tag: an alarm of the built-in demo feed says so wherever a person could take it
for a real one (the wall's feed, the takeover, the tablet)."""

from __future__ import annotations

from typing import Any

from dash import html

DEMO_TEXT = {"zh": "演示", "en": "Demo"}
TITLE = {"zh": "演示数据：由内置模拟源生成，不是真实警情", "en": "Demo data from the built-in feed"}


def is_demo(detail: Any) -> bool:
    """True for an alarm of the demo feed (the ingest API sets `detail.demo` only for it)."""
    return isinstance(detail, dict) and detail.get("demo") is True


def tag(detail: Any, lang: str = "zh") -> list[html.Span]:
    """A small 演示 element to splice into a row, or nothing."""
    if not is_demo(detail):
        return []
    key = "en" if lang == "en" else "zh"
    return [html.Span(DEMO_TEXT[key], className="demo-tag", title=TITLE[key])]
