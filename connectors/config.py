"""What each connector is told: a TOML file (`CONNECTORS_CONFIG`), checked whole at start.

```toml
[mqtt.iot]                       # the sensing network publishes over MQTT
topic_prefix = "se"              # topics se/iot/alarms, se/iot/readings, ...
session_expiry_s = 604800        # the broker keeps the session (and what arrives) a week

[dbpull.emergency]               # the old emergency platform keeps alarms in its own table
url_env = "EMERGENCY_DB_URL"     # or url = "mysql+pymysql://reader:…@host/db"
table = "alarm_record"           # or query = "SELECT … FROM …"
watermark = "updated_at"         # an increasing id, or an update time
watermark_kind = "time"          # "id" (default) or "time"
tiebreak = "rec_id"              # time watermarks: (time, tiebreak) orders equal times
timezone = "Asia/Shanghai"       # of naive DATETIME values
detail = ["address", "reporter"] # columns copied into the alarm's detail

[dbpull.emergency.columns]       # our field = their column
id = "rec_id"
level = "grade"
category = "type_name"
title = "title"
occurred_at = "happen_time"
lon = "lng"
lat = "lat"

[dbpull.emergency.values.level]  # their value = ours
"1" = "red"
"2" = "orange"
```

Any unknown key, missing field or bad value is a `ConfigError` naming it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"
SYSTEM = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,63}$")
TOPIC_PREFIX = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")
# Our alarm fields a table's columns can feed (source is always the connector's system).
FIELDS = ("id", "level", "category", "title", "occurred_at", "lon", "lat", "site_id")
REQUIRED = ("id", "level", "category", "title", "occurred_at")


class ConfigError(ValueError):
    """The connectors' configuration cannot be run; the message names the key."""


@dataclass(frozen=True)
class MqttConfig:
    """One system's MQTT connector. Topics: `<topic_prefix>/<system>/<kind>`."""

    system: str
    url: str = DEFAULT_MQTT_URL
    topic_prefix: str = "se"
    client_id: str = ""
    session_expiry_s: int = 7 * 86400
    keepalive_s: int = 30

    @property
    def client(self) -> str:
        # Fixed per system: the broker keeps the session (and what arrives) under this id.
        return self.client_id or f"se-connector-{self.system}"

    @property
    def host_port(self) -> tuple[str, int, bool]:
        parts = urlsplit(self.url)
        tls = parts.scheme == "mqtts"
        return parts.hostname or "127.0.0.1", parts.port or (8883 if tls else 1883), tls

    @property
    def credentials(self) -> tuple[str | None, str | None]:
        parts = urlsplit(self.url)
        return parts.username, parts.password


@dataclass(frozen=True)
class DbPullConfig:
    """One system's database-pull connector: where its alarms are, and what they mean."""

    system: str
    url: str
    watermark: str
    columns: Mapping[str, str]
    table: str | None = None
    query: str | None = None
    watermark_kind: str = "id"
    tiebreak: str | None = None
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    detail: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    crs: str = "wgs84"
    id_prefix: str | None = None
    start_after: Any = None
    batch: int = 500
    poll_s: float = 10.0
    timeout_s: float = 10.0

    @property
    def name(self) -> str:
        """Its key in the warehouse's `connector_state`."""
        return f"dbpull:{self.system}"

    @property
    def prefix(self) -> str:
        # Legacy ids (1, 2, 3 …) collide across systems; ours are global idempotency keys.
        return f"{self.system}-" if self.id_prefix is None else self.id_prefix


@dataclass(frozen=True)
class Config:
    mqtt: Mapping[str, MqttConfig] = field(default_factory=dict)
    dbpull: Mapping[str, DbPullConfig] = field(default_factory=dict)


def _only(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
        )


def _typed(where: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _positive(where: str, value: Any) -> Any:
    _typed(where, value, (int, float))
    if not value > 0:
        raise ConfigError(f"{where}: expected a positive number, got {value!r}")
    return value


def _identifier(where: str, value: Any, dotted: bool = False) -> str:
    _typed(where, value, str)
    parts = value.split(".") if dotted else [value]
    if not all(IDENTIFIER.match(p) for p in parts) or len(parts) > 2:
        raise ConfigError(f"{where}: {value!r} is not a plain column or table name")
    return value


def mqtt_config(system: str, table: Mapping[str, Any], url: str | None = None) -> MqttConfig:
    where = f"mqtt.{system}"
    _only(where, table, {"url", "topic_prefix", "client_id", "session_expiry_s", "keepalive_s"})
    options: dict[str, Any] = {"system": system, "url": table.get("url") or url or DEFAULT_MQTT_URL}
    if urlsplit(options["url"]).scheme not in {"mqtt", "mqtts"}:
        raise ConfigError(f"{where}.url: expected mqtt://host:port or mqtts://host:port")
    if "topic_prefix" in table:
        prefix = _typed(f"{where}.topic_prefix", table["topic_prefix"], str)
        if not TOPIC_PREFIX.match(prefix):
            raise ConfigError(f"{where}.topic_prefix: {prefix!r}: letters, digits, _ - and /")
        options["topic_prefix"] = prefix
    if "client_id" in table:
        options["client_id"] = _typed(f"{where}.client_id", table["client_id"], str)
    for key in ("session_expiry_s", "keepalive_s"):
        if key in table:
            options[key] = int(_positive(f"{where}.{key}", table[key]))
    return MqttConfig(**options)


def dbpull_config(
    system: str, table: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> DbPullConfig:
    where = f"dbpull.{system}"
    environ = os.environ if environ is None else environ
    simple = {
        "url",
        "url_env",
        "table",
        "query",
        "watermark",
        "watermark_kind",
        "tiebreak",
        "timezone",
        "crs",
        "id_prefix",
        "start_after",
        "batch",
        "poll_s",
        "timeout_s",
        "detail",
    }
    _only(where, table, simple | {"columns", "values", "constants"})
    if "url_env" in table:
        name = _typed(f"{where}.url_env", table["url_env"], str)
        url = environ.get(name)
        if not url:
            raise ConfigError(f"{where}.url_env: the environment variable {name} is not set")
    elif "url" in table:
        url = _typed(f"{where}.url", table["url"], str)
    else:
        raise ConfigError(f"{where}: needs url or url_env (the legacy database's SQLAlchemy URL)")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise ConfigError(f"{where}.url: not a SQLAlchemy URL") from None
    if ("table" in table) == ("query" in table):
        raise ConfigError(f"{where}: give one of table or query")
    options: dict[str, Any] = {"system": system, "url": url}
    if "table" in table:
        options["table"] = _identifier(f"{where}.table", table["table"], dotted=True)
    else:
        query = _typed(f"{where}.query", table["query"], str).strip().rstrip(";")
        if not query.lower().startswith(("select", "with")):
            raise ConfigError(f"{where}.query: expected a SELECT")
        options["query"] = query
    if "watermark" not in table:
        raise ConfigError(f"{where}: needs watermark (an increasing id or update-time column)")
    options["watermark"] = _identifier(f"{where}.watermark", table["watermark"])
    kind = table.get("watermark_kind", "id")
    if kind not in ("id", "time"):
        raise ConfigError(f"{where}.watermark_kind: expected 'id' or 'time', got {kind!r}")
    options["watermark_kind"] = kind

    columns = _typed(f"{where}.columns", table.get("columns", {}), dict)
    _only(f"{where}.columns", columns, set(FIELDS))
    for key, column in columns.items():
        _identifier(f"{where}.columns.{key}", column)
    constants = _typed(f"{where}.constants", table.get("constants", {}), dict)
    _only(f"{where}.constants", constants, {"level", "category", "title", "site_id"})
    for key in REQUIRED:
        if key not in columns and key not in constants:
            raise ConfigError(f"{where}.columns: needs {key} (or a constant for it)")
    if "id" not in columns:
        raise ConfigError(f"{where}.columns: needs id (the row's own key)")
    positioned = ("lon" in columns and "lat" in columns) or "site_id" in columns
    if not positioned and "site_id" not in constants:
        raise ConfigError(f"{where}.columns: needs lon and lat, or site_id")
    if ("lon" in columns) != ("lat" in columns):
        raise ConfigError(f"{where}.columns: lon and lat go together")
    options["columns"] = dict(columns)
    options["constants"] = dict(constants)

    values = _typed(f"{where}.values", table.get("values", {}), dict)
    _only(f"{where}.values", values, {"level", "category"})
    mapped: dict[str, dict[str, str]] = {}
    for key, value_map in values.items():
        _typed(f"{where}.values.{key}", value_map, dict)
        mapped[key] = {
            str(k): _typed(f"{where}.values.{key}.{k}", v, str) for k, v in value_map.items()
        }
    levels = set(mapped.get("level", {}).values())
    if levels - {"red", "orange", "yellow", "blue"}:
        raise ConfigError(f"{where}.values.level: our levels are red, orange, yellow, blue")
    options["values"] = mapped

    if kind == "time":
        options["tiebreak"] = _identifier(f"{where}.tiebreak", table.get("tiebreak", columns["id"]))
    elif "tiebreak" in table:
        raise ConfigError(f"{where}.tiebreak: only for watermark_kind = 'time'")
    detail = _typed(f"{where}.detail", table.get("detail", []), list)
    options["detail"] = tuple(_identifier(f"{where}.detail", c) for c in detail)
    if "timezone" in table:
        try:
            ZoneInfo(_typed(f"{where}.timezone", table["timezone"], str))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{where}.timezone: unknown time zone {table['timezone']!r}"
            ) from None
        options["timezone"] = table["timezone"]
    if "crs" in table:
        if table["crs"] not in ("wgs84", "gcj02"):
            raise ConfigError(f"{where}.crs: expected 'wgs84' or 'gcj02'")
        options["crs"] = table["crs"]
    if "id_prefix" in table:
        prefix = _typed(f"{where}.id_prefix", table["id_prefix"], str)
        if prefix and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:\-]*", prefix):
            raise ConfigError(f"{where}.id_prefix: letters, digits and . _ : - only")
        options["id_prefix"] = prefix
    if "start_after" in table:
        options["start_after"] = _typed(f"{where}.start_after", table["start_after"], (int, str))
    if "batch" in table:
        options["batch"] = int(
            _positive(f"{where}.batch", _typed(f"{where}.batch", table["batch"], int))
        )
    for key in ("poll_s", "timeout_s"):
        if key in table:
            options[key] = float(_positive(f"{where}.{key}", table[key]))
    return DbPullConfig(**options)


def load(
    path: str | Path | None,
    mqtt_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The configuration in the TOML file at `path` (None: no connectors configured)."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    _only(str(path), data, {"mqtt", "dbpull"})
    sections: dict[str, dict[str, Any]] = {"mqtt": {}, "dbpull": {}}
    for kind in ("mqtt", "dbpull"):
        for system, table in _typed(kind, data.get(kind, {}), dict).items():
            if not SYSTEM.match(system):
                raise ConfigError(f"{kind}.{system}: not a system code (snake_case)")
            _typed(f"{kind}.{system}", table, dict)
            if kind == "mqtt":
                sections[kind][system] = mqtt_config(system, table, mqtt_url)
            else:
                sections[kind][system] = dbpull_config(system, table, environ)
    return Config(mqtt=sections["mqtt"], dbpull=sections["dbpull"])
