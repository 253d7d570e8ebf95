"""Who is calling the ingest API, and what that system may do.

Every bearer token belongs to one upstream system: tokens from `INGEST_TOKENS`
(`system:token` pairs), the demo tokens of embedded defaults and the demo feed (in memory,
new at every start), and tokens issued from `/admin` or `python -m ingest systems token`
(stored as SHA-256 in `ingest_tokens`, see data_sources/systems.py). The rules:

| request | refused when | status |
|---|---|---|
| any | no token, or not a live one | 401 |
| alarm, heartbeat | `source` unknown or disabled | 422 naming `source` |
| alarm, heartbeat | `source` is not the token's system | 403 naming `source` |
| alarm, readings, incident | the token's system is not registered to send that kind | 403 |
| ack / close | the alarm's `source` is neither the token's system nor in its `may_transition` | 403 |

The sensor registry names no owning system, so readings are accepted from any system whose
`sends` includes readings.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from data_sources.systems import token_hash
from ingest import service
from settings import SettingsError

if TYPE_CHECKING:
    from data_sources import Sources

log = logging.getLogger("smart_emergency.ingest")
EXTENSION = "se_ingest_credentials"
DEMO_ID = "demo"


class Unavailable(RuntimeError):
    """Who a token belongs to cannot be told now (503: retry)."""


@dataclass(frozen=True)
class Caller:
    """The system a request authenticated as, and which of its tokens it used."""

    system: str
    token_id: str

    @property
    def is_demo(self) -> bool:
        """A demo token (embedded defaults, the demo feed): what it posts is marked 演示."""
        return self.token_id == DEMO_ID

    @property
    def via(self) -> str:
        """What the record of an API change carries: `system:token id`."""
        return f"{self.system}:{self.token_id}"


class Credentials:
    """The tokens one app accepts: fixed ones in memory, issued ones in the warehouse."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self._fixed: dict[str, Caller] = {}
        self.demo: dict[str, str] = {}
        for i, (system, token) in enumerate(sources.settings.INGEST_TOKENS, start=1):
            self._fixed[token_hash(token)] = Caller(system, f"env{i}")

    def check_settings(self) -> None:
        """SettingsError naming INGEST_TOKENS when a pair names an unregistered system."""
        known = set(self.sources.systems.all()["code"])
        for system, _ in self.sources.settings.INGEST_TOKENS:
            if system not in known:
                raise SettingsError(
                    f"INGEST_TOKENS: unknown system {system!r} "
                    f"(registered: {', '.join(sorted(known))}; "
                    "register it with `python -m ingest systems add`)"
                )

    def make_demo_tokens(self) -> dict[str, str]:
        """A fresh in-memory token per enabled system (this process, this start only)."""
        for code in self.sources.systems.all().query("enabled")["code"]:
            if code not in self.demo:
                token = f"demo-{code}-{secrets.token_urlsafe(18)}"
                self.demo[code] = token
                self._fixed[token_hash(token)] = Caller(code, DEMO_ID)
        return self.demo

    def authenticate(self, header: str) -> Caller | None:
        """The caller of `Authorization: Bearer <token>`, or None."""
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 512:
            return None
        # Looking up the digest, not the token, keeps the comparison free of timing leaks.
        digest = token_hash(token)
        fixed = self._fixed.get(digest)
        if fixed is not None:
            return fixed
        try:
            owner = self.sources.systems.token_owner(digest)
        except Exception as exc:  # the warehouse is down and no copy of the tokens is held
            raise Unavailable("the token registry is unreachable; retry later") from exc
        return Caller(owner[0], str(owner[1])) if owner else None


def init_app(server, sources: Sources) -> Credentials:  # noqa: ANN001
    """Check INGEST_TOKENS against the registry; make demo tokens where the settings call
    for them (printed when no INGEST_TOKENS are set)."""
    credentials = Credentials(sources)
    credentials.check_settings()
    settings = sources.settings
    if settings._DEMO_TOKEN or settings.DEMO_FEED:
        tokens = credentials.make_demo_tokens()
        if settings._DEMO_TOKEN:
            log.warning(
                "ingest API demo tokens (this start only): %s",
                ", ".join(f"{code}:{token}" for code, token in tokens.items()),
            )
    server.extensions[EXTENSION] = credentials
    return credentials


def get(server) -> Credentials:  # noqa: ANN001
    return server.extensions[EXTENSION]


# The rules -----------------------------------------------------------------------------


def _system(sources: Sources, code: str, field: str = "source") -> dict:
    try:
        system = sources.systems.get(code)
    except Exception:  # noqa: BLE001 - the warehouse is down and no copy is held: retry later
        log.exception("system registry unreachable")
        raise service.Rejected(field, "the system registry is unreachable; retry", 503) from None
    if system is None:
        raise service.Rejected(field, f"unknown system {code[:32]!r} (not registered)")
    if not system["enabled"]:
        raise service.Rejected(field, f"system {code!r} is disabled")
    return system


def _sends(system: dict, kind: str, field: str) -> None:
    if kind not in system["sends"]:
        raise service.Rejected(
            field, f"system {system['code']!r} is not registered to send {kind}", 403
        )


def as_source(sources: Sources, caller: Caller | None, source: str, kind: str) -> None:
    """Posting `kind` (alarms, heartbeats) with `source`: registered, enabled, the caller's."""
    system = _system(sources, source)
    if caller is None:
        return
    if source != caller.system:
        raise service.Rejected(
            "source", f"this token belongs to {caller.system!r}, not {source!r}", 403
        )
    _sends(system, kind, "source")


def may_send(sources: Sources, caller: Caller | None, kind: str) -> None:
    """Posting `kind` (readings, incidents) that carries no `source`: the caller's system."""
    if caller is None:
        return
    system = _system(sources, caller.system, "Authorization")
    _sends(system, kind, "Authorization")


def may_transition(sources: Sources, caller: Caller | None, alarm_source: str) -> None:
    """Acknowledging or closing an alarm of `alarm_source`: its own, or granted."""
    if caller is None:
        return
    system = _system(sources, caller.system, "Authorization")
    if alarm_source == caller.system or alarm_source in system["may_transition"]:
        return
    raise service.Rejected(
        "source",
        f"the alarm's source is {alarm_source!r}; {caller.system!r} may acknowledge or close "
        "only its own alarms",
        403,
    )
