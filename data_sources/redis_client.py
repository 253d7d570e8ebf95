"""The Redis client of the live state: a real server (`REDIS_URL`), the current master of a
Sentinel deployment (`REDIS_SENTINELS`, `REDIS_MASTER_NAME`), or the embedded store.

`for_settings` is the one place that decides; the app, the ingest API, the workers and the
push hub all get their client from it (through `data_sources.build_sources`). With Sentinel,
redis-py asks the sentinels for the master on every new connection, and a connection to a
master that became a replica is dropped, so after a failover the next command reaches the
new master. Lua scripts are `register_script` objects: they re-load themselves on NOSCRIPT
(a new master has an empty script cache).

The same code runs against the embedded store: fakeredis speaks the Redis protocol and runs
the same Lua, so `make run` exercises exactly the path production uses. Key names:
`data_sources.keys`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

if TYPE_CHECKING:
    from settings import Settings

# Short timeouts: a screen must learn fast that Redis is gone, not hang.
_OPTIONS: dict[str, Any] = {
    "protocol": 2,
    "socket_timeout": 1.5,
    "socket_connect_timeout": 1.0,
    "health_check_interval": 10,
    "client_name": "smart-emergency",
}


def _retry() -> Retry:
    return Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2)


def connect(url: str, decode: bool = True) -> redis.Redis:
    """A client of the Redis at `url`."""
    return redis.Redis.from_url(url, decode_responses=decode, retry=_retry(), **_OPTIONS)


def connect_sentinel(
    sentinels: tuple[tuple[str, int], ...], master: str, decode: bool = True
) -> redis.Redis:
    """A client of the current master named `master`, found through `sentinels`."""
    sentinel = Sentinel(
        list(sentinels),
        sentinel_kwargs={"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
        **_OPTIONS,
    )
    return sentinel.master_for(
        master, decode_responses=decode, retry=_retry(), check_connection=True
    )


def for_settings(settings: Settings, decode: bool = True) -> redis.Redis:
    """The client `settings` name: REDIS_URL, REDIS_SENTINELS, else the embedded store.

    `decode=False` gives bytes (the data-layer cache stores pickles)."""
    if settings.REDIS_URL:
        return connect(settings.REDIS_URL, decode)
    if settings.REDIS_SENTINELS:
        return connect_sentinel(settings.REDIS_SENTINELS, settings.REDIS_MASTER_NAME, decode)
    return embedded()


def embedded() -> redis.Redis:
    """The in-process store used when neither REDIS_URL nor REDIS_SENTINELS is set."""
    import fakeredis

    return fakeredis.FakeRedis(decode_responses=True, server=fakeredis.FakeServer())
