"""How far behind each connector is (connector lag on `/governance`), as the connectors see it.

Each connector reports after its work into one Redis hash (`se:connectors`, name → JSON), so
/governance can show it whichever process runs the connector:

- MQTT (`mqtt:<system>`): `processed_at`, when it last applied a message taken from the broker,
  and `connected`; its lag is the time since then.
- Database pull (`dbpull:<system>`): `watermark` (the last row taken), `watermark_epoch` (that
  row's time, for a time watermark), `advanced_at` (when the watermark last moved), `behind`
  (rows after the watermark when it last looked, capped at BEHIND_CAP), `pulled_at`.

Every report carries `system`, `connector` and `at` (epoch s).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from data_sources import keys
from system_health import Lag

if TYPE_CHECKING:
    from data_sources import Sources


def report(sources: Sources, name: str, system: str, connector: str, **fields: Any) -> None:
    """Merge `fields` into the status of connector `name`."""
    key = keys.CONNECTORS
    held = sources.redis.hget(key, name)
    status = json.loads(held) if held else {}
    status |= fields | {"system": system, "connector": connector, "at": time.time()}
    sources.redis.hset(key, name, json.dumps(status, ensure_ascii=False, default=str))


def statuses(sources: Sources) -> dict[str, dict[str, Any]]:
    """Connector name → its last status."""
    return {k: json.loads(v) for k, v in sources.redis.hgetall(keys.CONNECTORS).items()}


def lags(statuses: dict[str, dict[str, Any]], now: float) -> dict[str, list[Lag]]:
    """System code → the lag of each of its connectors, from `statuses`."""
    result: dict[str, list[Lag]] = {}
    for status in statuses.values():
        kind = status.get("connector")
        if kind == "mqtt":
            at = status.get("processed_at")
            lag = Lag(
                "mqtt", None if at is None else max(0.0, now - at), None, status.get("connected")
            )
        elif kind == "dbpull":
            # Caught up is no lag, however old the last row; behind, the lag is how old the
            # watermark is (its row's time, or when it last moved for an id watermark).
            behind = status.get("behind")
            at = status.get("watermark_epoch") or status.get("advanced_at")
            if behind == 0:
                seconds: float | None = 0.0
            else:
                seconds = None if at is None else max(0.0, now - at)
            lag = Lag("dbpull", seconds, behind, None)
        else:
            continue
        result.setdefault(status["system"], []).append(lag)
    return result
