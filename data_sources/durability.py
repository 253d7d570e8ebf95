"""Whether the live state's Redis keeps what it acknowledged: the ingest API's promise.

A 2xx from the ingest API means the data survives the loss of any one process. Until the
archiver has written it to the warehouse it lives only in Redis, so Redis must log every
write to its append-only file before it answers: `appendonly yes` with `appendfsync always`
or `everysec` (README, "Redis in production"). A Redis without that (or one whose settings
cannot be read) is volatile: `/readyz` says `redis: no persistence` and ingest answers 503,
unless `REDIS_VOLATILE_OK=1` accepts it. The embedded store of `make run` (no Redis set)
is in-process and volatile by design, and exempt.

With `REDIS_WAIT_REPLICAS=N` a write is durable only once N replicas have it too (a Sentinel
deployment, where a failover promotes a replica): after the write, one pipeline on one
connection writes a marker and asks `WAIT N timeout`. The marker moves that connection's
replication offset to the master's current one, which is past this request's writes whichever
pooled connection carried them (and past a retried duplicate's first write), so WAIT confirms
them all. Fewer than N replicas within the timeout, and ingest answers 503: the upstream
retries, and the retry is a duplicate (idempotent by id).

The settings are read by every /readyz and before every ingest write (one CONFIG GET, a
fraction of the write's cost), so a Redis restarted with other settings is noticed at once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import redis

log = logging.getLogger(__name__)

FSYNC_OK = ("always", "everysec")
WAIT_MARKER = "se:wait"  # written before WAIT: see the module's docstring
EMBEDDED = "embedded in-process store (make run): not persistent, exempt"


@dataclass(frozen=True)
class Persistence:
    """What Redis keeps. `status` is what /readyz shows for Redis: 'ok', 'no persistence'
    or 'persistence unknown'; `detail` says what was read."""

    status: str
    detail: str

    @property
    def durable(self) -> bool:
        return self.status == "ok"


def read_persistence(client: redis.Redis) -> Persistence:
    """Read the AOF settings of the Redis `client` talks to (ConnectionError if it is down).

    CONFIG may be renamed or refused (rename-command, ACL): then INFO persistence tells
    whether the AOF is on, though not its fsync policy (Redis's default is everysec).
    """
    try:
        config = client.config_get("append*")
    except redis.ResponseError:
        try:
            info = client.info("persistence")
        except redis.ResponseError:
            return Persistence("persistence unknown", "CONFIG GET and INFO persistence refused")
        if str(info.get("aof_enabled", "0")) != "1":
            return Persistence("no persistence", "aof_enabled:0 (INFO; CONFIG refused)")
        return Persistence("ok", "aof_enabled:1 (INFO; CONFIG refused, appendfsync unread)")
    appendonly, fsync = config.get("appendonly"), config.get("appendfsync")
    if appendonly != "yes":
        return Persistence("no persistence", f"appendonly {appendonly or '?'}")
    if fsync not in FSYNC_OK:
        return Persistence("no persistence", f"appendonly yes, appendfsync {fsync or '?'}")
    return Persistence("ok", f"appendonly yes, appendfsync {fsync}")


class Durability:
    """The persistence of the live state's Redis, read before every write it must keep."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        embedded: bool,
        volatile_ok: bool,
        wait_replicas: int = 0,
        wait_timeout_ms: int = 1000,
    ) -> None:
        self.client = client
        self.embedded = embedded
        self.volatile_ok = volatile_ok
        self.wait_replicas = 0 if embedded else wait_replicas
        self.wait_timeout_ms = wait_timeout_ms
        self._lock = threading.Lock()
        self._known: Persistence | None = None

    def check(self) -> Persistence:
        """What Redis keeps, read now (one round trip; raises if Redis is unreachable).

        Read afresh every time rather than cached: a Redis restarted with other settings
        must not take one write it would lose, and a read is far cheaper than the write.
        """
        if self.embedded:
            return Persistence("ok", EMBEDDED)
        known = read_persistence(self.client)
        with self._lock:
            changed, self._known = known != self._known, known
        if changed:
            level = logging.INFO if known.durable else logging.ERROR
            log.log(level, "redis persistence: %s (%s)", known.status, known.detail)
        return known

    def readiness(self) -> tuple[str, str]:
        """(status of Redis for /readyz, what it keeps). Raises if Redis is unreachable."""
        known = self.check()
        if known.durable:
            return "ok", known.detail
        if self.volatile_ok:
            return "ok", f"{known.status}: {known.detail}; accepted (REDIS_VOLATILE_OK=1)"
        return known.status, known.detail

    def refusal(self) -> str | None:
        """Why ingest must not answer 2xx now, or None when what it accepts is durable."""
        if self.volatile_ok:
            return None
        try:
            known = self.check()
        except redis.RedisError as exc:
            return f"the live state (Redis) is unreachable: {type(exc).__name__}"
        if known.durable:
            return None
        return (
            f"redis: {known.status} ({known.detail}); data accepted now would not survive a "
            "Redis restart: run Redis with appendonly yes (README), or set REDIS_VOLATILE_OK=1"
        )

    def unreplicated(self) -> str | None:
        """After a write: why it is not yet on REDIS_WAIT_REPLICAS replicas, or None when it is
        (or none is asked for). Raises if Redis is unreachable."""
        if not self.wait_replicas:
            return None
        pipe = self.client.pipeline(transaction=False)
        pipe.set(WAIT_MARKER, "1")
        pipe.wait(self.wait_replicas, self.wait_timeout_ms)
        reached = int(pipe.execute()[-1])
        if reached >= self.wait_replicas:
            return None
        return (
            f"redis: the write reached {reached} of {self.wait_replicas} replicas within "
            f"{self.wait_timeout_ms} ms (REDIS_WAIT_REPLICAS): not durable yet; retry"
        )
