"""The command-hall dashboard: `create_app(settings)` builds Flask, the data sources, the
ingest API and the Dash pages. `python app.py` serves it; `gunicorn app:server` in production.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dash
from dash import State
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import auth
import callbacks
import data_sources
import ingest
import ingest.rollcall
import layouts
import ops
import push
import report
import security
import simulator
import video.demo
from layouts import url_state
from maps import tile_route
from settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent
log = logging.getLogger("smart_emergency")
WORKERS = "se_workers"  # background threads of this app: archiver, threshold engine, demo feed


def create_app(settings: Settings | Mapping[str, Any] | None = None) -> dash.Dash:
    """Build the whole app from `settings` (a Settings, or overrides of the environment)."""
    if not isinstance(settings, Settings):
        settings = Settings.load(settings)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(settings.LOG_LEVEL)
    # Every screen polls every second: request lines would drown the log unless debugging.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = Flask(__name__)
    server.config.update(SECRET_KEY=settings.SECRET_KEY, MAX_CONTENT_LENGTH=ingest.MAX_BODY)
    server.config["SE_SETTINGS"] = settings
    if settings.PROXY_HOPS:
        # Behind nginx (README "Several app hosts"): the client's address is the one the
        # trusted proxies forwarded, so the login throttle counts people, not the proxy.
        hops = settings.PROXY_HOPS
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    sources = data_sources.init_app(server, settings)
    auth.init_app(server)
    ops.init_app(server)
    ingest.init_app(server)
    ingest.rollcall.init_app(server)
    report.init_app(server)  # /report/daily: the daily duty report (HTML, PDF, xlsx)
    video.demo.init_app(server, settings)  # /demo-video/: the demo cameras' test streams
    hub = push.init_app(server, sources)  # /push/events: changes to every screen as they happen
    tile_route.init_app(server, settings)  # /tiles/z/x/y: TILE_FILE's tiles, when set

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ROOT / "assets"),
        title="苏州市应急管理局 · 综合态势",
        update_title=None,
        # Needed: a page's callbacks name the other pages' ids, and some controls are drawn
        # by callbacks. tests/unit/test_callback_ids.py checks instead, over every page.
        suppress_callback_exceptions=True,
        serve_locally=True,
        # What the screen shows, so the router does not re-draw a page that wrote its own
        # view into the URL (layouts/url_state.py).
        routing_callback_inputs={url_state.ROUTER_ARG: State(url_state.SHOWN, "data")},
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # Screen readers pick their voice by it; /consult and /tablet in English say so on their
    # root, and assets/a11y.js carries that to <html> (pages change without a reload).
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    layouts.register_pages()
    app.layout = layouts.shell.layout
    callbacks.register(app)
    security.init_app(app, settings.TILE_URL, settings.CAMERA_ORIGINS)
    _settle(app)

    workers = server.extensions.setdefault(WORKERS, [])
    workers.append(hub)
    if settings.INPROCESS_WORKERS:
        import archiver
        import thresholds

        workers += [archiver.start_in_process(sources), thresholds.start_in_process(sources)]
        if settings.CONNECTORS_CONFIG:
            import connectors
            from connectors.config import load

            config = load(settings.CONNECTORS_CONFIG, settings.MQTT_URL)
            workers += connectors.start_in_process(sources, config)
    if settings.DEMO_FEED:
        workers.append(simulator.start(server, sources))
    return app


def _settle(app: dash.Dash) -> None:
    """Run Dash's own first-request setup now, once, in this thread.

    Dash does it in `before_request` hooks at the first request, unguarded: two first requests
    at once raced in it (the pages router was added to `callback_map` while the other thread
    iterated it), and one of them got a 500. Our own hooks (the guard) are not run here."""
    server = app.server
    own = [f for f in server.before_request_funcs[None] if _is_dash_hook(f)]
    with server.test_request_context("/"):
        for hook in own:
            hook()


def _is_dash_hook(function: Any) -> bool:
    return getattr(function, "__qualname__", "").startswith("Dash.")


def shutdown(app: dash.Dash) -> None:
    """Stop the background workers of `app` (tests build many apps in one process)."""
    for worker in reversed(app.server.extensions.get(WORKERS, [])):
        worker.stop()
    sources = app.server.extensions[data_sources.EXTENSION]
    sources.warehouse.engine.dispose()
    if sources.screens is not None:
        sources.screens.read_engine.dispose()  # the replica's, when WAREHOUSE_READ_URL is set


def _cached_server() -> Flask:
    global _SERVER
    if _SERVER is None:
        _SERVER = create_app().server
    return _SERVER


_SERVER: Flask | None = None


def __getattr__(name: str) -> Any:
    # `gunicorn app:server` asks for `server`: build it then, not at import time.
    if name == "server":
        try:
            return _cached_server()
        except SettingsError as exc:
            sys.exit(f"settings error: {exc}")
    raise AttributeError(name)


def main() -> None:
    try:
        settings = Settings.load()
        app = create_app(settings)
    except SettingsError as exc:
        sys.exit(f"settings error: {exc}")
    print(f"Smart Emergency serving on http://{settings.HOST}:{settings.PORT}/wall", flush=True)
    # No debug: the wall must never show Dash's error overlay, and one process keeps the
    # embedded store whole (the reloader would fork a second one).
    app.run(host=settings.HOST, port=settings.PORT, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
