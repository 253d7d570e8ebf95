"""Does the wall's memory stay flat? Runs /wall for a while against the demo feed and prints
the browser's JS heap and DOM node count and the server's resident memory over time.

    .venv/bin/python benchmarks/wall_soak.py --minutes 10

Starts the app with the embedded defaults (demo feed, in-process archiver and threshold
engine) in a scratch data directory. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--every", type=float, default=60, help="seconds between samples")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--canvas", default="3840x2160")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="se-soak-"))
    env = dict(os.environ, DATA_DIR=str(data), PORT=str(args.port), LOG_LEVEL="WARNING")
    for name in ("REDIS_URL", "WAREHOUSE_URL"):
        env.pop(name, None)
    python = str(ROOT / ".venv/bin/python")
    subprocess.run(
        [python, "-m", "refdata.build", "--if-missing"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen([python, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        w, h = (int(v) for v in args.canvas.split("x"))
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": w, "height": h})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(f"{base}/wall?canvas={args.canvas}&kiosk=1")
            page.wait_for_selector("#alarm-feed li")
            print(f"/wall?canvas={args.canvas}, demo feed on, sample every {args.every:.0f} s")
            print(" minute  JS heap MB  DOM nodes  server RSS MB")
            started = time.monotonic()
            while True:
                cdp.send("HeapProfiler.collectGarbage")
                metrics = {
                    m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                }
                minute = (time.monotonic() - started) / 60
                print(
                    f"{minute:7.1f}  {metrics['JSHeapUsedSize'] / 2**20:10.1f}  {metrics['Nodes']:9.0f}"
                    f"  {rss_mb(server.pid):13.1f}",
                    flush=True,
                )
                if minute >= args.minutes:
                    break
                time.sleep(args.every)
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
