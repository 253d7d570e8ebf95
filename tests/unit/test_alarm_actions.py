"""Acknowledge and close from the screens (callbacks/alarm_actions.py): the permission checked on
the server, the note a close needs, the account recorded, and what each role is offered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auth import User
from callbacks import alarm_actions
from layouts.alarm_actions import allowed_actions, buttons, tr


def put(sources, alarm_id: str, level: str = "red") -> None:  # noqa: ANN001
    sources.alarms.put(
        {
            "id": alarm_id,
            "source": "hazchem",
            "level": level,
            "category": "可燃气体报警",
            "title": f"测试警情 {alarm_id}",
            "occurred_at": datetime.now(UTC),
            "lon": 120.6,
            "lat": 31.3,
            "site_id": None,
            "district": "320508",
            "detail": {},
        }
    )


@pytest.fixture
def demo_app(make_app):  # noqa: ANN001
    return make_app(AUTH_REQUIRED=False)


def sources_of(app):  # noqa: ANN001, ANN201
    return app.server.extensions["smart_emergency_sources"]


def test_a_close_needs_a_note_and_records_the_account_and_the_note(demo_app):  # noqa: ANN001
    sources = sources_of(demo_app)
    put(sources, "C-1")
    with demo_app.server.test_request_context("/_dash-update-component"):
        assert alarm_actions.act(sources, "C-1", "close", "   ", "zh") == (
            False,
            tr("note.required", "zh"),
        )
        assert sources.alarms.get("C-1")["status"] == "new"
        done, message = alarm_actions.act(sources, "C-1", "close", " 误报，已复位 ", "en")
        assert done and message == "Closed: 测试警情 C-1"
        assert alarm_actions.act(sources, "C-1", "close", "again", "zh") == (
            False,
            tr("gone", "zh"),
        )
        assert alarm_actions.act(sources, "C-1", "ack", "", "zh") == (False, tr("gone", "zh"))
    state = sources.alarms.get("C-1")
    assert state["status"] == "closed" and state["closed_by"] == "demo"
    assert state["close_note"] == "误报，已复位"


def test_an_acknowledged_alarm_can_still_be_closed(demo_app):  # noqa: ANN001
    sources = sources_of(demo_app)
    put(sources, "C-2", "orange")
    with demo_app.server.test_request_context("/_dash-update-component"):
        assert alarm_actions.act(sources, "C-2", "ack", "", "zh")[0]
        assert alarm_actions.act(sources, "C-2", "close", "处置完毕", "zh")[0]
    state = sources.alarms.get("C-2")
    assert state["ack_by"] == "demo" and state["closed_by"] == "demo"


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("viewer", set()),
        ("display", set()),
        ("duty_officer", {"ack", "close"}),
        ("leader", {"ack", "close"}),
    ],
)
def test_each_role_is_offered_what_docs_access_md_allows_and_the_server_agrees(
    make_app, monkeypatch, role, offered
):  # noqa: ANN001
    import auth

    app = make_app(AUTH_REQUIRED=True)
    sources = sources_of(app)
    put(sources, f"R-{role}")
    person = User(name=f"u-{role}", role=role, display_name=role)
    monkeypatch.setattr(auth, "current_user", lambda: person)
    monkeypatch.setattr(alarm_actions, "current_user", lambda: person)
    with app.server.test_request_context("/_dash-update-component"):
        assert set(allowed_actions()) == offered
        done, _ = alarm_actions.act(sources, f"R-{role}", "ack", "", "zh")
    assert done == ("ack" in offered)
    state = sources.alarms.get(f"R-{role}")
    assert state["status"] == ("acknowledged" if offered else "new")
    assert state["ack_by"] == (person.name if offered else None)


def test_buttons_follow_the_state_and_the_permissions():
    def kinds(status: str, allowed: set[str]) -> list[str]:
        return [b.id["action"] for b in buttons("A-1", status, frozenset(allowed), "zh")]

    assert kinds("new", {"ack", "close"}) == ["ack", "close"]
    assert kinds("acknowledged", {"ack", "close"}) == ["close"]
    assert kinds("closed", {"ack", "close"}) == []
    assert kinds("new", set()) == []
    assert kinds("new", {"ack"}) == ["ack"]
