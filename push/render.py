"""What a change sends the screens, rendered once per change on the server.

The alarm feed's rows are the same components `layouts.alarm_feed.feed_items` draws for a
full read; a change carries only the rows of the alarms that changed, keyed by id with the
time they sort by, and the browser (assets/push.js) splices them into the feed it has (a
change carries each row in Chinese, `row`, and in English, `en`: one change for every screen,
each drawing its page's language). The
map's alarm layer is sent the same way: each changed alarm as its GeoJSON feature, or as
gone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from catalogue import level_name
from data_sources import freshness
from layouts.alarm_feed import feed_item, feed_items
from layouts.common import local_time
from maps.datum import display_xy

if TYPE_CHECKING:
    from datetime import datetime

    import pandas as pd

    from data_sources import Sources


def feed_rows(
    sources: Sources,
    alarms: pd.DataFrame,
    limit: int = 60,
    now: datetime | None = None,
    lang: str = "zh",
) -> list[dict[str, Any]]:
    """[{id, at (ISO 8601 of occurred_at), pin (escalation stage), row (the feed's <li> in
    `lang`)}] of a full read, in the feed's order (escalated first, then newest first). `now`:
    the time the minutes waited count to (a replayed moment)."""
    if alarms.empty:
        return []
    districts, systems = _names(sources, lang)
    items = feed_items(alarms, districts, systems, limit, now=now, lang=lang)
    at = dict(zip(alarms["id"], alarms["occurred_at"], strict=True))
    rows = []
    for item in items:
        ident = getattr(item, "data-alarm-id", None)
        if ident is not None:
            # `pin`: the escalation stage; escalated rows stay on top (assets/push.js).
            pin = int(getattr(item, "data-escalation", 0) or 0)
            rows.append({"id": ident, "at": at[ident].isoformat(), "pin": pin, "row": item})
    return rows


def latest(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changed alarms of `Alarms.change_records`, each once, as it is now."""
    return list({r["id"]: r for r in records}.values())


def change_rows(sources: Sources, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of `feed_rows` for the alarms of a change (`latest(...)`), in any order: the
    browser puts them in the feed's order. Each in Chinese (`row`) and English (`en`)."""
    districts, systems = _names(sources)
    english = _names(sources, "en")
    now = datetime.now(UTC)
    rows = []
    for record in records:
        alarm = SimpleNamespace(**record)
        item = feed_item(alarm, districts, systems, now)
        pin = int(getattr(item, "data-escalation", 0) or 0)
        at = record["occurred_at"].isoformat()
        en = feed_item(alarm, *english, now, "en")
        rows.append({"id": record["id"], "at": at, "pin": pin, "row": item, "en": en})
    return rows


def alarm_tip(level: str, occurred_at: datetime, title: str, lang: str = "zh") -> str:
    """The map's tooltip of an alarm: level (in `lang`), local time, title as recorded."""
    return f"{level_name(level, lang)} {local_time(occurred_at)} {title}"


def alarm_tips(shown: pd.DataFrame, lang: str = "zh") -> list[str]:
    rows = shown.itertuples(index=False)
    return [alarm_tip(r.level, r.occurred_at, r.title, lang) for r in rows]


def map_changes(records: list[dict[str, Any]], gcj02: bool) -> list[dict[str, Any]]:
    """[{id, f}] for the wall's alarm layer, for the alarms of a change (`latest(...)`): each
    as its feature now (the properties of `maps.features.alarm_features`), or `f` None where it
    left the map (closed, or without a position). The browser merges them into its layer."""
    changes = []
    for r in records:
        if r["status"] == "closed" or r["lon"] is None or r["lat"] is None:
            changes.append({"id": r["id"], "f": None})
            continue
        x, y = display_xy(float(r["lon"]), float(r["lat"]), gcj02)
        tip = alarm_tip(r["level"], r["occurred_at"], r["title"])
        properties = {
            "id": r["id"],
            "level": r["level"],
            "pulse": False,
            "tip": tip,
            "tip_en": alarm_tip(r["level"], r["occurred_at"], r["title"], "en"),
            "at": round(r["occurred_at"].timestamp(), 3),
            "d": r["district"] if isinstance(r["district"], str) else None,
        }
        geometry = {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]}
        feature = {"type": "Feature", "geometry": geometry, "properties": properties}
        changes.append({"id": r["id"], "f": feature})
    return changes


_NAMES: dict[tuple[int, str], tuple[float, tuple[dict[str, str], dict[str, str]], object]] = {}
NAMES_TTL_S = 60.0


def _names(sources: Sources, lang: str = "zh") -> tuple[dict[str, str], dict[str, str]]:
    """District and system names in `lang`, held a minute per app: they change once in a long
    while, and a change must not wait for two reads of the registry's cache. A system without
    an English name keeps its name as registered."""
    now = time.monotonic()
    held = _NAMES.get((id(sources), lang))
    if held is None or held[2] is not sources or now - held[0] > NAMES_TTL_S:
        districts = sources.registry.district_names(lang)
        frame = sources.registry.source_systems()
        systems = dict(frame[["code", "name"]].itertuples(index=False))
        if lang == "en":
            systems |= freshness.english_names(sources)
        held = (now, (districts, systems), sources)
        _NAMES[(id(sources), lang)] = held
    return held[1]


def wall_focus(sources: Sources, version: int | None) -> dict[str, Any] | None:
    """What holds the wall now: an unacknowledged red alarm (takeover), else the presenter's
    focus, else None (the rotation). Read once per change, shared with the map's read."""
    from figures.wall_focus import presenter_focus, takeover
    from maps.features import MAP_ALARMS

    gcj02 = sources.settings.TILE_CRS == "gcj02"
    alarms = sources.at_version(
        version,
        f"map:{MAP_ALARMS}",
        lambda: sources.alarms.active(limit=MAP_ALARMS, closed_window_s=0),
    )
    return takeover(alarms, gcj02) or presenter_focus(sources.focus.current(), gcj02)
