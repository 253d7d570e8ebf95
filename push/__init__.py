"""Push, not poll: one Server-Sent Events stream per screen, fed from Redis (push/hub.py).

`GET /push/events?page=<page>&since=<version>` (text/event-stream) sends:
- `hello` first: `{v, rv, sync, pulse, wall, keepalive_s}`; `sync: true` means "re-read
  every panel" (the changes after `since` are not known here), else the changes after
  `since` follow at once;
- `change` (`id:` the version): `{v, prev, full, topics}`, `topics` naming what moved
  (`alarms`, `state`); on the wall also `alarms` (the changed feed rows) and `counts`;
  `full: true` means re-read everything;
- `pulse`: the sources' health and the heartbeats, only when they move;
- `wall` (wall only): `{slot, period, focus}`, the one state every tile of a wall follows;
- `readings` (pages that show sensor values): `{rv}`;
- `k`, an empty keepalive every few seconds of quiet;
- `bye`: `{reason}` and the stream ends: this browser's session is over (signed out, timed
  out, a revoked display). The screen goes to the sign-in page, as after a 401.
assets/push.js is the browser's side: it reconnects with backoff, resumes from the last
version it saw, and falls back to polling (the pulse callback) when the stream cannot be
opened or stays silent (a buffering proxy). Nginx settings for it: README.md.
"""

from __future__ import annotations

import time

from flask import Blueprint, Flask, Response, current_app, request

import auth
from data_sources import Sources, hall_usage
from push.hub import Hub

EXTENSION = "smart_emergency_push"
PATH = "/push/events"
bp = Blueprint("push", __name__)


DISPLAY_NOTE_S = 30.0  # a minute counts when noted once in it
# A stream outlives the request that checked its session: it checks again this often, so a
# revoked display or an ended session stops receiving the situation within seconds.
SESSION_CHECK_S = 3.0
BYE = b'event:bye\ndata:{"reason":"session"}\n\n'


def init_app(server: Flask, sources: Sources) -> Hub:
    """Attach this process's hub to `server`; it starts with the first screen."""
    hub = Hub(server, sources)
    server.extensions[EXTENSION] = hub
    server.register_blueprint(bp)
    return hub


def get_hub() -> Hub:
    return current_app.extensions[EXTENSION]


def _since() -> int | None:
    value = request.args.get("since") or request.headers.get("Last-Event-ID")
    try:
        return int(value) if value not in (None, "", "null") else None
    except ValueError:
        return None


@bp.get(PATH)
def events() -> Response:
    """The push stream of one screen (permission: view, as every screen; auth/matrix.py)."""
    page = (request.args.get("page") or "")[:32]
    hub = get_hub()
    hub.ensure_started()
    frames, cursor, generation = hub.hello(page, _since())

    # Command-hall usage days: an enrolled display showing the wall, noted while its stream
    # is open (the poll notes it the same way when push cannot be used).
    display = auth.current_user() if page == "wall" else None
    still_signed_in = _session_check()

    def stream():  # noqa: ANN202
        # `retry`: how long the browser's own reconnect waits (push.js does its own backoff).
        yield b"retry:2000\n" + b"".join(frames)
        noted, checked = 0.0, time.monotonic()  # a display counts from its first frame
        for chunk in hub.follow(page, cursor, generation):
            now = time.monotonic()
            if now - checked >= SESSION_CHECK_S:
                checked = now
                if not still_signed_in():
                    yield BYE
                    return
            if display is not None and now - noted >= DISPLAY_NOTE_S:
                noted = now
                hall_usage.note_display(hub.sources, display)
            yield chunk

    response = Response(stream(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache, no-transform"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    return response


def _session_check():  # noqa: ANN202 - () -> bool
    """A check of this request's session that works after the request is gone (in the stream)."""
    if not current_app.config["SE_SETTINGS"].AUTH_REQUIRED:
        return lambda: True
    from auth import sessions

    state = auth.state()
    secret = request.cookies.get(sessions.COOKIE)

    def check() -> bool:
        try:
            return state.resolve(secret) is not None
        except sessions.AuthUnavailable:
            return True  # the store is down, not the session: the guard decides on the next request

    return check
