"""Command-hall usage days from the displays' own pulses, in the real Redis: a minute is
counted once per display however many tabs pulse in it, a day counts when one display showed
the wall for the set hours, and the count survives a new app on the same Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data_sources import Sources, build_sources, hall_usage
from tests.helpers import open_sources

pytestmark = pytest.mark.redis

# 2027-03-02 00:00 in Shanghai.
MIDNIGHT = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)


@pytest.fixture
def sources(tmp_path: Path, redis_url: str, sqlite_url: str) -> Iterator[Sources]:
    with open_sources(redis_url, sqlite_url, tmp_path) as built:
        yield built


def show(sources, display: str, start: datetime, minutes: int, tabs: int = 1) -> None:  # noqa: ANN001
    for m in range(minutes):
        for tab in range(tabs):
            # Pulses every few seconds within each minute, from every tab.
            hall_usage.record(sources, display, start + timedelta(minutes=m, seconds=7 * tab))


def test_a_day_counts_once_a_display_showed_the_wall_for_the_set_hours(sources) -> None:  # noqa: ANN001
    show(sources, "d-wall1", MIDNIGHT + timedelta(hours=8), 4 * 60, tabs=3)
    show(sources, "d-wall2", MIDNIGHT + timedelta(days=1, hours=9), 3 * 60 + 59)
    # Two displays of 2 h each on one day make no usage day: it is per display.
    show(sources, "d-wall1", MIDNIGHT + timedelta(days=2, hours=9), 120)
    show(sources, "d-wall2", MIDNIGHT + timedelta(days=2, hours=14), 120)
    at = MIDNIGHT + timedelta(days=2, hours=20)
    got = hall_usage.usage(sources, hours=4, target=150, now=at)
    assert (got.year, got.days, got.target, got.displays) == (2027, 1, 150, 2)
    assert got.today_hours == 2.0
    assert hall_usage.usage(sources, hours=3.5, target=150, now=at).days == 2

    # Another app on the same Redis (a restart) counts the same.
    again = build_sources(sources.settings)
    assert hall_usage.usage(again, hours=4, target=150, now=at).days == 1


def test_last_years_days_do_not_count_this_year(sources) -> None:  # noqa: ANN001
    show(sources, "d-wall1", datetime(2026, 12, 31, 1, 0, tzinfo=UTC), 5 * 60)
    assert hall_usage.usage(sources, 4, 150, now=MIDNIGHT).days == 0
    assert hall_usage.usage(sources, 4, 150, now=datetime(2026, 12, 31, 12, tzinfo=UTC)).days == 1


def test_the_walls_own_pulse_records_an_enrolled_display_once_and_people_not_at_all(
    make_app,
    redis_url: str,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    from argon2 import PasswordHasher

    from auth import passwords
    from tests.helpers import sources_of
    from tests.integration.test_access_matrix import callback_body
    from tests.integration.test_auth import enrolled, secured_app, signed_in

    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app = secured_app(make_app, redis_url, sqlite_url)
    sources = sources_of(app)
    pulse = next(k for k in app.callback_map if "pulse-data" in k)
    spec = app.callback_map[pulse]
    body = callback_body(pulse, spec["inputs"], spec.get("state", []), n_intervals=1)
    wall, display_id = enrolled(app)
    enrolled(app, "会商室屏", "10.1.9.8")  # enrolled, but never showing the wall
    person = signed_in(app, "duty")
    for client in (wall, wall, person):  # two tabs of one display, and a person's screen
        assert client.post("/_dash-update-component", json=body).status_code == 200
    got = hall_usage.usage(sources, hours=1, target=150)
    assert got.displays == 1
    # One minute (two, should the pulses straddle a minute's turn), not three pulses' worth.
    assert got.today_hours in (1 / 60, 2 / 60)
    assert sources.redis.smembers("se:hall:days") == {
        f"{datetime.now(hall_usage.SHANGHAI):%Y-%m-%d}|{display_id}"
    }
