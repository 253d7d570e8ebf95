"""Every setting of the dashboard, declared once: name, default, help, parser.

Settings come from the environment (the names of ../shared/CONTRACT.md, no prefix) or from a
mapping given to `create_app`. A bad value stops start-up with one line naming the setting.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent


class SettingsError(ValueError):
    """A setting has a value the dashboard cannot run with."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected 1 or 0")


def _redis_url(raw: str) -> str:
    scheme = urlsplit(raw).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ValueError("expected redis://host:port/db, rediss://… or unix://…")
    return raw


def _warehouse_url(raw: str) -> str:
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


def _tile_url(raw: str) -> str:
    if not all(part in raw for part in ("{z}", "{x}", "{y}")):
        raise ValueError("expected an XYZ template containing {z}, {x} and {y}")
    if urlsplit(raw).scheme not in {"http", "https"}:
        raise ValueError("expected an http:// or https:// template")
    return raw


def _tile_crs(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"wgs84", "gcj02"}:
        raise ValueError("expected wgs84 or gcj02")
    return value


def _tokens(raw: str) -> tuple[tuple[str, str], ...]:
    """`system:token,...` → ((system, token), ...); the systems are checked against the
    registry when the app starts (ingest/credentials.py)."""
    import re

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


def _mqtt_url(raw: str) -> str:
    if urlsplit(raw).scheme not in {"mqtt", "mqtts"} or not urlsplit(raw).hostname:
        raise ValueError("expected mqtt://[user:password@]host[:port] or mqtts://…")
    return raw


def _connectors_config(raw: str) -> str:
    from connectors.config import load

    load(raw)  # the whole file is checked now: a bad key stops start-up, naming it
    return raw


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError("expected 1-65535")
    return port


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected 0 or a positive whole number")
    return value


def _audit_days(raw: str) -> int:
    value = int(raw)
    if value != 0 and value < 183:
        # The warehouse itself refuses deleting younger audit rows (migration 0006).
        raise ValueError("expected 0 (keep all) or at least 183 days")
    return value


VIEWS = ("overview", "hazchem", "forces", "duty")


def _views(raw: str) -> tuple[str, ...]:
    views = tuple(v.strip() for v in raw.split(",") if v.strip())
    unknown = [v for v in views if v not in VIEWS]
    if unknown or not views:
        raise ValueError(f"expected some of {', '.join(VIEWS)}")
    return views


def _hhmm(raw: str) -> str:
    import re

    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw.strip()):
        raise ValueError("expected HH:MM (24 h)")
    return raw.strip()


ALERT_LEVELS = ("red", "orange", "yellow", "blue")


def _alert_levels(raw: str) -> tuple[str, ...]:
    if raw.strip().lower() == "none":
        return ()
    levels = tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    unknown = [v for v in levels if v not in ALERT_LEVELS]
    if unknown or not levels:
        raise ValueError(f"expected some of {', '.join(ALERT_LEVELS)}, or none")
    return levels


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0 or value == float("inf"):
        raise ValueError("expected a positive number")
    return value


SETTINGS: tuple[Setting, ...] = (
    Setting("REDIS_URL", None, "Live state (Redis). Unset: embedded in-process store.", _redis_url),
    Setting(
        "REDIS_VOLATILE_OK",
        False,
        "1: accept a Redis without AOF persistence (a 2xx then does not survive a Redis "
        "restart). 0: /readyz and ingest answer 503 on such a Redis.",
        _flag,
    ),
    Setting(
        "WAREHOUSE_URL",
        None,
        "SQLAlchemy URL of the warehouse. Unset: SQLite file var/warehouse.sqlite.",
        _warehouse_url,
    ),
    Setting("TILE_URL", None, "XYZ tile template. Unset: offline vector base map.", _tile_url),
    Setting("TILE_CRS", "wgs84", "Datum of TILE_URL's tiles: wgs84 or gcj02.", _tile_crs),
    Setting(
        "INGEST_TOKENS",
        None,
        "Comma-separated system:token pairs: each bearer token posts only as its system. "
        "Unset with embedded defaults: a demo token per system, printed at start.",
        _tokens,
    ),
    Setting(
        "AUTH_REQUIRED",
        None,
        "1: every screen needs a login or display session. Unset: 0 with embedded defaults "
        "on a loopback HOST, else 1 (/admin always needs a signed-in administrator).",
        _flag,
    ),
    Setting(
        "DEMO_FEED",
        None,
        "1: run the built-in feed of simulated live data. Unset: 1 with embedded defaults on "
        "a loopback HOST, else 0.",
        _flag,
    ),
    Setting(
        "INPROCESS_WORKERS",
        None,
        "1: run the archiver and the threshold engine inside the app. Unset: 1 with embedded "
        "defaults, else 0 (run `python -m archiver` and `python -m thresholds`).",
        _flag,
    ),
    Setting(
        "READINGS_RETENTION_DAYS",
        30,
        "Days of sensor readings the warehouse keeps (the archiver prunes older ones hourly; 0: all).",
        _non_negative_int,
    ),
    Setting(
        "ALARM_EVENTS_RETENTION_DAYS",
        365,
        "Days of alarm changes (alarm_events) the warehouse keeps; the archiver purges older "
        "ones hourly (0: all).",
        _non_negative_int,
    ),
    Setting(
        "AUDIT_RETENTION_DAYS",
        183,
        "Days of the audit trail the warehouse keeps, at least 183 (0: all).",
        _audit_days,
    ),
    Setting(
        "CLOSED_ALARMS_KEEP_S",
        86400,
        "Seconds a closed alarm stays in the live state (the consult page shows a day); the "
        "archiver trims older ones.",
        _positive_int,
    ),
    Setting(
        "ALARM_IDS_KEEP_S",
        604800,
        "Seconds an upstream alarm id stays known in the live state: a retry within it is a "
        "duplicate (200). One small key per alarm for this long.",
        _positive_int,
    ),
    Setting(
        "CONNECTORS_CONFIG",
        None,
        "TOML file of the MQTT and database-pull connectors (README: Connecting an upstream "
        "system); the app runs them in-process with INPROCESS_WORKERS. Unset: none.",
        _connectors_config,
    ),
    Setting(
        "MQTT_URL",
        "mqtt://127.0.0.1:1883",
        "The MQTT broker of the MQTT connectors (mqtt://user:password@host:port).",
        _mqtt_url,
    ),
    Setting("HOST", "127.0.0.1", "Address to listen on."),
    Setting("PORT", 8050, "Port to listen on.", _port),
    Setting("DATA_DIR", str(ROOT / "var"), "Where the embedded warehouse and state live."),
    Setting(
        "REFRESH_MS", 1000, "How often screens poll live state (ms, at most 2000).", _positive_int
    ),
    Setting(
        "STALE_AFTER_S",
        15.0,
        "A panel whose data no source has confirmed for this long is marked stale (s).",
        _positive_float,
    ),
    Setting("SQL_TIMEOUT_S", 10.0, "Time limit of one warehouse query (s).", _positive_float),
    Setting(
        "WALL_VIEWS",
        ("overview", "hazchem", "forces", "duty"),
        "Focus views the wall cycles through, comma-separated.",
        _views,
    ),
    Setting(
        "WALL_ROTATE_S",
        60,
        "Seconds per focus view on the wall (0: no rotation).",
        _non_negative_int,
    ),
    Setting(
        "WALL_RELOAD_AT", "04:00", "Asia/Shanghai time of the wall's daily reload (HH:MM).", _hhmm
    ),
    Setting(
        "ALERT_SOUND_LEVELS",
        ("red",),
        "Alarm levels whose new alarms sound an alert tone until acknowledged or silenced "
        "(comma-separated, or none); escalations always sound.",
        _alert_levels,
    ),
    Setting("SECRET_KEY", None, "Flask session key. Unset: random per start."),
    Setting("LOG_LEVEL", "INFO", "Python log level.", _log_level),
)
_BY_NAME = {s.name: s for s in SETTINGS}
_SECRET = frozenset({"INGEST_TOKENS", "SECRET_KEY"})


@dataclass(frozen=True)
class Settings:
    """The parsed settings. Derived defaults are resolved here, once."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def embedded(self) -> bool:
        """True when neither Redis nor a warehouse server is configured (the demo setup)."""
        return self.values["REDIS_URL"] is None and self.values["WAREHOUSE_URL"] is None

    @property
    def warehouse_url(self) -> str:
        url = self.values["WAREHOUSE_URL"]
        return url or f"sqlite:///{Path(self.values['DATA_DIR']) / 'warehouse.sqlite'}"

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Read the environment, apply `overrides`, validate; raise SettingsError on the first bad one."""
        environ = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(_BY_NAME))
        if unknown:
            raise SettingsError(f"unknown setting {unknown[0]} (known: {', '.join(_BY_NAME)})")
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.name in overrides:
                raw = overrides[setting.name]
            else:
                raw = environ.get(setting.name) or None
            if raw is None:
                values[setting.name] = setting.default
                continue
            if not isinstance(raw, str):
                raw = str(int(raw)) if isinstance(raw, bool) else str(raw)
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                # Secrets are named, never echoed into the start-up log.
                shown = "<hidden>" if setting.name in _SECRET else repr(raw)
                raise SettingsError(f"{setting.name}={shown}: {exc}") from None
        embedded = values["REDIS_URL"] is None and values["WAREHOUSE_URL"] is None
        # Open and simulated only for the demo on this machine: reachable from the network,
        # the screens need a login and no simulated data mixes with real alarms.
        demo = embedded and loopback_host(values["HOST"])
        if values["AUTH_REQUIRED"] is None:
            values["AUTH_REQUIRED"] = not demo
        if values["DEMO_FEED"] is None:
            values["DEMO_FEED"] = demo
        if values["INPROCESS_WORKERS"] is None:
            values["INPROCESS_WORKERS"] = embedded
        if values["REFRESH_MS"] > 2000:
            raise SettingsError(f"REFRESH_MS={values['REFRESH_MS']}: at most 2000")
        # Unset: only tokens issued from /admin or `python -m ingest systems token`; with
        # embedded defaults also a demo token per system (ingest/credentials.py prints them).
        values["_DEMO_TOKEN"] = values["INGEST_TOKENS"] is None and embedded
        if values["INGEST_TOKENS"] is None:
            values["INGEST_TOKENS"] = ()
        if values["SECRET_KEY"] is None:
            values["SECRET_KEY"] = secrets.token_hex(32)
        return cls(values)


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


def describe() -> str:
    """The settings table as Markdown (README keeps a copy)."""
    rows = ["| name | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | {s.default if s.default is not None else '—'} | {s.help} |")
    return "\n".join(rows)
