"""`/tablet`: leadership on a tablet or phone, portrait and landscape. One layout that CSS grid
re-flows (assets/tablet.css): the few figures a leader asks for, the red and orange alarms, the
open incidents, the map and the presenter control. Touch targets are at least 44 px; nothing
is told only on hover. Acknowledging asks to confirm in an on-screen dialog first."""

from __future__ import annotations

from enum import StrEnum

import dash_leaflet as dl
import pandas as pd
from dash import dcc, html

from auth import can
from layouts import demo, i18n, presenter, pulse
from layouts.city_map import BOUNDS
from layouts.common import local_time, panel
from layouts.frame import frame
from layouts.i18n import level_name, status_name, t


class Ids(StrEnum):
    ROOT = "tablet"
    STATS = "tablet-stats"
    STATS_AS_OF = "tablet-stats-as-of"
    URGENT = "tablet-alarms"
    URGENT_AS_OF = "tablet-alarms-as-of"
    INCIDENTS = "tablet-incidents"
    INCIDENTS_AS_OF = "tablet-incidents-as-of"
    MAP_PANEL = "tablet-map-panel"
    MAP = "main-map"
    MAP_BASE = "tablet-map-base"
    MAP_DISTRICTS = "tablet-map-districts"
    MAP_ALARMS = "tablet-map-alarms"
    MAP_INCIDENTS = "tablet-map-incidents"
    MAP_AS_OF = "tablet-map-as-of"
    # The acknowledgement (auth/matrix.py: outputs named tablet-ack* need "ack_alarm").
    ACK = "tablet-ack-button"  # type of the pattern-matching ids of the alarms' buttons
    DIALOG = "tablet-ack-dialog"
    DIALOG_TEXT = "tablet-ack-text"
    YES = "tablet-ack-yes"
    NO = "tablet-ack-no"
    PENDING = "tablet-ack-pending"
    MESSAGE = "tablet-ack-message"


def map_panel(lang: str) -> html.Section:
    body = dl.Map(
        [
            dl.LayerGroup(id=Ids.MAP_BASE),
            dl.GeoJSON(
                id=Ids.MAP_DISTRICTS,
                style={"variable": "seMap.districtStyle"},
                hideout={"levels": {}},
                interactive=False,
            ),
            dl.LayerGroup(id=Ids.MAP_INCIDENTS),
            # One GeoJSON layer (a tap on a point shows what it is), not a component per alarm.
            dl.GeoJSON(
                id=Ids.MAP_ALARMS,
                pointToLayer={"variable": "seMap.riskPoint"},
                hideout={"risk": {}},
            ),
        ],
        id=Ids.MAP,
        bounds=BOUNDS,
        trackViewport=False,
        zoomSnap=0.25,
        attributionControl=False,
        tapTolerance=20,
        className="main-map offline",
    )
    return panel(
        t("panel.map", lang), body, panel_id=Ids.MAP_PANEL, as_of_id=Ids.MAP_AS_OF, source="redis"
    )


def dialog(lang: str) -> html.Div:
    """The on-screen confirmation of an acknowledgement (no window.confirm)."""
    box = html.Div(
        [
            html.H2(t("ack.ask", lang)),
            html.P(id=Ids.DIALOG_TEXT, className="dialog-text"),
            html.Div(
                [
                    html.Button(t("ack.yes", lang), id=Ids.YES, className="btn primary touch"),
                    html.Button(t("ack.no", lang), id=Ids.NO, className="btn touch"),
                ],
                className="btn-row",
            ),
        ],
        className="dialog",
        role="dialog",
        **{"aria-modal": "true"},
    )
    return html.Div(box, id=Ids.DIALOG, className="dialog-backdrop", hidden=True)


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
    message = html.Div(id=Ids.MESSAGE, className="tablet-message", role="status")
    page = frame(t("tablet.title", lang), [message, grid], "tablet", active="/tablet", lang=lang)
    i18n.with_switch(page, lang, explicit)
    return html.Div(
        [
            page,
            dialog(lang),
            dcc.Store(id=Ids.PENDING),
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
        call = [html.A(phone, href=f"tel:{phone}", className="phone touch")] if phone else []
        cells.append(stat(t("stat.leader", lang), name, " leader", call))
    else:
        cells.append(stat(t("stat.leader", lang), t("stat.unrostered", lang), " leader warn"))
    return cells


def urgent_items(
    alarms: pd.DataFrame, names: dict, allowed: bool, lang: str, limit: int = 30
) -> list:
    """Red and orange alarms not closed (in the order given, at most `limit`); those not yet
    acknowledged have an acknowledge button."""
    if alarms.empty:
        return [html.Li(t("urgent.none", lang), className="empty")]
    items = []
    for r in alarms.head(limit).itertuples(index=False):
        button = []
        if r.status == "new" and allowed:
            button = [
                html.Button(
                    t("ack.button", lang),
                    id={"type": Ids.ACK, "id": r.id},
                    className="btn primary touch ack",
                )
            ]
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
                    *button,
                ],
                className=f"alarm-item level-{r.level} status-{r.status}",
                **{"data-alarm-id": r.id, "data-level": r.level, "data-status": r.status},
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
                    html.Span(
                        t("incident.level", lang).format("ⅠⅡⅢⅣ"[int(r.level) - 1]), className="lvl"
                    ),
                    html.Span(r.title, className="title"),
                    html.Span(
                        f"{local_time(r.opened_at, '%m-%d %H:%M')} · {names.get(r.district, '—')}",
                        className="meta",
                    ),
                ],
                href=f"/incident/{r.id}",
                className="incident-link touch",
            ),
            className=f"incident-item incident-level-{r.level}",
            **{"data-incident-id": r.id},
        )
        for r in incidents.itertuples(index=False)
    ]
