"""The demo feed raises alarms about as often as the reference city's own history does (by
level), with now and then a burst, so that a day's chart has a shape and the demo's hours do
not dwarf the history's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from figures.consult_view import site_enterprises
from layouts.common import SHANGHAI
from simulator.feed import DemoFeed
from simulator.rates import Planned, Schedule, measure
from tests.helpers import sources_of
from vocabulary import LEVELS

DAYS = 28


@pytest.fixture
def history(make_app, reference_url: str):  # noqa: ANN001, ANN201
    """(alarms per hour by level in the reference warehouse's last four weeks, measured by
    counting its rows, and the feed's rates as it loads them)."""
    app = make_app(WAREHOUSE_URL=reference_url)
    sources = sources_of(app)
    now = datetime.now(UTC)
    rows = sources.warehouse.query(
        "SELECT level, count(*) AS n FROM alarm_history WHERE occurred_at >= :since GROUP BY level",
        {"since": now - timedelta(days=DAYS)},
    )
    per_hour = {lv: 0.0 for lv in LEVELS} | {
        r.level: r.n / (DAYS * 24) for r in rows.itertuples(index=False)
    }
    counts = sources.analysis.hourly_counts(now - timedelta(days=DAYS), now)
    return per_hour, measure(counts, DAYS)


def simulate(schedule: Schedule, start: datetime, hours: float, tick_s: float = 3.0) -> list:
    """Drive the schedule as the feed does (a tick every `tick_s`) for `hours`."""
    out, now, end = [], start, start + timedelta(hours=hours)
    while now < end:
        out += schedule.due(now)
        now += timedelta(seconds=tick_s)
    return out


def test_the_feed_keeps_to_the_historys_rate_by_level_within_a_factor_of_two(history) -> None:  # noqa: ANN001
    per_hour, rates = history
    assert 1 < sum(per_hour.values()) < 20  # a city's few alarms an hour, not hundreds
    start = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # midnight in Suzhou
    alarms = simulate(Schedule(rates, np.random.default_rng(1)), start, hours=24 * 7)
    simulated = {lv: sum(a.level == lv for a in alarms) / (24 * 7) for lv in LEVELS}
    for level in ("yellow", "blue", "orange"):  # red: too few an hour to compare
        assert per_hour[level] / 2 <= simulated[level] <= per_hour[level] * 2, level
    total, history_total = sum(simulated.values()), sum(per_hour.values())
    assert history_total / 2 <= total <= history_total * 2
    # One simulated hour at midday: of the history's order, not the old feed's 230 an hour.
    noon = start + timedelta(hours=4)
    hour = simulate(Schedule(rates, np.random.default_rng(2)), noon, hours=1)
    assert len(hour) <= 4 * rates.total(noon.astimezone(SHANGHAI).hour) + Schedule.BURST_SIZE[1]


def test_bursts_give_the_day_a_shape(history) -> None:  # noqa: ANN001
    _, rates = history
    start = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    alarms = simulate(Schedule(rates, np.random.default_rng(3)), start, hours=24)
    bursts = {a.burst for a in alarms if a.burst is not None}
    assert bursts, "a day has at least one burst"
    hourly = np.bincount(
        [int((a.at - start).total_seconds() // 3600) for a in alarms], minlength=24
    )
    assert hourly.max() >= 2 * max(np.median(hourly), 1)  # not flat
    # A burst's alarms come within minutes of each other, the worst last.
    first = [a for a in alarms if a.burst == min(bursts)]
    assert first[-1].at - first[0].at <= timedelta(minutes=Schedule.BURST_MINUTES)
    ranks = [LEVELS.index(a.level) for a in first]
    assert ranks == sorted(ranks, reverse=True)


def test_the_running_feed_posts_at_its_schedule(make_app, redis_url, reference_url) -> None:  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url)
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=4)
    feed._load()
    start = datetime.now(UTC)
    planned = []
    for k in range(1200):  # an hour of ticks, three seconds apart
        for p in feed.schedule.due(start + timedelta(seconds=3 * k)):
            planned.append(p)
            feed._alarm(start, p)
    assert len(planned) <= 20  # the old feed sent about 230 in an hour
    assert len(sources.alarms.demo_ids()) <= len(planned)


def test_a_burst_is_one_plants_alarms_each_its_own(make_app, redis_url, reference_url) -> None:  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url)
    sources = sources_of(app)
    feed = DemoFeed(app.server, sources, seed=6)
    feed._load()
    now = datetime.now(UTC)
    for level in ("blue", "blue", "yellow", "yellow", "orange", "red"):
        feed._alarm(now, Planned(now, level, burst=1))
    alarms = sources.alarms.active()
    burst = alarms[alarms["id"].isin(sources.alarms.demo_ids())]
    assert len(burst) == 6  # none merged into another: six alarms on the wall
    owners = site_enterprises(sources)  # site (sensor, hazard source) → its enterprise
    assert burst["site_id"].map(owners).nunique() == 1  # all at one plant
    assert sorted(burst["level"]) == sorted(["blue", "blue", "yellow", "yellow", "orange", "red"])
