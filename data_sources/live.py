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
  redis.call('SET', seen, target, 'EX', 604800)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'op', 'repeat', unpack(redis.call('HGETALL', key)))
  redis.call('INCR', KEYS[1])
  return {2, target}
end
local key = KEYS[6] .. id
redis.call('HSET', key, 'id', id, 'body', body, 'status', 'new', 'count', 1, 'last_at', now,
           'dedupe', dedupe, 'rev', 1)
redis.call('ZADD', KEYS[2], score, id)
redis.call('HSET', KEYS[4], dedupe, id)
redis.call('SET', seen, id, 'EX', 604800)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'op', 'new', unpack(redis.call('HGETALL', key)))
redis.call('INCR', KEYS[1])
return {1, id}
"""

# ARGV: id, new status, who, when, note, maxlen. Returns the new status, or an error string.
_TRANSITION = """
local key = KEYS[1]
local status = redis.call('HGET', key, 'status')
if not status then return 'missing' end
local id, to, who, at, note, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if status == 'closed' then return 'closed' end
if to == 'acknowledged' then
  if status == 'acknowledged' then return 'acknowledged' end
  redis.call('HSET', key, 'status', to, 'ack_by', who, 'ack_at', at)
else
  redis.call('HSET', key, 'status', to, 'closed_by', who, 'closed_at', at, 'close_note', note)
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
        where = f"pos:{alarm.get('lon', 0):.3f},{alarm.get('lat', 0):.3f}"
    return f"{alarm['source']}|{where}|{alarm['category']}"


class LiveState:
    """Typed access to the live state. Times in and out are UTC."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._put_alarm = client.register_script(_PUT_ALARM)
        self._transition = client.register_script(_TRANSITION)
        self._put_readings = client.register_script(_PUT_READINGS)

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
            ],
        )
        return {0: "duplicate", 1: "new", 2: "merged"}[int(outcome)], target

    def transition(self, alarm_id: str, to: str, who: str, at: float, note: str = "") -> str:
        """Acknowledge or close an alarm; return the status it is in afterwards, or 'missing'."""
        if to not in {"acknowledged", "closed"}:
            raise ValueError(f"unknown alarm status {to!r}")
        target = self.r.get(keys.PREFIX + "seen:" + alarm_id) or alarm_id
        return self._transition(
            keys=[
                keys.alarm(target),
                keys.ALARMS_ACTIVE,
                keys.ALARMS_CLOSED,
                keys.PREFIX + "alarms:dedupe",
                keys.ALARM_STREAM,
                keys.VERSION,
            ],
            args=[target, to, who, f"{at:.3f}", note, keys.STREAM_MAXLEN],
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

    def level_counts(self) -> dict[str, int]:
        """Active alarms per level (all four levels present)."""
        frame = self.active_alarms(limit=10_000, closed_window_s=0)
        counts = frame["level"].value_counts().to_dict() if len(frame) else {}
        return {level: int(counts.get(level, 0)) for level in LEVELS}

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

    def lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Take or renew a singleton lease; True while `owner` holds it."""
        key = keys.lock(name)
        if self.r.set(key, owner, nx=True, px=int(ttl_s * 1000)):
            return True
        if self.r.get(key) == owner:
            self.r.pexpire(key, int(ttl_s * 1000))
            return True
        return False


_TIME_FIELDS = ("last_at", "ack_at", "closed_at")


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
        "rev": int(state.get("rev", 1)),
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
]


def _alarm_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ALARM_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601")
    for name in _TIME_FIELDS:
        frame[name] = pd.to_datetime(frame[name], unit="s", utc=True)
    return frame
