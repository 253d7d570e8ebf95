"""Signing in, display enrolment and revocation in real headless Chromium (AUTH_REQUIRED=1,
the real Redis and the Suzhou reference warehouse). Screenshots: docs/screenshots/login-*.png,
enrol.png, admin.png."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import auth
from auth import accounts

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "苏州应急 2026 pass"
CLI = accounts.Actor("cli:test", "admin", "local")


@pytest.fixture
def secured(make_app, serve, redis_url, reference_url):  # noqa: ANN001, ANN201
    app = make_app(
        AUTH_REQUIRED=True, REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, WALL_ROTATE_S=0
    )
    state = auth.init_app(app.server)  # a no-op once app.py calls it
    for username, role in (("wang", "duty_officer"), ("admin", "admin")):
        accounts.create_user(
            state.warehouse, CLI, username, "王值班", role, PASSWORD, state.clock()
        )
    return serve(app)


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_an_anonymous_browser_is_sent_to_sign_in_and_then_sees_the_wall(
    secured, page_factory
) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{secured.url}/wall?canvas=1920x1080")
    assert re.search(
        r"/login\?next=/wall%3Fcanvas%3D1920x1080$|/login\?next=/wall\?canvas=1920x1080$", page.url
    )
    assert page.locator("h1").inner_text() == "用户登录"
    shot(page, "login-zh")
    page.fill("#login-username", "wang")
    page.fill("#login-password", "wrong password 1")
    page.click("#login-submit")
    assert "用户名或密码错误" in page.locator("#login-error").inner_text()
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector("#alarm-feed")
    assert page.url == f"{secured.url}/wall?canvas=1920x1080"
    cookie = next(c for c in page.context.cookies() if c["name"] == auth.sessions.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find(auth.sessions.COOKIE) == -1
    page.wait_for_timeout(1500)
    assert page.console_errors == []
    assert page.outside_requests == []


def test_the_sign_in_page_reads_in_english_on_request_and_fits_a_phone(
    secured, page_factory
) -> None:  # noqa: ANN001
    page = page_factory(390, 844)
    page.goto(f"{secured.url}/duty")
    page.click("a.auth-lang")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("#login-submit").inner_text() == "Sign in"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    box = page.locator("#login-submit").bounding_box()
    assert box["height"] >= 44, "a finger-sized button"
    shot(page, "login-en-phone")
    page.fill("#login-username", "wang")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{secured.url}/duty")
    assert page.console_errors == [] and page.outside_requests == []


def test_an_enrolled_display_shows_the_wall_and_goes_to_sign_in_when_revoked(
    secured, page_factory
) -> None:  # noqa: ANN001
    state = auth.state(secured.app.server)
    display_id, token = accounts.issue_display(state.warehouse, CLI, "指挥大厅主屏", state.clock())
    page = page_factory(1920, 1080)
    page.goto(f"{secured.url}/enrol?next=/wall%3Fcanvas%3D1920x1080")
    assert "显示终端注册" in page.locator("h1").inner_text()
    page.fill("#enrol-token", token.lower().replace("-", " "))
    shot(page, "enrol")
    page.click("#enrol-submit")
    page.wait_for_selector("#main-map.leaflet-container")
    page.wait_for_selector("#alarm-feed")
    assert page.url.endswith("/wall?canvas=1920x1080")
    page.wait_for_timeout(1500)
    assert page.console_errors == []

    # The wall hears the server over its push stream (it does not poll while the stream is
    # up): the stream checks the session every few seconds and says `bye` when it is gone.
    page.wait_for_function("() => window.sePush && window.sePush.mode === 'push'", timeout=20_000)
    accounts.revoke_display(state.warehouse, CLI, display_id, state.clock())
    # The page goes to the sign-in page (with the way to enrol again) on its own.
    page.wait_for_url(re.compile(r"/login\?next="), timeout=20_000)
    assert unquote(page.url.split("next=", 1)[1]) == "/wall?canvas=1920x1080"
    assert page.locator("a[href^='/enrol']").count() == 1
    assert page.outside_requests == []


def test_an_administrator_issues_a_display_code_on_the_admin_page(secured, page_factory) -> None:  # noqa: ANN001
    page = page_factory(1600, 1000)
    page.goto(f"{secured.url}/admin")
    page.fill("#login-username", "admin")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{secured.url}/admin")
    page.fill("#admin-new-display input[name=name]", "会商室主屏")
    page.click("#admin-new-display button")
    code = page.locator("#issued-token code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){5}", code)
    assert page.locator("#admin-displays tr.display-pending").count() == 1
    shot(page, "admin")
    page.goto(f"{secured.url}/admin")
    assert page.locator("#issued-token").count() == 0, "shown once"
    assert page.console_errors == [] and page.outside_requests == []
