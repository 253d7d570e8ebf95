"""What every screen learns about the sources behind it: server time, source health, the live
state's versions and the upstream systems' heartbeats (the pulse of every live page).

The warehouse is pinged at most every few seconds per app, however many screens ask: the
throttle's state lives here, one per set of data sources, not in a panel module.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from data_sources import freshness

if TYPE_CHECKING:
    from data_sources import Sources

WAREHOUSE_CHECK_S = 5.0


@dataclass
class WarehouseCheck:
    """The latest warehouse ping of one app (shared by every screen it serves)."""

    at: float = 0.0
    ok: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok_now(self, sources: Sources) -> bool:
        with self.lock:
            if time.monotonic() - self.at > WAREHOUSE_CHECK_S:
                try:
                    sources.warehouse.ping()
                    self.ok = True
                except Exception:  # noqa: BLE001 - any failure means not reachable
                    self.ok = False
                self.at = time.monotonic()
            return self.ok


def pulse(sources: Sources, now: float | None = None) -> dict[str, Any]:
    """Server time (`t`, ISO 8601), `build`, `ok` per source, `state_version`,
    `readings_version`, and per upstream system its `code`, `name`, `name_en`, last heartbeat `at`
    (epoch s or None), `age` (s or None) and `ok` (integrated, data/freshness.py; without the
    warehouse's word, heard within three periods); and `rate`, `stale`, `states` of
    `freshness.pulse_part`."""
    import ops  # the build id (ops imports this package)

    now = time.time() if now is None else now
    result: dict[str, Any] = {
        "t": datetime.fromtimestamp(now, UTC).isoformat(),
        "build": ops.BUILD,
        "ok": {"redis": False, "warehouse": sources.health.ok_now(sources)},
        "version": None,
        "systems": [],
    }
    try:
        state, readings = sources.versions.both()
        beats = sources.status.heartbeats()
        result["ok"]["redis"] = True
        result["version"] = f"{state}.{readings}"
        result["state_version"] = state
        result["readings_version"] = readings
    except Exception:  # noqa: BLE001 - the screens show the source as stale instead
        return result
    # The sources' own freshness: integration rate, panels stale by silent systems.
    result |= freshness.pulse_part(sources)
    states = result.get("states", {})
    for code, name, name_en, period in _source_systems(sources):
        at = beats.get(code)
        age = None if at is None else max(0.0, now - at)
        ok = (
            states[code] == "integrated"
            if code in states
            else age is not None and age <= 3 * period
        )
        # `name_en`: the English wall's (assets/wall.js); "" where none is registered.
        system = {"code": code, "name": name, "name_en": name_en or "", "at": at, "age": age}
        result["systems"].append({**system, "ok": ok})
    return result


def readiness(sources: Sources) -> tuple[bool, str, dict[str, str]]:
    """(ready, Redis persistence, status): what /readyz answers and the home page shows.
    Ready: Redis reachable and keeping what it acknowledges (AOF), the warehouse reachable,
    and the live state restored (`restoring` while the archiver refills an emptied Redis);
    `status` is 'ok' or the reason, for `redis`, `warehouse` and `live_state`."""
    status = sources.readiness()
    persistence = "unknown: Redis unreachable"
    status["live_state"] = "unknown: Redis unreachable"
    if status["redis"] == "ok":
        try:
            status["redis"], persistence = sources.durability.readiness()
            status["live_state"] = "ok" if sources.restore.is_restored() else "restoring"
        except Exception as exc:  # noqa: BLE001 - Redis went away between the two checks
            status["redis"] = f"{type(exc).__name__}: {exc}"[:200]
    return all(v == "ok" for v in status.values()), persistence, status


def _source_systems(sources: Sources) -> list[tuple[str, str, str, int]]:
    # The registry's enabled systems (upstream_systems), not a fixed list.
    try:
        frame = sources.systems.all()
    except Exception:  # noqa: BLE001 - the warehouse flag already says it is down
        return []
    frame = frame[frame["enabled"]]
    return list(
        frame[["code", "name", "name_en", "heartbeat_s"]].itertuples(index=False, name=None)
    )
