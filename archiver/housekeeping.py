"""Bounded state: what the archiver trims and purges so that nothing grows without end.

Redis (every minute or so, each step one atomic Lua script):
- a stream is trimmed (`XTRIM MINID`) below the oldest entry some consumer group still needs:
  its oldest pending (delivered, not acknowledged) entry, or the first entry after its
  last-delivered id. A stream without a group is left alone (nothing is known archived), and
  so is everything after the slowest group (the threshold engine's too);
- the closed set `se:alarms:closed` is trimmed to its window, and the hashes of the alarms
  that leave it are deleted with them (an id that is active again keeps its hash).

Warehouse (hourly, in chunks so that no statement holds locks for long):
- `alarm_events` older than ALARM_EVENTS_RETENTION_DAYS, `audit_log` older than
  AUDIT_RETENTION_DAYS (the database refuses deleting audit rows younger than 183 days);
- sessions long over and login failures past their forget window (auth/store.py `purge`).

Every step is idempotent, so several archivers may run it at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import redis

from data_sources import keys
from data_sources.warehouse import Warehouse

log = logging.getLogger(__name__)

# KEYS[1]: the stream. Returns {entries trimmed, the MINID used ('' when nothing was safe)}.
_TRIM_ARCHIVED = """
local stream = KEYS[1]
if redis.call('EXISTS', stream) == 0 then return {0, ''} end
local groups = redis.call('XINFO', 'GROUPS', stream)
if #groups == 0 then return {0, ''} end
local best_ms, best_seq, best
for _, group in ipairs(groups) do
  local name, last
  for i = 1, #group, 2 do
    if group[i] == 'name' then name = group[i + 1] end
    if group[i] == 'last-delivered-id' then last = group[i + 1] end
  end
  local keep
  local pending = redis.call('XPENDING', stream, name)
  if tonumber(pending[1]) > 0 then
    keep = pending[2]
  else
    local ms, seq = string.match(last, '^(%d+)-(%d+)$')
    keep = ms .. '-' .. string.format('%d', tonumber(seq) + 1)
  end
  local ms, seq = string.match(keep, '^(%d+)-(%d+)$')
  ms, seq = tonumber(ms), tonumber(seq)
  if best == nil or ms < best_ms or (ms == best_ms and seq < best_seq) then
    best_ms, best_seq, best = ms, seq, keep
  end
end
return {redis.call('XTRIM', stream, 'MINID', best), best}
"""

# KEYS: closed set, active set, dedupe hash, alarm key prefix. ARGV: cutoff (epoch s), chunk.
# Returns how many left the closed set.
_TRIM_CLOSED = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  if not redis.call('ZSCORE', KEYS[2], id) then
    local key = KEYS[4] .. id
    local dedupe = redis.call('HGET', key, 'dedupe')
    if dedupe and redis.call('HGET', KEYS[3], dedupe) == id then
      redis.call('HDEL', KEYS[3], dedupe)
    end
    redis.call('DEL', key)
  end
end
return #ids
"""

CLOSED_CHUNK = 1000
PURGE_CHUNK = 5000
# Sessions over for this long go (the audit log keeps who signed in when).
SESSIONS_KEEP_ENDED = timedelta(days=1)


def trim_archived(r: redis.Redis, streams: Iterable[str]) -> dict[str, int]:
    """Trim each stream below what every consumer group still needs; entries trimmed per stream."""
    script = r.register_script(_TRIM_ARCHIVED)
    trimmed = {}
    for stream in streams:
        removed, _minid = script(keys=[stream])
        trimmed[stream] = int(removed)
    return trimmed


def trim_closed(r: redis.Redis, keep_s: float, now: float | None = None) -> int:
    """Drop alarms closed more than `keep_s` ago from the closed set, and their hashes."""
    script = r.register_script(_TRIM_CLOSED)
    cutoff = (time.time() if now is None else now) - keep_s
    total = 0
    while True:
        n = int(
            script(
                keys=[
                    keys.ALARMS_CLOSED,
                    keys.ALARMS_ACTIVE,
                    keys.ALARMS_DEDUPE,
                    keys.ALARM_PREFIX,
                ],
                args=[f"{cutoff:.3f}", CLOSED_CHUNK],
            )
        )
        total += n
        if n < CLOSED_CHUNK:
            return total


def purge_older(
    wh: Warehouse, table: str, column: str, cutoff: datetime, chunk: int = PURGE_CHUNK
) -> int:
    """Delete rows of `table` whose `column` is before `cutoff`, `chunk` rows a transaction."""
    if not (table.isidentifier() and column.isidentifier()):
        raise ValueError(f"not a table or column name: {table!r}, {column!r}")
    sql = (
        f"DELETE FROM {table} WHERE id IN "
        f"(SELECT id FROM {table} WHERE {column} < :cutoff ORDER BY id LIMIT :chunk)"
    )
    total = 0
    while True:
        n = int(wh.execute(sql, {"cutoff": cutoff, "chunk": chunk}, timeout_s=120))
        total += n
        if n < chunk:
            return total


def purge_warehouse(
    wh: Warehouse,
    *,
    alarm_events_days: int,
    audit_days: int,
    now: datetime | None = None,
) -> dict[str, int]:
    """Apply the retention settings (0: keep forever) and purge auth's dead rows."""
    from auth import store
    from auth.sessions import IDLE_TIMEOUT
    from auth.signin import FORGET

    now = now or datetime.now(UTC)
    done: dict[str, int] = {}
    if alarm_events_days:
        done["alarm_events"] = purge_older(
            wh, "alarm_events", "at", now - timedelta(days=alarm_events_days)
        )
        # Replay reads both: the duty rooms' check-ins are kept as long as the alarm changes.
        done["duty_checkins"] = purge_older(
            wh, "duty_checkin_history", "at", now - timedelta(days=alarm_events_days)
        )
    if audit_days:
        # An hour's margin: the database refuses deleting audit rows younger than 183 days by
        # its own clock, which may be a little behind ours.
        cutoff = now - timedelta(days=audit_days, hours=1)
        done["audit_log"] = purge_older(wh, "audit_log", "at", cutoff)
    done |= store.purge(wh, now, idle=IDLE_TIMEOUT, keep_ended=SESSIONS_KEEP_ENDED, forget=FORGET)
    return done
