"""The shape of the governance report (/governance): each upstream system's health and the
integration rate, as data_sources.governance gathers it and layouts.governance_page draws it.

Plain dataclasses and words, imported by both sides, so that the layout needs no data source
(connector lag and the command-hall usage days too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

BEHIND_CAP = 100_000  # a database pull counts the rows behind its watermark up to this
HOURS = 24  # the report's window: messages per hour over the last HOURS hours
STATES = {
    "integrated": "已接入",
    "silent": "无数据",
    "failing": "异常",
    "not_connected": "未接入",
}


@dataclass(frozen=True)
class Lag:
    connector: str
    seconds: float | None  # time behind: since the last message (MQTT), the watermark's age
    behind: int | None  # rows not yet taken (database pull)
    connected: bool | None


@dataclass(frozen=True)
class HallUsage:
    year: int
    days: int  # days of `year` with a display shown at least `hours` hours
    target: int
    hours: float
    displays: int  # displays seen this year
    today_hours: float  # the most any display has shown today


@dataclass
class SystemHealth:
    code: str
    name: str
    enabled: bool
    heartbeat_s: int
    data_s: int
    state: str
    heartbeat_age_s: float | None
    last_message_age_s: float | None
    hourly: list[int]  # messages per hour, oldest first; the last is the hour up to now
    messages_24h: int
    duplicates_24h: int
    lateness_p50_s: float | None
    lateness_p95_s: float | None
    rejects_24h: int
    rejects_1h: int
    accepted_1h: int
    reasons: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    last_rejects: list[dict[str, Any]] = field(default_factory=list)  # at, error, payload
    lags: list[Lag] = field(default_factory=list)  # one per connector that reported

    @property
    def state_name(self) -> str:
        return STATES[self.state]


@dataclass
class Governance:
    at: datetime
    systems: list[SystemHealth]
    integrated: int
    registered: int  # enabled systems

    @property
    def rate(self) -> float | None:
        """Integrated ÷ enabled systems registered; None when none is registered."""
        return self.integrated / self.registered if self.registered else None
