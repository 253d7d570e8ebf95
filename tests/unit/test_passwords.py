"""Password hashing (argon2id) and the password policy, without a server."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from auth import passwords
from auth.accounts import new_token, normalise_token, token_hash


def test_a_password_is_stored_as_a_salted_argon2id_hash_that_verifies() -> None:
    first = passwords.hash_password("正确的马电池 staple")
    second = passwords.hash_password("正确的马电池 staple")
    assert first.startswith("$argon2id$")
    assert "staple" not in first
    assert first != second, "every hash has its own salt"
    assert passwords.verify("正确的马电池 staple", first) == (True, None)
    assert passwords.verify("正确的马电池 staplE", first) == (False, None)
    assert passwords.verify("", first) == (False, None)


def test_a_hash_with_weaker_parameters_is_upgraded_at_the_next_login() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("old password 1")
    ok, new_hash = passwords.verify("old password 1", weak)
    assert ok and new_hash is not None and new_hash != weak
    assert passwords.verify("old password 1", new_hash) == (True, None)
    # A wrong password never yields a new hash.
    assert passwords.verify("wrong password", weak) == (False, None)


def test_a_damaged_hash_or_no_user_never_verifies() -> None:
    assert passwords.verify("anything at all", "not-a-hash") == (False, None)
    assert passwords.verify("anything at all", "$argon2id$v=19$m=65536,t=3,p=4$broken") == (
        False,
        None,
    )
    assert passwords.verify("anything at all", None) == (False, None)


def test_an_unknown_user_costs_as_much_time_as_a_wrong_password() -> None:
    stored = passwords.hash_password("a real password 9")
    passwords.verify("warm up the dummy", None)

    def timed(fn) -> float:  # noqa: ANN001
        start = time.perf_counter()
        for _ in range(3):
            fn()
        return time.perf_counter() - start

    wrong = timed(lambda: passwords.verify("wrong guess 123", stored))
    unknown = timed(lambda: passwords.verify("wrong guess 123", None))
    assert unknown > wrong * 0.5, (wrong, unknown)


@pytest.mark.parametrize(
    ("password", "username", "reason"),
    [
        ("short1", "wang", "10"),
        ("wangwei-2026!", "wangwei", "用户名"),
        ("aaaaaaaaaaaaaa", "", "简单"),
        ("abababababab", "", "简单"),
    ],
)
def test_the_policy_refuses_weak_passwords(password: str, username: str, reason: str) -> None:
    with pytest.raises(passwords.PasswordPolicyError, match=reason):
        passwords.check_policy(password, username)


def test_the_policy_accepts_a_reasonable_password_and_generated_ones() -> None:
    passwords.check_policy("苏州应急 2026 值班", "wang")
    for _ in range(20):
        generated = passwords.generate()
        passwords.check_policy(generated, "wang")
        assert len(generated) >= passwords.MIN_LENGTH


def test_enrolment_codes_are_random_typeable_and_forgive_case_spaces_and_dashes() -> None:
    token = new_token()
    assert len(token.replace("-", "")) == 24 and token.count("-") == 5
    assert token != new_token()
    sloppy = " " + token.lower().replace("-", " ") + "\n"
    assert normalise_token(sloppy) == token
    assert token_hash(sloppy) == token_hash(token)
    assert token not in token_hash(token)
