"""Page layouts: functions that return components, no I/O. One module per page or panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from flask import current_app

from layouts import (
    consult_page,
    duty_page,
    governance_page,
    hazchem_page,
    incident_page,
    plain,
    resources_page,
    shell,
    tablet_page,
    wall,
)

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


def _live(layout: Callable[..., Any]) -> Callable[..., Any]:
    """Give a live page the refresh settings it needs."""

    def page(**query: str):  # noqa: ANN202
        s = _settings()
        return layout(refresh_ms=s.REFRESH_MS, stale_after_s=s.STALE_AFTER_S, **query)

    return page


PAGES: list[tuple[str, str, Callable[..., Any], str]] = [
    # (module name, path, layout, title)
    ("wall", "/wall", _wall, "综合态势 · 大屏"),
    ("consult", "/consult", _live(consult_page.layout), "会商研判"),
    ("tablet", "/tablet", _live(tablet_page.layout), "领导移动端"),
    ("hazchem", "/hazchem", _live(hazchem_page.layout), "危化品监测"),
    ("resources", "/resources", _live(resources_page.layout), "应急资源"),
    ("duty", "/duty", _live(duty_page.layout), "值班值守"),
    ("governance", "/governance", _live(governance_page.layout), "系统接入治理"),
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
        layout=_live(incident_page.layout),
        title="事件指挥 · 苏州应急",
    )
    dash.register_page("pages.not_found_404", path="/404", layout=plain.not_found, title="未找到")
