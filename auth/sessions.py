"""Server-side sessions: a random id in an HttpOnly, SameSite=Strict cookie; the warehouse
holds only its SHA-256 with who it belongs to and when it ends.

People: idle timeout (no sign of a person for `idle`) and absolute timeout (`absolute` after
login). Signs of a person are page loads, the login itself and the browser's activity ping
(assets/auth.js, on keyboard/pointer/touch use) — not the screens' automatic polling, which
would otherwise keep an unattended desk logged in for ever. Displays have neither timeout:
they end only when an administrator revokes them.

Every request checks its session; the result is cached in the process for `CACHE_S` seconds
(a revocation by another process or the CLI is seen within that), and a session is only ever
refused on fresh data from the warehouse. When the warehouse does not answer, a session that
was valid within `STALE_GRACE` stays valid, so the wall keeps running through a warehouse
outage; an unknown session gets 503.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from auth import store
from data_sources.warehouse import Warehouse

log = logging.getLogger("smart_emergency.auth")

COOKIE = "se_session"
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
DISPLAY_COOKIE_AGE = timedelta(days=400)  # browsers cap cookie lifetimes at 400 days
TOUCH_EVERY = timedelta(seconds=30)
CACHE_S = 2.0
STALE_GRACE_S = 15 * 60.0


class AuthUnavailable(RuntimeError):
    """The warehouse holding the sessions does not answer and nothing cached can vouch."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Session:
    id_hash: str
    kind: str  # "user" or "display"
    name: str  # username, or display:<id>
    role: str
    display_name: str
    created_at: datetime
    last_active_at: datetime
    expires_at: datetime | None


@dataclass
class AuthState:
    """Per app: the warehouse, the clock (tests replace it) and the session cache."""

    warehouse: Warehouse
    clock: Callable[[], datetime] = utcnow
    idle: timedelta = IDLE_TIMEOUT
    absolute: timedelta = ABSOLUTE_TIMEOUT
    _cache: dict[str, tuple[dict[str, Any] | None, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lifecycle --------------------------------------------------------------------------

    def start(self, kind: str, *, address: str | None, user_agent: str | None, **who: str) -> str:
        """Open a session for a user (username=) or a display (display_id=); its cookie value."""
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        store.create_session(
            self.warehouse,
            id_hash=digest(secret),
            kind=kind,
            now=now,
            expires_at=now + self.absolute if kind == "user" else None,
            address=address,
            user_agent=(user_agent or "")[:300],
            **who,
        )
        return secret

    def end(self, secret: str | None, reason: str) -> None:
        if secret:
            store.end_session(self.warehouse, digest(secret), reason, self.clock())
            self.forget()

    def forget(self) -> None:
        """Drop the cache: the next request of every session reads the warehouse."""
        with self._lock:
            self._cache.clear()

    # --- checking ---------------------------------------------------------------------------

    def resolve(self, secret: str | None) -> Session | None:
        """The live session behind a cookie value, or None; ends sessions found timed out."""
        if not secret or len(secret) > 128:
            return None
        id_hash = digest(secret)
        now = self.clock()
        record, fresh = self._record(id_hash, force=False)
        problem = self._problem(record, now)
        if problem and not fresh:
            record, fresh = self._record(id_hash, force=True)
            problem = self._problem(record, now)
        if problem:
            if record is not None and record["ended_at"] is None and problem in ENDING:
                self._end_quietly(record, problem, now)
            return None
        return _session(record)

    def touch(self, session: Session) -> None:
        """A sign of a person: push the idle deadline (written at most every TOUCH_EVERY)."""
        now = self.clock()
        if session.kind != "user" or now - session.last_active_at < TOUCH_EVERY:
            return
        try:
            store.touch_session(self.warehouse, session.id_hash, now)
        except Exception:  # noqa: BLE001 - a missed touch only brings the idle end nearer
            log.exception("could not record session activity")
            return
        with self._lock:
            cached = self._cache.get(session.id_hash)
            if cached and cached[0] is not None:
                self._cache[session.id_hash] = ({**cached[0], "last_active_at": now}, cached[1])

    def _record(self, id_hash: str, force: bool) -> tuple[dict[str, Any] | None, bool]:
        with self._lock:
            cached = self._cache.get(id_hash)
        age = time.monotonic() - cached[1] if cached else None
        if cached and not force and age < CACHE_S:
            return cached[0], False
        try:
            record = store.load_session(self.warehouse, id_hash)
        except Exception as exc:
            if cached and cached[0] is not None and age < STALE_GRACE_S:
                log.warning("session store unavailable, trusting a check %.0f s old: %s", age, exc)
                return cached[0], True
            raise AuthUnavailable(str(exc)) from exc
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[id_hash] = (record, time.monotonic())
        return record, True

    def _problem(self, record: dict[str, Any] | None, now: datetime) -> str | None:
        if record is None:
            return "unknown"
        if record["ended_at"] is not None:
            return "ended"
        if record["kind"] == "display":
            return "revoked" if record["revoked_at"] is not None else None
        if record["role"] is None:
            return "unknown"
        if not record["active"]:
            return "inactive"
        if now >= store.ts(record["expires_at"]):
            return "absolute"
        if now - store.ts(record["last_active_at"]) >= self.idle:
            return "idle"
        return None

    def _end_quietly(self, record: dict[str, Any], reason: str, now: datetime) -> None:
        from auth import trail

        try:
            store.end_session(self.warehouse, record["id_hash"], reason, now)
        except Exception:  # noqa: BLE001 - the session is refused either way
            log.exception("could not end a timed-out session")
            return
        trail.write(
            self.warehouse,
            "session_end",
            reason,
            actor=record["username"] or f"display:{record['display_id']}",
            role=record["role"] or "display",
            address=None,
            detail={},
            at=now,
        )
        self.forget()


ENDING = ("idle", "absolute", "inactive", "revoked")


def _session(record: dict[str, Any]) -> Session:
    if record["kind"] == "display":
        name, role, label = f"display:{record['display_id']}", "display", record["display_name_d"]
    else:
        name, role, label = record["username"], record["role"], record["display_name"]
    return Session(
        id_hash=record["id_hash"],
        kind=record["kind"],
        name=name,
        role=role,
        display_name=label or name,
        created_at=store.ts(record["created_at"]),
        last_active_at=store.ts(record["last_active_at"]),
        expires_at=store.ts(record["expires_at"]),
    )
