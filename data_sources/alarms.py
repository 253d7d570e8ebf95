"""Active alarms in the live state (Redis): ingest, merge of repeats, acknowledge and close,
escalation, the pages of the alarm API and the demo feed's own alarms.

Changes that must be atomic (idempotent insert, merge of repeats) are Lua scripts, so that
concurrent ingest workers cannot interleave them. Times in and out are UTC.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import redis

from data_sources import keys
from vocabulary import ALARM_COLUMNS, LEVELS

# Returns 1 new, 2 merged into an active alarm with the same dedupe key, 0 duplicate id.
# KEYS[7] is this request's own key (a random token): the client retries a script whose answer
# timed out, and the retry must answer what the first run did, not "duplicate" of itself.
_PUT_ALARM = """
local again = redis.call('GET', KEYS[7])
if again then
  local sep = string.find(again, '|', 1, true)
  return {tonumber(string.sub(again, 1, sep - 1)), string.sub(again, sep + 1)}
end
local id, dedupe, body, score, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local seen = KEYS[5] .. id
if redis.call('EXISTS', seen) == 1 then return {0, redis.call('GET', seen)} end
local target = redis.call('HGET', KEYS[4], dedupe)
if target and redis.call('ZSCORE', KEYS[2], target) then
  local key = KEYS[6] .. target
  redis.call('HINCRBY', key, 'count', 1)
  redis.call('HSET', key, 'last_at', now, 'last_id', id)
  redis.call('HINCRBY', key, 'rev', 1)
  redis.call('SET', seen, target, 'EX', ARGV[8])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'op', 'repeat', unpack(redis.call('HGETALL', key)))
  redis.call('INCR', KEYS[1])
  redis.call('PUBLISH', 'se:changed', 'a')
  redis.call('SET', KEYS[7], '2|' .. target, 'EX', 60)
  return {2, target}
end
local key = KEYS[6] .. id
redis.call('HSET', key, 'id', id, 'body', body, 'status', 'new', 'count', 1, 'last_at', now,
           'dedupe', dedupe, 'rev', 1, 'level', ARGV[7])
redis.call('ZADD', KEYS[2], score, id)
redis.call('HSET', KEYS[4], dedupe, id)
redis.call('SET', seen, id, 'EX', ARGV[8])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'op', 'new', unpack(redis.call('HGETALL', key)))
redis.call('INCR', KEYS[1])
redis.call('PUBLISH', 'se:changed', 'a')
redis.call('SET', KEYS[7], '1|' .. id, 'EX', 60)
return {1, id}
"""

# ARGV: id, new status, who, when, note, maxlen, via (system:token of an API call, or '').
# Returns the new status, or an error string.
_TRANSITION = """
local key = KEYS[1]
local status = redis.call('HGET', key, 'status')
if not status then return 'missing' end
local id, to, who, at, note, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local via = ARGV[7] or ''
if status == 'closed' then return 'closed' end
if to == 'acknowledged' then
  if status == 'acknowledged' then return 'acknowledged' end
  redis.call('HSET', key, 'status', to, 'ack_by', who, 'ack_at', at, 'ack_via', via)
else
  redis.call('HSET', key, 'status', to, 'closed_by', who, 'closed_at', at, 'close_note', note,
             'closed_via', via)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[3], tonumber(at), id)
  local dedupe = redis.call('HGET', key, 'dedupe')
  if redis.call('HGET', KEYS[4], dedupe) == id then redis.call('HDEL', KEYS[4], dedupe) end
  redis.call('EXPIRE', key, 172800)
end
redis.call('HINCRBY', key, 'rev', 1)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'op', to, unpack(redis.call('HGETALL', key)))
redis.call('INCR', KEYS[6])
redis.call('PUBLISH', 'se:changed', 'a')
return to
"""

# ARGV: triples of sensor id, ts (ms), value. A reading replaces the stored one only when it
# is newer by event time, so late and repeated deliveries never overwrite a newer value.

# Raise an unacknowledged alarm's escalation stage (never lower it); recorded in the stream.
_ESCALATE = """
local key = KEYS[1]
if redis.call('HGET', key, 'status') ~= 'new' then return 0 end
local current = tonumber(redis.call('HGET', key, 'escalation') or '0')
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', key, 'escalation', ARGV[1], 'escalated_at', ARGV[2])
redis.call('HINCRBY', key, 'rev', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'op', 'escalate', unpack(redis.call('HGETALL', key)))
redis.call('INCR', KEYS[3])
redis.call('PUBLISH', 'se:changed', 'a')
return 1
"""

# Take the lease if free, renew it if ours; never extend somebody else's.


def dedupe_key(alarm: Mapping[str, Any]) -> str:
    # Same system, same place (site or ~100 m cell), same category: one alarm with a count.
    if alarm.get("site_id"):
        where = f"site:{alarm['site_id']}"
    else:
        where = f"pos:{alarm.get('lon') or 0:.3f},{alarm.get('lat') or 0:.3f}"
    # Demo-feed alarms never merge with a real system's (nor real ones into a demo alarm).
    demo = "demo|" if (alarm.get("detail") or {}).get("demo") is True else ""
    return f"{demo}{alarm['source']}|{where}|{alarm['category']}"


@dataclass(frozen=True)
class AlarmPage:
    """One page of alarms, the total at that instant, and where the next page starts."""

    alarms: pd.DataFrame
    total: int
    next_after: tuple[str, float, str] | None


class Alarms:
    """The alarms the screens show. Columns of every frame: `vocabulary.ALARM_COLUMNS`."""

    def __init__(self, client: redis.Redis, seen_ttl_s: int = 604800) -> None:
        self.r = client
        # How long an upstream id stays known (a retry within it is a duplicate, 200).
        self.seen_ttl_s = seen_ttl_s
        self._put_alarm = client.register_script(_PUT_ALARM)
        self._transition = client.register_script(_TRANSITION)
        self._escalate = client.register_script(_ESCALATE)

    def put(self, alarm: Mapping[str, Any], now: float | None = None) -> tuple[str, str]:
        """Store a validated alarm; return ("new"|"merged"|"duplicate", id it lives under).

        `alarm` has id, source, level, category, title, occurred_at (datetime, UTC), lon,
        lat, site_id, district, detail.
        """
        now = time.time() if now is None else now
        body = dict(alarm)
        occurred = body["occurred_at"]
        body["occurred_at"] = occurred.isoformat()
        outcome, target = self._put_alarm(
            keys=[
                keys.VERSION,
                keys.ALARMS_ACTIVE,
                keys.ALARM_STREAM,
                keys.ALARMS_DEDUPE,
                keys.SEEN,
                keys.ALARM_PREFIX,
                keys.PUT_REQUEST + secrets.token_hex(8),
            ],
            args=[
                alarm["id"],
                dedupe_key(alarm),
                json.dumps(body, ensure_ascii=False),
                occurred.timestamp(),
                f"{now:.3f}",
                keys.STREAM_MAXLEN,
                alarm["level"],
                self.seen_ttl_s,
            ],
        )
        return {0: "duplicate", 1: "new", 2: "merged"}[int(outcome)], target

    def transition(
        self, alarm_id: str, to: str, who: str, at: float, note: str = "", via: str = ""
    ) -> str:
        """Acknowledge or close an alarm; return the status it is in afterwards, or 'missing'.

        `via` is the system:token id of an API call (kept as ack_via / closed_via)."""
        if to not in {"acknowledged", "closed"}:
            raise ValueError(f"unknown alarm status {to!r}")
        target = self.resolve(alarm_id)
        return self._transition(
            keys=[
                keys.alarm(target),
                keys.ALARMS_ACTIVE,
                keys.ALARMS_CLOSED,
                keys.ALARMS_DEDUPE,
                keys.ALARM_STREAM,
                keys.VERSION,
            ],
            args=[target, to, who, f"{at:.3f}", note, keys.STREAM_MAXLEN, via],
        )

    def resolve(self, alarm_id: str) -> str:
        """The id an upstream id lives under (itself, or the alarm its repeat merged into)."""
        return self.r.get(keys.SEEN + alarm_id) or alarm_id

    def escalate(self, alarm_id: str, stage: int, at: float) -> bool:
        """Record that an unacknowledged alarm reached escalation `stage`; False if not raised."""
        return bool(
            self._escalate(
                keys=[keys.alarm(alarm_id), keys.ALARM_STREAM, keys.VERSION],
                args=[stage, f"{at:.3f}", keys.STREAM_MAXLEN],
            )
        )

    def get(self, alarm_id: str) -> dict[str, Any] | None:
        """One alarm's current state, or None."""
        state = self.r.hgetall(keys.alarm(alarm_id))
        return alarm_row(state) if state else None

    def active(self, limit: int = 500, closed_window_s: float = 3600) -> pd.DataFrame:
        """Alarms not closed (newest first), then those closed within `closed_window_s`.

        Columns: id, source, level, category, title, occurred_at (UTC), lon, lat, site_id,
        district, detail (dict), status (new/acknowledged/closed), count, last_at (UTC),
        ack_by, ack_at, closed_by, closed_at, close_note.
        """
        ids = self.r.zrevrange(keys.ALARMS_ACTIVE, 0, limit - 1)
        since = time.time() - closed_window_s
        ids += self.r.zrevrangebyscore(keys.ALARMS_CLOSED, "+inf", since, start=0, num=limit)
        pipe = self.r.pipeline(transaction=False)
        for alarm_id in ids:
            pipe.hgetall(keys.alarm(alarm_id))
        rows = [alarm_row(state) for state in pipe.execute() if state]
        return alarm_frame(rows)

    def changes(self, after: str | None, count: int = 500) -> tuple[str, pd.DataFrame]:
        """Alarm changes recorded after stream id `after` (None: none, only the newest id):
        (newest id read, the changed alarms as `active` gives them, oldest first, with `op`:
        what happened, new/repeat/acknowledged/closed/escalate)."""
        newest, rows = self._changed(after, count)
        ops = [row.pop("op") for row in rows]
        frame = alarm_frame(rows)
        frame["op"] = ops
        return newest, frame

    def change_records(self, after: str | None, count: int = 500) -> tuple[str, list[dict]]:
        """The same as `changes`, as plain rows (dicts of the frame's columns and `op`; times
        as aware datetimes, None where unset): the push hub's per-change path, where building
        a frame of one alarm cost more than all the rest of the change."""
        newest, rows = self._changed(after, count)
        for row in rows:
            row["occurred_at"] = _utc(datetime.fromisoformat(row["occurred_at"]))
            for name in _TIME_FIELDS:
                at = row[name]
                row[name] = None if at is None else datetime.fromtimestamp(at, UTC)
        return newest, rows

    def _changed(self, after: str | None, count: int) -> tuple[str, list[dict]]:
        if after is None:
            newest = self.r.xrevrange(keys.ALARM_STREAM, count=1)
            return (newest[0][0] if newest else "0-0"), []
        entries = self.r.xrange(keys.ALARM_STREAM, min=f"({after}", count=count)
        rows = []
        for _id, fields in entries:
            if fields.get("body"):
                row = alarm_row(fields)
                row["op"] = fields.get("op", "")
                rows.append(row)
        return (entries[-1][0] if entries else after), rows

    def page(
        self,
        status: str,
        limit: int,
        after: tuple[str, float, str] | None = None,
        closed_window_s: float = 86400,
    ) -> AlarmPage:
        """One page of `GET /api/v1/alarms`: alarms not closed, newest `occurred_at` first
        (ties by id, descending); with status "all" then those closed within the window,
        newest close first.

        `after` is the last (part, score, id) of the previous page, part "active" or
        "closed". The order rests on scores that do not change while an alarm stays in its
        set, so a walk sees every alarm that stays in it once, with no gap, however many
        arrive meanwhile. Columns of `alarms`: those of `active`.
        """
        since = time.time() - closed_window_s
        parts = [("active", keys.ALARMS_ACTIVE, "-inf")]
        if status == "all":
            parts.append(("closed", keys.ALARMS_CLOSED, since))
        if after is not None:
            parts = parts[[name for name, _, _ in parts].index(after[0]) :]
        want = limit + 1  # one more than a page tells whether there is a next one
        pipe = self.r.pipeline(transaction=True)  # one instant: the page and the total agree
        for i, (_, key, floor) in enumerate(parts):
            if i == 0 and after is not None:
                pipe.zrangebyscore(key, after[1], after[1])  # the ties of the last one
                pipe.zrevrangebyscore(key, f"({after[1]!r}", floor, 0, want, withscores=True)
            else:
                pipe.zrevrangebyscore(key, "+inf", floor, 0, want, withscores=True)
        pipe.zcard(keys.ALARMS_ACTIVE)
        if status == "all":
            pipe.zcount(keys.ALARMS_CLOSED, since, "+inf")
        replies = iter(pipe.execute())
        found: list[tuple[str, float, str]] = []
        for i, (name, _, _) in enumerate(parts):
            if i == 0 and after is not None:
                ties = sorted((m for m in next(replies) if m < after[2]), reverse=True)
                found += [(name, after[1], m) for m in ties]
            found += [(name, float(score), m) for m, score in next(replies)]
        total = sum(int(n) for n in replies)
        page, more = found[:limit], len(found) > limit
        pipe = self.r.pipeline(transaction=False)
        for _, _, alarm_id in page:
            pipe.hgetall(keys.alarm(alarm_id))
        rows = [alarm_row(state) for state in pipe.execute() if state]
        return AlarmPage(alarm_frame(rows), total, page[-1] if more else None)

    def escalations(self, alarm_ids: list[str]) -> dict[str, int]:
        """Alarm id → the escalation stage it has reached (0: none), read fresh."""
        pipe = self.r.pipeline(transaction=False)
        for alarm_id in alarm_ids:
            pipe.hget(keys.alarm(alarm_id), "escalation")
        return {aid: int(v or 0) for aid, v in zip(alarm_ids, pipe.execute())}

    def level_counts(self) -> dict[str, int]:
        """Active alarms per level (all four levels present), however many there are.

        One small field per alarm, not the whole alarm: an alarm flood of thousands must not
        make the wall's counts slow.
        """
        ids = self.r.zrange(keys.ALARMS_ACTIVE, 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for alarm_id in ids:
            pipe.hget(keys.alarm(alarm_id), "level")
        levels = pipe.execute()
        missing = [alarm_id for alarm_id, level in zip(ids, levels) if level is None]
        if missing:  # restored from the warehouse before alarms carried their level
            for alarm_id in missing:
                pipe.hget(keys.alarm(alarm_id), "body")
            levels += [json.loads(b)["level"] if b else None for b in pipe.execute()]
        counts = {level: 0 for level in LEVELS}
        for level in levels:
            if level in counts:
                counts[level] += 1
        return counts

    def trim_closed(self, keep_s: float = 86400) -> int:
        return int(self.r.zremrangebyscore(keys.ALARMS_CLOSED, "-inf", time.time() - keep_s))

    def demo_added(self, alarm_id: str) -> None:
        """Remember an alarm the demo feed created (shared by every worker that may run it)."""
        self.r.sadd(keys.DEMO_ALARMS, alarm_id)

    def demo_closed(self, alarm_id: str) -> None:
        self.r.srem(keys.DEMO_ALARMS, alarm_id)

    def demo_ids(self) -> set[str]:
        """Ids of the alarms the demo feed created and has not closed."""
        return set(self.r.smembers(keys.DEMO_ALARMS))


_TIME_FIELDS = ("last_at", "ack_at", "closed_at", "escalated_at")


def alarm_row(state: Mapping[str, str]) -> dict[str, Any]:
    body = json.loads(state["body"])
    row = {
        "id": state["id"],
        "source": body["source"],
        "level": body["level"],
        "category": body["category"],
        "title": body["title"],
        "occurred_at": body["occurred_at"],
        "lon": body.get("lon"),
        "lat": body.get("lat"),
        "site_id": body.get("site_id"),
        "district": body.get("district"),
        "detail": body.get("detail") or {},
        "status": state["status"],
        "count": int(state.get("count", 1)),
        "ack_by": state.get("ack_by"),
        "closed_by": state.get("closed_by"),
        "close_note": state.get("close_note"),
        "ack_via": state.get("ack_via") or None,
        "closed_via": state.get("closed_via") or None,
        "rev": int(state.get("rev", 1)),
        "escalation": int(state.get("escalation") or 0),
    }
    for name in _TIME_FIELDS:
        row[name] = float(state[name]) if state.get(name) else None
    return row


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def alarm_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ALARM_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601")
    for name in _TIME_FIELDS:
        frame[name] = pd.to_datetime(frame[name], unit="s", utc=True)
    return frame
