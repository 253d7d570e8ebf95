"""Live state in Redis: active alarms, latest readings, heartbeats, team status, check-ins.

The same code runs against a real Redis server (`REDIS_URL`) and against the embedded
in-process store (fakeredis, which speaks the Redis protocol and runs the same Lua), so
`make run` exercises exactly the path production uses. Key names: `data_sources.keys`.
Changes that must be atomic (idempotent insert, merge of repeats, newest-reading-wins) are
Lua scripts, so that concurrent ingest workers cannot interleave them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from data_sources import keys

log = logging.getLogger(__name__)

LEVELS = ("red", "orange", "yellow", "blue")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}

# Returns 1 new, 2 merged into an active alarm with the same dedupe key, 0 duplicate id.
_PUT_ALARM = """
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
return to
"""

# ARGV: triples of sensor id, ts (ms), value. A reading replaces the stored one only when it
# is newer by event time, so late and repeated deliveries never overwrite a newer value.
_PUT_READINGS = """
local updated = 0
for i = 1, #ARGV, 3 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if cur then
    local ts = tonumber(string.match(cur, '^(%d+)|'))
    newer = tonumber(ARGV[i + 1]) > ts
  end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2])
    updated = updated + 1
  end
end
if updated > 0 then redis.call('INCR', KEYS[2]) end
return updated
"""


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
return 1
"""

# Take the lease if free, renew it if ours; never extend somebody else's.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


def connect(url: str) -> redis.Redis:
    """A client with short timeouts: a screen must learn fast that Redis is gone, not hang."""
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        protocol=2,
        socket_timeout=1.5,
        socket_connect_timeout=1.0,
        health_check_interval=10,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        client_name="smart-emergency",
    )


def embedded() -> redis.Redis:
    """The in-process store used when REDIS_URL is unset (one process only)."""
    import fakeredis

    return fakeredis.FakeRedis(decode_responses=True, server=fakeredis.FakeServer())


def _dedupe_key(alarm: Mapping[str, Any]) -> str:
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


class LiveState:
    """Typed access to the live state. Times in and out are UTC."""

    def __init__(self, client: redis.Redis, seen_ttl_s: int = 604800) -> None:
        self.r = client
        # How long an upstream id stays known (a retry within it is a duplicate, 200).
        self.seen_ttl_s = seen_ttl_s
        self._put_alarm = client.register_script(_PUT_ALARM)
        self._transition = client.register_script(_TRANSITION)
        self._put_readings = client.register_script(_PUT_READINGS)
        self._escalate = client.register_script(_ESCALATE)
        self._lease = client.register_script(_LEASE)

    def ping(self) -> None:
        self.r.ping()

    def version(self) -> int:
        """A number that changes whenever alarms, incidents, teams or duty change (one GET)."""
        return int(self.r.get(keys.VERSION) or 0)

    def versions(self) -> tuple[int, int]:
        """(state version, readings version) in one round trip."""
        state, readings = self.r.mget(keys.VERSION, keys.READINGS_VERSION)
        return int(state or 0), int(readings or 0)

    def bump(self) -> None:
        self.r.incr(keys.VERSION)

    # alarms ---------------------------------------------------------------------------

    def put_alarm(self, alarm: Mapping[str, Any], now: float | None = None) -> tuple[str, str]:
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
                keys.PREFIX + "alarms:dedupe",
                keys.PREFIX + "seen:",
                keys.PREFIX + "alarm:",
            ],
            args=[
                alarm["id"],
                _dedupe_key(alarm),
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
                keys.PREFIX + "alarms:dedupe",
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

    def alarm(self, alarm_id: str) -> dict[str, Any] | None:
        """One alarm's current state, or None."""
        state = self.r.hgetall(keys.alarm(alarm_id))
        return _alarm_row(state) if state else None

    def active_alarms(self, limit: int = 500, closed_window_s: float = 3600) -> pd.DataFrame:
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
        rows = [_alarm_row(state) for state in pipe.execute() if state]
        return _alarm_frame(rows)

    def alarm_page(
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
        arrive meanwhile. Columns of `alarms`: those of `active_alarms`.
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
        rows = [_alarm_row(state) for state in pipe.execute() if state]
        return AlarmPage(_alarm_frame(rows), total, page[-1] if more else None)

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

    # readings -------------------------------------------------------------------------

    def put_readings(self, readings: Iterable[tuple[str, float, float]]) -> int:
        """Store (sensor id, epoch s, value) readings; return how many became the latest."""
        batch = list(readings)
        if not batch:
            return 0
        args: list[Any] = []
        for sensor_id, ts, value in batch:
            args += [sensor_id, int(round(ts * 1000)), repr(float(value))]
        pipe = self.r.pipeline(transaction=True)
        pipe.xadd(
            keys.READING_STREAM,
            {"batch": json.dumps([[s, t, v] for s, t, v in batch])},
            maxlen=keys.STREAM_MAXLEN,
            approximate=True,
        )
        self._put_readings(keys=[keys.SENSOR_LATEST, keys.READINGS_VERSION], args=args, client=pipe)
        return int(pipe.execute()[-1])

    def latest_readings(self) -> pd.DataFrame:
        """Columns: sensor_id, ts (UTC), value."""
        raw = self.r.hgetall(keys.SENSOR_LATEST)
        rows = []
        for sensor_id, packed in raw.items():
            ts, _, value = packed.partition("|")
            rows.append((sensor_id, int(ts), float(value)))
        frame = pd.DataFrame(rows, columns=["sensor_id", "ts", "value"])
        frame["ts"] = pd.to_datetime(frame["ts"], unit="ms", utc=True)
        return frame

    # heartbeats, teams, duty ----------------------------------------------------------

    def heartbeat(self, source: str, at: float | None = None) -> None:
        self.r.hset(keys.HEARTBEATS, source, f"{time.time() if at is None else at:.3f}")

    def heartbeats(self) -> dict[str, float]:
        """Upstream system code → last heartbeat (epoch s)."""
        return {k: float(v) for k, v in self.r.hgetall(keys.HEARTBEATS).items()}

    def set_team_status(self, team_id: str, status: str) -> None:
        self.r.hset(keys.TEAM_STATUS, team_id, status)
        self.bump()

    def team_status(self) -> dict[str, str]:
        return self.r.hgetall(keys.TEAM_STATUS)

    def checkin(self, unit: str, at: float | None = None) -> None:
        self.r.hset(keys.DUTY_CHECKIN, unit, f"{time.time() if at is None else at:.3f}")
        self.bump()

    def checkins(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.r.hgetall(keys.DUTY_CHECKIN).items()}

    # the demo feed's own alarms --------------------------------------------------------

    def demo_alarm_added(self, alarm_id: str) -> None:
        """Remember an alarm the demo feed created (shared by every worker that may run it)."""
        self.r.sadd(keys.DEMO_ALARMS, alarm_id)

    def demo_alarm_closed(self, alarm_id: str) -> None:
        self.r.srem(keys.DEMO_ALARMS, alarm_id)

    def demo_alarms(self) -> set[str]:
        """Ids of the alarms the demo feed created and has not closed."""
        return set(self.r.smembers(keys.DEMO_ALARMS))

    def lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Take or renew a singleton lease; True while `owner` holds it."""
        return bool(self._lease(keys=[keys.lock(name)], args=[owner, int(ttl_s * 1000)]))

    # restoring lost live state (the archiver, after Redis came back empty) ----------------

    # ARGV: seen TTL (s), then one JSON object per alarm: id, status, score, dedupe, expire
    # (s, 0: none), rev, merged (ids), fields (hash field → text). One argument per alarm
    # keeps the client's packing cheap at 100k alarms. Revision guard: an alarm whose hash
    # holds the same or a newer revision is left alone (the live state moved on: an ack or
    # close taken during the restore); an older one (a retried post taken as new while the
    # seen marks were gone) is replaced. Nothing goes to the alarm stream.
    _RESTORE_ALARMS = """
local ttl, restored = ARGV[1], 0
for i = 2, #ARGV do
  local a = cjson.decode(ARGV[i])
  local id = a.id
  local key = KEYS[6] .. id
  local current = tonumber(redis.call('HGET', key, 'rev') or '-1')
  if current < a.rev then
    if current >= 0 then
      local old_dedupe = redis.call('HGET', key, 'dedupe')
      if old_dedupe and redis.call('HGET', KEYS[4], old_dedupe) == id then
        redis.call('HDEL', KEYS[4], old_dedupe)
      end
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
    end
    local kv = {}
    for k, v in pairs(a.fields) do
      kv[#kv + 1] = k
      kv[#kv + 1] = v
    end
    redis.call('HSET', key, unpack(kv))
    if a.status == 'closed' then
      redis.call('ZADD', KEYS[3], a.score, id)
      if a.expire > 0 then redis.call('EXPIRE', key, a.expire) end
    else
      redis.call('ZADD', KEYS[2], a.score, id)
      if a.dedupe ~= '' then redis.call('HSETNX', KEYS[4], a.dedupe, id) end
    end
    restored = restored + 1
  end
  redis.call('SET', KEYS[5] .. id, id, 'NX', 'EX', ttl)
  for _, m in ipairs(a.merged) do redis.call('SET', KEYS[5] .. m, id, 'NX', 'EX', ttl) end
end
if restored > 0 then redis.call('INCR', KEYS[1]) end
return restored
"""

    def restore_alarms(
        self,
        alarms: Iterable[Mapping[str, Any]],
        now: float | None = None,
        chunk: int = 500,
        min_expire_s: int = 0,
    ) -> int:
        """Put alarms known to the warehouse back into a live state that lost them; return
        how many were restored. Alarms already in the live state are left as they are.

        Each alarm has the fields of `put_alarm` (occurred_at an aware datetime, received_at
        ISO text or None) and its state: status, count, rev, last_at, ack_by, ack_at,
        closed_by, closed_at, close_note (times epoch s or None), dedupe (None: derived) and
        merged_ids (upstream ids merged into it as repeats). Closed alarms come back for the
        rest of their two days in the live state (at least `min_expire_s`); older ones are
        skipped. An alarm the live state holds at the same or a newer revision is left as it
        is; one at an older revision is replaced.
        """
        now = time.time() if now is None else now
        script = self.r.register_script(self._RESTORE_ALARMS)
        restored = 0
        args: list[Any] = [604800]
        in_chunk = 0
        for alarm in alarms:
            packed = self._restore_args(alarm, now, min_expire_s)
            if packed is None:
                continue
            args.append(packed)
            in_chunk += 1
            if in_chunk >= chunk:
                restored += int(script(keys=self._restore_keys(), args=args))
                args, in_chunk = [604800], 0
        if in_chunk:
            restored += int(script(keys=self._restore_keys(), args=args))
        return restored

    @staticmethod
    def _restore_keys() -> list[str]:
        return [
            keys.VERSION,
            keys.ALARMS_ACTIVE,
            keys.ALARMS_CLOSED,
            keys.ALARMS_DEDUPE,
            keys.SEEN,
            keys.PREFIX + "alarm:",
        ]

    @staticmethod
    def _restore_args(alarm: Mapping[str, Any], now: float, min_expire_s: int = 0) -> str | None:
        occurred = alarm["occurred_at"]
        body = {
            "id": alarm["id"],
            "source": alarm["source"],
            "level": alarm["level"],
            "category": alarm["category"],
            "title": alarm["title"],
            "occurred_at": occurred.isoformat(),
            "lon": alarm.get("lon"),
            "lat": alarm.get("lat"),
            "site_id": alarm.get("site_id"),
            "district": alarm.get("district"),
            "detail": alarm.get("detail") or {},
        }
        if alarm.get("received_at") is not None:
            body["received_at"] = str(alarm["received_at"])
        dedupe = alarm.get("dedupe") or _dedupe_key(body)
        fields: dict[str, Any] = {
            "id": alarm["id"],
            "body": json.dumps(body, ensure_ascii=False),
            "status": alarm["status"],
            "count": int(alarm.get("count") or 1),
            "last_at": f"{alarm.get('last_at') or occurred.timestamp():.3f}",
            "dedupe": dedupe,
            "rev": int(alarm.get("rev") or 1),
        }
        for name in ("ack_by", "closed_by", "close_note"):
            if alarm.get(name) is not None:
                fields[name] = alarm[name]
        for name in ("ack_at", "closed_at"):
            if alarm.get(name) is not None:
                fields[name] = f"{alarm[name]:.3f}"
        expire = 0
        score = occurred.timestamp()
        if alarm["status"] == "closed":
            # The same lifetimes as _TRANSITION: the hash two days, the closed zset one.
            closed_at = float(alarm.get("closed_at") or now)
            expire = max(int(172800 - (now - closed_at)), min_expire_s)
            if expire <= 0:
                return None
            score = closed_at
        merged = [m for m in alarm.get("merged_ids") or () if m != alarm["id"]]
        packed = {
            "id": alarm["id"],
            "status": alarm["status"],
            "score": score,
            "dedupe": dedupe if alarm["status"] != "closed" else "",
            "expire": expire,
            "rev": fields["rev"],
            "merged": merged,
            "fields": {k: str(v) for k, v in fields.items()},
        }
        return json.dumps(packed, ensure_ascii=False)

    def restore_readings(self, readings: Iterable[tuple[str, float, float]]) -> int:
        """Put (sensor id, epoch s, value) back as latest values where they are newer than
        what the live state holds, without adding them to the readings stream."""
        updated = 0
        args: list[Any] = []
        for sensor_id, ts, value in readings:
            args += [sensor_id, int(round(ts * 1000)), repr(float(value))]
            if len(args) >= 3000:
                updated += int(
                    self._put_readings(keys=[keys.SENSOR_LATEST, keys.READINGS_VERSION], args=args)
                )
                args = []
        if args:
            updated += int(
                self._put_readings(keys=[keys.SENSOR_LATEST, keys.READINGS_VERSION], args=args)
            )
        return updated

    def is_restored(self) -> bool:
        """False when the live state may have lost what the warehouse knows (Redis restarted
        empty, or never seeded from the warehouse)."""
        return bool(self.r.exists(keys.RESTORED))

    def mark_restored(self) -> None:
        self.r.set(keys.RESTORED, f"{time.time():.3f}")

    # roll call of the district duty rooms (点名, issue 6) ----------------------------------

    # KEYS: rollcall, units, answers, version. ARGV: unit, at. Returns {code, roll call id}:
    # 1 answered, 2 had already answered, -1 not called in this roll call, 0 no roll call.
    _ANSWER_ROLLCALL = """
local id = redis.call('HGET', KEYS[1], 'id')
if not id then return {0, ''} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {-1, id} end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return {2, id} end
redis.call('INCR', KEYS[4])
return {1, id}
"""

    def start_rollcall(
        self,
        rollcall_id: str,
        units: Iterable[str],
        deadline_s: float,
        started_by: str = "",
        at: float | None = None,
    ) -> None:
        """Start a roll call of `units` (replacing the previous one): each must answer within
        `deadline_s` seconds of `at`."""
        units = list(units)
        if not units:
            raise ValueError("a roll call needs at least one unit")
        at = time.time() if at is None else at
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(keys.ROLLCALL, keys.ROLLCALL_UNITS, keys.ROLLCALL_ANSWERS)
        pipe.hset(
            keys.ROLLCALL,
            mapping={
                "id": rollcall_id,
                "started_at": f"{at:.3f}",
                "deadline_at": f"{at + deadline_s:.3f}",
                "deadline_s": f"{deadline_s:g}",
                "started_by": started_by,
            },
        )
        pipe.sadd(keys.ROLLCALL_UNITS, *units)
        pipe.incr(keys.VERSION)
        pipe.execute()

    def answer_rollcall(self, unit: str, at: float | None = None) -> tuple[str, str | None]:
        """Record that `unit` answered the running roll call (its first answer counts).

        Returns (outcome, roll call id): outcome is "answered", "duplicate" (had already
        answered), "not-called" (not part of this roll call) or "none" (no roll call).
        """
        at = time.time() if at is None else at
        script = self.r.register_script(self._ANSWER_ROLLCALL)
        code, rollcall_id = script(
            keys=[keys.ROLLCALL, keys.ROLLCALL_UNITS, keys.ROLLCALL_ANSWERS, keys.VERSION],
            args=[unit, f"{at:.3f}"],
        )
        outcome = {1: "answered", 2: "duplicate", -1: "not-called", 0: "none"}[int(code)]
        return outcome, rollcall_id or None

    def rollcall_state(self) -> dict[str, Any] | None:
        """The latest roll call, or None: id, started_at, deadline_at (epoch s), deadline_s,
        started_by, units (sorted list), answers (unit → epoch s)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(keys.ROLLCALL)
        pipe.smembers(keys.ROLLCALL_UNITS)
        pipe.hgetall(keys.ROLLCALL_ANSWERS)
        call, units, answers = pipe.execute()
        if not call:
            return None
        return {
            "id": call["id"],
            "started_at": float(call["started_at"]),
            "deadline_at": float(call["deadline_at"]),
            "deadline_s": float(call["deadline_s"]),
            "started_by": call.get("started_by", ""),
            "units": sorted(units),
            "answers": {unit: float(at) for unit, at in answers.items()},
        }

    # presenter control (issue 7): what the wall and consultation displays follow -----------

    def set_focus(
        self,
        kind: str,
        ident: str,
        by: str,
        at: float,
        *,
        label: str = "",
        by_user: str = "",
        district: str | None = None,
        lon: float | None = None,
        lat: float | None = None,
        bounds: list[list[float]] | None = None,
    ) -> dict[str, Any]:
        """Point the wall and consultation displays at an incident or a district until
        released (replacing any focus); return the new focus as `focus()` gives it."""
        if kind not in {"incident", "district"}:
            raise ValueError(f"unknown focus kind {kind!r}")
        fields = {"kind": kind, "id": ident, "label": label, "by": by, "by_user": by_user}
        fields["at"] = f"{at:.3f}"
        if district:
            fields["district"] = district
        if lon is not None and lat is not None:
            fields |= {"lon": repr(float(lon)), "lat": repr(float(lat))}
        if bounds is not None:
            fields["bounds"] = json.dumps(bounds)
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(keys.FOCUS)
        pipe.hset(keys.FOCUS, mapping=fields)
        pipe.incr(keys.VERSION)
        pipe.execute()
        return _focus_row(fields)

    def release_focus(self, by: str, at: float) -> dict[str, Any] | None:
        """End the focus (whoever set it); return the focus that was released, or None.
        `by` and `at` are the caller's record for the audit trail; the hash is removed."""
        pipe = self.r.pipeline(transaction=True)
        pipe.hgetall(keys.FOCUS)
        pipe.delete(keys.FOCUS)
        previous, removed = pipe.execute()
        if removed:
            self.bump()
        return _focus_row(previous) if previous else None

    def focus(self) -> dict[str, Any] | None:
        """The current focus, or None: kind ('incident'/'district'), id (incident id or
        district adcode), label, by (display name), by_user (login), at (epoch s, float),
        district (adcode the focus lies in, or None), lon, lat (WGS-84 floats or None),
        bounds ([[south, west], [north, east]] in WGS-84, or None)."""
        state = self.r.hgetall(keys.FOCUS)
        return _focus_row(state) if state else None


_TIME_FIELDS = ("last_at", "ack_at", "closed_at", "escalated_at")


def _alarm_row(state: Mapping[str, str]) -> dict[str, Any]:
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


ALARM_COLUMNS = [
    "id",
    "source",
    "level",
    "category",
    "title",
    "occurred_at",
    "lon",
    "lat",
    "site_id",
    "district",
    "detail",
    "status",
    "count",
    "last_at",
    "ack_by",
    "ack_at",
    "closed_by",
    "closed_at",
    "close_note",
    "rev",
    "escalation",
    "escalated_at",
]


def _alarm_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ALARM_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601")
    for name in _TIME_FIELDS:
        frame[name] = pd.to_datetime(frame[name], unit="s", utc=True)
    return frame


def _focus_row(state: Mapping[str, str]) -> dict[str, Any]:
    return {
        "kind": state["kind"],
        "id": state["id"],
        "label": state.get("label", ""),
        "by": state.get("by", ""),
        "by_user": state.get("by_user", ""),
        "at": float(state["at"]),
        "district": state.get("district") or None,
        "lon": float(state["lon"]) if state.get("lon") else None,
        "lat": float(state["lat"]) if state.get("lat") else None,
        "bounds": json.loads(state["bounds"]) if state.get("bounds") else None,
    }
