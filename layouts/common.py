"""Pieces every screen shares: panel frames with their age-of-data stamp, level colours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dash import html

SHANGHAI = ZoneInfo("Asia/Shanghai")

STATUS_NAMES = {"new": "未确认", "acknowledged": "已确认", "closed": "已关闭"}


def local_time(ts: datetime | None, fmt: str = "%H:%M:%S") -> str:
    """A UTC time as Asia/Shanghai wall-clock text ('—' for none)."""
    if ts is None or ts != ts:  # NaT compares unequal to itself
        return "—"
    return ts.astimezone(SHANGHAI).strftime(fmt)


def as_of(element_id: str, source: str) -> html.Span:
    """The age-of-data stamp of a panel; `source` names what it depends on (redis/warehouse).

    The server sets `data-as-of` when it reads the data; assets/wall.js keeps the text ("3 秒前")
    and the panel's `stale` class current between reads.
    """
    return html.Span(
        "…", id=element_id, className="as-of", **{"data-as-of": "", "data-source": source}
    )


def panel(
    title: str, body, *, panel_id: str, as_of_id: str, source: str, extra=None
) -> html.Section:  # noqa: ANN001
    """A titled panel whose header shows how old its data is."""
    header = [html.H2(title), *(extra or []), as_of(as_of_id, source)]
    return html.Section(
        [html.Header(header, className="panel-head"), html.Div(body, className="panel-body")],
        id=panel_id,
        className="panel",
        **{"data-source": source},
    )
