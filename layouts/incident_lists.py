"""The lists of incident command mode (layouts/incident_page.py): plain frames and dicts in,
components out. Rows carry `data-id` (and `data-ring`, `data-status` where they apply)."""

from __future__ import annotations

from dash import html

from layouts.call import number
from layouts.i18n import category_name, grade_name, incident_level_name, t, word
from vocabulary import incident_level

# Named `target.<kind>` in the catalogue; timeline kinds `tl.<kind>`, team kinds and states
# `team.<code>` (what upstream sends beyond these is shown as it came).
TARGET_KINDS = ("school", "hospital", "residential", "elderly")


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km" if metres < 10_000 else f"{metres / 1000:.1f} km"


def _table(head: list[str], rows: list, empty: str, more: int = 0, lang: str = "zh") -> list:
    if not rows:
        return [html.P(empty, className="empty")]
    table = html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="nb-table"
    )
    return [table, html.P(t("inc.more", lang, n=more), className="more")] if more > 0 else [table]


def _heads(keys: list[str], lang: str) -> list[str]:
    return [t(key, lang) for key in keys]


def overview_block(incident: dict, district: str, opened: str, age: str, lang: str = "zh") -> list:
    _, _, colour, _ = incident_level(incident["level"])
    known = colour != "none"
    severity = word("inc.severity", int(incident["level"]), lang) if known else ""
    closed = "open" if incident["status"] == "open" else "closed"
    return [
        html.Div(
            [
                html.Span(
                    incident_level_name(incident["level"], lang) if known else "—",
                    className=f"incident-level level-{colour}",
                ),
                html.Span(
                    t("inc.severity_line", lang, severity=severity).strip(),
                    className="level-name",
                ),
                html.Span(
                    t(f"inc.status.{closed}", lang),
                    className=f"incident-status status-{incident['status']}",
                ),
            ],
            className="overview-head",
            **{"data-level": str(incident["level"])},
        ),
        html.H2(incident["title"], className="incident-title"),
        html.Dl(
            [
                html.Dt(t("field.category", lang)),
                html.Dd(category_name(incident["category"], lang)),
                html.Dt(t("inc.place", lang)),
                html.Dd(f"{district} ({incident['lon']:.4f}, {incident['lat']:.4f})"),
                html.Dt(t("inc.opened", lang)),
                html.Dd(t("inc.opened_line", lang, opened=opened, age=age)),
                html.Dt(t("field.casualties", lang)),
                html.Dd(t("inc.people", lang, n=incident["casualties"])),
            ],
            className="overview-facts",
        ),
        html.P(incident["summary"], className="summary"),
    ]


RING_COLUMNS = ("hazard", "enterprise", "school", "hospital", "elderly", "residential")


def ring_summary(rows: list[dict], lang: str = "zh") -> html.Table:
    """Per ring (cumulative) and downwind: counts and population."""
    head = [t(f"inc.ring.{k}", lang) for k in ("range", *RING_COLUMNS, "population")]
    body = [
        html.Tr(
            [
                html.Th(r["label"]),
                *[html.Td(str(r[k])) for k in RING_COLUMNS],
                html.Td(f"{r['population']:,}", className="pop"),
            ],
            className="sector-row" if r.get("sector") else "",
            **{"data-ring": r["label"]},
        )
        for r in rows
    ]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)])


def _pick(frame, limit: int):  # noqa: ANN001, ANN202
    """At most `limit` rows, nearest first, but never leaving out one that is downwind."""
    if len(frame) <= limit:
        return frame
    downwind = frame[frame["downwind"]].head(limit)
    rest = frame[~frame["downwind"]].head(limit - len(downwind))
    return frame.loc[frame.index.isin(downwind.index) | frame.index.isin(rest.index)]


def _where(r, css: str) -> dict:  # noqa: ANN001
    # Ring and downwind travel as attributes (styled by assets/incident.css), not as cells:
    # every cell is a component, and Dash's renderer slows with the square of their number.
    return {
        "className": css + (" dw" if r.downwind else ""),
        "data-ring": f"{r.ring_km:g}",
        "data-downwind": "1" if r.downwind else "0",
        "data-id": r.id,
    }


def hazards_list(hazards, enterprises, limit: int = 25, lang: str = "zh") -> list:  # noqa: ANN001
    shown_hazards = _pick(hazards, limit)
    shown_firms = _pick(enterprises, max(0, limit - len(shown_hazards)))
    rows = [
        html.Tr(
            [
                html.Td(_km(r.distance_m), className=f"num ring-{r.ring_km:g}"),
                html.Td(f"{r.enterprise} · {r.name}", className="name"),
                html.Td(grade_name(r.grade, lang), className=f"grade grade-{r.grade}"),
                html.Td(r.chemicals),
            ],
            **_where(r, "hazard-row"),
        )
        for r in shown_hazards.itertuples(index=False)
    ] + [
        html.Tr(
            [
                html.Td(_km(r.distance_m), className=f"num ring-{r.ring_km:g}"),
                html.Td(r.name, className="name"),
                html.Td(t("inc.lg.enterprise", lang), className=f"risk risk-{r.risk}"),
                html.Td(t("inc.employees", lang, n=r.employees)),
            ],
            **_where(r, "enterprise-row"),
        )
        for r in shown_firms.itertuples(index=False)
    ]
    more = len(hazards) + len(enterprises) - len(rows)
    head = _heads(["inc.col.distance", "inc.col.hazard", "res.col.kind", "inc.col.what"], lang)
    return _table(head, rows, t("inc.none.hazards", lang), more, lang)


def targets_list(targets, limit: int = 30, lang: str = "zh") -> list:  # noqa: ANN001
    rows = [
        html.Tr(
            [
                html.Td(_km(r.distance_m), className=f"num ring-{r.ring_km:g}"),
                html.Td(word("target", r.kind, lang), className=f"kind nb-{r.kind}"),
                html.Td(r.name, className="name"),
                html.Td(t("inc.people", lang, n=f"{r.population:,}"), className="num"),
            ],
            **_where(r, "target-row"),
            **{"data-kind": r.kind},
        )
        for r in _pick(targets, limit).itertuples(index=False)
    ]
    head = _heads(
        ["inc.col.distance", "field.category", "inc.col.name", "inc.ring.population"], lang
    )
    empty = t("inc.none.targets", lang)
    return _table(head, rows, empty, len(targets) - len(rows), lang)


def teams_list(teams, status: dict[str, str], lang: str = "zh") -> list:  # noqa: ANN001
    rows = []
    for r in teams.itertuples(index=False):
        state = status.get(r.id, "ready")
        rows.append(
            html.Tr(
                [
                    html.Td(r.name, className="name"),
                    html.Td(word("team", r.kind, lang)),
                    html.Td(f"{r.distance_m / 1000:.1f}", className="num"),
                    html.Td(t("inc.minutes", lang, n=f"{r.eta_min:.0f}"), className="num eta"),
                    html.Td(word("team", state, lang), className=f"team-status st-{state}"),
                    html.Td(number(r.phone, name=f"{r.name} {r.leader}") if r.phone else "—"),
                ],
                className="team-row",
                **{"data-id": r.id, "data-status": state},
            )
        )
    head = _heads(
        ["res.col.team", "res.col.kind", "inc.col.km", "inc.col.eta", "res.col.status"]
        + ["res.col.phone"],
        lang,
    )
    return _table(head, rows, t("inc.none.teams", lang))


def depots_list(depots, items: list[tuple[str, str, str]], lang: str = "zh") -> list:  # noqa: ANN001
    """`items`: (code, name, unit) of what this incident needs."""
    rows = [
        html.Tr(
            [
                html.Td(r.name, className="name"),
                html.Td(_km(r.distance_m), className="num"),
                *[html.Td(f"{getattr(r, code):,}", className="num") for code, _, _ in items],
            ],
            className="depot-row",
            **{"data-id": r.id},
        )
        for r in depots.itertuples(index=False)
    ]
    head = [
        *_heads(["res.col.depot", "inc.col.distance"], lang),
        *[f"{name}({unit})" for _, name, unit in items],
    ]
    return _table(head, rows, t("inc.none.depots", lang))


def shelters_list(shelters, lang: str = "zh") -> list:  # noqa: ANN001
    rows = [
        html.Tr(
            [
                html.Td(r.name, className="name"),
                html.Td(t("res.indoor" if r.kind == "indoor" else "res.outdoor", lang)),
                html.Td(f"{r.free:,}", className="num"),
                html.Td(_km(r.distance_m), className="num"),
                html.Td(t("inc.open" if r.is_open else "inc.shut", lang)),
            ],
            className="shelter-row",
            **{"data-id": r.id},
        )
        for r in shelters.itertuples(index=False)
    ]
    head = _heads(
        ["res.col.shelter", "res.col.kind", "inc.col.free", "inc.col.distance", "res.col.status"],
        lang,
    )
    return _table(head, rows, t("inc.none.shelters", lang))


def timeline_list(entries: list[tuple[str, str, str, str]], lang: str = "zh") -> list:
    """(time text, kind, text, author), oldest first."""
    if not entries:
        return [html.P(t("inc.none.timeline", lang), className="empty")]
    return [
        html.Ol(
            [
                html.Li(
                    [
                        html.Span(at, className="tl-time"),
                        html.Span(word("tl", kind, lang), className=f"tl-kind tl-{kind}"),
                        html.Span(text, className="tl-text"),
                        html.Span(author, className="tl-author"),
                    ],
                    **{"data-kind": kind},
                )
                for at, kind, text, author in entries
            ],
            className="timeline",
        )
    ]


def forces_list(rows: list[dict], lang: str = "zh") -> list:
    """Dispatched teams: name, kind, sent (time text), arrived (time text or ''), status."""
    body = [
        html.Tr(
            [
                html.Td(r["name"], className="name"),
                html.Td(r["sent"]),
                # On its way only while it is out: a team back at its post was not "途中".
                html.Td(
                    r["arrived"]
                    or (t("inc.en_route", lang) if r["status"] == "dispatched" else "—"),
                    className="arrived" if r["arrived"] else "en-route",
                ),
                html.Td(
                    word("team", r["status"], lang),
                    className=f"team-status st-{r['status']}",
                ),
            ],
            className="force-row",
            **{"data-id": r["id"], "data-status": r["status"]},
        )
        for r in rows
    ]
    head = _heads(["res.col.team", "inc.col.sent", "inc.col.arrived", "inc.col.status_now"], lang)
    return _table(head, body, t("inc.none.forces", lang))
