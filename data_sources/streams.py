"""The workers' side of the live state: consumer groups on the streams, singleton leases, the
threshold engine's saved state, and the trims of housekeeping.

The archiver, the threshold worker, the demo feed and the connectors use this class; none of
them holds the Redis client or types a key name (`data_sources.keys` has them all). Entries
come back as redis-py gives them: `[(stream, [(entry id, fields), ...]), ...]`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import redis

from data_sources import keys

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

# Give the lease back, only if ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Streams:
    """Consumer groups, leases and worker state over one Redis client."""

    def __init__(self, client: redis.Redis) -> None:
        self._r = client
        self._lease = client.register_script(_LEASE)
        self._release = client.register_script(_RELEASE)

    @property
    def client(self) -> redis.Redis:
        """The client itself, for housekeeping's Lua trims (archiver/housekeeping.py)."""
        return self._r

    @property
    def socket_timeout(self) -> float | None:
        return self._r.connection_pool.connection_kwargs.get("socket_timeout")

    def close(self) -> None:
        self._r.close()

    # leases of singleton workers -----------------------------------------------------------

    def lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Take or renew a singleton lease; True while `owner` holds it."""
        return bool(self._lease(keys=[keys.lock(name)], args=[owner, int(ttl_s * 1000)]))

    def release(self, name: str, owner: str) -> None:
        """Give the lease back if `owner` holds it (else it runs out by itself)."""
        self._release(keys=[keys.lock(name)], args=[owner])

    # consumer groups -------------------------------------------------------------------------

    def ensure_group(self, stream: str, group: str, start: str = "0") -> bool:
        """Create `group` on `stream` (and the stream) unless it exists; True if created."""
        try:
            self._r.xgroup_create(stream, group, id=start, mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            return False
        return True

    def read(
        self,
        group: str,
        consumer: str,
        streams: Mapping[str, str],
        count: int,
        block: int | None = None,
    ) -> list:
        """XREADGROUP: `streams` maps stream → "0" (own pending) or ">" (new)."""
        return self._r.xreadgroup(group, consumer, dict(streams), count=count, block=block)

    def autoclaim(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, start: str, count: int
    ) -> Any:
        return self._r.xautoclaim(
            stream, group, consumer, min_idle_time=min_idle_ms, start_id=start, count=count
        )

    def consumers(self, stream: str, group: str) -> list[dict[str, Any]]:
        return self._r.xinfo_consumers(stream, group)

    def drop_consumer(self, stream: str, group: str, consumer: str) -> None:
        self._r.xgroup_delconsumer(stream, group, consumer)

    def pending_entry(self, stream: str, group: str, entry_id: str) -> list[dict[str, Any]]:
        """The pending-entries record of one entry (empty when acknowledged)."""
        return self._r.xpending_range(stream, group, min=entry_id, max=entry_id, count=1)

    def ack(self, stream: str, group: str, *entry_ids: str) -> None:
        if entry_ids:
            self._r.xack(stream, group, *entry_ids)

    def ack_all(self, group: str, by_stream: Mapping[str, Sequence[str]]) -> None:
        """Acknowledge entries of several streams in one round trip."""
        pipe = self._r.pipeline(transaction=False)
        for stream, ids in by_stream.items():
            if ids:
                pipe.xack(stream, group, *ids)
        pipe.execute()

    def add(self, stream: str, fields: Mapping[str, str]) -> str:
        """Append an entry (capped like every stream); return its id."""
        return self._r.xadd(stream, dict(fields), maxlen=keys.STREAM_MAXLEN, approximate=True)

    def entries(self, stream: str) -> list[tuple[str, dict[str, str]]]:
        return self._r.xrange(stream)

    def delete(self, stream: str, entry_id: str) -> None:
        self._r.xdel(stream, entry_id)

    # the threshold engine's state --------------------------------------------------------

    def threshold_states(self) -> dict[str, str]:
        """Sensor id → the engine's saved state (JSON text)."""
        return self._r.hgetall(keys.THRESHOLD_STATE)

    def save_threshold_states(
        self, states: Mapping[str, Any], stream: str, group: str, entry_ids: Iterable[str]
    ) -> None:
        """Save changed engine states and acknowledge the entries, in one transaction."""
        entry_ids = list(entry_ids)
        pipe = self._r.pipeline(transaction=True)
        if states:
            pipe.hset(
                keys.THRESHOLD_STATE,
                mapping={k: json.dumps(v, separators=(",", ":")) for k, v in states.items()},
            )
        if entry_ids:
            pipe.xack(stream, group, *entry_ids)
        pipe.execute()
