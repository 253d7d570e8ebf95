"""Logging in and enrolling a display, with the throttle that cannot lock out the duty desk.

THE THROTTLE RULE. Failures are counted under three keys, each on its own: per (user name,
address), per address (all names together) and per account (one name from every address).
The first `FREE` / `FREE_PER_ADDRESS` / `FREE_PER_ACCOUNT` failures of a key cost nothing;
each further one doubles the wait before that key may try again (2 s, 4 s, 8 s, ... at most
`CAP_S`); a key with no failure for `FORGET` starts afresh. A success clears only that
account's keys, never its address's: signing in to one's own account does not buy more
guesses at other accounts (spraying). There is no account lock: an attacker guessing the
duty officer's password from another address slows themselves down long before the account's
own allowance, so the duty officer at their own desk logs in at once; only a guessing spread
over many addresses reaches the account key, and an administrator lifts it (`unblock NAME`).
While a key waits, the password is not even checked, so the waiting cannot be skipped.
Behind a reverse proxy the address must be the client's (see docs/access.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from auth import passwords, store, trail
from auth.accounts import normalise_username, token_hash
from auth.sessions import AuthState

FREE = 5  # per (user, address)
FREE_PER_ADDRESS = 20  # all user names from one address together
FREE_PER_ACCOUNT = 50  # one user name from all addresses together
EVERYWHERE = "*"  # the address of the per-account key
CAP_S = 15 * 60.0
FORGET = timedelta(hours=1)
ENROL_KEY = "#enrol"  # the throttle key of /enrol (per address)


@dataclass(frozen=True)
class Outcome:
    secret: str | None  # the new session's cookie value
    reason: str  # ok, bad, throttled
    wait_s: int = 0
    who: str = ""  # the username or display id


def _throttled(state: AuthState, keys: list[tuple[str, str]]) -> int:
    until = store.blocked_until(state.warehouse, keys, state.clock())
    return 0 if until is None else max(1, int((until - state.clock()).total_seconds() + 0.999))


def _fail(state: AuthState, username: str, address: str) -> None:
    now = state.clock()
    store.add_failure(state.warehouse, username, address, now, now - FORGET, FREE, CAP_S)
    store.add_failure(state.warehouse, "", address, now, now - FORGET, FREE_PER_ADDRESS, CAP_S)
    if username:
        forget = now - FORGET
        store.add_failure(
            state.warehouse, username, EVERYWHERE, now, forget, FREE_PER_ACCOUNT, CAP_S
        )


def login(
    state: AuthState, raw_username: str, password: str, address: str, user_agent: str | None
) -> Outcome:
    """Check a name and password; open a session on success. Audited either way."""
    wh = state.warehouse
    username = normalise_username(raw_username)
    address = (address or "?")[:64]
    keys = [(username, address), ("", address), (username, EVERYWHERE)]

    def audit(outcome: str, **detail: object) -> None:
        trail.write(
            wh,
            "login",
            outcome,
            actor=username or None,
            role=detail.pop("role", None),
            address=address,
            detail=detail,
            at=state.clock(),
        )

    wait = _throttled(state, keys)
    if wait:
        audit("throttled", wait_s=wait)
        return Outcome(None, "throttled", wait, username)
    user = store.get_user(wh, username) if username else None
    ok, rehash = passwords.verify(password, user["password_hash"] if user else None)
    if not ok or not user["active"]:
        _fail(state, username, address)
        audit(
            "failed", reason="inactive" if ok else ("unknown user" if user is None else "password")
        )
        return Outcome(None, "bad", 0, username)
    now = state.clock()
    store.clear_failures(wh, [(username, address), (username, EVERYWHERE)])  # not the address
    if rehash:
        store.update_user(wh, username, now, password_hash=rehash)
    store.record_login(wh, username, now)
    secret = state.start("user", address=address, user_agent=user_agent, username=username)
    audit("ok", role=user["role"])
    return Outcome(secret, "ok", 0, username)


def enrol(state: AuthState, raw_token: str, address: str, user_agent: str | None) -> Outcome:
    """Trade a one-time enrolment token for a display session. Audited either way."""
    wh = state.warehouse
    address = (address or "?")[:64]
    keys = [(ENROL_KEY, address)]

    def audit(outcome: str, actor: str | None = None, **detail: object) -> None:
        trail.write(
            wh,
            "enrol",
            outcome,
            actor=actor,
            role="display" if actor else None,
            address=address,
            detail=detail,
            at=state.clock(),
        )

    wait = _throttled(state, keys)
    if wait:
        audit("throttled", wait_s=wait)
        return Outcome(None, "throttled", wait)
    display = store.claim_display(wh, token_hash(raw_token or ""), address, state.clock())
    if display is None:
        now = state.clock()
        store.add_failure(wh, ENROL_KEY, address, now, now - FORGET, FREE, CAP_S)
        audit("failed")
        return Outcome(None, "bad")
    secret = state.start(
        "display", address=address, user_agent=user_agent, display_id=display["id"]
    )
    audit("ok", actor=f"display:{display['id']}", display_id=display["id"], name=display["name"])
    return Outcome(secret, "ok", 0, display["id"])
