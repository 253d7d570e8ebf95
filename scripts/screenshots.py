"""Screenshots of the screens in Debian's headless Chromium, for the README and docs/.

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8050 --out docs/screenshots

Starts nothing: point it at a running app (`make run`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

SHOTS = [
    # (file name, path, viewport width, height)
    ("wall-3840x2160.png", "/wall?canvas=3840x2160", 3840, 2160),
    ("wall-1920x1080.png", "/wall?canvas=1920x1080", 1920, 1080),
    ("wall-5760x3240.png", "/wall?canvas=5760x3240", 5760, 3240),
    ("wall-7680x2160.png", "/wall?canvas=7680x2160", 7680, 2160),
    ("tablet-1024x768.png", "/tablet", 1024, 768),
    ("hazchem.png", "/hazchem", 1920, 1080),
    ("duty.png", "/duty", 1920, 1080),
]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8050")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", default="", help="substring of the file names to take")
    parser.add_argument("--wait-ms", type=int, default=4000)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name, path, width, height in SHOTS:
            if args.only not in name:
                continue
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(args.base + path)
            page.wait_for_timeout(args.wait_ms)
            page.screenshot(path=str(out / name))
            print(out / name)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
