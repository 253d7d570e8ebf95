"""The push hub of one process: it follows the live state in Redis and tells every open screen.

One thread per process subscribes to `se:changed` (published with every version bump, by
the same Lua script or transaction that bumps it), so any worker on any host learns of a
change at once and serves any screen. Per change it reads what changed once — the alarm
changes from the alarm stream as alarms, the level counts as numbers, the wall state — and
encodes one frame that every screen of the process is sent (the screens share it; nothing is
computed per screen). A 1 s look at the versions catches a missed message (a Redis restart);
a version that went back or jumped without a stream to tell how is sent as a `full` change:
the screens re-read their panels.

Frames are Server-Sent Events (text/event-stream). A screen that reconnects says the version
it saw last (`since`); the hub replays the changes after it from its ring, or, when the ring
does not reach back so far (a new process), says `sync`: re-read everything. Either way the
screen misses no change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import plotly.utils

from data_sources import health, keys

if TYPE_CHECKING:
    from flask import Flask

    from data_sources import Sources

log = logging.getLogger(__name__)

KEEPALIVE_S = 5.0  # a tiny frame when nothing else was sent: the screen knows the line is up
PULSE_EVERY_S = 10.0  # heartbeat times are resent at most this often when only they moved
RING = 512  # changes kept for screens that reconnect
MAX_DELTA = 200  # more alarm changes at once (a flood): the screens re-read instead
READINGS_PAGES = frozenset({"hazchem"})  # pages whose panels follow sensor readings
KEEPALIVE_FRAME = b"event:k\ndata:\n\n"


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str  # change, pulse, wall, readings
    prev: int | None  # change: the version before it
    v: int | None  # change: the version after it
    frame: bytes  # for every page
    wall_frame: bytes | None = None  # for the wall (carries the alarms themselves)
    pages: frozenset[str] | None = None  # None: every page
    full: bool = False

    def for_page(self, page: str) -> bytes | None:
        if self.pages is not None and page not in self.pages:
            return None
        return self.wall_frame if page == "wall" and self.wall_frame else self.frame


def frame(kind: str, data: Any, ident: int | None = None) -> bytes:
    """One Server-Sent Event: compact JSON on one data line."""
    body = json.dumps(data, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    head = f"id:{ident}\n" if ident is not None else ""
    return f"{head}event:{kind}\ndata:{body}\n\n".encode()


class Hub:
    """Follows the live state; hands every screen of this process the same frames."""

    def __init__(self, server: Flask, sources: Sources) -> None:
        self.server = server
        self.sources = sources
        self.cond = threading.Condition()
        self.ring: deque[Event] = deque(maxlen=RING)
        self.seq = 0
        self.generation = 0  # `drop_streams` moves it: the streams of an older one end
        self.v: int | None = None
        self.rv: int | None = None
        self.stream_id: str | None = None
        self.counts: dict[str, int] | None = None  # active alarms per level, kept by the changes
        self.pulse: dict[str, Any] | None = None
        self.wall: dict[str, Any] = {"slot": 0, "period": 0, "focus": None}
        self.screens = 0
        self.changes = 0
        self._pulse_key: Any = None
        self._pulse_sent = 0.0
        self._pulse_beats: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._wall_lock = threading.Lock()  # the wall state is set by both threads

    # --- lifecycle ------------------------------------------------------------------------

    def ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                # Two threads: one follows the changes (a frame as soon as Redis says), one
                # looks at the sources' health once a second (a warehouse ping, the
                # heartbeats, the registry's names), which must never hold a change back.
                self._thread = threading.Thread(target=self._run, name="push-hub", daemon=True)
                self._ticker = threading.Thread(
                    target=self._run_ticks, name="push-hub-tick", daemon=True
                )
                self._thread.start()
                self._ticker.start()
                # The first screen waits for the first health look rather than "unknown".
                with self.cond:
                    self.cond.wait_for(lambda: self.pulse is not None, timeout=3)

    def stop(self) -> None:
        self._stop.set()
        self.drop_streams()
        for thread in (self._thread, self._ticker):
            if thread is not None:
                thread.join(timeout=5)

    def drop_streams(self) -> None:
        """End every open stream (as a process exit would); screens reconnect."""
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    # --- the screens' side (request threads) ------------------------------------------------

    def hello(self, page: str, since: int | None) -> tuple[list[bytes], int, int]:
        """The first frames of a stream (hello, then the changes after `since`), the cursor
        and the generation to follow it with."""
        with self.cond:
            replay = self._replay(since)
            sync = replay is None
            data = {
                "v": self.v,
                "rv": self.rv,
                "sync": sync,
                "pulse": self.pulse,
                "wall": self.wall if page == "wall" else None,
                "keepalive_s": KEEPALIVE_S,
            }
            frames = [frame("hello", data)]
            for event in replay or []:
                if event.kind == "change" and (body := event.for_page(page)):
                    frames.append(body)
            return frames, self.seq, self.generation

    def follow(self, page: str, cursor: int, generation: int) -> Iterator[bytes]:
        """Frames for one screen as they come, a keepalive when quiet; ends on `drop_streams`."""
        self.screens += 1
        try:
            while not self._stop.is_set():
                with self.cond:
                    if self.generation == generation and self.seq == cursor:
                        self.cond.wait(KEEPALIVE_S)
                    if self.generation != generation:
                        return
                    if self.seq == cursor:
                        out = [KEEPALIVE_FRAME]
                    elif self.ring and self.ring[0].seq > cursor + 1:
                        # This screen fell behind the ring: it re-reads everything.
                        out = [frame("hello", {"v": self.v, "rv": self.rv, "sync": True})]
                    else:
                        out = [
                            body
                            for e in self.ring
                            if e.seq > cursor and (body := e.for_page(page)) is not None
                        ]
                    cursor = self.seq
                if out:
                    yield b"".join(out)
        finally:
            self.screens -= 1

    def _replay(self, since: int | None) -> list[Event] | None:
        """The changes after version `since`, or None when the ring cannot tell (sync)."""
        if since is None or self.v is None or since > self.v:
            return None
        if since == self.v:
            return []
        changes = [e for e in self.ring if e.kind == "change"]
        for i, e in enumerate(changes):
            if e.prev is not None and e.v is not None and e.prev <= since < e.v:
                return changes[i:]
        return None

    # --- the hub's own thread ---------------------------------------------------------------

    def _emit(self, event_kind: str, **fields: Any) -> None:
        with self.cond:
            self.seq += 1
            self.ring.append(Event(self.seq, event_kind, **fields))
            self.cond.notify_all()

    def _run(self) -> None:
        with self.server.app_context():
            while not self._stop.is_set():
                try:
                    self._follow_redis()
                except Exception as exc:  # noqa: BLE001 - Redis went away: say so, retry
                    log.warning("push hub: live state unreachable (%s); retrying", exc)
                    self._stop.wait(1.0)

    def _run_ticks(self) -> None:
        with self.server.app_context():
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    self._tick()
                except Exception:  # noqa: BLE001 - the next second looks again
                    log.warning("push hub: health look failed", exc_info=True)
                self._stop.wait(max(0.05, 1.0 - (time.monotonic() - started)))

    def _follow_redis(self) -> None:
        pubsub = self.sources.redis.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(keys.CHANGED)
            self._look(resync=True)
            last_look = time.monotonic()
            while not self._stop.is_set():
                # Which message came does not matter (_look counts what moved): drain them.
                message = pubsub.get_message(timeout=0.5)
                moved = False
                while message is not None:
                    moved = moved or message.get("type") == "message"
                    message = pubsub.get_message(timeout=0)
                if moved or time.monotonic() - last_look >= 1.0:
                    # Once a second without a message too: one missed (Redis restarted) or
                    # still on its way; the look finds what moved either way.
                    last_look = time.monotonic()
                    self._look()
        finally:
            with contextlib.suppress(Exception):  # closing a dead connection
                pubsub.close()

    def _look(self, resync: bool = False) -> None:
        """Read what moved and emit one change (and the wall state if it moved)."""
        alarms_of = self.sources.alarms
        v, rv = self.sources.versions.both()
        if rv != self.rv:
            self.rv = rv
            if not resync:
                self._emit(
                    "readings", prev=None, v=None, frame=frame("readings", {"rv": rv}),
                    pages=READINGS_PAGES,
                )  # fmt: skip
        if v == self.v and not resync:
            return
        prev, self.v = self.v, v
        if resync or prev is None or v < prev:
            self.stream_id, _ = alarms_of.change_records(None)
            self.counts = alarms_of.level_counts()
            self._change(prev, v, full=True)
            return
        self.stream_id, alarms = alarms_of.change_records(self.stream_id, MAX_DELTA + 1)
        if len(alarms) > MAX_DELTA or self.counts is None:
            self.counts = alarms_of.level_counts()
            self._change(prev, v, full=True)
            return
        # The counts follow the changes (a new alarm adds one, a closed one takes one away):
        # recounting 2,000 open alarms per change would cost the hub most of its time.
        for alarm in alarms:
            if alarm["level"] in self.counts:
                self.counts[alarm["level"]] += {"new": 1, "closed": -1}.get(alarm["op"], 0)
        # Every alarm change bumps the version once with its stream entry (one Lua script):
        # bumps the stream does not account for are other state. Which message announced
        # them does not matter: a look may take up bumps whose messages are still on their way
        # (those looks then find nothing new), and only this count is exact about what moved.
        topics = []
        if alarms:
            topics.append("alarms")
        if len(alarms) < v - prev:
            topics.append("state")
        self._change(prev, v, topics=topics, alarms=alarms)

    def _change(
        self,
        prev: int | None,
        v: int,
        full: bool = False,
        topics: tuple[str, ...] | list[str] = (),
        alarms: list[dict[str, Any]] | None = None,
    ) -> None:
        from push import render

        self.changes += 1
        data = {"v": v, "prev": prev, "full": full, "topics": list(topics)}
        wall_frame = None
        if not full and alarms:
            changed = render.latest(alarms)
            wall = dict(data)
            wall["alarms"] = render.change_rows(self.sources, changed)
            wall["map"] = render.map_changes(changed, self.sources.settings.TILE_CRS == "gcj02")
            wall["counts"] = dict(self.counts or {})
            wall_frame = frame("change", wall, v)
        self._emit(
            "change", prev=prev, v=v, frame=frame("change", data, v), wall_frame=wall_frame,
            full=full,
        )  # fmt: skip
        # The focus is read again (2,000 alarms in a busy hall) only when it may have moved:
        # a red alarm changed, the takeover's alarm may have been acknowledged, the presenter.
        held = (self.wall.get("focus") or {}).get("mode") == "takeover"
        red = any(alarm["level"] == "red" for alarm in alarms or ())
        if full or "state" in topics or red or (held and "alarms" in topics):
            self._wall(v)

    def _wall(self, v: int | None = None) -> None:
        with self._wall_lock:
            self._wall_locked(v)

    def _wall_locked(self, v: int | None) -> None:
        from push import render

        period = self.sources.settings.WALL_ROTATE_S
        state = {
            "slot": int(time.time() // period) if period else 0,
            "period": period,
            "focus": render.wall_focus(self.sources, v) if v is not None else self.wall["focus"],
        }
        if state != self.wall:
            self.wall = state
            self._emit("wall", prev=None, v=None, frame=frame("wall", state), pages=WALL)

    def _tick(self) -> None:
        """Once a second: the sources' health, the heartbeats, the wall's rotation."""
        pulse = health.pulse(self.sources)
        systems = pulse.get("systems", [])
        key = (
            pulse["build"],
            tuple(pulse["ok"].items()),
            tuple((s["code"], s["ok"]) for s in systems),
            repr((pulse.get("rate"), sorted((pulse.get("stale") or {}).items()))),
        )
        beats = tuple(s["at"] for s in systems)
        now = time.monotonic()
        due = beats != self._pulse_beats and now - self._pulse_sent >= PULSE_EVERY_S
        if key != self._pulse_key or due or self.pulse is None:
            for s in systems:
                s.pop("age", None)  # the screens count ages themselves, from `at`
            lean = {
                k: pulse[k] for k in ("t", "build", "ok", "systems", "rate", "stale") if k in pulse
            }
            self._pulse_key, self._pulse_beats, self._pulse_sent = key, beats, now
            with self.cond:
                self.pulse = lean
            self._emit("pulse", prev=None, v=None, frame=frame("pulse", lean))
        if pulse["ok"]["redis"]:
            self._wall()


WALL = frozenset({"wall"})
