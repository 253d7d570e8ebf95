"""Staleness follows the sources, in real headless Chromium: with the server answering, a
system silent past its cadence turns the wall's panels it feeds stale with the reason in words,
the panels it does not feed stay fresh, and the top bar shows the integration rate from the
registry. A fresh heartbeat brings the panels back."""

from __future__ import annotations

import threading
import time

import pytest

from tests.helpers import sources_of

pytestmark = [pytest.mark.browser, pytest.mark.redis]

HAZCHEM = "危险化学品安全生产风险监测预警系统"
REASON = f"{HAZCHEM} 12 分钟无数据"


@pytest.fixture
def wall_server(make_app, serve, redis_url, reference_url):  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, WALL_ROTATE_S=0)
    return serve(app)


def classes(page, selector: str) -> str:  # noqa: ANN001
    return page.locator(selector).get_attribute("class") or ""


def test_a_silent_system_turns_its_panels_stale_with_the_reason_while_others_stay_fresh(
    wall_server,
    page_factory,  # noqa: ANN001
) -> None:
    sources = sources_of(wall_server.app)
    # The reference archive's messages are hours old: heartbeats decide. Every system beats
    # now but hazchem, last heard 12 minutes ago.
    others = [c for c in sources.systems.all()["code"] if c != "hazchem"]
    sources.status.heartbeat("hazchem", at=time.time() - 12 * 60 - 20)
    beating = threading.Event()
    threading.Thread(target=beat, args=(sources, others, beating), daemon=True).start()
    try:
        watch(wall_server, page_factory, sources)
    finally:
        beating.set()


def beat(sources, codes: list[str], stop: threading.Event) -> None:  # noqa: ANN001
    # The other systems keep their cadence (the sensing network's is 10 s) all along.
    while not stop.is_set():
        for code in codes:
            sources.status.heartbeat(code)
        stop.wait(2)


def watch(wall_server, page_factory, sources) -> None:  # noqa: ANN001
    page = page_factory(1920, 1080)
    page.goto(f"{wall_server.url}/wall?canvas=1920x1080")
    page.wait_for_function(
        "document.querySelector('#alarm-panel')?.dataset.staleReason?.includes('12 分钟无数据')",
        timeout=30_000,
    )
    assert page.get_attribute("#alarm-panel", "data-stale-reason") == REASON
    assert page.inner_text("#alarm-panel .as-of").endswith(REASON)
    assert "stale" in classes(page, "#alarm-panel")
    assert "stale" in classes(page, "#map-panel")
    # Duty and forces are not fed by hazchem: fresh once their data is in (a busy machine
    # may take a while to load them), while the alarm panel stays stale.
    page.wait_for_function(
        "['#duty-panel', '#forces-panel'].every(s => document.querySelector(s)?.dataset.staleReason"
        " === undefined && !document.querySelector(s).classList.contains('stale'))",
        timeout=90_000,
    )
    assert "stale" in classes(page, "#alarm-panel")
    for fresh in ("#duty-panel", "#forces-panel"):
        assert page.get_attribute(fresh, "data-stale-reason") is None
    # The top bar: the registry's seven systems, six of them within their cadence.
    chips = page.locator("#topbar-systems li.system")
    assert chips.count() == 7
    assert "quiet" in (
        page.locator("#topbar-systems li[data-system=hazchem]").get_attribute("class") or ""
    )
    assert page.inner_text("#topbar-rate .figure") == "86%"
    assert page.inner_text("#topbar-rate .detail") == "6 / 7"

    # The system speaks again: its panels turn fresh, the rate moves.
    sources.status.heartbeat("hazchem")
    page.wait_for_function(
        "!document.querySelector('#alarm-panel').classList.contains('stale')", timeout=30_000
    )
    assert page.get_attribute("#alarm-panel", "data-stale-reason") is None
    assert page.inner_text("#topbar-rate .detail") == "7 / 7"
    assert page.console_errors == [], "\n".join(e[:400] for e in page.console_errors)
