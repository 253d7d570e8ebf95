"""`/tablet`: leadership on a tablet or phone, portrait and landscape. One layout that CSS grid
re-flows (assets/tablet.css): the few figures a leader asks for, the red and orange alarms, the
open incidents, the map and the presenter control. Touch targets are at least 44 px; nothing
is told only on hover. Acknowledging and closing ask to confirm in an on-screen dialog first
(layouts/alarm_actions.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html

from auth import can
from layouts import alarm_actions, demo, escalation, i18n, presenter, pulse, site_search
from layouts.call import number
from layouts.common import local_time, panel
from layouts.frame import frame
from layouts.i18n import incident_level_name, level_name, status_name, t
from maps.layout import MapIds, city_map, districts_layer, risk_points
from maps.layout import map_panel as map_panel_of
from thresholds.escalation import recorded_stage
from vocabulary import incident_level

MAP = MapIds("tablet-map")  # tablet-map-panel, tablet-map-districts, ...


class Ids(StrEnum):
    ROOT = "tablet"
    STATS = "tablet-stats"
    STATS_AS_OF = "tablet-stats-as-of"
    URGENT = "tablet-alarms"
    URGENT_AS_OF = "tablet-alarms-as-of"
    INCIDENTS = "tablet-incidents"
    INCIDENTS_AS_OF = "tablet-incidents-as-of"


def map_panel(lang: str) -> html.Section:
    layers = [
        districts_layer(MAP),
        dl.LayerGroup(id=MAP.incidents),
        # One GeoJSON layer (a tap on a point shows what it is), not a component per alarm.
        risk_points(MAP.alarms),
    ]
    body = city_map(MAP, layers, css="offline", tapTolerance=20)
    return map_panel_of(MAP, body, source="redis", title=t("panel.map", lang))


def layout(
    refresh_ms: int = 1000, stale_after_s: float = 15.0, lang: str | None = None, **_query: str
) -> html.Div:
    explicit = lang in i18n.LANGS
    lang = i18n.pick(lang)

    def section(key: str, body, ident: str, as_of: str) -> html.Section:  # noqa: ANN001
        return panel(t(key, lang), body, panel_id=f"{ident}-panel", as_of_id=as_of, source="redis")

    grid = html.Div(
        [
            section(
                "panel.overview",
                html.Div(id=Ids.STATS, className="tablet-stats"),
                Ids.STATS,
                Ids.STATS_AS_OF,
            ),
            section(
                "panel.urgent",
                html.Ol(id=Ids.URGENT, className="tablet-list"),
                Ids.URGENT,
                Ids.URGENT_AS_OF,
            ),
            section(
                "panel.incidents",
                html.Ol(id=Ids.INCIDENTS, className="tablet-list"),
                Ids.INCIDENTS,
                Ids.INCIDENTS_AS_OF,
            ),
            map_panel(lang),
            presenter.layout(lang, can("focus"), refresh_ms),
        ],
        className="tablet-grid",
    )
    actions = alarm_actions.layout(lang)  # the message line, the dialog and its stores
    search = site_search.box("tablet", lang, can("contacts"))
    page = frame(
        t("tablet.title", lang),
        [actions, search, grid],
        "tablet",
        active="/tablet",
        lang=lang,
        calls=False,
    )
    i18n.with_switch(page, lang, explicit)
    return html.Div(
        [
            page,
            pulse.layout("tablet", refresh_ms, stale_after_s),
        ],
        id=Ids.ROOT,
        lang="en" if lang == "en" else "zh-CN",
    )


# --- panel contents (built by callbacks/tablet_page.py) ------------------------------------


def stat(label: str, value, css: str = "", extra=None) -> html.Div:  # noqa: ANN001
    return html.Div(
        [html.Span(value, className="n"), html.Span(label, className="label"), *(extra or [])],
        className="stat" + css,
    )


def stats(counts: dict[str, int], incidents: int, ready: int, teams: int, leader, lang: str):
    """Active alarms by level, open incidents, teams ready, the duty leader now."""
    cells = [stat(level_name(lv, lang), str(n), f" level-{lv}", None) for lv, n in counts.items()]
    cells += [
        stat(t("stat.incidents", lang), str(incidents), " incidents"),
        stat(t("stat.teams", lang), [str(ready), html.Small(f"/{teams}")], " teams"),
    ]
    if leader:
        name, phone = leader
        call = [number(phone, name=name, css="phone touch")] if phone else []
        cells.append(stat(t("stat.leader", lang), name, " leader", call))
    else:
        cells.append(stat(t("stat.leader", lang), t("stat.unrostered", lang), " leader warn"))
    return cells


def urgent_items(
    alarms: pd.DataFrame,
    names: dict,
    allowed: frozenset[str] | bool,
    lang: str,
    limit: int = 30,
    now: datetime | None = None,
) -> list:
    """Red and orange alarms not closed (in the order given, at most `limit`), escalated ones
    marked with their stage and minutes waiting; each with the actions (`allowed`: "ack",
    "close") the account may take on it."""
    if alarms.empty:
        return [html.Li(t("urgent.none", lang), className="empty")]
    allowed = frozenset(allowed or ())
    items = []
    for r in alarms.head(limit).itertuples(index=False):
        stage = recorded_stage(r)
        items.append(
            html.Li(
                [
                    html.Span(level_name(r.level, lang), className="lvl"),
                    html.Span(r.title, className="title"),
                    *demo.tag(r.detail, lang),
                    html.Span(
                        f"{local_time(r.occurred_at, '%m-%d %H:%M')} · {names.get(r.district or '', '—')}",
                        className="meta",
                    ),
                    html.Span(status_name(r.status, lang), className=f"status status-{r.status}"),
                    *escalation.badge(stage, r.occurred_at, lang, now, "escalation"),
                    html.Div(
                        alarm_actions.buttons(r.id, r.status, allowed, lang), className="actions"
                    ),
                ],
                className=f"alarm-item level-{r.level} status-{r.status}"
                + (f" escalated stage-{stage}" if stage else ""),
                **{
                    "data-alarm-id": r.id,
                    "data-level": r.level,
                    "data-status": r.status,
                    "data-escalation": str(stage),
                },
            )
        )
    if len(alarms) > limit:
        items.append(html.Li(t("urgent.more", lang, n=len(alarms) - limit), className="empty"))
    return items


def incident_items(incidents: pd.DataFrame, names: dict, lang: str) -> list:
    """Open incidents; tapping one opens its command page."""
    if incidents.empty:
        return [html.Li(t("incidents.none", lang), className="empty")]
    return [
        html.Li(
            dcc.Link(
                [
                    html.Span(incident_level_name(r.level, lang), className="lvl"),
                    html.Span(r.title, className="title"),
                    html.Span(
                        f"{local_time(r.opened_at, '%m-%d %H:%M')} · {names.get(r.district, '—')}",
                        className="meta",
                    ),
                ],
                href=f"/incident/{r.id}",
                className="incident-link touch",
            ),
            className=f"incident-item level-{incident_level(r.level)[2]}",
            **{"data-incident-id": r.id, "data-level": str(r.level)},
        )
        for r in incidents.itertuples(index=False)
    ]
