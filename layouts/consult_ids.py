"""The consultation room's ids and its filter's shape, shared by its layout modules
(layouts/consult_*.py) and its callbacks (callbacks/consult_*.py)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from layouts.pulse import ids as pulse_ids
from layouts.url_state import values
from maps.layout import MapIds
from vocabulary import LEVELS

WINDOWS = ("1h", "6h", "24h", "7d", "custom")
MAX_CUSTOM_DAYS = 366
DEFAULT_FILTER = {
    "window": "24h",
    "start": None,  # custom window: Asia/Shanghai calendar days, inclusive
    "end": None,
    "districts": [],
    "sources": [],
    "categories": [],
    "levels": [],
    "focus_at": None,  # the presenter focus this filter last followed
    "focus_districts": [],
}

# The page's own pulse: its callbacks never fire on other pages.
PULSE = pulse_ids("consult")
MAP = MapIds("consult-map")  # consult-map-panel, consult-map-districts, ...
MAP_SELECTED = MAP.layer("selected")  # the outline of the districts filtered to


class Ids(StrEnum):
    ROOT = "consult"
    FILTER = "consult-filter"
    # The presenter's focus as this page saw it, relayed by a callback of its own: the filter's
    # callback writes the shell's url_state.SHOWN, and with an input that other pages have
    # too (the focus store is on the tablet and the wall) it would run there, without its
    # other inputs.
    FOCUS_SEEN = "consult-focus-seen"
    URL = "consult-url"  # its hash names what the detail panel shows: #alarm=<id>, ...
    WINDOW = "consult-window"
    RANGE = "consult-range"
    RANGE_BOX = "consult-range-box"
    DISTRICT = "consult-district"
    SOURCE = "consult-source"
    CATEGORY = "consult-category"
    LEVEL = "consult-level"
    RESET = "consult-reset"
    EXPORT = "consult-export"
    DOWNLOAD = "consult-download"
    KPI = "consult-kpi"
    KPI_AS_OF = "consult-kpi-as-of"
    TREND = "consult-trend"
    TREND_AS_OF = "consult-trend-as-of"
    BY_DISTRICT = "consult-by-district"
    BY_DISTRICT_AS_OF = "consult-by-district-as-of"
    BY_CATEGORY = "consult-by-category"
    BY_CATEGORY_AS_OF = "consult-by-category-as-of"
    BY_SOURCE = "consult-by-source"
    BY_SOURCE_AS_OF = "consult-by-source-as-of"
    ALARMS = "consult-alarms"
    ALARMS_COUNT = "consult-alarms-count"
    ALARMS_AS_OF = "consult-alarms-as-of"
    ENTERPRISES = "consult-enterprises"
    ENTERPRISES_AS_OF = "consult-enterprises-as-of"
    DETAIL = "consult-detail"
    DETAIL_AS_OF = "consult-detail-as-of"
    SCRUB = "consult-replay-scrub"  # the time scrubber: per mille of the filter's window
    SCRUB_TIME = "consult-replay-time"
    SCRUB_LINK = "consult-replay-link"  # opens the wall replayed at the scrubbed moment


# --- the filter in the page's URL: ?window=7d&district=320583&level=red&level=orange ... ----
# (repeated parameters for several values; districts, sources and levels may also be
# comma-separated). Each value is checked on the way in; one that does not fit is dropped.
QUERY = {"districts": "district", "sources": "source", "categories": "category", "levels": "level"}
_FITS = {
    "districts": re.compile(r"\d{6}").fullmatch,
    "sources": re.compile(r"[a-z][a-z0-9_-]{0,31}").fullmatch,
    "categories": lambda v: len(v) <= 32 and v.isprintable(),
    "levels": lambda v: v in LEVELS,
}


def _day(raw: object) -> date | None:
    found = values(raw)
    try:
        return date.fromisoformat(found[0]) if found and len(found[0]) == 10 else None
    except ValueError:
        return None


def filter_from_query(query: dict) -> dict:
    """The filter a URL query asks for: DEFAULT_FILTER where it asks for nothing valid."""
    f = {**DEFAULT_FILTER}
    for key, param in QUERY.items():
        f[key] = [v for v in values(query.get(param), split=key != "categories") if _FITS[key](v)]
    window = (values(query.get("window")) or ["24h"])[0]
    start, end = _day(query.get("start")), _day(query.get("end"))
    if window == "custom":
        if start and end and start <= end and (end - start).days < MAX_CUSTOM_DAYS:
            f |= {"start": start.isoformat(), "end": end.isoformat()}
        else:
            window = "24h"
    f["window"] = window if window in WINDOWS else "24h"
    return f


def filter_query(f: dict) -> dict[str, str | list[str] | None]:
    """The URL parameters of a filter (what DEFAULT_FILTER has is left out)."""
    custom = f.get("window") == "custom" and f.get("start") and f.get("end")
    window = f.get("window") or "24h"
    out: dict[str, str | list[str] | None] = {
        "window": None if window == "24h" or (window == "custom" and not custom) else window,
        "start": f["start"][:10] if custom else None,
        "end": f["end"][:10] if custom else None,
    }
    return out | {param: list(f.get(key) or []) for key, param in QUERY.items()}
