"""Staleness follows the sources: a panel is stale, with the reason in words, when a system
that feeds it is silent past its cadence; panels it does not feed stay fresh."""

from __future__ import annotations

from data_sources.freshness import PANEL_FEEDS, panel_reasons, silence_text
from data_sources.governance import Delivery, rate_of, state_of

HAZCHEM = "危险化学品安全生产风险监测预警系统"


def system(code: str, name: str, sends: tuple[str, ...], state: str, age: float | None) -> Delivery:
    return Delivery(
        code=code,
        name=name,
        enabled=True,
        sends=sends,
        state=state,
        heartbeat_age_s=age,
        last_message_age_s=None if age is None else age + 30,
    )


def test_a_silent_system_makes_the_panels_it_feeds_stale_with_its_name_and_silence() -> None:
    systems = [
        system("hazchem", HAZCHEM, ("alarms", "readings", "heartbeats"), "silent", 12 * 60 + 5),
        system("emergency", "应急平台综合应用系统", ("alarms", "incidents"), "integrated", 3),
    ]
    reasons = panel_reasons(systems)
    assert reasons["alarm-panel"] == f"{HAZCHEM} 12 分钟无数据"
    assert reasons["hazchem-table-panel"] == f"{HAZCHEM} 12 分钟无数据"
    # Duty and forces are kept by the hall itself; nothing upstream makes them stale.
    assert reasons["duty-panel"] is None
    assert reasons["forces-panel"] is None


def test_a_panel_stays_fresh_when_only_systems_that_do_not_feed_it_are_silent() -> None:
    systems = [
        system("emergency", "应急平台综合应用系统", ("incidents", "heartbeats"), "silent", 900),
        system("hazchem", HAZCHEM, ("alarms", "readings"), "integrated", 2),
    ]
    reasons = panel_reasons(systems, {"readings": ("readings",), "incidents": ("incidents",)})
    assert reasons == {"readings": None, "incidents": "应急平台综合应用系统 15 分钟无数据"}


def test_never_connected_disabled_and_failing_systems_make_nothing_stale() -> None:
    disabled = Delivery("gis", "安全生产地理信息系统", False, ("alarms",), "silent", 5000, None)
    systems = [
        system("iot", "感知网络", ("alarms",), "not_connected", None),
        system("monitor", "安全生产监测监控中心", ("alarms",), "failing", 4000),
        disabled,
    ]
    assert set(panel_reasons(systems).values()) == {None}


def test_several_silent_systems_are_named_longest_silent_first() -> None:
    systems = [
        system("a", "甲系统", ("alarms",), "silent", 90),
        system("b", "乙系统", ("alarms",), "silent", 2 * 3600 + 10),
    ]
    assert (
        panel_reasons(systems, {"p": ("alarms",)})["p"]
        == "乙系统 2 小时无数据；甲系统 1 分钟无数据"
    )


def test_silence_is_said_in_the_largest_whole_unit() -> None:
    assert [silence_text(s) for s in (45, 60, 719, 3600, 86400 * 3)] == [
        "45 秒无数据",
        "1 分钟无数据",
        "11 分钟无数据",
        "1 小时无数据",
        "3 天无数据",
    ]


def test_a_heartbeat_past_twice_its_cadence_with_no_message_is_silent() -> None:
    row = {"heartbeat_s": 30, "data_s": 60}
    assert state_of(row, 59, None, 0, 0, False) == "integrated"
    assert state_of(row, 61, 200, 0, 0, False) == "silent"
    assert state_of(row, 61, 100, 0, 1, False) == "integrated"  # a message within 2 × 60 s


def test_the_integration_rate_counts_enabled_systems_only() -> None:
    systems = [
        system("a", "甲", ("alarms",), "integrated", 1),
        system("b", "乙", ("alarms",), "silent", 900),
        Delivery("c", "丙", False, ("alarms",), "integrated", 1, None),
    ]
    assert rate_of(systems) == (1, 2)


def test_every_mapped_panel_shows_known_kinds() -> None:
    kinds = {"alarms", "readings", "incidents", "heartbeats", "duty", "forces"}
    assert all(set(k) <= kinds and k for k in PANEL_FEEDS.values())
