"""Managing people and displays (the CLI and the admin page both call these). Every change
is audited as a user change; a failure raises AccountError with a bilingual message.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from auth import passwords, store, trail
from auth.matrix import PEOPLE_ROLES
from auth.sessions import digest
from data_sources.warehouse import Warehouse

USERNAME = re.compile(r"[a-z][a-z0-9_.-]{1,63}")
TOKEN_HOURS = 24


class AccountError(ValueError):
    """The change cannot be made (message names the reason, in Chinese and English)."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a logged-in administrator, or `cli:<os user>` on the server."""

    name: str
    role: str
    address: str | None


def normalise_username(raw: str) -> str:
    return raw.strip().lower()[:64]


def _audit(
    wh: Warehouse, actor: Actor, action: str, now: datetime, outcome: str = "ok", **detail: object
) -> None:
    trail.write(
        wh,
        action,
        outcome,
        actor=actor.name,
        role=actor.role,
        address=actor.address,
        detail=detail,
        at=now,
    )


def _role(role: str) -> str:
    if role not in PEOPLE_ROLES:
        raise AccountError(f"未知角色 / unknown role {role!r} (one of {', '.join(PEOPLE_ROLES)})")
    return role


def _existing(wh: Warehouse, username: str) -> dict:
    user = store.get_user(wh, normalise_username(username))
    if user is None:
        raise AccountError(f"没有该用户 / no such user {username!r}")
    return user


def create_user(
    wh: Warehouse,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    password: str,
    now: datetime,
) -> None:
    username = normalise_username(username)
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "用户名须为 2-64 位小写字母、数字、_.-，以字母开头 / "
            "user names are 2-64 of a-z 0-9 _ . -, starting with a letter"
        )
    _role(role)
    if store.get_user(wh, username) is not None:
        raise AccountError(f"用户已存在 / user {username!r} exists")
    try:
        passwords.check_policy(password, username)
    except passwords.PasswordPolicyError as exc:
        raise AccountError(str(exc)) from None
    store.create_user(
        wh, username, display_name.strip(), role, passwords.hash_password(password), now
    )
    _audit(wh, actor, "user_create", now, username=username, user_role=role)


def reset_password(
    wh: Warehouse, actor: Actor, username: str, password: str, now: datetime
) -> None:
    """Set a new password and end the user's sessions (and lift any login back-off)."""
    user = _existing(wh, username)
    try:
        passwords.check_policy(password, user["username"])
    except passwords.PasswordPolicyError as exc:
        raise AccountError(str(exc)) from None
    store.update_user(wh, user["username"], now, password_hash=passwords.hash_password(password))
    store.end_user_sessions(wh, user["username"], "reset", now)
    store.clear_user_failures(wh, user["username"])
    _audit(wh, actor, "user_password", now, username=user["username"])


def _other_admins(wh: Warehouse, username: str) -> int:
    return sum(
        1
        for u in store.list_users(wh)
        if u["role"] == "admin" and bool(u["active"]) and u["username"] != username
    )


def set_role(wh: Warehouse, actor: Actor, username: str, role: str, now: datetime) -> None:
    user = _existing(wh, username)
    _role(role)
    if user["role"] == "admin" and role != "admin" and not _other_admins(wh, user["username"]):
        raise AccountError("不能移除最后一位管理员 / the last administrator must stay one")
    store.update_user(wh, user["username"], now, role=role)
    _audit(wh, actor, "user_role", now, username=user["username"], old=user["role"], new=role)


def set_active(wh: Warehouse, actor: Actor, username: str, active: bool, now: datetime) -> None:
    """Enable or disable a user; disabling ends their sessions at once."""
    user = _existing(wh, username)
    if not active and user["role"] == "admin" and not _other_admins(wh, user["username"]):
        raise AccountError("不能停用最后一位管理员 / the last administrator cannot be disabled")
    store.update_user(wh, user["username"], now, active=active)
    if not active:
        store.end_user_sessions(wh, user["username"], "inactive", now)
    _audit(wh, actor, "user_active", now, username=user["username"], active=active)


def unblock(wh: Warehouse, actor: Actor, who: str, now: datetime) -> int:
    """Lift the login back-off of a user name (from every address) or of an address."""
    try:
        address = str(ipaddress.ip_address(who.strip()))
    except ValueError:
        address = None
    if address is not None:
        count = store.clear_address_failures(wh, address)
        _audit(wh, actor, "login_unblock", now, address=address, keys=count)
    else:
        count = store.clear_user_failures(wh, normalise_username(who))
        _audit(wh, actor, "login_unblock", now, username=normalise_username(who), keys=count)
    return count


# --- displays --------------------------------------------------------------------------------


def new_token() -> str:
    """120 random bits as 24 base32 letters in groups of four: easy to type on a wall PC."""
    text = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_token(raw: str) -> str:
    text = re.sub(r"[\s-]", "", raw).upper()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def token_hash(raw: str) -> str:
    return digest(normalise_token(raw))


def issue_display(
    wh: Warehouse, actor: Actor, name: str, now: datetime, hours: float = TOKEN_HOURS
) -> tuple[str, str]:
    """Register a display and its one-time enrolment token: (display id, token). The token
    is returned once, never stored (only its hash), and expires after `hours`."""
    name = name.strip()
    if not name:
        raise AccountError("请填写显示终端名称 / name the display (where it hangs)")
    if not 0 < hours <= 24 * 7:
        raise AccountError("有效期须在 7 天以内 / the token may live at most 7 days")
    token = new_token()
    display_id = "d-" + secrets.token_hex(4)
    expires = now + timedelta(hours=hours)
    store.create_display(wh, display_id, name[:100], token_hash(token), expires, actor.name, now)
    _audit(wh, actor, "display_issue", now, display_id=display_id, name=name, expires_at=expires)
    return display_id, token


def revoke_display(wh: Warehouse, actor: Actor, display_id: str, now: datetime) -> None:
    if not store.revoke_display(wh, display_id, actor.name, now):
        _audit(wh, actor, "display_revoke", now, outcome="unknown", display_id=display_id)
        raise AccountError(f"没有该显示终端或已撤销 / no live display {display_id!r}")
    _audit(wh, actor, "display_revoke", now, display_id=display_id)
