"""Staleness that follows the sources: which panels show data of an upstream system that has
gone silent past its cadence, and the reason in words ("危险化学品安全生产风险监测预警系统
12 分钟无数据").

The server answering says nothing about the systems behind a panel: a wall fed by dead
systems would look current. `panel_reasons` is the pure rule (no I/O); `PANEL_FEEDS` says
which kinds of data each panel shows (the panel registry's `feeds`, screens.py). A system feeds a kind when its registry row `sends` it; `duty` and `forces` are kept
by the hall itself, so no upstream system's silence makes those panels stale.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import screens
from data_sources import governance
from data_sources.caching import cached
from data_sources.governance import Delivery

if TYPE_CHECKING:
    from data_sources import Sources

log = logging.getLogger(__name__)
# Every screen's pulse shares one look at the registry, heartbeats and archive this long.
SHARED_S = 5

# Panel element id → the kinds of data it shows: the wall's from the panel registry, the
# other pages' panels from their row beside it (screens.py).
PANEL_FEEDS: dict[str, tuple[str, ...]] = {
    **{panel.id: panel.feeds for panel in screens.PANELS},
    **screens.PAGE_PANEL_FEEDS,
}


def silence_text(seconds: float, lang: str = "zh") -> str:
    """'45 秒无数据', '12 分钟无数据', '3 小时无数据', '2 天无数据' (in English: 'no data for 12 min')."""
    for limit, unit, zh, en in (
        (60, 1, "秒", "s"),
        (3600, 60, "分钟", "min"),
        (86400, 3600, "小时", "h"),
    ):
        if seconds < limit:
            n = int(seconds // unit)
            return f"no data for {n} {en}" if lang == "en" else f"{n} {zh}无数据"
    n = int(seconds // 86400)
    return f"no data for {n} d" if lang == "en" else f"{n} 天无数据"


def silent_systems(systems: Iterable[Delivery]) -> list[Delivery]:
    """The enabled systems silent past their cadence now whose heartbeat the live state knows.

    A system never connected has put nothing on any panel, so it makes nothing stale (the
    wall's top bar and /governance say it is 未接入); a failing one still delivers. Archived
    history alone (a reference or an older deployment's archive, hours old) says nothing about
    what the live panels show: only a system the live state has heard beat, and whose beat
    has lapsed, makes its panels stale (its state still says 无数据 on /governance).
    """
    return [
        s for s in systems if s.enabled and s.state == "silent" and s.heartbeat_age_s is not None
    ]


def panel_reasons(
    systems: Iterable[Delivery],
    feeds: Mapping[str, tuple[str, ...]] = PANEL_FEEDS,
    lang: str = "zh",
    names: Mapping[str, str] | None = None,
) -> dict[str, str | None]:
    """Panel id → why it is stale ("<system> 12 分钟无数据", several joined by "；"), or None
    while every system feeding it delivers within its cadence. In English (`lang="en"`) with
    the systems' English `names` where given: "<system>: no data for 12 min"."""
    silent = sorted(silent_systems(systems), key=lambda s: -(s.quiet_for_s or 0.0))
    names = names or {}
    reasons: dict[str, str | None] = {}
    for panel, kinds in feeds.items():
        words = [
            f"{names.get(s.code) or s.name}: {silence_text(s.quiet_for_s or 0.0, 'en')}"
            if lang == "en"
            else f"{s.name} {silence_text(s.quiet_for_s or 0.0)}"
            for s in silent
            if set(kinds) & set(s.sends)
        ]
        reasons[panel] = ("; " if lang == "en" else "；").join(words) or None
    return reasons


def deliveries(sources: Sources) -> list[Delivery]:
    """Every registered system's delivery state, shared by every screen for SHARED_S."""

    def load() -> list[Delivery]:
        return governance.delivery(
            sources.warehouse, sources.systems.all(), sources.status.heartbeats()
        )

    return cached(sources.cache, "freshness:delivery", SHARED_S, load)


def english_names(sources: Sources) -> dict[str, str]:
    """System code → its English name, where the registry has one."""
    known = sources.systems.all()
    return {c: n for c, n in zip(known["code"], known["name_en"]) if n}


def pulse_part(sources: Sources) -> dict[str, Any]:
    """What a screen's pulse carries about the sources: `rate` (integrated, registered),
    `stale` (panel id → reason, only the stale ones) and `states` (code → state); empty
    when the warehouse cannot say (the pulse's own `ok` flags already show that)."""
    try:
        systems = deliveries(sources)
    except Exception:  # noqa: BLE001 - the warehouse flag of the pulse says it is down
        log.debug("no delivery states for the pulse", exc_info=True)
        return {}
    integrated, registered = governance.rate_of(systems)
    return {
        "rate": {"integrated": integrated, "registered": registered},
        "stale": {k: v for k, v in panel_reasons(systems).items() if v},
        # The same in English, for the screens shown in English (assets/wall.js picks).
        "stale_en": {
            k: v
            for k, v in panel_reasons(systems, lang="en", names=english_names(sources)).items()
            if v
        },
        "states": {s.code: s.state for s in systems},
    }
