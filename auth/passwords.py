"""Password hashing (argon2id, argon2-cffi's RFC 9106 low-memory profile) and the policy.

Only the hash is stored. `verify` answers in about the same time whether the user exists or
not (a dummy hash is checked for unknown users), so timing does not reveal user names.
"""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
_DUMMY_HASH: str | None = None


class PasswordPolicyError(ValueError):
    """A new password is too weak to be set."""


def check_policy(password: str, username: str = "") -> None:
    """Raise PasswordPolicyError (message in Chinese and English) unless `password` is acceptable."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(
            f"密码至少 {MIN_LENGTH} 个字符 / the password needs at least {MIN_LENGTH} characters"
        )
    if username and username.lower() in password.lower():
        raise PasswordPolicyError(
            "密码不能包含用户名 / the password must not contain the user name"
        )
    if len(set(password)) < 4:
        raise PasswordPolicyError("密码过于简单 / the password is too simple")


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted; a new salt every call)."""
    return _hasher.hash(password)


def verify(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """(matches, new hash to store or None). A new hash comes back when the parameters of
    the stored one are older than today's; `stored_hash` None checks a dummy hash (no user)."""
    global _DUMMY_HASH
    if stored_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False, None
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(stored_hash):
        return True, _hasher.hash(password)
    return True, None


def generate() -> str:
    """A random password that passes the policy (for the CLI's --generate)."""
    while len(set(password := secrets.token_urlsafe(12))) < 4:
        pass
    return password
