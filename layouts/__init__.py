"""Page layouts: functions that return components, no I/O. One module per page or panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from flask import current_app

from layouts import plain, shell, wall

__all__ = ["register_pages", "shell"]


def _settings() -> Any:
    return current_app.config["SE_SETTINGS"]


def _wall(**query: str):  # noqa: ANN202
    s = _settings()
    return wall.layout(
        refresh_ms=s.REFRESH_MS,
        tile_url=s.TILE_URL,
        views=s.WALL_VIEWS,
        rotate_s=s.WALL_ROTATE_S,
        reload_at=s.WALL_RELOAD_AT,
        stale_after_s=s.STALE_AFTER_S,
        **query,
    )


PAGES: list[tuple[str, str, Callable[..., Any], str]] = [
    # (module name, path, layout, title)
    ("wall", "/wall", _wall, "综合态势 · 大屏"),
    ("consult", "/consult", plain.page("会商研判", "consult"), "会商研判"),
    ("tablet", "/tablet", plain.page("领导移动端", "tablet"), "领导移动端"),
    ("hazchem", "/hazchem", plain.page("危化品重大危险源监测", "hazchem"), "危化品监测"),
    ("resources", "/resources", plain.page("应急资源", "resources"), "应急资源"),
    ("duty", "/duty", plain.page("值班值守", "duty"), "值班值守"),
]


def register_pages() -> None:
    """Route every path of the contract (idempotent: tests build many apps)."""
    for name, path, layout, title in PAGES:
        dash.register_page(f"pages.{name}", path=path, layout=layout, title=f"{title} · 苏州应急")
    dash.register_page(
        "pages.home", path="/", layout=plain.home, title="苏州市应急管理局 · 智慧应急"
    )
    dash.register_page(
        "pages.incident",
        path_template="/incident/<incident_id>",
        layout=plain.incident,
        title="事件指挥 · 苏州应急",
    )
    dash.register_page("pages.not_found_404", path="/404", layout=plain.not_found, title="未找到")
