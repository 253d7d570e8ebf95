"""Fixtures with real parts: a real SQLite file, the real PostgreSQL and Redis servers, and
Debian's Chromium driven by Playwright.

`make test` passes TEST_REDIS_URL, TEST_WAREHOUSE_URL and CHROMIUM; each fixture makes its
own database / Redis db so tests do not see each other's data. The suite's Redis runs with AOF
(`appendonly yes`, as production does): the app refuses ingest on a Redis without it, and a
test that wants a volatile Redis says so with REDIS_VOLATILE_OK=1.

`make test` runs the suite in parallel (pytest-xdist, `-n`, `--dist loadfile`: one module's
tests on one worker). Each worker gwN has a Redis db of its own (TEST_REDIS_URL's db minus N,
so 15, 14, ... with the default /15; at most 16 workers), its own tmp_path tree and browser,
and fixed ports moved up per worker (tests/servers.py `worker_port`). The reference warehouse
is built once per run, under a file lock, and shared read-only by the workers.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy.engine import make_url

from tests.servers import worker_index


def _worker_redis_url(url: str, worker: int) -> str:
    """`url` on db (its db - `worker`) mod 16: pytest-xdist worker gwN gets a db of its own."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db - worker) % 16}"))


# This worker's Redis db (under pytest-xdist each worker imports this module itself).
TEST_REDIS_URL = _worker_redis_url(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6380/15"), worker_index()
)
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
    from data_sources import connect

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
            # A stopped process ends its push streams; werkzeug's handler threads would not.
            hub = self.app.server.extensions.get("smart_emergency_push")
            if hub is not None:
                hub.drop_streams()
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

            live = app.server.extensions[EXTENSION]
            with contextlib.suppress(Exception):  # a test of an unreachable Redis
                live.restore.mark_restored()
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


PAGE_WAIT_MS = 60_000


@pytest.fixture
def page_factory(browser):
    """New pages that record console errors and every request that leaves loopback."""
    contexts = []

    def new_page(width: int = 1920, height: int = 1080, **kwargs):
        context = browser.new_context(viewport={"width": width, "height": height}, **kwargs)
        # Waits without a bound of their own (a page's first data, mostly) get 60 s, not
        # Playwright's 30: on a slow 2-core machine with four workers and their browsers, a
        # first render took longer than 30 s (session 9's CI). A bound only costs time when
        # the test fails.
        context.set_default_timeout(PAGE_WAIT_MS)
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

        # Playwright's own wait_for_selector hands back the element, adopted into the page's
        # main world; on a loaded machine a panel redrawn by its pulse detaches the element
        # before each adoption, and the wait times out with the element shown all along
        # ("locator resolved to visible ..."). Wait on the locator (nothing to adopt), then
        # look the element up.
        def _wait_for_selector(selector: str, *, timeout=None, state=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
            page.locator(selector).first.wait_for(timeout=timeout, state=state or "visible")
            if state in ("hidden", "detached"):
                return None
            return page.query_selector(selector)

        page.wait_for_selector = _wait_for_selector
        return page

    yield new_page
    for context in contexts:
        context.close()


# A JS function Playwright can poll as it is: `(..) =>`, `x =>`, `function`, `async`
# (an expression that merely starts with a bracket, such as `(() => ...)()`, is wrapped).
_JS_FUNCTION = re.compile(r"\s*(async\b|function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


# --- the generated Suzhou reference data ---------------------------------------------


REFERENCE = "reference-warehouse.sqlite"


def _reference_warehouse(root: Path, lock: IO[str] | None = None) -> Path:
    """`root`/REFERENCE, built unless there, under `root`'s lock (taken here unless given).

    Written to a temporary name and renamed when whole, so that a build cut short (a test's
    timeout, a killed worker) leaves nothing that looks built."""
    path = root / REFERENCE
    with contextlib.ExitStack() as stack:
        if lock is None:
            lock = stack.enter_context(open(root / f"{REFERENCE}.lock", "w"))  # noqa: SIM115
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            from data_sources.warehouse import Warehouse, make_engine, upgrade
            from refdata.build import build

            building = path.with_name(f"{REFERENCE}.{os.getpid()}.tmp")
            engine = make_engine(f"sqlite:///{building}")
            upgrade(engine)
            build(Warehouse(engine))
            engine.dispose()
            os.replace(building, path)
    return path


def _prebuilds_reference(config: pytest.Config) -> bool:
    """A parallel run of the whole suite, or of tests/ or tests/browser/ (whose tests all use
    the reference warehouse): it is sure to be needed."""
    if getattr(config, "workerinput", None) is not None or config.option.collectonly:
        return False
    if not getattr(config.option, "numprocesses", None):
        return False
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        return True  # no arguments: testpaths, the whole suite
    dirs = [Path(arg) for arg in config.args if Path(arg).is_dir()]
    return any(d.resolve().name == "browser" or (d / "browser").is_dir() for d in dirs)


_PREBUILD = pytest.StashKey[threading.Thread]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist the controller builds the reference warehouse while its workers
    start and collect (tens of seconds each): it is ready, or nearly, when the first test
    asks for it, and its build counts against no test's timeout. The workers wait on the
    lock; should the build fail, the first worker to need it builds it again (and fails
    with the cause)."""
    config = session.config
    if not _prebuilds_reference(config):
        return
    root = config._tmp_path_factory.getbasetemp()  # the workers' basetemp is root/popen-gwN
    lock = open(root / f"{REFERENCE}.lock", "w")  # noqa: SIM115 - held until built
    fcntl.flock(lock, fcntl.LOCK_EX)  # taken before any worker starts

    def build_then_unlock() -> None:
        try:
            _reference_warehouse(root, lock)
        except Exception:  # noqa: BLE001, S110 - a worker builds it again and reports why
            pass
        finally:
            lock.close()

    config.stash[_PREBUILD] = threading.Thread(target=build_then_unlock, name="reference")
    config.stash[_PREBUILD].start()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # noqa: ANN001 - pytest-xdist's WorkerController
    """Tell each worker that the reference is being built, and where."""
    if node.config.stash.get(_PREBUILD, None) is not None:
        node.workerinput["se_reference_root"] = str(node.config._tmp_path_factory.getbasetemp())


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """A worker waits for the controller's build before its first test, outside any test's
    timeout (on a busy machine the build alone can outlast one)."""
    root = getattr(session.config, "workerinput", {}).get("se_reference_root")
    if root and not session.config.option.collectonly:
        with open(Path(root) / f"{REFERENCE}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)


def pytest_unconfigure(config: pytest.Config) -> None:
    thread = config.stash.get(_PREBUILD, None)
    if thread is not None:
        thread.join()


@pytest.fixture(scope="session")
def reference_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite warehouse holding the generated Suzhou reference data, built once per run and
    shared read-only by the pytest-xdist workers (a test that writes uses `reference_url`)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, shared by all its workers (popen-gwN/..)
    return _reference_warehouse(root)


@pytest.fixture
def reference_url(reference_sqlite: Path, tmp_path: Path) -> str:
    """A private copy of the reference warehouse for one test."""
    copy = tmp_path / "reference.sqlite"
    shutil.copy(reference_sqlite, copy)
    return f"sqlite:///{copy}"


# The real Mosquitto broker and MariaDB server of the connector tests.
pytest_plugins = ["tests.connector_helpers"]
