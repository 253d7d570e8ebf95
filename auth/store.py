"""Every SQL statement of access control, through `Warehouse.query/execute` with bound
parameters. Times are UTC-aware datetimes; the audit log is only ever INSERTed into.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from data_sources.warehouse import Warehouse


def ts(value: Any) -> datetime | None:
    """A UTC-aware datetime from what either warehouse returns (text on SQLite)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if not isinstance(value, str) and value is not None and _missing(value):
                value = None
            clean[key] = value
        rows.append(clean)
    return rows


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _one(frame: pd.DataFrame) -> dict[str, Any] | None:
    rows = _rows(frame)
    return rows[0] if rows else None


# --- users ---------------------------------------------------------------------------------


def get_user(wh: Warehouse, username: str) -> dict[str, Any] | None:
    return _one(wh.query("SELECT * FROM users WHERE username = :u", {"u": username}))


def list_users(wh: Warehouse) -> list[dict[str, Any]]:
    return _rows(
        wh.query(
            "SELECT username, display_name, role, active, created_at, last_login_at "
            "FROM users ORDER BY username"
        )
    )


def count_users(wh: Warehouse) -> int:
    return int(wh.query("SELECT count(*) AS n FROM users")["n"].iloc[0])


def create_user(
    wh: Warehouse, username: str, display_name: str, role: str, password_hash: str, now: datetime
) -> None:
    wh.execute(
        "INSERT INTO users (username, display_name, role, password_hash, active, created_at, "
        "updated_at) VALUES (:u, :n, :r, :h, :a, :now, :now)",
        {"u": username, "n": display_name, "r": role, "h": password_hash, "a": True, "now": now},
    )


def update_user(wh: Warehouse, username: str, now: datetime, **fields: Any) -> int:
    """Change some of display_name, role, password_hash, active; return rows touched."""
    allowed = {"display_name", "role", "password_hash", "active"}
    if not fields or set(fields) - allowed:
        raise ValueError(f"can only change {', '.join(sorted(allowed))}")
    sets = ", ".join(f"{name} = :{name}" for name in sorted(fields))
    return wh.execute(
        f"UPDATE users SET {sets}, updated_at = :now WHERE username = :username",
        {**fields, "now": now, "username": username},
    )


def record_login(wh: Warehouse, username: str, now: datetime) -> None:
    wh.execute(
        "UPDATE users SET last_login_at = :now WHERE username = :u", {"u": username, "now": now}
    )


# --- displays ------------------------------------------------------------------------------


def create_display(
    wh: Warehouse,
    display_id: str,
    name: str,
    token_hash: str,
    expires_at: datetime,
    created_by: str,
    now: datetime,
) -> None:
    wh.execute(
        "INSERT INTO displays (id, name, token_hash, token_expires_at, created_by, created_at) "
        "VALUES (:id, :name, :h, :exp, :by, :now)",
        {
            "id": display_id,
            "name": name,
            "h": token_hash,
            "exp": expires_at,
            "by": created_by,
            "now": now,
        },
    )


def claim_display(wh: Warehouse, token_hash: str, address: str, now: datetime) -> dict | None:
    """Use up a one-time enrolment token; the display it names, or None (unknown, used,
    expired or revoked). Two browsers racing with one token: only one wins."""
    display = _one(
        wh.query(
            "SELECT * FROM displays WHERE token_hash = :h AND enrolled_at IS NULL "
            "AND revoked_at IS NULL AND token_expires_at > :now",
            {"h": token_hash, "now": now},
        )
    )
    if display is None:
        return None
    won = wh.execute(
        "UPDATE displays SET token_hash = NULL, enrolled_at = :now, enrolled_from = :addr "
        "WHERE id = :id AND token_hash = :h AND enrolled_at IS NULL",
        {"id": display["id"], "h": token_hash, "now": now, "addr": address},
    )
    return display if won == 1 else None


def revoke_display(wh: Warehouse, display_id: str, by: str, now: datetime) -> bool:
    """Revoke a display and end its sessions; False when there is no such live display."""
    found = _one(
        wh.query(
            "SELECT id FROM displays WHERE id = :id AND revoked_at IS NULL", {"id": display_id}
        )
    )
    if found is None:
        return False
    wh.execute_all(
        [
            (
                "UPDATE displays SET revoked_at = :now, revoked_by = :by, token_hash = NULL "
                "WHERE id = :id",
                {"id": display_id, "by": by, "now": now},
            ),
            (
                "UPDATE auth_sessions SET ended_at = :now, end_reason = 'revoked' "
                "WHERE display_id = :id AND ended_at IS NULL",
                {"id": display_id, "now": now},
            ),
        ]
    )
    return True


def list_displays(wh: Warehouse) -> list[dict[str, Any]]:
    return _rows(
        wh.query(
            "SELECT id, name, created_by, created_at, token_expires_at, enrolled_at, "
            "enrolled_from, revoked_at, revoked_by FROM displays ORDER BY created_at DESC"
        )
    )


# --- sessions ------------------------------------------------------------------------------


def create_session(wh: Warehouse, *, id_hash: str, kind: str, now: datetime, **rest: Any) -> None:
    row = {"username": None, "display_id": None, "expires_at": None, "address": None}
    row |= {"user_agent": None, **rest, "id_hash": id_hash, "kind": kind, "now": now}
    wh.execute(
        "INSERT INTO auth_sessions (id_hash, kind, username, display_id, created_at, "
        "last_active_at, expires_at, address, user_agent) VALUES (:id_hash, :kind, :username, "
        ":display_id, :now, :now, :expires_at, :address, :user_agent)",
        row,
    )


def load_session(wh: Warehouse, id_hash: str) -> dict[str, Any] | None:
    """The session with its person (role, name, active) or display (name, revoked_at)."""
    return _one(
        wh.query(
            "SELECT s.id_hash, s.kind, s.username, s.display_id, s.created_at, "
            "s.last_active_at, s.expires_at, s.ended_at, u.role, u.display_name, u.active, "
            "d.name AS display_name_d, d.revoked_at "
            "FROM auth_sessions s LEFT JOIN users u ON u.username = s.username "
            "LEFT JOIN displays d ON d.id = s.display_id WHERE s.id_hash = :h",
            {"h": id_hash},
        )
    )


def touch_session(wh: Warehouse, id_hash: str, now: datetime) -> None:
    wh.execute(
        "UPDATE auth_sessions SET last_active_at = :now WHERE id_hash = :h AND ended_at IS NULL",
        {"h": id_hash, "now": now},
    )


def end_session(wh: Warehouse, id_hash: str, reason: str, now: datetime) -> None:
    wh.execute(
        "UPDATE auth_sessions SET ended_at = :now, end_reason = :why "
        "WHERE id_hash = :h AND ended_at IS NULL",
        {"h": id_hash, "why": reason, "now": now},
    )


def end_user_sessions(wh: Warehouse, username: str, reason: str, now: datetime) -> int:
    return wh.execute(
        "UPDATE auth_sessions SET ended_at = :now, end_reason = :why "
        "WHERE username = :u AND ended_at IS NULL",
        {"u": username, "why": reason, "now": now},
    )


# --- login throttling ----------------------------------------------------------------------


def blocked_until(wh: Warehouse, keys: list[tuple[str, str]], now: datetime) -> datetime | None:
    """The latest back-off end among (username, address) keys that is still in the future."""
    latest = None
    for username, address in keys:
        row = _one(
            wh.query(
                "SELECT blocked_until FROM login_failures WHERE username = :u AND address = :a",
                {"u": username, "a": address},
            )
        )
        until = ts(row["blocked_until"]) if row else None
        if until and until > now and (latest is None or until > latest):
            latest = until
    return latest


def add_failure(
    wh: Warehouse,
    username: str,
    address: str,
    now: datetime,
    forget_before: datetime,
    free: int,
    cap_s: float,
) -> int:
    """Count one failure for (username, address) and set its back-off; return the count.

    After `free` failures each further one doubles the wait (2 s, 4 s, ...) up to `cap_s`;
    a key whose last failure is older than `forget_before` starts again from one."""
    wh.execute(
        "INSERT INTO login_failures (username, address, failures, first_at, last_at) "
        "VALUES (:u, :a, 1, :now, :now) ON CONFLICT (username, address) DO UPDATE SET "
        "failures = CASE WHEN login_failures.last_at < :forget THEN 1 "
        "ELSE login_failures.failures + 1 END, "
        "first_at = CASE WHEN login_failures.last_at < :forget THEN :now "
        "ELSE login_failures.first_at END, last_at = :now",
        {"u": username, "a": address, "now": now, "forget": forget_before},
    )
    row = _one(
        wh.query(
            "SELECT failures FROM login_failures WHERE username = :u AND address = :a",
            {"u": username, "a": address},
        )
    )
    failures = int(row["failures"]) if row else 1
    if failures > free:
        wait = min(cap_s, math.pow(2, failures - free))
        wh.execute(
            "UPDATE login_failures SET blocked_until = :until WHERE username = :u AND address = :a",
            {"u": username, "a": address, "until": now + timedelta(seconds=wait)},
        )
    return failures


def clear_failures(wh: Warehouse, keys: list[tuple[str, str]]) -> None:
    wh.execute(
        "DELETE FROM login_failures WHERE username = :u AND address = :a",
        [{"u": u, "a": a} for u, a in keys],
    )


def clear_user_failures(wh: Warehouse, username: str) -> int:
    return wh.execute("DELETE FROM login_failures WHERE username = :u", {"u": username})


def clear_address_failures(wh: Warehouse, address: str) -> int:
    return wh.execute("DELETE FROM login_failures WHERE address = :a", {"a": address})


# --- audit log (INSERT and SELECT only) ----------------------------------------------------


def insert_audit(wh: Warehouse, row: dict[str, Any]) -> None:
    wh.execute(
        "INSERT INTO audit_log (at, actor, role, address, action, outcome, detail) "
        "VALUES (:at, :actor, :role, :address, :action, :outcome, :detail)",
        row,
    )


def recent_audit(wh: Warehouse, limit: int = 100, action: str | None = None) -> list[dict]:
    where = "WHERE action = :action " if action else ""
    return _rows(
        wh.query(
            f"SELECT id, at, actor, role, address, action, outcome, detail FROM audit_log "
            f"{where}ORDER BY id DESC LIMIT :limit",
            {"limit": int(limit), "action": action},
        )
    )


def find_audit(
    wh: Warehouse,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[dict]:
    """Audit records, newest first, narrowed by who, what and when ([since, until), UTC)."""
    where, params = [], {"limit": int(limit)}
    for column, value in (("actor", actor), ("action", action)):
        if value:
            where.append(f"{column} = :{column}")
            params[column] = value
    if since is not None:
        where.append("at >= :since")
        params["since"] = since
    if until is not None:
        where.append("at < :until")
        params["until"] = until
    clause = ("WHERE " + " AND ".join(where) + " ") if where else ""
    return _rows(
        wh.query(
            f"SELECT id, at, actor, role, address, action, outcome, detail FROM audit_log "
            f"{clause}ORDER BY id DESC LIMIT :limit",
            params,
        )
    )


def audit_choices(wh: Warehouse) -> tuple[list[str], list[str]]:
    """(the people, the actions) the audit log has records of: the filters' choices."""
    actors = wh.query("SELECT DISTINCT actor FROM audit_log WHERE actor IS NOT NULL ORDER BY actor")
    actions = wh.query("SELECT DISTINCT action FROM audit_log ORDER BY action")
    return list(actors["actor"]), list(actions["action"])


# --- housekeeping ----------------------------------------------------------------------------


def purge(
    wh: Warehouse, now: datetime, *, idle: timedelta, keep_ended: timedelta, forget: timedelta
) -> dict[str, int]:
    """Delete sessions over for `keep_ended` and login failures older than `forget`.

    A session is over when it ended (logout, revocation), passed its absolute end, or (a
    person's) was idle past `idle`; it is kept `keep_ended` longer for whoever looks into it
    (the audit log keeps the record). A failure key is forgotten by `add_failure` after
    `forget` anyway; its row goes once no back-off of it is still running.
    """
    before = now - keep_ended
    sessions = wh.execute(
        "DELETE FROM auth_sessions WHERE (ended_at IS NOT NULL AND ended_at < :before) "
        "OR (expires_at IS NOT NULL AND expires_at < :before) "
        "OR (kind = 'user' AND last_active_at < :idle_before)",
        {"before": before, "idle_before": before - idle},
    )
    failures = wh.execute(
        "DELETE FROM login_failures WHERE last_at < :forget "
        "AND (blocked_until IS NULL OR blocked_until < :now)",
        {"forget": now - forget, "now": now},
    )
    return {"sessions": int(sessions), "login_failures": int(failures)}
