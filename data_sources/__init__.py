"""The only code that talks to Redis, the warehouse and files.

`init_app(server, settings)` owns the connections: it builds the warehouse engine (and brings
its schema up to date), the Redis client (or the embedded store), and the data-layer cache,
and hangs them on the Flask app. Callbacks reach them with `get_sources()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.durability import Durability
from data_sources.live import LiveState, connect, embedded
from data_sources.registry import Registry
from data_sources.systems import Systems
from data_sources.warehouse import Warehouse, make_engine, upgrade
from settings import Settings

log = logging.getLogger(__name__)

EXTENSION = "smart_emergency_sources"
# A version's reads are shared this long; versions move every few seconds in a busy hall.
LIVE_TTL = 30
T = TypeVar("T")


@dataclass
class Sources:
    settings: Settings
    warehouse: Warehouse
    live: LiveState
    registry: Registry
    cache: Cache | None
    systems: Systems
    durability: Durability | None = None

    def at_version(self, version: int | None, name: str, load: Callable[[], T]) -> T:
        """`load()` once per live-state version across every screen and worker.

        Screens re-read the live state when its version moves; twenty screens seeing the same
        version share one read. Without a version (first load) the read is not shared.
        """
        if version is None:
            return load()
        return cached(self.cache, f"live:{version}:{name}", LIVE_TTL, load)

    def readiness(self) -> dict[str, str]:
        """'ok' or the error, per backing service."""
        status = {}
        for name, check in (("redis", self.live.ping), ("warehouse", self.warehouse.ping)):
            try:
                check()
                status[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                status[name] = f"{type(exc).__name__}: {exc}"[:200]
        return status


def build_sources(settings: Settings, server: Flask | None = None) -> Sources:
    """Connect everything `settings` names; migrate the warehouse to the newest schema."""
    engine = make_engine(settings.warehouse_url)
    upgrade(engine)
    warehouse = Warehouse(engine, timeout_s=settings.SQL_TIMEOUT_S)
    client = connect(settings.REDIS_URL) if settings.REDIS_URL else embedded()
    cache_config = {"CACHE_DEFAULT_TIMEOUT": 60, "CACHE_KEY_PREFIX": "se:cache:"}
    if settings.REDIS_URL:
        # Shared by every worker and host: N screens cost one warehouse query per period.
        cache_config |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.REDIS_URL}
    else:
        cache_config |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache = Cache(server, config=cache_config) if server is not None else None
    return Sources(
        settings=settings,
        warehouse=warehouse,
        live=LiveState(client, seen_ttl_s=settings.ALARM_IDS_KEEP_S),
        registry=Registry(warehouse, cache),
        cache=cache,
        systems=Systems(warehouse, cache),
        durability=Durability(
            client,
            embedded=settings.REDIS_URL is None,
            volatile_ok=settings.REDIS_VOLATILE_OK,
        ),
    )


def init_app(server: Flask, settings: Settings) -> Sources:
    """Attach the data sources to `server` (one set per app)."""
    sources = build_sources(settings, server)
    server.extensions[EXTENSION] = sources
    return sources


def get_sources() -> Sources:
    """The data sources of the app serving the current request."""
    return current_app.extensions[EXTENSION]
