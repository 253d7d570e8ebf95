"""The push hub's resume rule: a screen that says the version it saw gets exactly the changes
after it, or is told to re-read everything when they are no longer known here."""

from __future__ import annotations

from push.hub import Event, Hub, frame


def hub_with(changes: list[tuple[int, int]], v: int, full_at: int | None = None) -> Hub:
    hub = Hub(None, None)  # type: ignore[arg-type] - the ring alone is under test
    for seq, (prev, after) in enumerate(changes, start=1):
        hub.ring.append(
            Event(seq, "change", prev, after, frame("change", {"v": after}), full=after == full_at)
        )
    hub.v = v
    return hub


def test_a_screen_gets_the_changes_after_the_version_it_saw_and_nothing_before():
    hub = hub_with([(3, 4), (4, 6), (6, 7)], v=7)
    assert [e.v for e in hub._replay(4)] == [6, 7]
    assert [e.v for e in hub._replay(5)] == [6, 7]  # a version folded into the change 4→6
    assert hub._replay(7) == []


def test_a_screen_is_told_to_re_read_when_its_version_is_unknown_here():
    hub = hub_with([(3, 4), (4, 6)], v=6)
    assert hub._replay(2) is None  # older than the ring (a new process, a long outage)
    assert hub._replay(9) is None  # newer than Redis: Redis restarted and counts again
    assert hub._replay(None) is None  # a screen that saw nothing yet


def test_the_frames_of_a_change_are_server_sent_events_with_the_version_as_id():
    body = frame("change", {"v": 5, "title": "泄漏"}, 5).decode()
    assert body.startswith("id:5\nevent:change\ndata:{")
    assert body.endswith("\n\n") and "泄漏" in body and body.count("\n") == 4
