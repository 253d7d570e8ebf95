"""Parsers of where the dashboard listens and connects: Redis, warehouse, tiles, MQTT, tokens.

Each turns the raw text of one setting into its value or raises ValueError with a short
"expected …" message; `settings.Settings.load` names the setting in front of it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


def redis_url(raw: str) -> str:
    scheme = urlsplit(raw).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ValueError("expected redis://host:port/db, rediss://… or unix://…")
    return raw


def sentinels(raw: str) -> tuple[tuple[str, int], ...]:
    found = []
    for item in (part.strip() for part in raw.split(",")):
        host, sep, number = item.rpartition(":")
        if not item or not sep or not host or not number.isdigit():
            raise ValueError(f"expected host:port,host:port,... (not {item!r})")
        found.append((host.strip("[]"), port(number)))
    return tuple(found)


def warehouse_url(raw: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ValueError("not a database URL (e.g. postgresql+psycopg://user@host/db)") from exc
    if url.get_backend_name() not in {"postgresql", "sqlite"}:
        raise ValueError(
            f"unsupported database {url.get_backend_name()!r}: "
            "use postgresql+psycopg://user@host/db or sqlite:///path"
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() not in {"psycopg", ""}:
        raise ValueError("PostgreSQL needs the psycopg (3) driver: postgresql+psycopg://…")
    return raw


def tile_url(raw: str) -> str:
    if not all(part in raw for part in ("{z}", "{x}", "{y}")):
        raise ValueError("expected an XYZ template containing {z}, {x} and {y}")
    if urlsplit(raw).scheme not in {"http", "https"}:
        raise ValueError("expected an http:// or https:// template")
    return raw


def camera_origins(raw: str) -> tuple[str, ...]:
    from video.addresses import camera_origin

    return tuple(dict.fromkeys(camera_origin(o) for o in raw.split(",") if o.strip()))


def tile_crs(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"wgs84", "gcj02"}:
        raise ValueError("expected wgs84 or gcj02")
    return value


def tile_file(raw: str) -> str:
    from data_sources.tile_file import TileFileError, check

    try:
        check(raw)  # opened now: a file that is missing or not raster MBTiles stops start-up
    except TileFileError as exc:
        raise ValueError(str(exc)) from None
    return raw


def gateway_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL of the gateway")
    return raw.strip()


def mqtt_url(raw: str) -> str:
    if urlsplit(raw).scheme not in {"mqtt", "mqtts"} or not urlsplit(raw).hostname:
        raise ValueError("expected mqtt://[user:password@]host[:port] or mqtts://…")
    return raw


def connectors_config(raw: str) -> str:
    from connectors.config import load

    load(raw)  # the whole file is checked now: a bad key stops start-up, naming it
    return raw


def tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """`system:token,...` → ((system, token), ...); the systems are checked against the
    registry when the app starts (ingest/credentials.py)."""
    pairs = []
    for item in (t.strip() for t in raw.split(",")):
        if not item:
            continue
        system, sep, token = item.partition(":")
        system, token = system.strip(), token.strip()
        if not sep or not token:
            raise ValueError("expected system:token pairs, comma-separated (e.g. hazchem:s3cret)")
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", system):
            raise ValueError(f"{system[:32]!r} is not a system code (a-z, 0-9, _)")
        pairs.append((system, token))
    if not pairs:
        raise ValueError("expected at least one system:token pair")
    if len({t for _, t in pairs}) != len(pairs):
        raise ValueError("the same token is given twice")
    return tuple(pairs)


def port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError("expected 1-65535")
    return port


def loopback_host(host: str) -> bool:
    """Is `host` (the HOST setting) reachable only from this machine?"""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a name that could resolve anywhere, "0.0.0.0", "::": not loopback
