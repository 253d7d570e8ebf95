"""The only code that talks to Redis, the warehouse and files.

`init_app(server, settings)` owns the connections: it builds the warehouse engine (and brings
its schema up to date), the Redis client (or the embedded store), and the data-layer cache,
and hangs them on the Flask app. Callbacks reach them with `get_sources()`.

Every reader and writer is an object on `Sources`, built here from the same client, warehouse
and cache, and each owns its cache keys and their invalidation. The screens' readers (registry,
readings, incidents, rosters, analysis, replay, cameras, search, the duty log's listing) read `WAREHOUSE_READ_URL`
when it is set; everything else, and every write, goes to `WAREHOUSE_URL`:

| attribute | what | backed by |
|---|---|---|
| `versions` | the numbers screens poll | Redis |
| `alarms` | active alarms: ingest, ack/close, escalation, pages, the demo feed's own | Redis |
| `readings` | latest readings; their history and site alarms | Redis, warehouse |
| `status` | heartbeats, rescue team status, duty-room check-ins | Redis |
| `focus` | presenter control: what the displays follow | Redis |
| `rollcall` | the roll call of the district duty rooms | Redis, warehouse |
| `restore` | putting a lost live state back | Redis |
| `streams` | the workers' consumer groups, leases, engine state | Redis |
| `incidents` | incidents: lists, one incident and its timeline, open/update | warehouse |
| `duty` | the duty log and handovers | warehouse |
| `rosters` | duty rosters: a period, the cached week, checking and importing files | warehouse |
| `analysis` | the alarm history for interactive analysis | warehouse |
| `registry` | reference data: districts, enterprises, teams, ... | warehouse |
| `replay` | the wall as it was at a past moment (`/wall?at=`) | warehouse only |
| `cameras` | the registry of cameras: near a point, a site's own; adding one | warehouse |
| `systems` | upstream systems and their tokens | warehouse |
| `search` | search by name, place or number: alarms, incidents, enterprises, teams, contacts | warehouse, Redis |
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import redis
from flask import Flask, current_app
from flask_caching import Cache

from data_sources.alarms import Alarms
from data_sources.analysis import Analysis
from data_sources.caching import cached
from data_sources.cameras import Cameras
from data_sources.durability import Durability
from data_sources.duty import Duty
from data_sources.focus import Focus
from data_sources.health import WarehouseCheck
from data_sources.incidents import Incidents
from data_sources.readings import Readings
from data_sources.redis_client import connect as connect  # re-exported for tests
from data_sources.redis_client import embedded as embedded
from data_sources.redis_client import for_settings
from data_sources.registry import Registry
from data_sources.replay import Replay
from data_sources.restore import Restore
from data_sources.rollcall import RollCall
from data_sources.rosters import Rosters
from data_sources.search import Search
from data_sources.status import Status, Versions
from data_sources.streams import Streams
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
    warehouse: Warehouse  # the primary: writes, and reads that must see them
    cache: Cache | None
    redis: redis.Redis  # for the classes below (and tests); nothing else holds the client
    versions: Versions
    alarms: Alarms
    readings: Readings
    status: Status
    focus: Focus
    rollcall: RollCall
    restore: Restore
    streams: Streams
    incidents: Incidents
    duty: Duty
    rosters: Rosters
    analysis: Analysis
    registry: Registry
    systems: Systems
    replay: Replay
    cameras: Cameras
    search: Search
    durability: Durability | None = None
    health: WarehouseCheck = field(default_factory=WarehouseCheck)
    screens: Warehouse | None = None  # the screens' reads: the replica, else the primary

    def as_of(self, now: datetime) -> datetime:
        """The as-of of a panel read from the warehouse at `now`: no fresher than the replica."""
        return (self.screens or self.warehouse).as_of(now)

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
        warehouse = self.screens or self.warehouse
        for name, check in (("redis", self.versions.ping), ("warehouse", warehouse.ping)):
            try:
                check()
                status[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                status[name] = f"{type(exc).__name__}: {exc}"[:200]
        return status

    def close(self) -> None:
        """Close the Redis client (workers at exit)."""
        self.redis.close()


def build_sources(settings: Settings, server: Flask | None = None) -> Sources:
    """Connect everything `settings` names; migrate the warehouse to the newest schema."""
    engine = make_engine(settings.warehouse_url)
    upgrade(engine)
    warehouse = Warehouse(engine, timeout_s=settings.SQL_TIMEOUT_S)
    # The screens' readers read the replica; workers, auth, the duty log and everything
    # that reads before it writes keep `warehouse`, the primary.
    read_url = settings.WAREHOUSE_READ_URL
    screens = warehouse.reading_from(make_engine(read_url) if read_url else None)
    client = for_settings(settings)
    cache_config = {"CACHE_DEFAULT_TIMEOUT": 60, "CACHE_KEY_PREFIX": "se:cache:"}
    if settings.redis_server:
        # Shared by every worker and host: N screens cost one warehouse query per period.
        # Its client is made where the live state's is (it follows a Sentinel failover too).
        cache_config |= {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_HOST": for_settings(settings, decode=False),
        }
    else:
        cache_config |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    cache = Cache(server, config=cache_config) if server is not None else None
    alarms = Alarms(client, seen_ttl_s=settings.ALARM_IDS_KEEP_S)
    registry = Registry(screens, cache)
    return Sources(
        settings=settings,
        warehouse=warehouse,
        screens=screens,
        cache=cache,
        redis=client,
        versions=Versions(client),
        alarms=alarms,
        readings=Readings(client, screens, cache),
        status=Status(client),
        focus=Focus(client),
        rollcall=RollCall(client, warehouse),
        restore=Restore(client),
        streams=Streams(client),
        incidents=Incidents(screens, cache),
        duty=Duty(screens),
        rosters=Rosters(screens, cache),
        analysis=Analysis(screens, cache),
        registry=registry,
        systems=Systems(warehouse, cache),
        replay=Replay(screens, cache),
        cameras=Cameras(screens, cache),
        search=Search(screens, alarms, registry),
        durability=Durability(
            client,
            embedded=not settings.redis_server,
            volatile_ok=settings.REDIS_VOLATILE_OK,
            wait_replicas=settings.REDIS_WAIT_REPLICAS,
            wait_timeout_ms=settings.REDIS_WAIT_TIMEOUT_MS,
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
