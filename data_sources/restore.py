"""Restoring a live state that lost its data (Redis came back empty): the archiver puts back
what the warehouse knows, alarms, latest readings and team status, without writing to the
streams."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from data_sources import keys
from data_sources.alarms import dedupe_key
from data_sources.readings import PUT_READINGS


class Restore:
    """Put back into the live state what the warehouse knows; mark the live state restored."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._put_readings = client.register_script(PUT_READINGS)
        self._restore = client.register_script(self._RESTORE_ALARMS)

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
if restored > 0 then
  redis.call('INCR', KEYS[1])
  redis.call('PUBLISH', 'se:changed', 's')
end
return restored
"""

    def alarms(
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
                restored += int(self._restore(keys=self._restore_keys(), args=args))
                args, in_chunk = [604800], 0
        if in_chunk:
            restored += int(self._restore(keys=self._restore_keys(), args=args))
        return restored

    @staticmethod
    def _restore_keys() -> list[str]:
        return [
            keys.VERSION,
            keys.ALARMS_ACTIVE,
            keys.ALARMS_CLOSED,
            keys.ALARMS_DEDUPE,
            keys.SEEN,
            keys.ALARM_PREFIX,
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
        dedupe = alarm.get("dedupe") or dedupe_key(body)
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

    def readings(self, readings: Iterable[tuple[str, float, float]]) -> int:
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

    def team_status(self, statuses: Mapping[str, str]) -> int:
        """Put back each team's status where the live state has none (a change taken since
        Redis came back is newer); return how many were put back."""
        return self._put_missing(keys.TEAM_STATUS, statuses)

    def checkins(self, checkins: Mapping[str, float]) -> int:
        """Put back each duty room's last kept check-in where the live state has none (one
        taken since Redis came back is newer); return how many were put back."""
        return self._put_missing(keys.DUTY_CHECKIN, {u: f"{at:.3f}" for u, at in checkins.items()})

    def _put_missing(self, key: str, values: Mapping[str, str]) -> int:
        """HSETNX each of `values` into the hash `key`; a change to the screens if any was."""
        if not values:
            return 0
        pipe = self.r.pipeline(transaction=True)
        for field, value in values.items():
            pipe.hsetnx(key, field, value)
        restored = sum(bool(n) for n in pipe.execute())
        if restored:
            pipe.incr(keys.VERSION)
            pipe.publish(keys.CHANGED, "s")
            pipe.execute()
        return restored

    def is_restored(self) -> bool:
        """False when the live state may have lost what the warehouse knows (Redis restarted
        empty, or never seeded from the warehouse)."""
        return bool(self.r.exists(keys.RESTORED))

    # Versions never come back: each screen and the shared cache (`live:<version>:<panel>`)
    # take a version they have seen as "nothing changed". A Redis that lost its data counts
    # from 0 again, so the restore lifts both counters past anything handed out before: to
    # the clock in milliseconds, which only moves forward (and fits a JavaScript number).
    _LEAP = """
    for _, key in ipairs(KEYS) do
        if tonumber(redis.call('GET', key) or '0') < tonumber(ARGV[1]) then
            redis.call('SET', key, ARGV[1])
        end
    end
    redis.call('PUBLISH', 'se:changed', 's')
    """

    def leap_versions(self, now: float | None = None) -> None:
        """Lift the state and readings versions past every value a screen may have seen."""
        at = int((time.time() if now is None else now) * 1000)
        self.r.eval(self._LEAP, 2, keys.VERSION, keys.READINGS_VERSION, at)

    def mark_restored(self) -> None:
        self.leap_versions()
        self.r.set(keys.RESTORED, f"{time.time():.3f}")
