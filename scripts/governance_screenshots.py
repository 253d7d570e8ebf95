"""Take docs/screenshots/governance-1920x1080.png and governance-3840x2160.png: /governance
over a real Redis (REDIS_URL) and a fresh SQLite warehouse with the reference data, fed with a
day of messages, a silent system, a failing one, rejects, connector lag and usage days.

    REDIS_URL=redis://127.0.0.1:6379/14 CHROMIUM=/usr/bin/chromium \
        .venv/bin/python scripts/governance_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(sources) -> None:  # noqa: ANN001
    from data_sources import connector_status, hall_usage, keys, quarantine

    now = datetime.now(UTC)
    rows = []
    for code, per_hour, late in (("hazchem", 30, 4), ("iot", 60, 2), ("emergency", 6, 20),
                                 ("supervision", 3, 40), ("monitor", 2, 8)):  # fmt: skip
        for hour in range(24):
            for n in range(per_hour // (1 + hour % 3)):
                received = now - timedelta(hours=hour, minutes=(n * 7) % 60)
                rows.append({
                    "id": f"shot-{code}-{hour}-{n}", "source": code,
                    "occurred": received - timedelta(seconds=late + n % 5), "received": received,
                })  # fmt: skip
    sources.warehouse.execute(
        "INSERT INTO alarm_history (id, source, level, category, title, occurred_at, "
        "received_at, status) VALUES (:id, :source, 'yellow', '监测', '截图', :occurred, "
        ":received, 'closed')",
        rows,
    )
    for code in ("hazchem", "iot", "emergency", "supervision", "enforcement"):
        sources.status.heartbeat(code)
    sources.status.heartbeat("monitor", time.time() - 20)
    for n in range(4):
        quarantine.put(
            sources.warehouse, source="monitor", channel="http", ref=f"shot-{n}",
            raw=f'{{"id": "JC-{n}", "source": "monitor", "level": "purple"}}',
            error="422 level: Input should be 'red', 'orange', 'yellow' or 'blue'",
        )  # fmt: skip
    quarantine.put(
        sources.warehouse, source="iot", channel="mqtt", ref="shot-mqtt",
        raw=b'{"id": "IOT-9", "source": "iot", "lon": 120.6, "lat": ',
        error="400 body: not valid JSON (topic se/iot/alarms)",
    )  # fmt: skip
    connector_status.report(sources, "mqtt:iot", "iot", "mqtt", connected=True,
                            processed_at=time.time() - 2)  # fmt: skip
    connector_status.report(sources, "dbpull:emergency", "emergency", "dbpull", behind=37,
                            watermark={"id": 120433}, advanced_at=time.time() - 95)  # fmt: skip
    # Every other day of the year, 08:00-17:00 on the hall's main display (one pipeline a day).
    start = datetime(now.year, 1, 1, tzinfo=hall_usage.SHANGHAI)
    for day in range(0, (now - start.astimezone(UTC)).days, 2):
        date = (start + timedelta(days=day)).strftime("%Y-%m-%d")
        pipe = sources.redis.pipeline(transaction=False)
        for minute in range(8 * 60, 17 * 60):
            pipe.setbit(keys.hall_shown(date, "d-hall1"), minute, 1)
        pipe.sadd(keys.HALL_DAYS, f"{date}|d-hall1")
        pipe.execute()
    hall_usage.record(sources, "d-hall1")


def main() -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    import auth
    from app import create_app
    from data_sources import EXTENSION, build_sources
    from refdata.build import build
    from settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="gov-shots-"))
    url = f"sqlite:///{tmp}/warehouse.sqlite"
    redis_url = os.environ["REDIS_URL"]
    settings = {"REDIS_URL": redis_url, "WAREHOUSE_URL": url, "DATA_DIR": str(tmp),
                "DEMO_FEED": False, "INPROCESS_WORKERS": False, "AUTH_REQUIRED": False}  # fmt: skip
    sources = build_sources(Settings.load(settings))
    sources.redis.flushdb()
    build(sources.warehouse)
    seed(sources)
    app = create_app(settings)
    auth.init_app(app.server)
    app.server.extensions[EXTENSION].restore.mark_restored()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = ROOT / "docs" / "screenshots"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        for width, height, scale in ((1920, 1080, 1), (3840, 2160, 2)):
            page = browser.new_context(
                viewport={"width": width // scale, "height": height // scale},
                device_scale_factor=scale,
            ).new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/governance", timeout=120_000)
            page.wait_for_function(
                # An arrow function: the page's CSP refuses evaluating a string.
                "() => document.querySelectorAll('#gov-systems tr[data-system]').length === 7"
                " && document.querySelector('#gov-usage')",
                timeout=120_000,
            )
            page.wait_for_timeout(1500)
            path = out / f"governance-{width}x{height}.png"
            page.screenshot(path=str(path))
            print(path)
        browser.close()
    server.shutdown()
    sources.redis.flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
