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

import settings_endpoints as endpoint
import settings_values as value
from screens import VIEW_KEYS

ROOT = Path(__file__).resolve().parent


class SettingsError(ValueError):
    """A setting has a value the dashboard cannot run with."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "REDIS_URL",
        None,
        "Live state (Redis). Unset: embedded in-process store.",
        endpoint.redis_url,
    ),
    Setting(
        "REDIS_SENTINELS",
        None,
        "Redis Sentinel addresses, host:port,host:port,...: the live state is the current "
        "master named REDIS_MASTER_NAME, followed through failovers; instead of REDIS_URL. "
        "Unset: REDIS_URL.",
        endpoint.sentinels,
    ),
    Setting(
        "REDIS_MASTER_NAME",
        None,
        "The master's name in the sentinels' configuration (with REDIS_SENTINELS).",
    ),
    Setting(
        "REDIS_WAIT_REPLICAS",
        0,
        "Replicas every ingest write must reach (Redis WAIT) before its 2xx; if they do not "
        "confirm within REDIS_WAIT_TIMEOUT_MS the ingest answers 503. 0: the master's AOF only.",
        value.non_negative_int,
    ),
    Setting(
        "REDIS_WAIT_TIMEOUT_MS",
        1000,
        "How long an ingest write waits for REDIS_WAIT_REPLICAS replicas (ms).",
        value.positive_int,
    ),
    Setting(
        "REDIS_VOLATILE_OK",
        False,
        "1: accept a Redis without AOF persistence (a 2xx then does not survive a Redis "
        "restart). 0: /readyz and ingest answer 503 on such a Redis.",
        value.flag,
    ),
    Setting(
        "WAREHOUSE_URL",
        None,
        "SQLAlchemy URL of the warehouse. Unset: SQLite file var/warehouse.sqlite.",
        endpoint.warehouse_url,
    ),
    Setting(
        "WAREHOUSE_READ_URL",
        None,
        "SQLAlchemy URL of a streaming read replica of WAREHOUSE_URL: the screens' reads go "
        "there, every write to WAREHOUSE_URL. Unset: reads go to WAREHOUSE_URL.",
        endpoint.warehouse_url,
    ),
    Setting(
        "TILE_URL", None, "XYZ tile template. Unset: offline vector base map.", endpoint.tile_url
    ),
    Setting(
        "TILE_FILE",
        None,
        "MBTiles file (raster tiles) the app serves itself as the base map at /tiles/z/x/y; "
        "instead of TILE_URL. Unset: TILE_URL, else the offline vector base map.",
        endpoint.tile_file,
    ),
    Setting(
        "TILE_CRS",
        "wgs84",
        "Datum of the tiles (TILE_URL's or TILE_FILE's): wgs84 or gcj02.",
        endpoint.tile_crs,
    ),
    Setting(
        "INGEST_TOKENS",
        None,
        "Comma-separated system:token pairs: each bearer token posts only as its system. "
        "Unset with embedded defaults: a demo token per system, printed at start.",
        endpoint.tokens,
    ),
    Setting(
        "AUTH_REQUIRED",
        None,
        "1: every screen needs a login or display session. Unset: 0 with embedded defaults "
        "on a loopback HOST, else 1 (/admin always needs a signed-in administrator).",
        value.flag,
    ),
    Setting(
        "DEMO_FEED",
        None,
        "1: run the built-in feed of simulated live data. Unset: 1 with embedded defaults on "
        "a loopback HOST, else 0.",
        value.flag,
    ),
    Setting(
        "INPROCESS_WORKERS",
        None,
        "1: run the archiver and the threshold engine inside the app. Unset: 1 with embedded "
        "defaults, else 0 (run `python -m archiver` and `python -m thresholds`).",
        value.flag,
    ),
    Setting(
        "READINGS_RETENTION_DAYS",
        30,
        "Days of sensor readings the warehouse keeps (the archiver prunes older ones hourly; 0: all).",
        value.non_negative_int,
    ),
    Setting(
        "ALARM_EVENTS_RETENTION_DAYS",
        365,
        "Days of alarm changes (alarm_events) the warehouse keeps; the archiver purges older "
        "ones hourly (0: all).",
        value.non_negative_int,
    ),
    Setting(
        "AUDIT_RETENTION_DAYS",
        183,
        "Days of the audit trail the warehouse keeps, at least 183 (0: all).",
        value.audit_days,
    ),
    Setting(
        "CLOSED_ALARMS_KEEP_S",
        86400,
        "Seconds a closed alarm stays in the live state (the consult page shows a day); the "
        "archiver trims older ones.",
        value.positive_int,
    ),
    Setting(
        "ALARM_IDS_KEEP_S",
        604800,
        "Seconds an upstream alarm id stays known in the live state: a retry within it is a "
        "duplicate (200). One small key per alarm for this long.",
        value.positive_int,
    ),
    Setting(
        "CONNECTORS_CONFIG",
        None,
        "TOML file of the MQTT and database-pull connectors (README: Connecting an upstream "
        "system); the app runs them in-process with INPROCESS_WORKERS. Unset: none.",
        endpoint.connectors_config,
    ),
    Setting(
        "MQTT_URL",
        None,
        "The MQTT broker of the MQTT connectors (mqtt://user:password@host:port); set, the "
        "demo feed's sensing network speaks MQTT too. Unset: connectors use "
        "mqtt://127.0.0.1:1883 and the demo feed HTTP only.",
        endpoint.mqtt_url,
    ),
    Setting(
        "CAMERA_ORIGINS",
        (),
        "Where camera streams may be played from, comma-separated http(s) origins "
        "(https://nvr.example:8443); the Content-Security-Policy allows media from these only. "
        "Unset: only streams on this server (the demo's).",
        endpoint.camera_origins,
    ),
    Setting(
        "VIDEO_MAX_STREAMS",
        4,
        "Camera streams one screen plays at once; further tiles wait for a click (点击播放).",
        value.positive_int,
    ),
    Setting("HOST", "127.0.0.1", "Address to listen on."),
    Setting("PORT", 8050, "Port to listen on.", endpoint.port),
    Setting("DATA_DIR", str(ROOT / "var"), "Where the embedded warehouse and state live."),
    Setting(
        "REFRESH_MS",
        1000,
        "How often screens poll live state (ms, at most 2000).",
        value.positive_int,
    ),
    Setting(
        "STALE_AFTER_S",
        15.0,
        "A panel whose data no source has confirmed for this long is marked stale (s).",
        value.positive_float,
    ),
    Setting("SQL_TIMEOUT_S", 10.0, "Time limit of one warehouse query (s).", value.positive_float),
    Setting(
        "WALL_VIEWS",
        VIEW_KEYS,
        "Focus views the wall cycles through, comma-separated.",
        value.views,
    ),
    Setting(
        "WALL_ROTATE_S",
        60,
        "Seconds per focus view on the wall (0: no rotation).",
        value.non_negative_int,
    ),
    Setting(
        "HALL_USAGE_HOURS",
        4.0,
        "A day counts as a command-hall usage day when an enrolled wall display showed /wall "
        "for at least this many hours of it (Asia/Shanghai).",
        value.positive_float,
    ),
    Setting(
        "HALL_USAGE_TARGET_DAYS",
        150,
        "The bureau's target of command-hall usage days a year, shown beside the count.",
        value.positive_int,
    ),
    Setting(
        "WALL_RELOAD_AT",
        "04:00",
        "Asia/Shanghai time of the wall's daily reload (HH:MM).",
        value.hhmm,
    ),
    Setting(
        "ALERT_SOUND_LEVELS",
        ("red",),
        "Alarm levels whose new alarms sound an alert tone until acknowledged or silenced "
        "(comma-separated, or none); escalations always sound.",
        value.alert_levels,
    ),
    Setting(
        "CALL_GATEWAY_URL",
        None,
        "The converged-communications gateway's click-to-dial URL (http/https; may hold "
        "{caller} and {callee}): desk screens place calls through it. Unset: tel: links only.",
        endpoint.gateway_url,
    ),
    Setting(
        "CALL_GATEWAY_METHOD",
        "POST",
        "HTTP method of the click-to-dial request.",
        value.http_method,
    ),
    Setting(
        "CALL_GATEWAY_BODY",
        '{"caller": "{caller}", "callee": "{callee}"}',
        "Body of a POST click-to-dial request; {caller} and {callee} are replaced by the numbers.",
    ),
    Setting(
        "CALL_GATEWAY_CONTENT_TYPE",
        "application/json",
        "Content-Type of that body (e.g. application/x-www-form-urlencoded).",
    ),
    Setting(
        "CALL_GATEWAY_AUTH_HEADER",
        None,
        "One header the gateway authenticates by, as `Name: value` (e.g. `Authorization: "
        "Bearer …`). Unset: none.",
        value.header_line,
    ),
    Setting(
        "CALL_GATEWAY_TIMEOUT_S",
        5.0,
        "Time limit of the click-to-dial request, to connect and for each read (s).",
        value.positive_float,
    ),
    Setting(
        "CALL_GATEWAY_OK_MATCH",
        None,
        "Text the gateway's 2xx answer must contain for the call to count as connected "
        '(e.g. `"code":0`). Unset: any 2xx.',
    ),
    Setting(
        "PROXY_HOPS",
        0,
        "Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host are "
        "believed: the client's address (login throttle, audit) is then the proxy's X-Forwarded-For. "
        "0: the peer's address (a header from anyone else is ignored).",
        value.non_negative_int,
    ),
    Setting("SECRET_KEY", None, "Flask session key. Unset: random per start."),
    Setting("LOG_LEVEL", "INFO", "Python log level.", value.log_level),
)
_BY_NAME = {s.name: s for s in SETTINGS}
_SECRET = frozenset({"INGEST_TOKENS", "SECRET_KEY", "CALL_GATEWAY_AUTH_HEADER"})


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
        return not self.redis_server and self.values["WAREHOUSE_URL"] is None

    @property
    def redis_server(self) -> bool:
        """True when the live state is a Redis server (REDIS_URL or REDIS_SENTINELS), not
        the embedded in-process store."""
        return bool(self.values["REDIS_URL"] or self.values["REDIS_SENTINELS"])

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
        if values["REDIS_SENTINELS"] and values["REDIS_URL"]:
            raise SettingsError(
                "REDIS_URL and REDIS_SENTINELS are both set: the live state is one or the other"
            )
        if bool(values["REDIS_SENTINELS"]) != bool(values["REDIS_MASTER_NAME"]):
            raise SettingsError("REDIS_SENTINELS and REDIS_MASTER_NAME go together: set both")
        redis_server = bool(values["REDIS_URL"] or values["REDIS_SENTINELS"])
        embedded = not redis_server and values["WAREHOUSE_URL"] is None
        # Open and simulated only for the demo on this machine: reachable from the network,
        # the screens need a login and no simulated data mixes with real alarms.
        demo = embedded and endpoint.loopback_host(values["HOST"])
        if values["AUTH_REQUIRED"] is None:
            values["AUTH_REQUIRED"] = not demo
        if values["DEMO_FEED"] is None:
            values["DEMO_FEED"] = demo
        if values["INPROCESS_WORKERS"] is None:
            values["INPROCESS_WORKERS"] = embedded
        if values["WAREHOUSE_READ_URL"] and not values["WAREHOUSE_URL"]:
            raise SettingsError(
                "WAREHOUSE_READ_URL is set without WAREHOUSE_URL: a replica needs its primary"
            )
        if values["TILE_URL"] and values["TILE_FILE"]:
            raise SettingsError(
                "TILE_URL and TILE_FILE are both set: the base map is one or the other"
            )
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


def describe() -> str:
    """The settings table as Markdown (README keeps a copy)."""
    rows = ["| name | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | {s.default if s.default is not None else '—'} | {s.help} |")
    return "\n".join(rows)
