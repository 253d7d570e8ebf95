"""The Redis client of the live state: a real server (`REDIS_URL`) or the embedded store.

The same code runs against both: fakeredis speaks the Redis protocol and runs the same Lua, so
`make run` exercises exactly the path production uses. Key names: `data_sources.keys`.
"""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


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
