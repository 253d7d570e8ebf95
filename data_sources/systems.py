"""The registry of upstream systems and their ingest tokens (tables `upstream_systems`,
`ingest_tokens`).

Reads are cached at this layer (every ingest request asks who its token belongs to), and
the last good copy is kept in the process so that ingest keeps authenticating while the
warehouse is briefly down. Every change drops the cached copies, so a revoked token stops
working at the next request on every worker sharing the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd
from flask_caching import Cache

from data_sources.caching import cached
from data_sources.warehouse import Warehouse

T = TypeVar("T")
log = logging.getLogger(__name__)

SENDS = ("alarms", "readings", "incidents", "heartbeats")
CONNECTORS = ("http", "mqtt", "dbpull")
KINDS = ("platform", "business", "monitoring", "sensing", "demo")
CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
# Short: a revocation made where the cache cannot be reached (another host) still lands soon.
TTL = 10
# Another worker sees a change after at most this long (this one at once).
MEMO_S = 1.0
_SYSTEMS_KEY = "systems:by_code"
COLUMNS = [
    "code",
    "name",
    "name_en",
    "kind",
    "sends",
    "heartbeat_s",
    "data_s",
    "contact",
    "connector",
    "connector_settings",
    "may_transition",
    "enabled",
    "created_at",
]
_TOKENS_KEY = "systems:tokens"


class RegistryError(ValueError):
    """A change to the registry that cannot be made; the message names the field."""


def token_hash(token: str) -> str:
    """SHA-256 hex of a bearer token.

    A plain hash (no salt, no slow KDF) is enough here: tokens are 32 random bytes from
    `secrets`, so there is no dictionary to try and no brute force within reach, unlike a
    password; and a fast hash lets every request find its token by one indexed lookup.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(code: str) -> str:
    """A fresh bearer token; the system's code up front helps a human tell tokens apart."""
    return f"{code}.{secrets.token_urlsafe(32)}"


def _list(raw: Any) -> tuple[str, ...]:
    return tuple(p for p in (str(raw or "")).split(",") if p)


class Systems:
    """Read and change the upstream-system registry and its tokens."""

    def __init__(self, warehouse: Warehouse, cache: Cache | None = None) -> None:
        self.wh = warehouse
        self.cache = cache
        # key -> (when read, value): a second's copy in the process spares every ingest
        # request a cache round trip; also the last good copy while the warehouse is down.
        self._last: dict[str, tuple[float, Any]] = {}

    def _read(self, key: str, load: Callable[[], T]) -> T:
        held = self._last.get(key)
        if held is not None and time.monotonic() - held[0] < MEMO_S:
            return held[1]
        try:
            value = cached(self.cache, key, TTL, load)
        except Exception:
            try:
                value = load()  # the shared cache (Redis) is down: ask the warehouse itself
            except Exception:
                # The warehouse is down too: the last good copy beats refusing every upstream
                # system. Without one, the caller sees the error.
                if held is not None:
                    return held[1]
                raise
        self._last[key] = (time.monotonic(), value)
        return value

    def forget(self) -> None:
        """Drop cached copies after a change."""
        self._last.clear()
        if self.cache is not None:
            try:
                self.cache.delete_many(_SYSTEMS_KEY, _TOKENS_KEY)
            except Exception:  # noqa: BLE001 - unreachable cache: its copies expire in TTL s
                log.warning("could not drop the cached registry; it expires within %s s", TTL)

    # systems --------------------------------------------------------------------------

    def _by_code(self) -> dict[str, dict[str, Any]]:
        # Plain dicts, not a DataFrame: every ingest request reads this, and unpickling a
        # small dict from the shared cache costs microseconds where a frame costs milliseconds.
        def load() -> dict[str, dict[str, Any]]:
            frame = self.wh.query(
                "SELECT code, name, name_en, kind, sends, heartbeat_s, data_s, contact, "
                "connector, connector_settings, may_transition, enabled, created_at "
                "FROM upstream_systems ORDER BY code"
            )
            systems = {}
            for row in frame.to_dict("records"):
                row["sends"] = _list(row["sends"])
                row["may_transition"] = _list(row["may_transition"])
                row["connector_settings"] = json.loads(row["connector_settings"])
                row["enabled"] = bool(row["enabled"])
                row["heartbeat_s"], row["data_s"] = int(row["heartbeat_s"]), int(row["data_s"])
                row["created_at"] = pd.to_datetime(row["created_at"], utc=True, format="mixed")
                systems[row["code"]] = row
            return systems

        return self._read(_SYSTEMS_KEY, load)

    def all(self) -> pd.DataFrame:
        """Columns: code, name, name_en, kind, sends (tuple), heartbeat_s, data_s, contact,
        connector, connector_settings (dict), may_transition (tuple of codes), enabled (bool),
        created_at (UTC). Ordered by code."""
        return pd.DataFrame(list(self._by_code().values()), columns=COLUMNS)

    def get(self, code: str) -> dict[str, Any] | None:
        """One system as a dict (the columns of `all`), or None."""
        system = self._by_code().get(code)
        return dict(system) if system is not None else None

    def add(
        self,
        code: str,
        name: str,
        *,
        name_en: str = "",
        kind: str = "business",
        sends: Iterable[str] = ("alarms", "heartbeats"),
        heartbeat_s: int = 30,
        data_s: int = 300,
        contact: str = "",
        connector: str = "http",
        connector_settings: dict[str, Any] | None = None,
        may_transition: Iterable[str] = (),
        enabled: bool = True,
        now: datetime | None = None,
    ) -> None:
        """Register a system; RegistryError naming the field if a value is wrong or taken."""
        if not isinstance(code, str) or not CODE.fullmatch(code):
            raise RegistryError("code: 2-32 characters, a-z, 0-9 and _, starting with a letter")
        if not name or not name.strip() or len(name) > 100:
            raise RegistryError("name: 1-100 characters")
        if kind not in KINDS:
            raise RegistryError(f"kind: one of {', '.join(KINDS)}")
        sends = tuple(dict.fromkeys(sends))
        if not sends or any(s not in SENDS for s in sends):
            raise RegistryError(f"sends: some of {', '.join(SENDS)}")
        if connector not in CONNECTORS:
            raise RegistryError(f"connector: one of {', '.join(CONNECTORS)}")
        for field, value in (("heartbeat_s", heartbeat_s), ("data_s", data_s)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 86400:
                raise RegistryError(f"{field}: whole seconds, 1-86400")
        settings = connector_settings or {}
        if not isinstance(settings, dict):
            raise RegistryError("connector_settings: a JSON object")
        grants = tuple(dict.fromkeys(may_transition))
        known = set(self.all()["code"])
        unknown = [g for g in grants if g not in known | {code}]
        if unknown:
            raise RegistryError(f"may_transition: unknown system {unknown[0]!r}")
        if code in known:
            raise RegistryError(f"code: {code!r} is already registered")
        self.wh.execute(
            "INSERT INTO upstream_systems (code, name, name_en, kind, sends, heartbeat_s, data_s, "
            "contact, connector, connector_settings, may_transition, enabled, created_at) VALUES "
            "(:code, :name, :name_en, :kind, :sends, :heartbeat_s, :data_s, :contact, "
            ":connector, :connector_settings, :may_transition, :enabled, :created_at)",
            {
                "code": code,
                "name": name.strip(),
                "name_en": name_en.strip(),
                "kind": kind,
                "sends": ",".join(sends),
                "heartbeat_s": heartbeat_s,
                "data_s": data_s,
                "contact": contact.strip(),
                "connector": connector,
                "connector_settings": json.dumps(settings, ensure_ascii=False),
                "may_transition": ",".join(grants),
                "enabled": bool(enabled),
                "created_at": now or datetime.now(UTC),
            },
        )
        self.forget()

    def set_enabled(self, code: str, enabled: bool) -> None:
        """Enable or disable a system (a disabled one is refused at ingest, 422)."""
        self._require(code)
        self.wh.execute(
            "UPDATE upstream_systems SET enabled = :enabled WHERE code = :code",
            {"code": code, "enabled": bool(enabled)},
        )
        self.forget()

    def set_grants(self, code: str, may_transition: Iterable[str]) -> None:
        """Which other systems' alarms `code` may acknowledge and close."""
        self._require(code)
        grants = tuple(dict.fromkeys(may_transition))
        known = set(self.all()["code"])
        unknown = [g for g in grants if g not in known]
        if unknown:
            raise RegistryError(f"may_transition: unknown system {unknown[0]!r}")
        self.wh.execute(
            "UPDATE upstream_systems SET may_transition = :grants WHERE code = :code",
            {"code": code, "grants": ",".join(grants)},
        )
        self.forget()

    def _require(self, code: str) -> dict[str, Any]:
        system = self.get(code)
        if system is None:
            raise RegistryError(f"system: no system {code!r} is registered")
        return system

    # tokens ---------------------------------------------------------------------------

    def tokens(self, code: str | None = None) -> pd.DataFrame:
        """Columns: id, system, label, created_at, revoked_at (UTC or NaT). Never the hash."""
        where, params = ("WHERE system = :code", {"code": code}) if code else ("", None)
        frame = self.wh.query(
            f"SELECT id, system, label, created_at, revoked_at FROM ingest_tokens {where} "
            "ORDER BY id",
            params,
        )
        for column in ("created_at", "revoked_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True, format="mixed")
        return frame

    def issue_token(
        self, code: str, label: str = "", now: datetime | None = None, *, rotate: bool = False
    ) -> tuple[int, str]:
        """A new token for `code`: (its id, the token). The token is returned once, never stored.

        With `rotate`, every other live token of the system is revoked in the same transaction.
        """
        self._require(code)
        if len(label) > 100:
            raise RegistryError("label: at most 100 characters")
        now = now or datetime.now(UTC)
        token = new_token(code)
        steps = []
        if rotate:
            steps.append(
                (
                    "UPDATE ingest_tokens SET revoked_at = :now "
                    "WHERE system = :code AND revoked_at IS NULL",
                    {"code": code, "now": now},
                )
            )
        steps.append(
            (
                "INSERT INTO ingest_tokens (system, hash, label, created_at) "
                "VALUES (:code, :hash, :label, :now)",
                {"code": code, "hash": token_hash(token), "label": label.strip(), "now": now},
            )
        )
        self.wh.execute_all(steps)
        token_id = int(
            self.wh.query(
                "SELECT id FROM ingest_tokens WHERE hash = :hash", {"hash": token_hash(token)}
            )["id"].iloc[0]
        )
        self.forget()
        return token_id, token

    def revoke(self, token_id: int, now: datetime | None = None) -> bool:
        """Revoke one token; False if there is no such live token."""
        touched = self.wh.execute(
            "UPDATE ingest_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
            {"id": int(token_id), "now": now or datetime.now(UTC)},
        )
        self.forget()
        return touched > 0

    def token_owner(self, digest: str) -> tuple[str, int] | None:
        """(system, token id) of the live token with SHA-256 `digest`, or None."""

        def load() -> dict[str, tuple[str, int]]:
            frame = self.wh.query(
                "SELECT id, system, hash FROM ingest_tokens WHERE revoked_at IS NULL"
            )
            return {
                h: (s, int(i))
                for i, s, h in zip(frame["id"], frame["system"], frame["hash"], strict=True)
            }

        return self._read(_TOKENS_KEY, load).get(digest)
