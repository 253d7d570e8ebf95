"""Push to the screens: the project beside a bare reference, in one run, on the same stack.

    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python -m benchmarks.push \
        [--screens 10,100,500,1000] [--alarms 100] [--open 2000] [--skip-browser]

Starts two gunicorn servers (gthread, 2 workers): the project (`app:server`, the generated
Suzhou warehouse in a temporary SQLite file) and a bare reference (a minimal Dash app on the
same stack whose hub does the same push: Redis pub/sub on `se:changed`, one MGET, one frame
per change to every stream). It prints:
- push delay to N simulated screens (asyncio clients that speak the real protocol: open
  `/push/events`, read frames) for each N: p50/p95/max from the bump in Redis to the frame,
  and the server's CPU per change (all its processes, less the same time without changes);
- bytes per screen idle (per second) and per new alarm (the wall's frame);
- alarm-to-wall in headless Chromium at 3840x2160 with `--open` alarms open: POST to the
  row in `#alarm-feed`, p50/p95/max over `--alarms` alarms;
- the wall's first paint (median of 5 loads): navigation to the feed, the map and every age.
Redis DB of REDIS_URL is flushed. Numbers depend on the load: it is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-push-token-0123456789"


# --- the bare reference -------------------------------------------------------------------


def bare_server():  # noqa: ANN201 - gunicorn asks for a WSGI app
    """A minimal Dash app with the same push: pub/sub → one MGET → one frame to every stream."""
    import threading

    import dash
    import redis
    from dash import html
    from flask import Flask, Response

    server = Flask(__name__)
    app = dash.Dash(__name__, server=server)
    app.layout = html.Div([html.Ol(id="alarm-feed")])
    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    cond = threading.Condition()
    state = {"seq": 0, "frame": b""}

    def hub() -> None:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe("se:changed")
        for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            v, _rv = client.mget("se:version", "se:version:readings")
            with cond:
                state["seq"] += 1
                state["frame"] = f'id:{v}\nevent:change\ndata:{{"v": {v}}}\n\n'.encode()
                cond.notify_all()

    threading.Thread(target=hub, daemon=True).start()

    @server.get("/push/events")
    def events() -> Response:
        def stream():  # noqa: ANN202
            yield b'event:hello\ndata:{"v": null}\n\n'
            seen = state["seq"]
            while True:
                with cond:
                    if state["seq"] == seen:
                        cond.wait(5)
                    if state["seq"] == seen:
                        out = b"event:k\ndata:\n\n"
                    else:
                        out, seen = state["frame"], state["seq"]
                yield out

        return Response(stream(), mimetype="text/event-stream")

    return server


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(target: str, env: dict[str, str], threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "--worker-class", "gthread", "--workers", "2", "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120", target],
        cwd=ROOT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url + "/push/events?page=bench", timeout=2).close()
            return proc, url
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


# --- simulated screens ----------------------------------------------------------------------


class Screens:
    """N push streams on asyncio; records when each change's frame arrives, and the bytes."""

    def __init__(self, url: str, n: int, page: str = "bench") -> None:
        self.url, self.n, self.page = url, n, page
        self.arrivals: list[list[tuple[int, float]]] = []
        self.bytes = 0
        self.ready = 0
        self.tasks: list[asyncio.Task] = []

    async def one(self) -> None:
        host, port = self.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port), limit=2**22)
        writer.write(
            f"GET /push/events?page={self.page} HTTP/1.1\r\nHost: {host}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        hello = False
        mine: list[tuple[int, float]] = []
        self.arrivals.append(mine)
        while True:
            line = await reader.readline()
            if not line:
                return
            self.bytes += len(line)
            if line.startswith(b"event:hello") and not hello:
                hello = True
                self.ready += 1
            elif line.startswith(b"id:"):
                with contextlib.suppress(ValueError):
                    mine.append((int(line[3:].strip()), time.time()))

    async def open(self) -> None:
        for i in range(self.n):
            self.tasks.append(asyncio.create_task(self.one()))
            if i % 50 == 49:
                await asyncio.sleep(0.05)
        deadline = time.monotonic() + 60
        while self.ready < self.n and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    def close(self) -> None:
        for t in self.tasks:
            t.cancel()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return (
        values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
        if values
        else float("nan")
    )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process `pid` and its children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def push_delay(
    urls: dict[str, str],
    pids: dict[str, int],
    live,
    n: int,
    changes: int = 20,  # noqa: ANN001
) -> dict[str, tuple]:
    out = {}
    for name, url in urls.items():
        screens = Screens(url, n)
        await screens.open()
        # The server's CPU per change: the changes' window less a quiet window as long (the
        # keepalives and the once-a-second health look cost the same in both).
        quiet = cpu_seconds(pids[name])
        await asyncio.sleep(changes * 0.3)
        busy = cpu_seconds(pids[name])
        quiet = busy - quiet
        sent = {}
        for i in range(changes):
            t = time.time()
            live.alarms.put(_alarm(f"bench-{name}-{n}-{i}-{time.time_ns()}"))
            sent[live.versions.current()] = t
            await asyncio.sleep(0.3)
        per_change = (cpu_seconds(pids[name]) - busy - quiet) / changes
        await asyncio.sleep(1.5)
        # A change counts as arrived with the first frame at or past its version (a hub may
        # fold changes that come together into one frame).
        delays = []
        for frames in screens.arrivals:
            for v, t in sent.items():
                first = next((at for fv, at in frames if fv >= v), None)
                if first is not None:
                    delays.append(first - t)
        got = len(delays) / max(1, changes * n)
        out[name] = (
            screens.ready, pct(delays, 50), pct(delays, 95), max(delays or [0]), got, per_change
        )  # fmt: skip
        screens.close()
        await asyncio.sleep(0.5)
    return out


async def idle_bytes(url: str, seconds: float = 20, n: int = 10) -> float:
    screens = Screens(url, n, page="wall")
    await screens.open()
    await asyncio.sleep(1)
    before = screens.bytes
    await asyncio.sleep(seconds)
    per = (screens.bytes - before) / n / seconds
    screens.close()
    return per


async def alarm_bytes(url: str, live, n: int = 5) -> float:  # noqa: ANN001
    screens = Screens(url, 1, page="wall")
    await screens.open()
    await asyncio.sleep(6)  # past a keepalive
    sizes = []
    for i in range(n):
        before = screens.bytes
        live.alarms.put(_alarm(f"bytes-{i}-{time.time_ns()}"))
        await asyncio.sleep(1.0)
        sizes.append(screens.bytes - before)
    screens.close()
    return statistics.median(sizes)


def _alarm(alarm_id: str, level: str = "orange", lat: float = 31.31) -> dict:
    return {
        "id": alarm_id, "source": "hazchem", "level": level, "category": "基准",
        "title": f"基准 {alarm_id}", "occurred_at": datetime.now(UTC), "lon": 120.62,
        "lat": lat, "site_id": None, "district": "320505", "detail": {},
    }  # fmt: skip


# --- the browser ----------------------------------------------------------------------------


SEEN_JS = """
window.__seen = {};
new MutationObserver(function () {
  const now = Date.now();
  document.querySelectorAll('#alarm-feed li[data-alarm-id]').forEach(function (li) {
    if (!(li.dataset.alarmId in window.__seen)) { window.__seen[li.dataset.alarmId] = now; }
  });
}).observe(document, {childList: true, subtree: true});
"""


# First paint: from the start of the navigation to the frame in which the feed, the map's
# districts and every panel's age are all drawn, looked at every frame by the page itself.
PAINTED_JS = """
(function look() {
  const done = document.querySelector('#alarm-feed li')
    && document.querySelector('#main-map path.district')
    && [...document.querySelectorAll('.as-of')].every(e => e.dataset.asOf);
  if (done) { window.__painted = performance.now(); } else { requestAnimationFrame(look); }
})();
"""


def browser_figures(url: str, alarms: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    results: dict[str, object] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        paints = []
        for _ in range(5):
            page = browser.new_page(viewport={"width": 3840, "height": 2160})
            page.add_init_script(PAINTED_JS)
            page.goto(url + "/wall", timeout=180000)
            painted = page.wait_for_function("() => window.__painted", timeout=120000)
            paints.append(painted.json_value() / 1000)
            page.close()
        results["first_paint_s"] = statistics.median(paints)
        page = browser.new_page(viewport={"width": 3840, "height": 2160})
        # When each row appears, by the page's own clock (the machine's, as the POST's):
        # Playwright's waits poll with a growing backoff (up to 500 ms between looks), which
        # would be measured instead of the wall.
        page.add_init_script(SEEN_JS)
        page.goto(url + "/wall", timeout=180000)
        page.wait_for_function(
            "() => window.sePush && window.sePush.mode === 'push'", timeout=120000
        )
        # The first full reads that the stream's hello sets off are the page's load, not an
        # alarm's cost: let them land before counting.
        page.wait_for_timeout(5000)
        # What the wall downloads per new alarm: the pushed frames and every callback answer
        # the change sets off (the panels that re-read), as the browser receives them.
        answers = []
        page.on(
            "response",
            lambda r: answers.append(r) if "_dash-update-component" in r.url else None,
        )
        pushed_before = page.evaluate("window.sePush.bytes")
        delays = []
        for i in range(alarms):
            alarm_id = f"wall-{i}-{time.time_ns()}"
            # A place of its own: an alarm at an open one's place and category is a repeat of
            # it (merged, 200), not a new row.
            body = _alarm(alarm_id, lat=31.6 + i / 1000) | {
                "occurred_at": datetime.now(UTC).isoformat(),
                "category": "基准上墙",
            }
            body = {k: v for k, v in body.items() if v is not None and k != "district"}
            request = urllib.request.Request(
                url + "/api/v1/alarms", data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
            )  # fmt: skip
            t = time.time()
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 201, f"{alarm_id}: {answer.status} (not a new alarm)"
            seen = page.wait_for_function(
                "id => window.__seen && window.__seen[id]", arg=alarm_id, timeout=60000
            ).json_value()
            delays.append(seen / 1000 - t)
            page.wait_for_timeout(100)
        page.wait_for_timeout(2000)  # the last change's re-reads
        pushed = page.evaluate("window.sePush.bytes") - pushed_before
        answered = sum(len(r.body()) for r in answers)
        results["bytes_per_alarm"] = (pushed / alarms, answered / alarms, len(answers) / alarms)
        by_output: dict[str, list[int]] = {}
        for r in answers:
            output = json.loads(r.request.post_data or "{}").get("output", "?")
            by_output.setdefault(output[:60], []).append(len(r.body()))
        results["answers_by_output"] = by_output
        results["alarm_to_wall"] = (pct(delays, 50), pct(delays, 95), max(delays))
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", default="10,100,500,1000")
    parser.add_argument("--alarms", type=int, default=100)
    parser.add_argument("--open", type=int, default=2000)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from types import SimpleNamespace

    import redis

    from data_sources.alarms import Alarms
    from data_sources.restore import Restore
    from data_sources.status import Versions
    from data_sources.warehouse import Warehouse, make_engine, upgrade
    from refdata.build import build

    redis_url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    live = SimpleNamespace(alarms=Alarms(client), versions=Versions(client))
    restore = Restore(client)
    tmp = Path(tempfile.mkdtemp(prefix="bench-push-"))
    warehouse_url = f"sqlite:///{tmp / 'warehouse.sqlite'}"
    engine = make_engine(warehouse_url)
    upgrade(engine)
    build(Warehouse(engine))
    engine.dispose()
    for i in range(args.open):
        # A category of their own: the changes measured below are new alarms, not repeats.
        open_alarm = _alarm(f"open-{i}", ("blue", "yellow")[i % 2], 31.0 + (i % 500) / 1000)
        live.alarms.put(open_alarm | {"category": "存量"})
    restore.mark_restored()
    screens = [int(n) for n in args.screens.split(",")]
    threads = max(screens) // 2 + 32
    env = os.environ | {
        "WAREHOUSE_URL": warehouse_url, "DATA_DIR": str(tmp), "DEMO_FEED": "0",
        "AUTH_REQUIRED": "0", "INGEST_TOKENS": f"hazchem:{TOKEN}", "REDIS_VOLATILE_OK": "1",
        "WALL_ROTATE_S": "0",
    }  # fmt: skip
    procs = []
    try:
        project, project_url = start("app:server", env, threads)
        procs.append(project)
        bare, bare_url = start("benchmarks.push:bare_server()", env, threads)
        procs.append(bare)
        urls = {"project": project_url, "bare": bare_url}
        pids = {"project": project.pid, "bare": bare.pid}
        load = os.getloadavg()
        print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
              f"({os.cpu_count()} cores); {args.open} open alarms; gunicorn gthread 2x{threads}")  # fmt: skip
        print("\npush delay, bump in Redis -> frame at the screen (s)")
        print(
            f"{'screens':>8} {'server':>8} {'ready':>6} {'p50':>7} {'p95':>7} {'max':>7} {'got':>5}"
            f" {'cpu/change':>11}"
        )
        for n in screens:
            for name, (ready, p50, p95, worst, got, cpu) in asyncio.run(
                push_delay(urls, pids, live, n)
            ).items():
                print(
                    f"{n:>8} {name:>8} {ready:>6} {p50:>7.3f} {p95:>7.3f} {worst:>7.3f} {got:>5.0%}"
                    f" {cpu * 1000:>8.1f} ms"
                )
        print("\nbytes per screen")
        for name, url in urls.items():
            idle = asyncio.run(idle_bytes(url))
            per_alarm = asyncio.run(alarm_bytes(url, live))
            print(f"{name:>8}: idle {idle:.1f} B/s, a new alarm {per_alarm:.0f} B")
        if not args.skip_browser:
            figures = browser_figures(project_url, args.alarms)
            p50, p95, worst = figures["alarm_to_wall"]
            print(f"\nalarm-to-wall (project, 3840x2160, {args.alarms} alarms): "
                  f"p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s")  # fmt: skip
            print(f"first paint (median of 5): {figures['first_paint_s']:.2f} s")
            pushed, answered, calls = figures["bytes_per_alarm"]
            print(f"the wall per new alarm: {pushed:.0f} B pushed + {answered:.0f} B in "
                  f"{calls:.1f} callback answers (uncompressed)")  # fmt: skip
            for output, sizes in sorted(figures["answers_by_output"].items()):
                print(f"  {len(sizes):>4} answers, {sum(sizes):>9} B  {output}")
        load = os.getloadavg()
        print(f"\nload average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
