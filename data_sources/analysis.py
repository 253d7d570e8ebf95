"""Analysis reads for the consultation room: alarm history in a time window with filters, one
alarm's archived record and its lifecycle events.

All SQL goes through `Warehouse.query` with bound parameters; results are cached at this layer
like `Registry._cached` (same cache, its own key prefix), so a room full of screens asking the
same question costs one query per period. Times are tz-aware UTC.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pandas as pd
from flask_caching import Cache
from sqlalchemy import inspect

from data_sources.caching import cached
from data_sources.registry import HISTORY_TTL, REGISTRY_TTL
from data_sources.warehouse import Warehouse, utc
from vocabulary import ARCHIVED_ALARM_COLUMNS, ARCHIVED_ALARM_READ

T = TypeVar("T")

ALARM_COLUMNS = ", ".join(ARCHIVED_ALARM_READ)
_TIMES = ("occurred_at", "received_at", "ack_at", "closed_at")


# The columns of `Analysis.view`: what the archive and the live state both know of an alarm
# (vocabulary.ARCHIVED_ALARM_COLUMNS without the arrival time and the detail), and the
# escalation stage recorded on a live alarm (NaN for archived ones).
VIEW_COLUMNS = [c for c in ARCHIVED_ALARM_COLUMNS[:18] if c not in ("received_at", "detail")] + [
    "escalation"
]


@dataclass(frozen=True)
class AlarmFilter:
    """Alarms that occurred in [since, until) (UTC), narrowed by each non-empty tuple."""

    since: datetime
    until: datetime
    districts: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())
    categories: tuple[str, ...] = field(default=())
    levels: tuple[str, ...] = field(default=())

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of `frame` (columns of `VIEW_COLUMNS`) that pass this filter."""
        keep = (frame["occurred_at"] >= pd.Timestamp(self.since)) & (
            frame["occurred_at"] < pd.Timestamp(self.until)
        )
        for column, values in zip(
            ("district", "source", "category", "level"),
            (self.districts, self.sources, self.categories, self.levels),
        ):
            if values:
                keep &= frame[column].isin(values)
        return frame[keep]


def _in(column: str, name: str, values: tuple[str, ...], params: dict[str, Any]) -> str:
    """` AND column IN (:name0, :name1, ...)` with the values bound; '' for no values."""
    if not values:
        return ""
    names = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        names.append(f":{name}{i}")
    return f" AND {column} IN ({', '.join(names)})"


class Analysis:
    """Typed, cached reads of the alarm history for interactive analysis."""

    def __init__(self, warehouse: Warehouse, cache: Cache | None = None) -> None:
        self.wh = warehouse
        self.cache = cache

    def _cached(self, key: str, ttl: int, load: Callable[[], T]) -> T:
        return cached(self.cache, "analysis:" + key, ttl, load)

    def alarms(
        self,
        since: datetime,
        until: datetime,
        *,
        districts: Iterable[str] = (),
        sources: Iterable[str] = (),
        categories: Iterable[str] = (),
        levels: Iterable[str] = (),
    ) -> pd.DataFrame:
        """Archived alarms that occurred in [since, until), narrowed by the filters given
        (an empty filter means all), oldest first.

        Columns: id, source, level, category, title, occurred_at, received_at, lon, lat,
        site_id, district, status, count, ack_by, ack_at, closed_by, closed_at, close_note,
        detail (JSON text). Times UTC; callers round `since`/`until` (e.g. to the minute) so
        that screens share cache entries.
        """
        filters = tuple(tuple(sorted(set(f))) for f in (districts, sources, categories, levels))

        def load() -> pd.DataFrame:
            params: dict[str, Any] = {"since": since, "until": until}
            where = "occurred_at >= :since AND occurred_at < :until"
            for column, values in zip(("district", "source", "category", "level"), filters):
                where += _in(column, column[:3], values, params)
            frame = self.wh.query(
                f"SELECT {ALARM_COLUMNS} FROM alarm_history WHERE {where} ORDER BY occurred_at",
                params,
            )
            return utc(frame, *_TIMES)

        key = f"alarms:{since.isoformat()}:{until.isoformat()}:{json.dumps(filters)}"
        return self._cached(key, HISTORY_TTL, load)

    def view(self, live: pd.DataFrame, f: AlarmFilter) -> pd.DataFrame:
        """The alarms of `f`: the archive, with the live state's alarms (`live`, as
        `Alarms.active` gives them) added or taking the place of their archived
        copy (the live state is newer). Newest first; columns `VIEW_COLUMNS`, times UTC."""
        history = self.alarms(
            f.since,
            f.until,
            districts=f.districts,
            sources=f.sources,
            categories=f.categories,
            levels=f.levels,
        )
        history = history.reindex(columns=VIEW_COLUMNS)
        current = f.apply(live.reindex(columns=VIEW_COLUMNS)) if len(live) else live
        if len(current):
            history = history[~history["id"].isin(current["id"])]
            frames = [frame for frame in (history, current) if len(frame)]
            history = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return history.sort_values("occurred_at", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def hourly_counts(self, since: datetime, until: datetime) -> dict[tuple[int, str], int]:
        """Archived alarms of [since, until) counted by (Asia/Shanghai hour of day, level),
        leaving out the demo feed's own (ids `demo-...`): the history the feed keeps to."""
        frame = utc(
            self.wh.query(
                "SELECT level, occurred_at FROM alarm_history WHERE occurred_at >= :since "
                "AND occurred_at < :until AND id NOT LIKE 'demo-%'",
                {"since": since, "until": until},
            ),
            "occurred_at",
        )
        hours = frame["occurred_at"].dt.tz_convert("Asia/Shanghai").dt.hour
        counts = frame.assign(hour=hours).groupby(["hour", "level"]).size()
        return {(int(h), str(lv)): int(n) for (h, lv), n in counts.items()}

    def categories(self) -> pd.DataFrame:
        """Every (source, category) pair the history knows. Columns: source, category, n."""
        return self._cached(
            "categories",
            REGISTRY_TTL,
            lambda: self.wh.query(
                "SELECT source, category, count(*) AS n FROM alarm_history "
                "GROUP BY source, category ORDER BY source, n DESC"
            ),
        )

    def alarm(self, alarm_id: str) -> dict[str, Any] | None:
        """One archived alarm with the columns of `alarms` (detail parsed to a dict), or None."""
        frame = self.wh.query(
            f"SELECT {ALARM_COLUMNS} FROM alarm_history WHERE id = :id", {"id": alarm_id}
        )
        if frame.empty:
            return None
        row = utc(frame, *_TIMES).iloc[0].to_dict()
        try:
            row["detail"] = json.loads(row.get("detail") or "{}")
        except ValueError:
            row["detail"] = {}
        return row

    def has_events(self) -> bool:
        """True when the warehouse keeps per-change alarm events (migration 0002)."""
        return self._cached(
            "has_events", REGISTRY_TTL, lambda: inspect(self.wh.engine).has_table("alarm_events")
        )

    def incident_timeline(self, incident_id: str, limit: int = 20) -> pd.DataFrame:
        """The newest `limit` entries of an incident's timeline, newest first. Columns: at
        (UTC), kind, text, author."""
        frame = self.wh.query(
            "SELECT at, kind, text, author FROM incident_timeline WHERE incident_id = :id "
            "ORDER BY at DESC LIMIT :limit",
            {"id": incident_id, "limit": limit},
        )
        return utc(frame, "at")

    def alarm_events(self, alarm_id: str) -> pd.DataFrame:
        """Every recorded change of one alarm, oldest first. Columns: op (new/repeat/
        acknowledged/closed/escalate), at (UTC), actor, rev. Empty without the events table."""
        if not self.has_events():
            return pd.DataFrame(
                {"op": [], "at": pd.to_datetime([], utc=True), "actor": [], "rev": []}
            )
        frame = self.wh.query(
            "SELECT op, at, actor, rev FROM alarm_events WHERE alarm_id = :id ORDER BY at, rev",
            {"id": alarm_id},
        )
        return utc(frame, "at")
