"""How the upstream systems deliver: the figures of `/governance` (no Dash here).

Per registered system: its state, the age of its last heartbeat, the messages archived per
hour over the last 24 hours (`alarm_history` by `source`, by `received_at`), their lateness
(arrival minus event time, `received_at - occurred_at`, over its newest LATENESS_SAMPLE
messages) at p50/p95, duplicates folded into
them (`count - 1`), what the quarantine rejected (by reason, with the last payloads), and the lag of its
connectors (MQTT: since the last message taken; database pull: rows behind, watermark age).
And the integration rate (业务系统整合率): systems delivering within their cadence ÷ enabled
systems registered.

States:
- ``integrated`` (已接入): a heartbeat within GRACE × its heartbeat cadence, or an archived
  message within GRACE × its data cadence;
- ``silent`` (无数据): it has sent something once, but nothing within those times;
- ``failing`` (异常): in the last hour the quarantine rejected more of its messages than were
  archived (and at least one);
- ``not_connected`` (未接入): no heartbeat, no archived message and no reject, ever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from data_sources import quarantine
from data_sources.connector_status import lags
from data_sources.warehouse import Warehouse
from system_health import HOURS, Governance, SystemHealth

# A cadence is what a system promises; one missed beat is jitter, two are silence.
GRACE = 2.0
LAST_REJECTS = 3
PAYLOAD_LIMIT = 600
# Lateness is read from each system's newest messages, not all of a busy day's.
LATENESS_SAMPLE = 2000
REASON_LIMIT = 120
# The context intake paths append to an error ("(topic …)", "(after 3 deliveries …)").
_CONTEXT = re.compile(r"\s*\((?:topic|after|moved from) [^)]*\)\s*$")


def reason_of(error: str | None) -> str:
    """The reason of a reject: its error without the intake path's context, shortened."""
    text = _CONTEXT.sub("", (error or "").strip()).strip() or "未说明"
    first = text.splitlines()[0]
    return first if len(first) <= REASON_LIMIT else first[: REASON_LIMIT - 1] + "…"


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _volume(warehouse: Warehouse, now: datetime) -> dict[str, dict[str, Any]]:
    """Per source: messages archived per hour (hours ago 0..23, 0 = the hour up to now and
    anything stamped later) and the duplicates folded into them; counted by the warehouse,
    one row per source, on SQLite and PostgreSQL alike."""
    params: dict[str, Any] = {f"b{k}": now - timedelta(hours=k) for k in range(1, HOURS + 1)}
    buckets = ["SUM(CASE WHEN received_at >= :b1 THEN 1 ELSE 0 END) AS h0"] + [
        f"SUM(CASE WHEN received_at >= :b{k + 1} AND received_at < :b{k} THEN 1 ELSE 0 END) AS h{k}"
        for k in range(1, HOURS)
    ]
    frame = warehouse.query(
        f'SELECT source, {", ".join(buckets)}, SUM("count" - 1) AS duplicates '
        f"FROM alarm_history WHERE received_at >= :b{HOURS} GROUP BY source",
        params,
    )
    return {
        r["source"]: {
            "hourly": [int(r[f"h{k}"] or 0) for k in reversed(range(HOURS))],
            "duplicates": int(r["duplicates"] or 0),
        }
        for r in frame.to_dict("records")
    }


def _lateness(warehouse: Warehouse, code: str, since: datetime) -> pd.Series:
    """Seconds from event to arrival of the system's newest LATENESS_SAMPLE messages."""
    frame = warehouse.query(
        "SELECT occurred_at, received_at FROM alarm_history "
        "WHERE source = :source AND received_at >= :since "
        "ORDER BY received_at DESC LIMIT :limit",
        {"source": code, "since": since, "limit": LATENESS_SAMPLE},
    )
    return (_utc(frame["received_at"]) - _utc(frame["occurred_at"])).dt.total_seconds()


def _last_message(warehouse: Warehouse) -> dict[str, datetime]:
    frame = warehouse.query(
        "SELECT source, max(received_at) AS last FROM alarm_history GROUP BY source"
    )
    return dict(zip(frame["source"], _utc(frame["last"]), strict=True))


def _rejects(warehouse: Warehouse, since: datetime) -> pd.DataFrame:
    frame = warehouse.query(
        "SELECT source, at, error FROM quarantine WHERE at >= :since AND redriven_at IS NULL",
        {"since": since},
    )
    frame["at"] = _utc(frame["at"])
    return frame


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def state_of(
    system: dict[str, Any],
    heartbeat_age: float | None,
    message_age: float | None,
    rejects_1h: int,
    accepted_1h: int,
    ever_rejected: bool,
) -> str:
    """One of STATES for a registry row and what it has sent (see the module's docstring)."""
    if heartbeat_age is None and message_age is None and not ever_rejected:
        return "not_connected"
    if rejects_1h > accepted_1h:
        return "failing"
    beating = heartbeat_age is not None and heartbeat_age <= GRACE * system["heartbeat_s"]
    sending = message_age is not None and message_age <= GRACE * system["data_s"]
    return "integrated" if beating or sending else "silent"


def collect(
    warehouse: Warehouse,
    systems: pd.DataFrame,
    heartbeats: dict[str, float],
    now: datetime | None = None,
    connectors: dict[str, dict[str, Any]] | None = None,
) -> Governance:
    """The figures of every system in `systems` (the registry's `Systems.all()` frame),
    `heartbeats` (code → epoch s, `Status.heartbeats()`) and `connectors` (the connectors'
    statuses, `connector_status.statuses`) at `now` (UTC)."""
    now = now or datetime.now(UTC)
    lag = lags(connectors or {}, now.timestamp())
    since, hour_ago = now - timedelta(hours=HOURS), now - timedelta(hours=1)
    volume = _volume(warehouse, now)
    last_message = _last_message(warehouse)
    rejects = _rejects(warehouse, since)
    ever_rejected = set(quarantine.counts_by_source(warehouse, include_redriven=True))

    rows = []
    for system in systems.to_dict("records"):
        code = system["code"]
        sent = volume.get(code, {"hourly": [0] * HOURS, "duplicates": 0})
        lateness = (
            _lateness(warehouse, code, since) if sum(sent["hourly"]) else pd.Series([], dtype=float)
        )
        refused = rejects[rejects["source"] == code].sort_values("at", ascending=False)
        reasons = refused["error"].map(reason_of).value_counts()
        accepted_1h = sent["hourly"][-1]
        rejects_1h = int((refused["at"] >= hour_ago).sum())
        beat = heartbeats.get(code)
        heartbeat_age = None if beat is None else max(0.0, now.timestamp() - beat)
        message_age = _age(now, last_message.get(code))
        rows.append(
            SystemHealth(
                code=code,
                name=system["name"],
                enabled=bool(system["enabled"]),
                heartbeat_s=int(system["heartbeat_s"]),
                data_s=int(system["data_s"]),
                state=state_of(
                    system,
                    heartbeat_age,
                    message_age,
                    rejects_1h,
                    accepted_1h,
                    code in ever_rejected,
                ),
                heartbeat_age_s=heartbeat_age,
                last_message_age_s=message_age,
                hourly=sent["hourly"],
                messages_24h=sum(sent["hourly"]),
                duplicates_24h=sent["duplicates"],
                lateness_p50_s=float(lateness.quantile(0.5)) if len(lateness) else None,
                lateness_p95_s=float(lateness.quantile(0.95)) if len(lateness) else None,
                rejects_24h=len(refused),
                rejects_1h=rejects_1h,
                accepted_1h=accepted_1h,
                reasons=[(str(r), int(n)) for r, n in reasons.items()],
                last_rejects=_last_payloads(warehouse, code) if len(refused) else [],
                lags=lag.get(code, []),
            )
        )
    enabled = [s for s in rows if s.enabled]
    return Governance(
        at=now,
        systems=rows,
        integrated=sum(s.state == "integrated" for s in enabled),
        registered=len(enabled),
    )


def _last_payloads(warehouse: Warehouse, code: str) -> list[dict[str, Any]]:
    return [
        {
            "at": entry["at"],
            "error": reason_of(entry["error"]),
            "payload": _shorten(entry["raw_bytes"]),
        }
        for entry in quarantine.list(warehouse, source=code, limit=LAST_REJECTS)
    ]


def _shorten(raw: bytes) -> str:
    # Text only: bytes that are not UTF-8, and NUL, shown as \xNN.
    text = raw.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    return text if len(text) <= PAYLOAD_LIMIT else text[: PAYLOAD_LIMIT - 1] + "…"


@dataclass(frozen=True)
class Delivery:
    """A system's state from the cheap signs alone (what the wall's pulse can afford)."""

    code: str
    name: str
    enabled: bool
    sends: tuple[str, ...]
    state: str
    heartbeat_age_s: float | None
    last_message_age_s: float | None

    @property
    def quiet_for_s(self) -> float | None:
        """Seconds since its last sign of life (heartbeat or archived message); None: never."""
        ages = [a for a in (self.heartbeat_age_s, self.last_message_age_s) if a is not None]
        return min(ages) if ages else None


def delivery(
    warehouse: Warehouse,
    systems: pd.DataFrame,
    heartbeats: dict[str, float],
    now: datetime | None = None,
) -> list[Delivery]:
    """Every registered system's state by the same rule as `collect` (`state_of`), from a few
    indexed lookups per system instead of the day's figures: its newest archived message,
    its messages and rejects of the last hour."""
    now = now or datetime.now(UTC)
    hour_ago = now - timedelta(hours=1)
    rejects_1h = quarantine.counts_by_source(warehouse, since=hour_ago)
    ever_rejected = set(quarantine.counts_by_source(warehouse, include_redriven=True))
    result = []
    for system in systems.to_dict("records"):
        code = system["code"]
        # Two indexed lookups per system (alarm_history(source, received_at), migration 0009).
        frame = warehouse.query(
            "SELECT max(received_at) AS last FROM alarm_history WHERE source = :s", {"s": code}
        )
        last = None if pd.isna(frame["last"].iloc[0]) else _utc(frame["last"]).iloc[0]
        accepted = 0
        if last is not None and last >= hour_ago:
            accepted = int(
                warehouse.query(
                    "SELECT count(*) AS n FROM alarm_history "
                    "WHERE source = :s AND received_at >= :h",
                    {"s": code, "h": hour_ago},
                )["n"].iloc[0]
            )
        beat = heartbeats.get(code)
        heartbeat_age = None if beat is None else max(0.0, now.timestamp() - beat)
        message_age = _age(now, last)
        state = state_of(
            system,
            heartbeat_age,
            message_age,
            rejects_1h.get(code, 0),
            accepted,
            code in ever_rejected,
        )
        result.append(
            Delivery(
                code=code,
                name=system["name"],
                enabled=bool(system["enabled"]),
                sends=tuple(system["sends"]),
                state=state,
                heartbeat_age_s=heartbeat_age,
                last_message_age_s=message_age,
            )
        )
    return result


def rate_of(systems: list[Delivery]) -> tuple[int, int]:
    """(integrated, enabled registered): the integration rate's two terms."""
    enabled = [s for s in systems if s.enabled]
    return sum(s.state == "integrated" for s in enabled), len(enabled)
