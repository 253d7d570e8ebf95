"""The wall as it was at a past moment, rebuilt from the warehouse alone (`/wall?at=`).

Replay never reads or writes the live state (Redis): what the wall showed at `at` is what the
archiver recorded by then. The sources:

- alarms: `alarm_events`, the audit trail (migration 0002), holds the whole alarm after each
  change (new, repeat, acknowledged, closed, escalate) at the time of the change. An alarm's
  state at `at` is its newest revision with `at` not later than it. Which alarms to look at
  comes from `alarm_history` first: those not closed now, or closed after `at` minus the feed's
  window of closed alarms (index `ix_alarm_history_closed`, migration 0010), received by `at`;
  then one indexed lookup per alarm (`ix_alarm_events_alarm`).
- incidents: `incidents` (open at `at`: opened by then, not closed by then). An incident's
  row is its latest version: title and level as they are now, open or closed as they were.
- the statistics: `alarm_history` by `occurred_at` (received by `at`).
- forces: `team_status_history` (migration 0013), every change of a rescue team's status as
  the archiver drained it from `se:stream:teams`. A team's status at `at` is its newest change
  with `at` not later than it; a team with none by then was `ready` (`vocabulary.TEAM_DEFAULT`).
- duty: `duty_roster` of that day (the rosters source, which reads the warehouse), and the
  district rooms' check-ins from `duty_checkin_history` (migration 0014), which the archiver
  samples to the minute (archiver/checkins.py): a room's newest check-in kept by `at`.

Not kept in the warehouse, so never replayed: upstream heartbeats, depot stock and shelters'
occupancy (the registry as it stands). The screens say so instead of showing today's as then.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import geopandas as gpd
import pandas as pd

from data_sources.alarms import alarm_frame, alarm_row
from data_sources.caching import cached
from data_sources.warehouse import Warehouse, utc
from vocabulary import LEVELS

# Closed alarms stay in the live feed this long (`Alarms.active(closed_window_s=...)`).
CLOSED_WINDOW_S = 3600.0
# Replayed reads of one moment are the same for every screen: shared a while.
REPLAY_TTL = 60

# Which alarms may have been in the live state at :at (see the module's docstring).
_CANDIDATES = """
    SELECT id FROM alarm_history WHERE closed_at IS NULL AND received_at <= :at
    UNION ALL
    SELECT id FROM alarm_history WHERE closed_at > :since AND received_at <= :at
"""
_STATES_AT = (
    """
SELECT e.id AS event_id, e.alarm_id, e.rev, e.state FROM alarm_events e
JOIN (
  SELECT ev.alarm_id, MAX(ev.rev) AS rev FROM alarm_events ev
  WHERE ev.at <= :at AND ev.alarm_id IN ("""
    + _CANDIDATES
    + """)
  GROUP BY ev.alarm_id
) newest ON newest.alarm_id = e.alarm_id AND newest.rev = e.rev
WHERE e.at <= :at
"""
)
# Alarms with no audit trail by :at (the reference data's year, alarms archived before
# migration 0002, a live state restored from the warehouse): their state at :at follows from
# their own times of arrival, ack and close.
_UNTRACKED_AT = (
    "SELECT h.id, h.source, h.level, h.category, h.title, h.occurred_at, h.received_at, "
    "h.lon, h.lat, h.site_id, h.district, h.count, h.ack_by, h.ack_at, h.closed_by, "
    "h.closed_at, h.close_note, h.detail, h.rev FROM alarm_history h WHERE h.id IN ("
    + _CANDIDATES
    + ") AND NOT EXISTS (SELECT 1 FROM alarm_events e WHERE e.alarm_id = h.id AND e.at <= :at)"
)
_HISTORY_TIMES = ("occurred_at", "received_at", "ack_at", "closed_at")
# Each team's newest status change by :at (index `ix_team_status_history_team`).
_TEAMS_AT = """
SELECT h.id, h.team_id, h.status FROM team_status_history h
JOIN (
  SELECT team_id, MAX(at) AS at FROM team_status_history WHERE at <= :at GROUP BY team_id
) newest ON newest.team_id = h.team_id AND newest.at = h.at
"""


# Each duty room's newest check-in kept by :at, within the day before (index on `at`).
_CHECKINS_AT = (
    "SELECT unit, MAX(at) AS at FROM duty_checkin_history "
    "WHERE at <= :at AND at > :since GROUP BY unit"
)
CHECKINS_LOOK_BACK = timedelta(days=1)


def team_states(
    warehouse: Warehouse, at: datetime, timeout_s: float | None = None
) -> dict[str, str]:
    """Rescue team id → its status at `at`: the newest change recorded by then. Teams with no
    change by then are absent (they were `ready`)."""
    frame = warehouse.query(_TEAMS_AT, {"at": at}, timeout_s=timeout_s)
    # Two changes of one team in the same millisecond: the later entry wins.
    frame = frame.sort_values("id").drop_duplicates("team_id", keep="last")
    return dict(zip(frame["team_id"], frame["status"], strict=True))


def checkins_at(
    warehouse: Warehouse, at: datetime, timeout_s: float | None = None
) -> dict[str, float]:
    """Duty room (unit) → epoch seconds of its newest check-in kept by `at`, within the day
    before it; rooms with none kept in that day are absent."""
    frame = utc(
        warehouse.query(
            _CHECKINS_AT, {"at": at, "since": at - CHECKINS_LOOK_BACK}, timeout_s=timeout_s
        ),
        "at",
    )
    return {unit: ts.timestamp() for unit, ts in zip(frame["unit"], frame["at"], strict=True)}


class Replay:
    """Reads of the warehouse as it stood at a moment. Times in and out are UTC-aware."""

    def __init__(self, warehouse: Warehouse, cache: object | None = None) -> None:
        self.wh = warehouse
        self.cache = cache

    def _cached(self, key: str, load):  # noqa: ANN001, ANN202
        return cached(self.cache, f"replay:{key}", REPLAY_TTL, load)  # type: ignore[arg-type]

    def alarm_states(self, at: datetime, closed_window_s: float = CLOSED_WINDOW_S) -> pd.DataFrame:
        """Every alarm the live state held at `at`: not closed by then, or closed within
        `closed_window_s` before it; each as it was then (status, count, escalation).

        Columns: those of `Alarms.active` (`vocabulary.ALARM_COLUMNS`), unordered.
        """
        since = at - timedelta(seconds=closed_window_s)

        def load() -> pd.DataFrame:
            frame = self.wh.query(_STATES_AT, {"at": at, "since": since})
            # Two events of one revision (a rebuilt live state): the later entry wins.
            frame = frame.sort_values("event_id").drop_duplicates("alarm_id", keep="last")
            rows = []
            for text in frame["state"]:
                state = json.loads(text)
                state["body"] = json.dumps(state.get("body") or {}, ensure_ascii=False)
                rows.append(alarm_row(state))
            untracked = utc(
                self.wh.query(_UNTRACKED_AT, {"at": at, "since": since}), *_HISTORY_TIMES
            )
            rows += [_row_then(row, at) for row in untracked.to_dict("records")]
            alarms = alarm_frame(rows)
            shown = (alarms["status"] != "closed") | (alarms["closed_at"] > pd.Timestamp(since))
            return alarms[shown].reset_index(drop=True)

        return self._cached(f"alarms:{at.isoformat()}:{closed_window_s}", load)

    def alarms(self, at: datetime, limit: int = 500) -> pd.DataFrame:
        """What `Alarms.active(limit)` answered at `at`: the `limit` newest alarms not closed,
        then the `limit` closed last within the window."""
        states = self.alarm_states(at)
        open_ = states[states["status"] != "closed"].sort_values("occurred_at", ascending=False)
        closed = states[states["status"] == "closed"].sort_values("closed_at", ascending=False)
        return pd.concat([open_.head(limit), closed.head(limit)], ignore_index=True)

    def level_counts(self, at: datetime) -> dict[str, int]:
        """Alarms not closed at `at`, per level (all four levels present)."""
        states = self.alarm_states(at)
        open_ = states[states["status"] != "closed"]
        return {level: int((open_["level"] == level).sum()) for level in LEVELS}

    def history(self, since: datetime, at: datetime) -> pd.DataFrame:
        """Alarms that occurred in [since, at] and had arrived by `at`, as the statistics read
        them. Columns: id, source, level, category, title, occurred_at (UTC), district."""

        def load() -> pd.DataFrame:
            frame = self.wh.query(
                "SELECT id, source, level, category, title, occurred_at, district "
                "FROM alarm_history WHERE occurred_at >= :since AND occurred_at <= :at "
                "AND received_at <= :at ORDER BY occurred_at",
                {"since": since, "at": at},
            )
            return utc(frame, "occurred_at")

        return self._cached(f"history:{since.isoformat()}:{at.isoformat()}", load)

    def incidents(self, at: datetime) -> gpd.GeoDataFrame:
        """Incidents open at `at`, newest first; the columns of `Incidents.listed` (status as
        it was then)."""

        def load() -> gpd.GeoDataFrame:
            frame = self.wh.query(
                "SELECT id, title, category, level, status, district, lon, lat, opened_at, "
                "closed_at, casualties, summary FROM incidents WHERE opened_at <= :at "
                "AND (closed_at > :at OR (closed_at IS NULL AND status = 'open')) "
                "ORDER BY opened_at DESC",
                {"at": at},
            )
            frame = utc(frame, "opened_at", "closed_at")
            frame["status"] = "open"
            return gpd.GeoDataFrame(
                frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
            )

        return self._cached(f"incidents:{at.isoformat()}", load)

    def team_status(self, at: datetime) -> dict[str, str]:
        """Rescue team id → status at `at`, as `Status.team_status` answered then (a team
        absent was `ready`)."""
        return self._cached(f"teams:{at.isoformat()}", lambda: team_states(self.wh, at))

    def checkins(self, at: datetime) -> dict[str, float] | None:
        """Duty room (unit) → epoch seconds of its newest check-in kept by `at`, as
        `Status.checkins` answered then (to the minute). None when none was kept in the day
        before `at` (before check-ins were archived, or no archiver ran): not known, which is
        not the same as every room silent."""

        # Cached as {} when none was kept (a cache keeps no None), answered as None.
        return self._cached(f"checkins:{at.isoformat()}", lambda: checkins_at(self.wh, at)) or None

    def earliest(self) -> datetime | None:
        """The oldest alarm change the warehouse still keeps (None: none at all)."""
        frame = self.wh.query("SELECT MIN(at) AS first FROM alarm_events")
        first = utc(frame, "first")["first"].iloc[0] if not frame.empty else None
        return None if first is None or pd.isna(first) else first.to_pydatetime()


def _epoch(value: pd.Timestamp | None) -> float | None:
    return None if value is None or pd.isna(value) else value.timestamp()


def _row_then(row: dict, at: datetime) -> dict:
    """An `alarm_history` row as the live state held it at `at` (no escalation recorded)."""
    moment = pd.Timestamp(at)
    acked = not pd.isna(row["ack_at"]) and row["ack_at"] <= moment
    closed = not pd.isna(row["closed_at"]) and row["closed_at"] <= moment
    return {
        **{k: row[k] for k in ("id", "source", "level", "category", "title", "site_id")},
        "occurred_at": row["occurred_at"].isoformat(),
        "lon": None if pd.isna(row["lon"]) else float(row["lon"]),
        "lat": None if pd.isna(row["lat"]) else float(row["lat"]),
        "district": row["district"],
        "detail": json.loads(row["detail"] or "{}"),
        "status": "closed" if closed else "acknowledged" if acked else "new",
        "count": int(row["count"] or 1),
        "last_at": _epoch(row["received_at"]),
        "ack_by": row["ack_by"] if acked else None,
        "ack_at": _epoch(row["ack_at"]) if acked else None,
        "closed_by": row["closed_by"] if closed else None,
        "closed_at": _epoch(row["closed_at"]) if closed else None,
        "close_note": row["close_note"] if closed else None,
        "rev": int(row["rev"] or 0),
        "escalation": 0,
        "escalated_at": None,
    }
