"""Fill the wall's duty panel: roster from the warehouse, check-ins live from Redis (replayed:
as the archiver kept them in the warehouse)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from dash import Input, Output, State, html

from callbacks import guarded
from data_sources import Sources, get_sources
from figures.duty import on_duty
from layouts.common import SHANGHAI, local_time
from layouts.duty_panel import Ids, city_block, rooms_block
from layouts.i18n import Ids as LangIds
from layouts.i18n import lang_of, t
from layouts.pulse import ids as pulse_ids
from layouts.replay import Ids as ReplayIds
from layouts.replay import replayed
from layouts.wall import Ids as WallIds
from vocabulary import CHECKIN_WINDOW_S

# A duty room that has not checked in for this long is shown as not answering.
CHECKIN_WINDOW = timedelta(seconds=CHECKIN_WINDOW_S)

WALL_PULSE = pulse_ids("wall")


def room_states(
    districts: dict[str, str], checkins: dict[str, float], now: datetime, lang: str = "zh"
) -> list:
    rows = []
    for unit, name in districts.items():
        at = checkins.get(unit)
        ok = at is not None and now.timestamp() - at <= CHECKIN_WINDOW.total_seconds()
        last = (
            t("wall.duty.no_checkin", lang)
            if at is None
            else t(
                "wall.duty.checkin", lang, time=local_time(datetime.fromtimestamp(at, UTC), "%H:%M")
            )
        )
        rows.append((unit, name, ok, last))
    return rows


def city_roster(sources: Sources, at: datetime) -> pd.DataFrame:
    """The city's roster of the day of `at` and of the day before (a night shift that began
    yesterday is still on duty this morning)."""
    local_day = at.astimezone(SHANGHAI).date()
    return pd.concat(
        [
            sources.rosters.on_day(local_day - timedelta(days=1), "city"),
            sources.rosters.on_day(local_day, "city"),
        ]
    )


@guarded(
    "view",
    Output(Ids.CITY, "children"),
    Output(Ids.ROOMS, "children"),
    Output(Ids.AS_OF, "data-as-of"),
    Input(WALL_PULSE.version, "data"),
    State(WallIds.VIEWPORT, "className"),
    State(LangIds.PAGE, "data"),
)
def refresh(_version: int | None, viewport: str | None, page: dict | None):
    """Show the city's duty team now and the district rooms' check-ins."""
    sources = get_sources()
    lang = lang_of(page)
    now = datetime.now(UTC)
    roster = city_roster(sources, now)
    districts = sources.registry.district_names(lang)
    rooms = room_states(districts, sources.status.checkins(), now, lang)
    kiosk = "kiosk" in (viewport or "").split()
    team = city_block(on_duty(roster, pd.Timestamp(now)), plain=kiosk, lang=lang)
    return team, rooms_block(rooms, lang), now.isoformat()


@guarded(
    "view",
    Output(Ids.CITY, "children", allow_duplicate=True),
    Output(Ids.ROOMS, "children", allow_duplicate=True),
    Output(Ids.AS_OF, "data-as-of", allow_duplicate=True),
    Input(ReplayIds.AT, "data"),
    State(LangIds.PAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def replay(at: str | None, page: dict | None):
    """Show who was on duty at the replayed moment and the rooms' check-ins as kept then."""
    sources = get_sources()
    moment = replayed(at)
    lang = lang_of(page)
    checkins = sources.replay.checkins(moment)
    if checkins is None:
        rooms = [html.Li(t("wall.duty.replay", lang), className="room unknown")]
    else:
        districts = sources.registry.district_names(lang)
        rooms = rooms_block(room_states(districts, checkins, moment, lang), lang)
    return (
        city_block(on_duty(city_roster(sources, moment), pd.Timestamp(moment)), lang=lang),
        rooms,
        moment.isoformat(),
    )
