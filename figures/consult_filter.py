"""The consultation room's one filter, as plain logic: what a user action does to it
(next_filter) and what it selects (window_bounds, alarm_filter). Tested without a browser."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_sources.analysis import AlarmFilter
from layouts.common import SHANGHAI
from layouts.consult_ids import DEFAULT_FILTER, MAX_CUSTOM_DAYS

WINDOW_SPANS = {"1h": "1h", "6h": "6h", "24h": "24h", "7d": "7D"}
DIMENSIONS = ("districts", "sources", "categories", "levels")


def window_bounds(f: dict, now: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[since, until) of the filter's window in UTC; to the minute, so screens share caches."""
    until = now.floor("min") + pd.Timedelta(minutes=1)
    if f.get("window") == "custom" and f.get("start") and f.get("end"):
        start = pd.Timestamp(f["start"][:10]).tz_localize(SHANGHAI)
        end = pd.Timestamp(f["end"][:10]).tz_localize(SHANGHAI) + pd.Timedelta(days=1)
        if start < end and end - start <= pd.Timedelta(days=MAX_CUSTOM_DAYS):
            return start.tz_convert("UTC"), end.tz_convert("UTC")
    span = pd.Timedelta(WINDOW_SPANS.get(f.get("window"), "24h"))
    return until - span, until


def replay_moment(f: dict, position: int | None, now: pd.Timestamp) -> pd.Timestamp:
    """The moment the replay scrubber points at: `position` per mille of the filter's window
    (None: its end), to the second, never after `now`."""
    since, until = window_bounds(f, now)
    share = min(max(int(1000 if position is None else position), 0), 1000) / 1000
    return min(since + (until - since) * share, now).floor("s")


def alarm_filter(f: dict, now: pd.Timestamp, skip: str | None = None) -> AlarmFilter:
    """The data-layer filter of the page's filter; `skip` leaves out one of districts,
    sources, categories, levels (a chart of that dimension shows all of its values)."""
    since, until = window_bounds(f, now)
    dims = {d: () if d == skip else tuple(f.get(d) or ()) for d in DIMENSIONS}
    return AlarmFilter(since.to_pydatetime(), until.to_pydatetime(), **dims)


def _toggle(current: list, key: str | None) -> list:
    """Click on what is the only selection: clear it; click on anything else: select it."""
    if not key:
        return current
    return [] if current == [key] else [key]


def _clicked(data: dict | None) -> str | None:
    points = (data or {}).get("points") or []
    return str(points[0]["customdata"]) if points and points[0].get("customdata") else None


def next_filter(current: dict, trigger: str, value: Any, focus: dict | None = None) -> dict | None:
    """The filter after one user action (or a focus change); None when nothing changes."""
    f = {**DEFAULT_FILTER, **(current or {})}
    if trigger == "reset":
        return {**DEFAULT_FILTER, "focus_at": f["focus_at"]}
    if trigger == "window":
        f["window"] = value or "24h"
    elif trigger == "range":
        f["start"], f["end"] = value
    elif trigger in ("districts", "sources", "categories", "levels"):
        f[trigger] = list(value or [])
    elif trigger == "map":
        f["districts"] = _toggle(
            f["districts"], ((value or {}).get("properties") or {}).get("adcode")
        )
    elif trigger.startswith("chart-"):
        column = trigger.removeprefix("chart-")
        f[column] = _toggle(f[column], _clicked(value))
    elif trigger == "focus":
        if focus and focus.get("at") != f["focus_at"]:
            districts = [focus["district"]] if focus.get("district") else []
            f |= {"focus_at": focus["at"], "focus_districts": districts}
            if districts:
                f["districts"] = districts
        elif not focus and f["focus_at"] is not None:
            if f["districts"] == f["focus_districts"]:
                f["districts"] = []
            f |= {"focus_at": None, "focus_districts": []}
        else:
            return None
    return f if f != current else None
