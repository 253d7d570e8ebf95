"""Fill the duty room's strip of alarms waiting for acknowledgement when the live state moves."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output, State

from callbacks import guarded
from data_sources import get_sources
from layouts.alarm_actions import allowed_actions
from layouts.alert_strip import Ids, items, waiting
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of
from layouts.pulse import ids as pulse_ids

DUTY_PULSE = pulse_ids("duty")


@guarded(
    "view",
    Output(Ids.LIST, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(DUTY_PULSE.version, "data"),
    State(LangIds.PAGE, "data"),
)
def refresh(version: int | None, page: dict | None):
    """Rebuild the strip from Redis."""
    sources = get_sources()
    alarms = sources.at_version(
        version, "duty-alerts", lambda: sources.alarms.active(closed_window_s=0)
    )
    lang = lang_of(page)
    names = sources.registry.district_names(lang)
    now = datetime.now(UTC)
    return items(waiting(alarms), names, allowed_actions(), now, lang), now.isoformat()
