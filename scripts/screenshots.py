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
    # (file name, path, viewport width, height); "{incident}" is the newest open incident.
    ("home-1920x1080.png", "/", 1920, 1080),
    ("home-en-1920x1080.png", "/?lang=en", 1920, 1080),
    ("wall-3840x2160.png", "/wall?canvas=3840x2160", 3840, 2160),
    ("wall-1920x1080.png", "/wall?canvas=1920x1080", 1920, 1080),
    ("wall-5760x3240.png", "/wall?canvas=5760x3240", 5760, 3240),
    ("wall-7680x2160.png", "/wall?canvas=7680x2160", 7680, 2160),
    ("wall-en-3840x2160.png", "/wall?canvas=3840x2160&lang=en", 3840, 2160),
    ("consult-1920x1080.png", "/consult", 1920, 1080),
    ("consult-en-1920x1080.png", "/consult?lang=en", 1920, 1080),
    ("tablet-1024x768.png", "/tablet", 1024, 768),
    ("tablet-1366x1024.png", "/tablet", 1366, 1024),
    ("tablet-en-1024x1366.png", "/tablet?lang=en", 1024, 1366),
    ("phone-390x844.png", "/tablet", 390, 844),
    ("phone-844x390.png", "/tablet", 844, 390),
    ("hazchem.png", "/hazchem", 1920, 1080),
    ("hazchem-en-1024x1366.png", "/hazchem?lang=en", 1024, 1366),
    ("resources.png", "/resources", 1920, 1080),
    ("resources-1366x768.png", "/resources", 1366, 768),
    ("duty.png", "/duty", 1920, 1080),
    ("duty-1366x768.png", "/duty", 1366, 768),
    ("duty-en-1920x1080.png", "/duty?lang=en", 1920, 1080),
    ("resources-en-1024x1366.png", "/resources?lang=en", 1024, 1366),
    ("incident.png", "/incident/{incident}", 1920, 1080),
    ("incident-en-1920x1080.png", "/incident/{incident}?lang=en", 1920, 1080),
    ("governance-1920x1080.png", "/governance", 1920, 1080),
    ("governance-en-1920x1080.png", "/governance?lang=en", 1920, 1080),
    ("report-daily.png", "/report/daily", 1240, 1754),
    ("report-daily-en.png", "/report/daily?lang=en", 1240, 1754),
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


def _newest_incident(browser, base: str) -> str | None:  # noqa: ANN001
    """The id of an incident to show: the first incident link on the tablet."""
    page = browser.new_page()
    try:
        page.goto(base + "/tablet")
        link = page.locator("a[href^='/incident/']").first
        link.wait_for(timeout=15_000)
        return (link.get_attribute("href") or "").rsplit("/", 1)[-1] or None
    except Exception:  # noqa: BLE001 - no incident link: the incident shot is skipped
        return None
    finally:
        page.close()


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
        incident = _newest_incident(browser, args.base)
        for name, path, width, height in SHOTS:
            if args.only not in name or ("{incident}" in path and not incident):
                continue
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(args.base + path.format(incident=incident))
            page.wait_for_timeout(args.wait_ms)
            page.screenshot(path=str(out / name))
            print(out / name)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
