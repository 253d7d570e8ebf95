"""The data layer's one cache helper: flask-caching (Redis-backed when REDIS_URL is set), so
N screens asking the same question cost one warehouse query per period."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_caching import Cache

T = TypeVar("T")


def cached(cache: Cache | None, key: str, ttl: int, load: Callable[[], T]) -> T:
    """`load()` once per `ttl` seconds per `key` (every time without a cache)."""
    if cache is None:
        return load()
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, timeout=ttl)
    return value
