"""The MJPEG reader's cost in the browser, beside a bare reference, in one run.

    .venv/bin/python -m benchmarks.mjpeg_reader [--streams 1,4] [--seconds 20] [--size 1920x1080]

assets/video.js reads an MJPEG camera itself (fetch, cut each JPEG out of the multipart body,
paint it from a blob), so that a camera that stops sending new pictures is noticed. The bare
reference is what the browser does on its own: the same streams as plain `<img src>` (which
notices nothing). Both pages are served by this script, with the same streams: a loop of
pre-encoded JPEG pictures (Debian's ffmpeg, testsrc2, each differs from the last) sent as
`multipart/x-mixed-replace` at `--fps`, so that no encoder runs while measuring.

For each page and number of streams it prints the pictures sent, the pictures the page
painted (the reader's, counted by video.js; the bare page cannot tell), and Chromium's CPU
(every process of the browser, user + system, from /proc) per second and per picture sent,
and its memory (sum of RSS). Headless Chromium without a GPU decodes and paints in software,
as the wall's kiosk browser on an intranet PC without GPU acceleration would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOUNDARY = b"benchframe"
TICK = os.sysconf("SC_CLK_TCK")
PAGE = 4096


def jpegs(size: str, count: int, fps: int) -> list[bytes]:
    """`count` distinct JPEG pictures of testsrc2 at `size`."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                shutil.which("ffmpeg") or "ffmpeg", "-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}",
                "-frames:v", str(count), "-q:v", "5", f"{tmp}/%04d.jpg",
            ],
            check=True,
        )  # fmt: skip
        return [p.read_bytes() for p in sorted(Path(tmp).glob("*.jpg"))]


class Streams:
    """The pages and the streams, and how many pictures were sent."""

    def __init__(self, pictures: list[bytes], fps: int) -> None:
        self.pictures, self.fps = pictures, fps
        self.sent = 0
        self.lock = threading.Lock()
        self.script = (ROOT / "assets" / "video.js").read_bytes()
        streams = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:  # noqa: ANN002
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                if path == "/video.js":
                    return self._send(streams.script, "text/javascript")
                if path in ("/reader.html", "/bare.html"):
                    n = int(self.path.rsplit("n=", 1)[1])
                    return self._send(streams.page(path == "/reader.html", n), "text/html")
                if path == "/stream":
                    return self._stream()
                self.send_error(404)
                return None

            def _send(self, body: bytes, kind: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self) -> None:
                self.send_response(200)
                self.send_header(
                    "Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}"
                )
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                i, due = 0, time.monotonic()
                try:
                    while True:
                        jpeg = streams.pictures[i % len(streams.pictures)]
                        self.wfile.write(
                            b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\n"
                            b"Content-Length: " + str(len(jpeg)).encode() + b"\r\n\r\n"
                            + jpeg + b"\r\n"
                        )  # fmt: skip
                        with streams.lock:
                            streams.sent += 1
                        i += 1
                        due += 1 / streams.fps
                        time.sleep(max(0.0, due - time.monotonic()))
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def page(self, reader: bool, n: int) -> bytes:
        if reader:
            tiles = "".join(
                f'<figure class="video-tile" data-kind="mjpeg" data-src="/stream?i={i}">'
                '<img class="video-media"><div class="video-overlay"></div></figure>'
                for i in range(n)
            )
            body = f'<div class="video-grid" data-max-streams="{n}">{tiles}</div>'
            body += '<script src="/video.js"></script>'
        else:
            body = "".join(f'<img src="/stream?i={i}">' for i in range(n))
        style = "<style>img{width:960px;height:540px;object-fit:contain}figure{margin:0;display:inline-block}</style>"
        return f"<!doctype html><html><head>{style}</head><body>{body}</body></html>".encode()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_and_rss(pids: list[int]) -> tuple[float, int]:
    """CPU seconds (user + system) and RSS bytes of `pids`, those still there."""
    cpu, rss = 0.0, 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / TICK
        rss += int(fields[21]) * PAGE
    return cpu, rss


def chromium_pids() -> list[int]:
    """This script's Chromium processes (under Playwright's driver, a child of this one)."""
    found = []
    for pid in descendants(os.getpid()):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if "chrom" in name:
            found.append(pid)
    return found


def measure(browser, streams: Streams, reader: bool, n: int, seconds: float) -> dict:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(COUNT_PAINTS)
    page = context.new_page()
    page.goto(f"{streams.origin}/{'reader' if reader else 'bare'}.html?n={n}")
    time.sleep(5)  # connected, playing, JIT warm
    pids = chromium_pids()
    with streams.lock:
        sent0 = streams.sent
    cpu0, _ = cpu_and_rss(pids)
    start = time.monotonic()
    changes0 = page.evaluate(PAINTED) if reader else None
    time.sleep(seconds)
    elapsed = time.monotonic() - start
    cpu1, rss = cpu_and_rss(pids)
    changes1 = page.evaluate(PAINTED) if reader else None
    states = page.evaluate(
        "() => [...document.querySelectorAll('figure')].map(f => f.dataset.state)"
    )
    with streams.lock:
        sent = streams.sent - sent0
    context.close()
    return {
        "page": "video.js reader" if reader else "bare <img>",
        "streams": n,
        "sent": sent,
        "painted": None if changes0 is None else changes1 - changes0,
        "cpu_per_s": (cpu1 - cpu0) / elapsed,
        "cpu_ms_per_picture": 1000 * (cpu1 - cpu0) / max(sent, 1),
        "rss_mb": rss / 2**20,
        "states": states,
    }


# video.js keeps its tiles private; the pictures it painted are counted through the page's
# <img>: each painted picture is a new blob: URL.
PAINTED = "() => window.__painted || 0"
COUNT_PAINTS = """
window.__painted = 0;
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(records => {
    for (const r of records) {
      if ((r.target.getAttribute('src') || '').startsWith('blob:')) { window.__painted += 1; }
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
});
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="1,4")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--fps", type=int, default=10)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS

    pictures = jpegs(args.size, 50, args.fps)
    size = sum(map(len, pictures)) / len(pictures)
    streams = Streams(pictures, args.fps)
    print(
        f"MJPEG {args.size} at {args.fps} fps, {len(pictures)} pictures looped, "
        f"{size / 1024:.0f} KiB a picture; {args.seconds:.0f} s a run; "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True
        )
        for n in (int(x) for x in args.streams.split(",")):
            for reader in (False, True):
                results.append(measure(browser, streams, reader, n, args.seconds))
        browser.close()
    print(
        f"{'page':<17} {'streams':>7} {'sent':>6} {'painted':>8} {'CPU cores':>10} "
        f"{'CPU ms/picture':>15} {'RSS MB':>7}  states"
    )
    for r in results:
        painted = "-" if r["painted"] is None else str(r["painted"])
        print(
            f"{r['page']:<17} {r['streams']:>7} {r['sent']:>6} {painted:>8} "
            f"{r['cpu_per_s']:>10.2f} {r['cpu_ms_per_picture']:>15.1f} {r['rss_mb']:>7.0f}  "
            f"{','.join(s or '-' for s in r['states'])}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
