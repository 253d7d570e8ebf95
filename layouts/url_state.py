"""A page's view state in its URL query: read when the page is drawn, written when it changes.

A page draws its view from the query it is opened with (the router passes the query to its
layout), and its callbacks write each change back into the query of the page's own
`dcc.Location(refresh=False)`: the browser's address changes (a history entry, no reload), so
the address copied into another browser opens the same view. Parameters a page does not own
(`?kiosk=1`, `?lang=en`, ...) are kept as they are.

Dash's pages router re-draws a page when its `_pages_location` sees another `search`. That
Location only hears of the written query at the next history event (a `#kind=id` drill-down
link, the back button), and would then re-draw the very page that wrote it. So the shell keeps
what the page shows (`SHOWN`: pathname and search, recorded when the router draws a page and
patched by each writer) and the router passes it to the layout (`ROUTER_ARG`), which declines
(`already_shown`) to draw again what is on the screen. Back and forward still re-draw: their
query differs from what is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

SHOWN = "page-shown"  # Store in the shell: {"pathname": ..., "search": ...} on the screen now
ROUTER_ARG = "shown_"  # the router's extra argument (Dash's routing_callback_inputs)

MAX_VALUES = 32  # values of one repeated parameter that are looked at
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def values(raw: object, split: bool = False) -> list[str]:
    """A query parameter as a list of strings (Dash gives a string, or a list when repeated);
    `split` also splits each on commas. Empty and repeated values are dropped, order kept."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    parts = [
        p for item in items if isinstance(item, str) for p in (item.split(",") if split else [item])
    ]
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))[:MAX_VALUES]


def first(raw: object) -> str | None:
    """The first value of a query parameter, None when there is none."""
    found = values(raw)
    return found[0] if found else None


def text(raw: object, limit: int = 100) -> str:
    """A free-text parameter (a search word): control characters dropped, at most `limit`."""
    return _CONTROL.sub("", first(raw) or "")[:limit].strip()


def merged(search: str | None, updates: Mapping[str, str | list[str] | None]) -> str:
    """`search` with the parameters of `updates` replaced (None or [] removes one), every
    other parameter kept in its place; "" when nothing is left, else "?..."."""
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    out: list[tuple[str, str]] = []
    placed: set[str] = set()
    for key, value in pairs:
        if key not in updates:
            out.append((key, value))
        elif key not in placed:
            placed.add(key)
            out += _pairs(key, updates[key])
    for key, value in updates.items():
        if key not in placed:
            out += _pairs(key, value)
    return "?" + urlencode(out, safe=",:") if out else ""


def _pairs(key: str, value: str | list[str] | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    return [(key, v) for v in value] if isinstance(value, list) else [(key, value)]


def already_shown(shown: object, pathname: object, search: object) -> bool:
    """True when the router is asked for exactly what the screen shows (see the module doc)."""
    if not isinstance(shown, dict) or not isinstance(pathname, str):
        return False
    return shown.get("pathname") == pathname and (shown.get("search") or "") == (search or "")


def write(search: str | None, updates: Mapping[str, str | list[str] | None]):  # noqa: ANN201
    """For a callback that writes its view: (the Location's new `search`, the patch of `SHOWN`),
    or (no_update, no_update) when the query says so already."""
    from dash import Patch, no_update

    new = merged(search, updates)
    if new == (search or ""):
        return no_update, no_update
    shown = Patch()
    shown["search"] = new
    return new, shown
