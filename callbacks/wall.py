"""The pulse of every live page: one cheap look at the live state per refresh.

Each tick costs the server one MGET on Redis (two version counters) plus a small hash of
heartbeats; panels re-render only when the version they follow changes.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from dash import (
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    no_update,
)

import ops
from callbacks import guarded, guarded_clientside
from data_sources import Sources, get_sources
from layouts.city_map import Ids as MapIds
from layouts.pulse import ids as pulse_ids
from layouts.wall import Ids

_WAREHOUSE_CHECK_S = 5.0
_warehouse_state: dict[str, Any] = {"at": 0.0, "ok": True}
_warehouse_lock = threading.Lock()


def _warehouse_ok(sources: Sources) -> bool:
    # Twenty screens ticking every second must not cost twenty pings a second.
    with _warehouse_lock:
        if time.monotonic() - _warehouse_state["at"] > _WAREHOUSE_CHECK_S:
            try:
                sources.warehouse.ping()
                _warehouse_state["ok"] = True
            except Exception:  # noqa: BLE001 - any failure means not reachable
                _warehouse_state["ok"] = False
            _warehouse_state["at"] = time.monotonic()
        return _warehouse_state["ok"]


def pulse(sources: Sources, now: float | None = None) -> dict[str, Any]:
    """What the screens learn every tick: server time, source health, versions, heartbeats."""
    now = time.time() if now is None else now
    result: dict[str, Any] = {
        "t": datetime.fromtimestamp(now, UTC).isoformat(),
        "build": ops.BUILD,
        "ok": {"redis": False, "warehouse": _warehouse_ok(sources)},
        "version": None,
        "systems": [],
    }
    try:
        state, readings = sources.live.versions()
        beats = sources.live.heartbeats()
        result["ok"]["redis"] = True
        result["version"] = f"{state}.{readings}"
        result["state_version"] = state
        result["readings_version"] = readings
    except Exception:  # noqa: BLE001 - the wall shows the source as stale instead
        return result
    systems = _source_systems(sources)
    for code, name, period in systems:
        at = beats.get(code)
        age = None if at is None else max(0.0, now - at)
        result["systems"].append(
            {"code": code, "name": name, "age": age, "ok": age is not None and age <= 3 * period}
        )
    return result


def _source_systems(sources: Sources) -> list[tuple[str, str, int]]:
    try:
        frame = sources.registry.source_systems()
    except Exception:  # noqa: BLE001 - the warehouse flag already says it is down
        return []
    return list(frame[["code", "name", "heartbeat_s"]].itertuples(index=False, name=None))


ANY_PAGE = pulse_ids(MATCH)


@guarded(
    "view",
    Output(ANY_PAGE.data, "data"),
    Output(ANY_PAGE.version, "data"),
    Output(ANY_PAGE.readings, "data"),
    Input(ANY_PAGE.tick, "n_intervals"),
    State(ANY_PAGE.version, "data"),
    State(ANY_PAGE.readings, "data"),
)
def tick(_n: int | None, known: int | None, known_readings: int | None):
    """Report health every tick; move each version only when it changed."""
    data = pulse(get_sources())
    state, readings = data.get("state_version"), data.get("readings_version")
    return (
        data,
        state if state is not None and state != known else no_update,
        readings if readings is not None and readings != known_readings else no_update,
    )


# Between server answers the browser keeps the clock, ages and the offline banner current.
guarded_clientside(
    "view",
    ClientsideFunction(namespace="seWall", function_name="onPulse"),
    Output(ANY_PAGE.banner, "hidden"),
    Input(ANY_PAGE.data, "data"),
)

guarded_clientside(
    "view",
    ClientsideFunction(namespace="seWall", function_name="rotate"),
    Output(MapIds.MAP, "viewport"),
    Output(Ids.VIEW_NAME, "children"),
    Output(Ids.TAKEOVER, "hidden"),
    Output(Ids.TAKEOVER, "children"),
    Output(Ids.PRESENTER, "hidden"),
    Output(Ids.PRESENTER, "children"),
    Input(Ids.ROTATE_TICK, "n_intervals"),
    Input(Ids.FOCUS, "data"),
)
