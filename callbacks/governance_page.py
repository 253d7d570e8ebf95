"""Fill /governance: the registry (warehouse), heartbeats (Redis), the archive and the
quarantine, gathered by data_sources.governance and shared by every screen for a few seconds."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State

from callbacks import guarded
from data_sources import connector_status, freshness, get_sources, governance, hall_usage
from data_sources.caching import cached
from layouts.governance_page import Ids, rate_block, rejects_block, systems_table
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of

# Twenty screens on this page cost one look at the warehouse per this many seconds.
SHARED_S = 10


def report() -> governance.Governance:
    sources = get_sources()

    def load() -> governance.Governance:
        return governance.collect(
            sources.warehouse,
            sources.systems.all(),
            sources.status.heartbeats(),
            connectors=connector_status.statuses(sources),
        )

    return cached(sources.cache, "governance:report", SHARED_S, load)


@guarded(
    "view",
    Output(Ids.RATE, "children"),
    Output(Ids.SYSTEMS, "children"),
    Output(Ids.REJECTS, "children"),
    Output(Ids.RATE_AS_OF, "data-as-of"),
    Output(Ids.SYSTEMS_AS_OF, "data-as-of"),
    Output(Ids.REJECTS_AS_OF, "data-as-of"),
    Input(Ids.TICK, "n_intervals"),
    State(LangIds.PAGE, "data"),
)
def refresh(_n: Any, page: dict | None):
    """Show every system's state and figures, the rejects and the integration rate."""
    lang, now = lang_of(page), report()
    names = freshness.english_names(get_sources()) if lang == "en" else None
    stamp = now.at.isoformat()
    return (
        rate_block(now, usage(), lang),
        systems_table(now, lang, names),
        rejects_block(now, lang, names),
        stamp,
        stamp,
        stamp,
    )


def usage() -> hall_usage.HallUsage | None:
    sources = get_sources()
    settings = sources.settings
    try:
        return hall_usage.usage(sources, settings.HALL_USAGE_HOURS, settings.HALL_USAGE_TARGET_DAYS)
    except Exception:  # noqa: BLE001 - Redis down: the rate still shows; usage says "—"
        return None
