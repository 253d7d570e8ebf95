"""screens.py is the one list of pages, wall panels and focus views: what the navigation, the
home page, the access matrix, the wall and WALL_VIEWS show is what its rows say."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

import screens
from auth import matrix
from layouts import frame, wall
from settings import Settings, SettingsError


def _walk(node, out):  # noqa: ANN001, ANN202
    if isinstance(node, list | tuple):
        for child in node:
            _walk(child, out)
    elif hasattr(node, "to_plotly_json"):
        out.append(node)
        _walk(list(node.to_plotly_json()["props"].values()), out)
    return out


def test_the_navigation_follows_the_rows_nav_order_with_their_labels_in_both_languages() -> None:
    links = [
        c
        for c in _walk(frame.frame("t", [], "x"), [])
        if "nav-link" in str(getattr(c, "className", ""))
    ]
    assert [(c.href, c.children) for c in links] == [(p.path, p.label) for p in screens.nav()]
    assert links[0].children == "综合态势" and links[-1].href == "/tablet"
    english = [
        c.children
        for c in _walk(frame.frame("t", [], "x", lang="en"), [])
        if getattr(c, "href", None)
    ]
    assert "Situation wall" in english


def _home_cards(role: str, lang: str | None = None) -> list:
    from flask import g

    from auth import User
    from layouts import home_page

    app = Flask(__name__)
    with app.test_request_context("/"):
        g.se_user = User("someone", role)
        return [
            c
            for c in _walk(home_page.layout(lang=lang), [])
            if "screen-card" in str(getattr(c, "className", "")).split()
        ]


def test_the_home_page_offers_every_screen_a_person_may_open_with_what_it_is_for() -> None:
    cards = _home_cards("admin")
    assert [c.href for c in cards] == [p.path for p in screens.PAGES if p.home]
    assert "/admin" in [c.href for c in cards] and "/report/daily" in [c.href for c in cards]
    assert "/incident/<incident_id>" not in [c.href for c in cards]
    assert [c.href for c in _home_cards("viewer")] == [
        p.path for p in screens.PAGES if p.home and p.permission != "admin"
    ]
    # An enrolled display is offered only the screens a display may open.
    assert [c.href for c in _home_cards("display")] == ["/wall", "/consult"]
    names = [str(c.children[0].children) for c in cards]
    notes = [str(c.children[1].children) for c in cards]
    assert names[0] == "综合态势一张图" and all(notes)


def test_the_home_page_reads_in_english_and_keeps_the_language_on_its_links() -> None:
    cards = _home_cards("admin", "en")
    assert [str(c.children[0].children) for c in cards][:2] == ["Situation wall", "Consultation"]
    assert "/consult?lang=en" in [c.href for c in cards]
    assert all(p.home_en for p in screens.PAGES if p.home)


def test_the_access_matrix_has_every_page_and_only_the_display_rows_open_to_displays() -> None:
    assert [p.path for p in matrix.PAGES][:3] == ["/", "/wall", "/consult"]
    assert "/incident/<id>" in {p.path for p in matrix.PAGES}
    assert matrix.page_allowed("display", "/wall") and not matrix.page_allowed("display", "/duty")
    assert not matrix.allowed(
        "leader", next(p for p in matrix.PAGES if p.path == "/admin").permission
    )


def test_wall_views_are_the_registrys_views_and_an_unknown_one_stops_start_up() -> None:
    assert Settings.load({}, environ={}).WALL_VIEWS == screens.VIEW_KEYS
    with pytest.raises(SettingsError, match="WALL_VIEWS"):
        Settings.load({"WALL_VIEWS": "overview,weather"}, environ={})
    assert [v["panel"] for v in wall.schedule(("overview", "duty"))] == [None, "duty-panel"]


def test_a_row_that_contradicts_the_others_is_refused_by_name(monkeypatch) -> None:  # noqa: ANN001
    bad = dataclasses.replace(screens.PANELS[0], feeds=("alarms", "weather"))
    monkeypatch.setattr(screens, "PANELS", (*screens.PANELS[1:], bad))
    with pytest.raises(ValueError, match="alarm-counts-panel: unknown feeds \\['weather'\\]"):
        screens.check()
    twice = dataclasses.replace(screens.PANELS[0], views=("duty",))
    monkeypatch.setattr(screens, "PANELS", (*screens.PANELS, twice))
    with pytest.raises(ValueError, match="view duty highlights two panels"):
        screens.check()


def test_the_wall_stacks_each_panel_in_its_column_with_its_share_of_the_height() -> None:
    server = Flask(__name__)
    server.config["SE_SETTINGS"] = Settings.load({}, environ={})
    with server.app_context():
        columns = wall.grid().children
    assert [c.className for c in columns] == [
        "wall-col wall-left",
        "wall-col wall-centre",
        "wall-col wall-right",
    ]
    for column, area in zip(columns, screens.AREAS, strict=True):
        assert [c.id for c in column.children] == [p.id for p in screens.PANELS if p.area == area]
    style = {c.id: c.style for column in columns for c in column.children}
    assert style["forces-panel"] == {"flex": "none", "height": "calc(250 * var(--u))"}
    assert style["alarm-panel"] == {"flex": "3"} and style["duty-panel"] == {"flex": "2"}
