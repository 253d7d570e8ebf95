"""The data layer's one cache helper: flask-caching (Redis-backed when REDIS_URL or REDIS_SENTINELS is set), so
N screens asking the same question cost one warehouse query per period."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask_caching import Cache

log = logging.getLogger(__name__)

T = TypeVar("T")

# A stale copy is kept this long in Redis (it outlives an app restart during an outage).
STALE_TTL = 7 * 86400
# After a failed load the stale copy is served this long before the warehouse is asked again,
# so that a warehouse that hangs costs one request its time limit, not every request.
RETRY_AFTER_S = 10


class Unavailable(RuntimeError):
    """The warehouse cannot answer and there is no copy of the answer to serve instead."""


def cached(cache: Cache | None, key: str, ttl: int, load: Callable[[], T]) -> T:
    """`load()` once per `ttl` seconds per `key` (every time without a cache)."""
    if cache is None:
        return load()
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, timeout=ttl)
    return value


class StaleCopies:
    """`load()` once per `ttl`, and the last good answer while the warehouse is down.

    The last good answer is kept in this process and (with a cache) in Redis under
    `<key>:stale`, so that another worker, or this one after a restart, has it too. Used where
    an outage of the warehouse must not stop ingest (the sensor and site registries).
    """

    def __init__(self, cache: Cache | None) -> None:
        self.cache = cache
        self._last: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._warned: dict[str, float] = {}

    def get(self, key: str, ttl: int, load: Callable[[], T]) -> T:
        if self.cache is not None:
            value = self.cache.get(key)
            if value is not None:
                return value
        try:
            value = load()
        except Exception as exc:  # noqa: BLE001 - any failure to load: serve the copy
            return self._stale(key, exc)
        with self._lock:
            self._last[key] = value
        if self.cache is not None:
            self.cache.set(key, value, timeout=ttl)
            self.cache.set(f"{key}:stale", value, timeout=STALE_TTL)
        return value

    def _stale(self, key: str, exc: Exception) -> Any:
        with self._lock:
            value = self._last.get(key)
        if value is None and self.cache is not None:
            value = self.cache.get(f"{key}:stale")
        if value is None:
            raise Unavailable(f"{key}: warehouse unavailable and no copy held: {exc}") from exc
        if self.cache is not None:
            self.cache.set(key, value, timeout=RETRY_AFTER_S)
        if time.monotonic() - self._warned.get(key, -1e9) > 60:
            self._warned[key] = time.monotonic()
            log.warning("%s: warehouse unavailable, serving the last copy: %s", key, exc)
        return value
