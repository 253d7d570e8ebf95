"""Fill the landing page's state: readiness as /readyz judges it, the upstream systems as
/governance and the wall's top bar judge them (data_sources.health, data_sources.freshness)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State

from callbacks import gate, guarded
from data_sources import freshness, get_sources, governance, health
from layouts.gate import ask_of
from layouts.home_page import Ids, ready_items, systems_block
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of


@guarded(
    "view",
    Output(Ids.READY, "children"),
    Output(Ids.READY_AS_OF, "data-as-of"),
    Output(Ids.SYSTEMS, "children"),
    Output(Ids.SYSTEMS_AS_OF, "data-as-of"),
    Input(ask_of(Ids.TICK), "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(_n: Any, page_lang: dict | None):
    """Show whether the system is ready and how its upstream systems deliver."""
    lang, sources = lang_of(page_lang), get_sources()
    ready, _persistence, status = health.readiness(sources)
    try:
        deliveries = freshness.deliveries(sources)
        english = freshness.english_names(sources) if lang == "en" else {}
        systems = [
            {"code": d.code, "name": english.get(d.code) or d.name, "state": d.state}
            for d in deliveries
            if d.enabled
        ]
        rate = governance.rate_of(deliveries)
    except Exception:  # noqa: BLE001 - the warehouse is down: the readiness says so
        systems, rate = None, (0, 0)
    stamp = datetime.now(UTC).isoformat()
    return ready_items(ready, status, lang), stamp, systems_block(systems, rate, lang), stamp


# The state tick asks only when its last ask was answered (every answer moves the as-of).
gate(Ids.TICK, Ids.READY_AS_OF)
