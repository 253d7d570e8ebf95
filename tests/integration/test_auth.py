"""Access control end to end through HTTP, on the real Redis and both warehouses: sign-in,
the throttle that cannot lock out the duty desk, idle and absolute timeouts (injected clock),
display enrolment and revocation, the admin page, the CLI and the append-only audit log."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

import auth
from auth import accounts, passwords, store
from auth.sessions import CACHE_S, COOKIE

PASSWORD = "苏州应急 2026 pass"
REFUSED = 200  # the form again, saying why (a 4xx page would be a console error in browsers)
DESK = "10.1.1.20"  # the duty desk
ELSEWHERE = "203.0.113.9"  # someone guessing
ROLES = {"admin": "admin", "leader": "leader", "duty": "duty_officer", "viewer": "viewer"}
CLI = accounts.Actor("cli:test", "admin", "local")
T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


class Clock:
    """The auth clock of one app, moved by the test."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small parameters: the suite signs in hundreds of times."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    monkeypatch.setattr(passwords, "_DUMMY_HASH", None)


def secured_app(make_app, redis_url: str, warehouse_url: str, clock: Clock | None = None, **extra):  # noqa: ANN001, ANN003, ANN201
    """An app with AUTH_REQUIRED=1, its users (one per role) and an injected clock."""
    app = make_app(AUTH_REQUIRED=True, REDIS_URL=redis_url, WAREHOUSE_URL=warehouse_url, **extra)
    state = auth.init_app(app.server)  # a no-op once app.py calls it
    state.clock = clock or Clock()
    for username, role in ROLES.items():
        accounts.create_user(
            state.warehouse, CLI, username, f"{username} 测试", role, PASSWORD, state.clock()
        )
    return app


def client_at(app, address: str = DESK):  # noqa: ANN001, ANN201
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def csrf_of(client, path: str = "/login") -> str:  # noqa: ANN001
    page = client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def login(client, username: str, password: str = PASSWORD, next_path: str = "/wall"):  # noqa: ANN001, ANN201
    token = csrf_of(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token, "next": next_path},
    )


def signed_in(app, username: str, address: str = DESK):  # noqa: ANN001, ANN201
    client = client_at(app, address)
    assert login(client, username).status_code == 302
    return client


def enrolled(app, name: str = "指挥大厅主屏", address: str = "10.1.9.9"):  # noqa: ANN001, ANN201
    """A client holding a display session; and the display's id."""
    state = auth.state(app.server)
    display_id, token = accounts.issue_display(state.warehouse, CLI, name, state.clock())
    client = client_at(app, address)
    response = client.post("/enrol", data={"token": token, "csrf": csrf_of(client, "/enrol")})
    assert response.status_code == 302, response.text
    return client, display_id


def audit_rows(app, action: str | None = None) -> list[dict]:  # noqa: ANN001
    rows = store.recent_audit(auth.state(app.server).warehouse, 1000, action)
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def wall_status(client) -> int:  # noqa: ANN001
    return client.get("/wall").status_code


def poll_status(client) -> int:  # noqa: ANN001
    """What the screens' automatic refresh gets."""
    return client.get("/_dash-layout").status_code


# --- sign-in ---------------------------------------------------------------------------------


@pytest.mark.redis
def test_signing_in_opens_a_server_side_session_in_a_strict_httponly_cookie(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    app = secured_app(make_app, redis_url, warehouse_url)
    client = client_at(app)
    assert client.get("/wall").headers["Location"] == "/login?next=/wall"
    response = login(client, "Duty ", next_path="/wall?canvas=1920x1080")
    assert response.status_code == 302 and response.headers["Location"] == "/wall?canvas=1920x1080"
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age" not in header
    assert wall_status(client) == 200
    secret = client.get_cookie(COOKIE).value
    stored = auth.state(app.server).warehouse.query("SELECT id_hash, username FROM auth_sessions")
    assert list(stored["username"]) == ["duty"]
    assert stored["id_hash"].iloc[0] == hashlib.sha256(secret.encode()).hexdigest() != secret
    login(client, "duty")  # signing in again gives a new id and ends the old one
    assert client.get_cookie(COOKIE).value != secret
    client.set_cookie(COOKIE, secret)
    assert wall_status(client) == 302


@pytest.mark.redis
def test_a_wrong_password_or_unknown_user_gets_the_same_answer_and_no_session(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    for username, password in (("duty", "wrong password 1"), ("nobody", PASSWORD)):
        client = client_at(app)
        response = login(client, username, password)
        assert response.status_code == REFUSED
        assert "用户名或密码错误" in response.text
        assert client.get_cookie(COOKIE) is None
    reasons = [r["detail"]["reason"] for r in audit_rows(app, "login")]
    assert sorted(reasons) == ["password", "unknown user"]


@pytest.mark.redis
def test_a_form_without_its_token_is_refused(make_app, redis_url: str, sqlite_url: str) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    client = client_at(app)
    response = client.post("/login", data={"username": "duty", "password": PASSWORD})
    assert response.status_code == 400 and client.get_cookie(COOKIE) is None


@pytest.mark.redis
@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leads_off_the_site(
    make_app, redis_url: str, sqlite_url: str, target: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    response = login(client_at(app), "duty", next_path=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.redis
def test_the_sign_in_page_is_chinese_by_default_and_english_on_request(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    client = client_at(app)
    page = client.get("/login?next=/duty")
    assert "用户登录" in page.text and 'lang="zh-CN"' in page.text
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    english = client.get("/login?lang=en&next=/duty")
    assert "Sign in" in english.text and "用户登录" not in english.text
    # The choice is remembered, and the way back to Chinese is offered.
    assert "Wrong user name" in login(client, "duty", "bad password 1").text
    assert ">中文</a>" in client.get("/login").text


# --- the throttle ----------------------------------------------------------------------------


@pytest.mark.redis
def test_an_attacker_elsewhere_cannot_lock_the_duty_officer_out_of_the_duty_desk(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    attacker = client_at(app, ELSEWHERE)
    for _ in range(5):  # free attempts
        assert login(attacker, "duty", "guess-guess-1").status_code == REFUSED
    assert login(attacker, "duty", "guess-guess-2").status_code == REFUSED  # 6th: now waits 2 s
    # While it waits, even the right password is not checked.
    throttled = login(attacker, "duty", PASSWORD)
    assert throttled.status_code == 429 and "2 秒后再试" in throttled.text
    assert attacker.get_cookie(COOKIE) is None
    # The duty officer at the desk signs in at once.
    desk = client_at(app, DESK)
    assert login(desk, "duty").status_code == 302 and wall_status(desk) == 200
    # The wait doubles with each further failure: 2 s, 4 s, 8 s.
    clock.advance(seconds=2)
    assert login(attacker, "duty", "guess-guess-3").status_code == REFUSED
    clock.advance(seconds=3)
    assert login(attacker, "duty", "guess-guess-4").status_code == 429
    clock.advance(seconds=1)
    assert login(attacker, "duty", "guess-guess-4").status_code == REFUSED
    clock.advance(seconds=7)
    assert login(attacker, "duty", PASSWORD).status_code == 429
    outcomes = [r["outcome"] for r in audit_rows(app, "login") if r["address"] == ELSEWHERE]
    assert outcomes.count("throttled") == 3 and outcomes.count("failed") == 8


@pytest.mark.redis
def test_one_address_guessing_many_names_is_slowed_down_and_an_admin_can_lift_a_wait(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    state = auth.state(app.server)
    attacker = client_at(app, ELSEWHERE)
    for i in range(21):
        login(attacker, f"user{i}", "guess-guess-1")
    assert login(attacker, "leader").status_code == 429
    assert login(client_at(app, DESK), "leader").status_code == 302
    assert accounts.unblock(state.warehouse, CLI, ELSEWHERE, state.clock()) == 21 + 1
    assert login(attacker, "leader").status_code == 302
    desk = client_at(app, DESK)
    for _ in range(6):
        login(desk, "viewer", "typo typo 1")
    assert login(desk, "viewer").status_code == 429
    assert accounts.unblock(state.warehouse, CLI, "Viewer", state.clock()) == 2  # + account key
    assert login(desk, "viewer").status_code == 302
    details = [r["detail"] for r in audit_rows(app, "login_unblock")]
    assert details == [{"username": "viewer", "keys": 2}, {"address": ELSEWHERE, "keys": 22}]


@pytest.mark.redis
def test_a_success_clears_the_count_of_its_account_but_not_of_its_address(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    client = client_at(app)
    for _ in range(4):
        login(client, "duty", "typo typo 1")
    assert login(client, "duty").status_code == 302
    for _ in range(5):
        assert login(client_at(app), "duty", "typo typo 2").status_code == REFUSED
    assert login(client_at(app), "duty").status_code == 302
    keys = auth.state(app.server).warehouse.query(
        "SELECT username, address, failures FROM login_failures ORDER BY username"
    )
    assert list(keys.itertuples(index=False, name=None)) == [("", DESK, 9)]


@pytest.mark.redis
def test_signing_in_to_ones_own_account_does_not_reset_the_guesses_at_others(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    """Spraying: one address trying a password on many accounts, signing in to its own
    account in between, stays slowed down."""
    app = secured_app(make_app, redis_url, sqlite_url)
    sprayer = client_at(app, ELSEWHERE)
    for i in range(20):  # the address's free attempts, each at another name
        assert login(sprayer, f"user{i}", "Spring2026!").status_code == REFUSED
        if i % 5 == 4:
            assert login(sprayer, "viewer").status_code == 302  # its own account, valid
    assert login(sprayer, "user20", "Spring2026!").status_code == REFUSED  # 21st: waits 2 s
    assert login(sprayer, "viewer").status_code == 429, "a success did not buy more guesses"
    assert login(sprayer, "leader", PASSWORD).status_code == 429
    assert login(client_at(app, DESK), "leader").status_code == 302  # elsewhere: at once


@pytest.mark.redis
def test_guessing_one_account_from_many_addresses_is_slowed_down_on_that_account(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    state = auth.state(app.server)
    for i in range(50):  # one guess per address: no address key, no pair key waits
        assert login(client_at(app, f"198.51.100.{i}"), "duty", "guess-x-1").status_code == REFUSED
    assert login(client_at(app, "198.51.100.200"), "duty", "guess-x-2").status_code == REFUSED
    assert login(client_at(app, "198.51.100.201"), "duty", PASSWORD).status_code == 429
    assert login(client_at(app, DESK), "viewer").status_code == 302, "other accounts at once"
    assert accounts.unblock(state.warehouse, CLI, "duty", state.clock()) == 52
    assert login(client_at(app, DESK), "duty").status_code == 302


# --- timeouts --------------------------------------------------------------------------------


@pytest.mark.redis
def test_a_person_idle_for_30_minutes_is_signed_out_and_screen_polling_is_not_activity(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    client = signed_in(app, "viewer")
    for _ in range(29):
        clock.advance(minutes=1)
        assert poll_status(client) == 200
    clock.advance(minutes=1, seconds=1)
    assert poll_status(client) == 401
    assert client.get("/wall").headers["Location"] == "/login?next=/wall"
    ended = audit_rows(app, "session_end")
    assert [(r["actor"], r["outcome"]) for r in ended] == [("viewer", "idle")]


@pytest.mark.redis
def test_page_loads_and_the_activity_ping_keep_a_person_signed_in(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, sqlite_url, clock)
    client = signed_in(app, "duty")
    clock.advance(minutes=25)
    assert client.post("/auth/ping").status_code == 204
    clock.advance(minutes=25)
    assert wall_status(client) == 200  # a page load counts too
    clock.advance(minutes=29)
    assert poll_status(client) == 200
    clock.advance(minutes=2)
    assert client.post("/auth/ping").status_code == 401


@pytest.mark.redis
def test_even_an_active_session_ends_12_hours_after_sign_in(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    client = signed_in(app, "leader")
    for _ in range(35):  # 11 h 40 min of steady use
        clock.advance(minutes=20)
        assert wall_status(client) == 200
    clock.advance(minutes=20)
    assert wall_status(client) == 302
    assert audit_rows(app, "session_end")[0]["outcome"] == "absolute"


# --- displays --------------------------------------------------------------------------------


@pytest.mark.redis
def test_an_enrolled_display_never_idles_out_and_ends_when_revoked(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    wall, display_id = enrolled(app)
    clock.advance(days=3)
    assert wall_status(wall) == 200 and poll_status(wall) == 200
    state = auth.state(app.server)
    accounts.revoke_display(state.warehouse, CLI, display_id, clock())
    time.sleep(CACHE_S)  # as from the CLI, another process: seen within CACHE_S
    assert poll_status(wall) == 401
    assert wall.get("/wall").headers["Location"] == "/login?next=/wall"
    assert wall.get_cookie(COOKIE) is None, "the dead cookie is dropped"
    assert [r["detail"]["display_id"] for r in audit_rows(app, "display_revoke")] == [display_id]


@pytest.mark.redis
def test_the_display_cookie_is_long_lived_strict_and_httponly(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    state = auth.state(app.server)
    _, token = accounts.issue_display(state.warehouse, CLI, "会商室屏", state.clock())
    client = client_at(app)
    response = client.post(
        "/enrol", data={"token": token, "csrf": csrf_of(client, "/enrol"), "next": "/consult"}
    )
    assert response.headers["Location"] == "/consult"
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in header and "SameSite=Strict" in header
    assert int(re.search(r"Max-Age=(\d+)", header).group(1)) >= 365 * 24 * 3600


@pytest.mark.redis
def test_an_enrolment_code_works_once_expires_and_is_never_read_from_the_url(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    state = auth.state(app.server)
    _, token = accounts.issue_display(state.warehouse, CLI, "大厅左屏", clock())
    stored = state.warehouse.query("SELECT token_hash FROM displays")["token_hash"].iloc[0]
    assert token not in stored and token.replace("-", "") not in stored
    url_client = client_at(app)
    page = url_client.get(f"/enrol?token={token}")
    assert "不能放在网址中" in page.text and url_client.get_cookie(COOKIE) is None
    first, second = client_at(app), client_at(app, "10.1.9.10")
    assert (
        first.post(
            "/enrol", data={"token": token.lower(), "csrf": csrf_of(first, "/enrol")}
        ).status_code
        == 302
    )
    reuse = second.post("/enrol", data={"token": token, "csrf": csrf_of(second, "/enrol")})
    assert reuse.status_code == REFUSED and "已使用" in reuse.text
    _, late = accounts.issue_display(state.warehouse, CLI, "大厅右屏", clock())
    clock.advance(hours=24, seconds=1)
    third = client_at(app)
    assert (
        third.post("/enrol", data={"token": late, "csrf": csrf_of(third, "/enrol")}).status_code
        == REFUSED
    )
    assert [r["outcome"] for r in reversed(audit_rows(app, "enrol"))] == ["ok", "failed", "failed"]


# --- sign-out, user changes ------------------------------------------------------------------


@pytest.mark.redis
def test_signing_out_ends_the_session_on_the_server(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    client = signed_in(app, "duty")
    secret = client.get_cookie(COOKIE).value
    page = client.get("/logout")
    assert "您已退出登录" in page.text and client.get_cookie(COOKIE) is None
    client.set_cookie(COOKIE, secret)  # a copy of the old cookie opens nothing
    assert wall_status(client) == 302
    assert audit_rows(app, "logout")[0]["actor"] == "duty"


@pytest.mark.redis
def test_disabling_a_user_or_resetting_the_password_ends_their_sessions(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    state = auth.state(app.server)
    viewer, duty = signed_in(app, "viewer"), signed_in(app, "duty")
    accounts.set_active(state.warehouse, CLI, "viewer", False, state.clock())
    accounts.reset_password(state.warehouse, CLI, "duty", "another pass 2026", state.clock())
    time.sleep(CACHE_S)
    assert poll_status(viewer) == 401 and poll_status(duty) == 401
    assert login(client_at(app), "viewer").status_code == REFUSED
    assert login(client_at(app), "duty", "another pass 2026").status_code == 302
    with pytest.raises(accounts.AccountError, match="最后一位管理员"):
        accounts.set_role(state.warehouse, CLI, "admin", "viewer", state.clock())


# --- the audit log ---------------------------------------------------------------------------


@pytest.mark.redis
def test_every_action_leaves_an_audit_row_with_utc_time_actor_address_and_outcome(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    state = auth.state(app.server)
    login(client_at(app, ELSEWHERE), "duty", "wrong password 1")
    duty = signed_in(app, "duty")
    with app.server.test_request_context("/tablet", environ_base={"REMOTE_ADDR": DESK}):
        from flask import g

        g.se_user = auth.User("duty", "duty_officer", "duty 测试")
        auth.audit("ack_alarm", alarm_id="A-1")
        auth.audit("focus", op="set", kind="incident", target="INC-1")
        auth.audit("roster_import", outcome="failed", rows=0)
    viewer = signed_in(app, "viewer")
    assert viewer.get("/admin").status_code == 403
    duty.get("/logout")
    accounts.set_role(state.warehouse, CLI, "viewer", "leader", clock())
    rows = {r["action"]: r for r in audit_rows(app)}
    for action in (
        "login", "logout", "user_create", "user_role", "ack_alarm", "focus", "roster_import", "forbidden",
    ):  # fmt: skip
        assert action in rows, action
    assert rows["ack_alarm"]["actor"] == "duty" and rows["ack_alarm"]["address"] == DESK
    assert rows["ack_alarm"]["role"] == "duty_officer" and rows["ack_alarm"]["detail"] == {
        "alarm_id": "A-1"
    }
    assert rows["roster_import"]["outcome"] == "failed"
    assert (
        rows["forbidden"]["actor"] == "viewer" and rows["forbidden"]["detail"]["path"] == "/admin"
    )
    assert rows["user_role"]["detail"] == {"username": "viewer", "old": "viewer", "new": "leader"}
    at = store.ts(rows["ack_alarm"]["at"])
    assert at == T0 and at.tzinfo is not None and at.utcoffset() == timedelta(0)


@pytest.mark.redis
def test_audit_never_raises_into_the_caller(
    make_app, redis_url: str, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    auth.state(app.server).warehouse.execute("DROP TRIGGER audit_log_no_update")
    auth.state(app.server).warehouse.execute("ALTER TABLE audit_log RENAME TO audit_gone")
    with app.server.test_request_context("/tablet"), caplog.at_level(logging.ERROR):
        auth.audit("ack_alarm", alarm_id="A-2")
    assert "AUDIT RECORD LOST" in caplog.text and "ack_alarm" in caplog.text
    auth.audit("outside any app")  # no app context: logged, not raised


@pytest.mark.redis
@pytest.mark.postgres
def test_postgresql_refuses_to_update_delete_or_truncate_the_audit_log(
    make_app, redis_url: str, pg_url: str
) -> None:
    app = secured_app(make_app, redis_url, pg_url)
    login(client_at(app), "duty", "wrong password 1")
    wh = auth.state(app.server).warehouse
    for sql in (
        "UPDATE audit_log SET outcome = 'ok'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(Exception, match="append-only"):
            wh.execute(sql)
    assert wh.count("audit_log") >= 2


@pytest.mark.redis
def test_sqlite_refuses_to_update_or_delete_the_audit_log(
    make_app, redis_url: str, sqlite_url: str
) -> None:
    app = secured_app(make_app, redis_url, sqlite_url)
    wh = auth.state(app.server).warehouse
    before = wh.count("audit_log")
    for sql in ("UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            wh.execute(sql)
    assert wh.count("audit_log") == before > 0


# --- demo users, AUTH_REQUIRED=0, outages ----------------------------------------------------


def test_demo_users_exist_only_with_the_embedded_defaults(
    make_app, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        embedded = make_app(AUTH_REQUIRED=True)
        state = auth.init_app(embedded.server)
    password = re.search(r"password (demo-\S+)", caplog.text).group(1)
    assert {u["username"] for u in store.list_users(state.warehouse)} == {
        "admin",
        "leader",
        "duty",
        "viewer",
    }
    assert login(client_at(embedded), "duty", password).status_code == 302


@pytest.mark.redis
def test_no_demo_user_is_ever_created_in_a_configured_warehouse(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    app = make_app(AUTH_REQUIRED=True, REDIS_URL=redis_url, WAREHOUSE_URL=warehouse_url)
    assert store.count_users(auth.init_app(app.server).warehouse) == 0
    assert login(client_at(app), "duty", "anything-at-all").status_code == REFUSED


def test_without_auth_required_every_screen_acts_as_the_demo_duty_officer(make_app) -> None:
    app = make_app()
    auth.init_app(app.server)
    client = app.server.test_client()
    assert client.get("/wall").status_code == 200 and client.get("/_dash-layout").status_code == 200
    assert client.get("/login?next=/duty").headers["Location"] == "/duty"
    with app.server.test_request_context("/duty"):
        assert auth.current_user() == auth.DEMO_USER
        assert auth.can("ack_alarm") and not auth.can("admin") and not auth.can("no-such-thing")


def test_admin_needs_a_signed_in_administrator_even_without_auth_required(make_app) -> None:
    app = make_app()  # the embedded demo on loopback: AUTH_REQUIRED=0
    state = auth.init_app(app.server)
    anonymous = client_at(app)
    assert anonymous.get("/wall").status_code == 200, "the screens stay open"
    assert anonymous.get("/admin").headers["Location"] == "/login?next=/admin"
    assert anonymous.get("/admin/").status_code in (302, 308)
    forged = anonymous.post(
        "/admin/users",
        data={"username": "mallory", "role": "admin", "password": PASSWORD, "csrf": "x"},
    )
    assert forged.status_code == 401 and store.get_user(state.warehouse, "mallory") is None
    assert anonymous.get("/login?next=/admin").status_code == 200, "the sign-in form, not a loop"
    # The first administrator is made on the server (python -m auth create-user ...).
    accounts.create_user(state.warehouse, CLI, "boss", "局长", "admin", PASSWORD, state.clock())
    accounts.create_user(
        state.warehouse, CLI, "duty", "值班", "duty_officer", PASSWORD, state.clock()
    )

    def admin_login(username: str):  # noqa: ANN202
        client = client_at(app)
        token = csrf_of(client, "/login?next=/admin")
        form = {"username": username, "password": PASSWORD, "csrf": token, "next": "/admin"}
        assert client.post("/login", data=form).headers["Location"] == "/admin"
        return client

    assert admin_login("duty").get("/admin").status_code == 403
    admin = admin_login("boss")
    page = admin.get("/admin")
    assert page.status_code == 200 and 'data-username="duty"' in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    made = admin.post(
        "/admin/users",
        data={"csrf": token, "username": "li", "role": "viewer", "password": PASSWORD},
    )
    assert made.status_code == 303
    row = next(r for r in audit_rows(app, "user_create") if r["detail"]["username"] == "li")
    assert row["actor"] == "boss", "the change carries the administrator, not the demo user"


@pytest.mark.redis
def test_a_warehouse_outage_keeps_known_sessions_and_refuses_unknown_ones(
    make_app, redis_url: str, sqlite_url: str, tmp_path
) -> None:  # noqa: ANN001
    from data_sources.warehouse import Warehouse, make_engine

    app = secured_app(make_app, redis_url, sqlite_url)
    state = auth.state(app.server)
    wall, _ = enrolled(app)
    assert poll_status(wall) == 200
    good = state.warehouse
    state.warehouse = Warehouse(make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite'}"))
    try:
        state._cache = {
            k: (v[0], v[1] - 3) for k, v in state._cache.items()
        }  # the check is 3 s old
        assert poll_status(wall) == 200, "the wall keeps running"
        stranger = client_at(app)
        stranger.set_cookie(COOKIE, "not-a-known-session")
        assert poll_status(stranger) == 503
    finally:
        state.warehouse = good


# --- administration --------------------------------------------------------------------------


@pytest.mark.redis
def test_the_admin_page_manages_users_and_displays_and_only_for_administrators(
    make_app, redis_url: str, warehouse_url: str
) -> None:
    app = secured_app(make_app, redis_url, warehouse_url)
    admin = signed_in(app, "admin")
    page = admin.get("/admin")
    assert page.status_code == 200 and 'data-username="duty"' in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert (
        admin.post(
            "/admin/users", data={"username": "zhang", "role": "viewer", "password": PASSWORD}
        ).status_code
        == 400
    )
    created = admin.post(
        "/admin/users",
        data={
            "csrf": token,
            "username": "Zhang",
            "display_name": "张三",
            "role": "viewer",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 303
    weak = admin.post(
        "/admin/users",
        data={"csrf": token, "username": "li", "role": "viewer", "password": "short"},
    )
    assert weak.status_code == 400 and "至少 10 个字符" in weak.text
    issued = admin.post("/admin/displays", data={"csrf": token, "name": "指挥大厅主屏"})
    code = re.search(r"<code>([A-Z2-7-]{29})</code>", issued.text).group(1)
    display = client_at(app, "10.1.9.9")
    display.post("/enrol", data={"token": code, "csrf": csrf_of(display, "/enrol")})
    assert wall_status(display) == 200
    display_id = store.list_displays(auth.state(app.server).warehouse)[0]["id"]
    assert code not in admin.get("/admin").text, "the code is shown once"
    assert (
        admin.post(f"/admin/displays/{display_id}/revoke", data={"csrf": token}).status_code == 303
    )
    assert wall_status(display) == 302
    assert login(client_at(app), "zhang").status_code == 302
    for who in ("duty", "leader", "viewer"):
        assert signed_in(app, who).get("/admin").status_code == 403
    assert client_at(app).get("/admin").headers["Location"] == "/login?next=/admin"


@pytest.mark.redis
def test_the_cli_creates_users_and_issues_and_revokes_displays(
    make_app, redis_url: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    from auth.cli import main

    app = secured_app(make_app, redis_url, sqlite_url, Clock(datetime.now(UTC)))  # as the CLI's
    monkeypatch.setenv("WAREHOUSE_URL", sqlite_url)
    assert main(["create-user", "chen", "--role", "leader", "--name", "陈", "--generate"]) == 0
    password = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)
    assert login(client_at(app), "chen", password).status_code == 302
    assert main(["issue-display", "会商室主屏"]) == 0
    code = re.search(r"\n\s+([A-Z2-7-]{29})\n", capsys.readouterr().out).group(1)
    display = client_at(app)
    display.post("/enrol", data={"token": code, "csrf": csrf_of(display, "/enrol")})
    assert wall_status(display) == 200
    display_id = store.list_displays(auth.state(app.server).warehouse)[0]["id"]
    assert main(["revoke-display", display_id]) == 0
    auth.state(app.server).forget()  # the CLI is another process: seen within CACHE_S
    assert wall_status(display) == 302
    assert main(["revoke-display", "d-nothing"]) == 2
    assert main(["audit", "--action", "display_revoke"]) == 0
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    assert [(r["actor"], r["outcome"]) for r in lines] == [
        (f"cli:{getpass.getuser()}", "ok"),
        (f"cli:{getpass.getuser()}", "unknown"),
    ]


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_the_client_is_the_forwarded_address_only_with_proxy_hops(
    make_app, redis_url: str, sqlite_url: str, hops: int
) -> None:  # noqa: ANN001
    """nginx on the app's host: every request comes from 127.0.0.1. With PROXY_HOPS=1 the app
    believes nginx's X-Forwarded-For, so a remote browser gets no loopback-only /metrics;
    without it, the header (which anyone can send) is ignored."""
    app = secured_app(make_app, redis_url, sqlite_url, PROXY_HOPS=hops)
    via_nginx = client_at(app, "127.0.0.1")
    remote = {"X-Forwarded-For": "10.1.9.77"}
    assert via_nginx.get("/metrics", headers=remote).status_code == (401 if hops else 200)
    assert via_nginx.get("/metrics").status_code == 200
