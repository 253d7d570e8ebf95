"""`/`: the landing page. Every screen of screens.py with a `home` entry that this person (or
enrolled display) may open, as a large card with a line on what it is for, in Chinese or
English (`?lang=`, as /consult and /tablet); and the system's state beside them: Redis, the
warehouse and the live state as /readyz judges them, and the upstream systems as /governance
does (callbacks/home_page.py fills it)."""

from __future__ import annotations

from enum import StrEnum

from dash import dcc, html

import screens
from auth import can, current_user
from layouts import i18n, pulse
from layouts.common import panel
from layouts.gate import gated_tick
from layouts.i18n import t


class Ids(StrEnum):
    ROOT = "home"
    SCREENS = "home-screens"
    READY = "home-ready"
    READY_AS_OF = "home-ready-as-of"
    SYSTEMS = "home-systems"
    SYSTEMS_AS_OF = "home-systems-as-of"
    TICK = "home-tick"


REFRESH_MS = 5000  # the state moves slowly; a look every few seconds is plenty

# The screens that can be shown in English (the rest are Chinese only for now).
ENGLISH_PAGES = (
    "/",
    "/wall",
    "/consult",
    "/tablet",
    "/duty",
    "/resources",
    "/hazchem",
    "/incident",
    "/governance",
    "/report/daily",
)


def openable(page: screens.Page) -> bool:
    """May the person (or display) looking at the page open `page`?"""
    user = current_user()
    if user is None or not can(page.permission, user):
        return False
    return user.role != "display" or page.display


def card(page: screens.Page, lang: str) -> html.A:
    name, note = (page.home_en or page.home) if lang == "en" else page.home
    href = page.path + ("?lang=en" if lang == "en" and page.path in ENGLISH_PAGES else "")
    # A real link (a full load): the wall, the report and /admin are not this app's pages.
    return html.A(
        [html.Span(name, className="card-name"), html.Span(note, className="card-note")],
        href=href,
        className="screen-card touch",
        **{"data-path": page.path},
    )


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)
    cards = [card(p, lang) for p in screens.PAGES if p.home and openable(p)]
    picker = html.Section(
        [
            html.H2(t("home.pick", lang)),
            html.Nav(
                cards or [html.P(t("home.none", lang), className="empty")],
                id=Ids.SCREENS,
                className="screen-cards",
            ),
        ],
        className="home-picker",
    )
    state = html.Div(
        [
            panel(
                t("home.state", lang),
                html.Ul(id=Ids.READY, className="home-ready"),
                panel_id="home-ready-panel",
                as_of_id=Ids.READY_AS_OF,
                source="redis",
            ),
            panel(
                t("home.systems", lang),
                html.Div(id=Ids.SYSTEMS, className="home-systems"),
                panel_id="home-systems-panel",
                as_of_id=Ids.SYSTEMS_AS_OF,
                source="warehouse",
            ),
        ],
        className="home-state",
    )
    header = html.Header(
        [
            dcc.Link(i18n.t("auth.org", lang), href="/", className="org"),
            html.H1(t("home.title", lang)),
            html.Div(className="nav"),  # the cards are the navigation here
            html.Div(id="home-clock", className="page-clock"),
        ],
        className="page-header",
    )
    page = html.Div(
        [header, html.Main([picker, state], className="page-main home-main")],
        className="page screen-home",
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(
        [
            page,
            pulse.layout("home", refresh_ms, stale_after_s),
            *gated_tick(Ids.TICK, max(refresh_ms, REFRESH_MS)),
        ],
        id=Ids.ROOT,
        lang="en" if lang == "en" else "zh-CN",
    )


def ready_items(ready: bool, status: dict[str, str], lang: str) -> list[html.Li]:
    """The readiness of the backing services, as /readyz judges it (data_sources.health)."""
    items = [
        html.Li(
            t("ready.all" if ready else "ready.not", lang),
            className="ready-all " + ("ok" if ready else "bad"),
            **{"data-ready": "1" if ready else "0"},
        )
    ]
    for key in ("redis", "warehouse", "live_state"):
        value = status.get(key, "")
        word = (
            "ready.ok"
            if value == "ok"
            else "ready.restoring"
            if value == "restoring"
            else "ready.down"
        )
        items.append(
            html.Li(
                [
                    html.Span(t(f"ready.{key}", lang), className="what"),
                    html.Span(t(word, lang), className="state"),
                ],
                className="ready-item " + ("ok" if value == "ok" else "bad"),
                title="" if value == "ok" else value,
                **{
                    "data-check": key,
                    "data-state": value if value in ("ok", "restoring") else "down",
                },
            )
        )
    return items


def systems_block(systems: list[dict] | None, rate: tuple[int, int], lang: str) -> list:
    """The upstream systems as /governance judges them (data_sources.freshness): the
    integration rate and one chip per system, coloured by its state."""
    if systems is None:
        return [html.P(t("systems.none", lang), className="empty")]
    integrated, registered = rate
    chips = [
        html.Li(
            [
                html.Span(s["name"], className="name"),
                html.Span(t(f"state.{s['state']}", lang), className="state"),
            ],
            className=f"system-chip state-{s['state']}",
            **{"data-system": s["code"], "data-state": s["state"]},
        )
        for s in systems
    ]
    percent = f"{round(100 * integrated / registered)}%" if registered else "—"
    return [
        html.Div(
            [
                html.Span(percent, className="figure"),
                html.Span(t("systems.rate", lang, integrated=integrated, registered=registered)),
            ],
            className="home-rate",
            **{"data-integrated": str(integrated), "data-registered": str(registered)},
        ),
        html.Ul(chips, className="system-chips"),
    ]
