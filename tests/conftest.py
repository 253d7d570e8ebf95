"""Fixtures with real parts: a real SQLite file, the real PostgreSQL and Redis servers, and
Debian's Chromium driven by Playwright.

`make test` passes TEST_REDIS_URL, TEST_WAREHOUSE_URL and CHROMIUM; each fixture makes its
own database / Redis db so tests do not see each other's data. The suite's Redis runs with AOF
(`appendonly yes`, as production does): the app refuses ingest on a Redis without it, and a
test that wants a volatile Redis says so with REDIS_VOLATILE_OK=1.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6380/15")
TEST_WAREHOUSE_URL = os.environ.get(
    "TEST_WAREHOUSE_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test"
)
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


def _admin_conninfo() -> str:
    url = make_url(TEST_WAREHOUSE_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the real server, dropped afterwards."""
    import psycopg

    name = f"se_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(TEST_WAREHOUSE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def warehouse_url(request: pytest.FixtureRequest) -> str:
    """Run the test on both warehouses: a SQLite file and the real PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis server, on a db of its own, emptied before and after."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=5)
    client.flushdb()
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url: str):
    from data_sources.live import connect

    client = connect(redis_url)
    yield client
    client.close()


# --- a running app -------------------------------------------------------------------


class LiveServer:
    """The app served by werkzeug in a thread, on a free loopback port."""

    def __init__(self, app, port: int = 0) -> None:  # noqa: ANN001
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", port, app.server, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.running = False

    def start(self) -> LiveServer:
        self.thread.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.running = False

    def restart(self) -> None:
        """Serve the same app on the same port again (after `stop`)."""
        fresh = LiveServer(self.app, self.port)
        self.server, self.thread = fresh.server, fresh.thread
        self.start()


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., object]]:
    """Build an app with test settings (its own data dir); stops its background workers."""
    from app import create_app

    apps = []

    def build(restored: bool = True, **overrides: object):
        """`restored`: without in-process workers nobody seeds the live state from the
        (empty) warehouse; mark it seeded, as the archiver would, so /readyz can be 200."""
        overrides.setdefault("DATA_DIR", str(tmp_path / "var"))
        overrides.setdefault("DEMO_FEED", False)
        overrides.setdefault("INPROCESS_WORKERS", False)
        # Tests of access control ask for it; the others look at screens as the demo user.
        overrides.setdefault("AUTH_REQUIRED", False)
        app = create_app(overrides)
        apps.append(app)
        if restored and not app.server.config["SE_SETTINGS"].INPROCESS_WORKERS:
            from data_sources import EXTENSION

            live = app.server.extensions[EXTENSION].live
            with contextlib.suppress(Exception):  # a test of an unreachable Redis
                live.mark_restored()
        return app

    yield build
    for app in apps:
        from app import shutdown

        shutdown(app)


@pytest.fixture
def serve() -> Iterator[Callable[[object], LiveServer]]:
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:  # noqa: ANN001
        server = LiveServer(app).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# --- the browser ---------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium (no browser download), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser):
    """New pages that record console errors and every request that leaves loopback."""
    contexts = []

    def new_page(width: int = 1920, height: int = 1080, **kwargs):
        context = browser.new_context(viewport={"width": width, "height": height}, **kwargs)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.outside_requests = []
        page.on(
            "console",
            lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))

        def _request(r) -> None:  # noqa: ANN001
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                page.outside_requests.append(r.url)

        page.on("request", _request)
        # The app's CSP forbids eval, which Playwright uses to poll a bare JS expression
        # (EvalError once it has to wait); a function it can poll without eval.
        wait_for_function = page.wait_for_function

        def _wait_for_function(expression: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if not _JS_FUNCTION.match(expression):
                expression = f"() => ({expression})"
            return wait_for_function(expression, *args, **kwargs)

        page.wait_for_function = _wait_for_function
        return page

    yield new_page
    for context in contexts:
        context.close()


# A JS function Playwright can poll as it is: `(..) =>`, `x =>`, `function`, `async`.
_JS_FUNCTION = re.compile(r"\s*(async\b|function\b|\(|[A-Za-z_$][\w$]*\s*=>)")


# --- the generated Suzhou reference data ---------------------------------------------


@pytest.fixture(scope="session")
def reference_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite warehouse holding the generated Suzhou reference data, built once."""
    from data_sources.warehouse import Warehouse, make_engine, upgrade
    from refdata.build import build

    path = tmp_path_factory.mktemp("reference") / "warehouse.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    build(Warehouse(engine))
    engine.dispose()
    return path


@pytest.fixture
def reference_url(reference_sqlite: Path, tmp_path: Path) -> str:
    """A private copy of the reference warehouse for one test."""
    copy = tmp_path / "reference.sqlite"
    shutil.copy(reference_sqlite, copy)
    return f"sqlite:///{copy}"


# The real Mosquitto broker and MariaDB server of the connector tests.
pytest_plugins = ["tests.connector_helpers"]
