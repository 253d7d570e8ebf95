"""The lists of incident command mode (layouts/incident_page.py): plain frames and dicts in,
components out. Rows carry `data-id` (and `data-ring`, `data-status` where they apply)."""

from __future__ import annotations

from dash import html

from layouts.call import number
from layouts.forces import TEAM_KINDS
from vocabulary import TEAM_STATUS, incident_level

TARGET_KINDS = {
    "school": "学校",
    "hospital": "医院",
    "residential": "居民区",
    "elderly": "养老机构",
}
TIMELINE_KINDS = {"report": "接报", "dispatch": "派出", "arrive": "到场", "handle": "处置", "close": "结束", "call": "呼叫"}  # fmt: skip


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km" if metres < 10_000 else f"{metres / 1000:.1f} km"


def _table(head: list[str], rows: list, empty: str, more: int = 0) -> list:
    if not rows:
        return [html.P(empty, className="empty")]
    table = html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="nb-table"
    )
    return [table, html.P(f"另有 {more} 项未列出", className="more")] if more > 0 else [table]


def overview_block(incident: dict, district: str, opened: str, age: str) -> list:
    name, grade, colour, _ = incident_level(incident["level"])
    status = "处置中" if incident["status"] == "open" else "已结束"
    return [
        html.Div(
            [
                html.Span(name, className=f"incident-level level-{colour}"),
                html.Span(f"{grade}事件", className="level-name"),
                html.Span(status, className=f"incident-status status-{incident['status']}"),
            ],
            className="overview-head",
            **{"data-level": str(incident["level"])},
        ),
        html.H2(incident["title"], className="incident-title"),
        html.Dl(
            [
                html.Dt("类别"),
                html.Dd(incident["category"]),
                html.Dt("地点"),
                html.Dd(f"{district} ({incident['lon']:.4f}, {incident['lat']:.4f})"),
                html.Dt("接报"),
                html.Dd(f"{opened} · 已 {age}"),
                html.Dt("伤亡"),
                html.Dd(f"{incident['casualties']} 人"),
            ],
            className="overview-facts",
        ),
        html.P(incident["summary"], className="summary"),
    ]


def ring_summary(rows: list[dict]) -> html.Table:
    """Per ring (cumulative) and downwind: counts and population."""
    head = ["范围", "危险源", "危化企业", "学校", "医院", "养老", "居民区", "人口"]
    body = [
        html.Tr(
            [
                html.Th(r["label"]),
                *[
                    html.Td(str(r[k]))
                    for k in (
                        "hazard",
                        "enterprise",
                        "school",
                        "hospital",
                        "elderly",
                        "residential",
                    )
                ],
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


def hazards_list(hazards, enterprises, limit: int = 25) -> list:  # noqa: ANN001
    shown_hazards = _pick(hazards, limit)
    shown_firms = _pick(enterprises, max(0, limit - len(shown_hazards)))
    rows = [
        html.Tr(
            [
                html.Td(_km(r.distance_m), className=f"num ring-{r.ring_km:g}"),
                html.Td(f"{r.enterprise} · {r.name}", className="name"),
                html.Td(f"{'一二三四'[int(r.grade) - 1]}级", className=f"grade grade-{r.grade}"),
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
                html.Td("危化企业", className=f"risk risk-{r.risk}"),
                html.Td(f"{r.employees} 名员工"),
            ],
            **_where(r, "enterprise-row"),
        )
        for r in shown_firms.itertuples(index=False)
    ]
    more = len(hazards) + len(enterprises) - len(rows)
    head = ["距离", "危险源 / 企业", "类型", "危化品 / 人员"]
    return _table(head, rows, "警戒圈内无重大危险源和危化企业", more)


def targets_list(targets, limit: int = 30) -> list:  # noqa: ANN001
    rows = [
        html.Tr(
            [
                html.Td(_km(r.distance_m), className=f"num ring-{r.ring_km:g}"),
                html.Td(TARGET_KINDS.get(r.kind, r.kind), className=f"kind nb-{r.kind}"),
                html.Td(r.name, className="name"),
                html.Td(f"{r.population:,} 人", className="num"),
            ],
            **_where(r, "target-row"),
            **{"data-kind": r.kind},
        )
        for r in _pick(targets, limit).itertuples(index=False)
    ]
    head = ["距离", "类别", "名称", "人口"]
    return _table(head, rows, "警戒圈内无学校、医院、居民区和养老机构", len(targets) - len(rows))


def teams_list(teams, status: dict[str, str]) -> list:  # noqa: ANN001
    rows = []
    for r in teams.itertuples(index=False):
        state = status.get(r.id, "ready")
        rows.append(
            html.Tr(
                [
                    html.Td(r.name, className="name"),
                    html.Td(TEAM_KINDS.get(r.kind, r.kind)),
                    html.Td(f"{r.distance_m / 1000:.1f}", className="num"),
                    html.Td(f"{r.eta_min:.0f} 分钟", className="num eta"),
                    html.Td(TEAM_STATUS.get(state, state), className=f"team-status st-{state}"),
                    html.Td(number(r.phone, name=f"{r.name} {r.leader}") if r.phone else "—"),
                ],
                className="team-row",
                **{"data-id": r.id, "data-status": state},
            )
        )
    head = ["队伍", "类型", "直线 km", "预计到达", "状态", "电话"]
    return _table(head, rows, "附近没有可调派的队伍")


def depots_list(depots, items: list[tuple[str, str, str]]) -> list:  # noqa: ANN001
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
    head = ["储备库", "距离", *[f"{name}({unit})" for _, name, unit in items]]
    return _table(head, rows, "没有储备所需物资的仓库")


def shelters_list(shelters) -> list:  # noqa: ANN001
    rows = [
        html.Tr(
            [
                html.Td(r.name, className="name"),
                html.Td("室内" if r.kind == "indoor" else "室外"),
                html.Td(f"{r.free:,}", className="num"),
                html.Td(_km(r.distance_m), className="num"),
                html.Td("已开放" if r.is_open else "未开放"),
            ],
            className="shelter-row",
            **{"data-id": r.id},
        )
        for r in shelters.itertuples(index=False)
    ]
    return _table(["避难场所", "类型", "空余(人)", "距离", "状态"], rows, "附近没有空余的避难场所")


def timeline_list(entries: list[tuple[str, str, str, str]]) -> list:
    """(time text, kind, text, author), oldest first."""
    if not entries:
        return [html.P("暂无处置记录", className="empty")]
    return [
        html.Ol(
            [
                html.Li(
                    [
                        html.Span(at, className="tl-time"),
                        html.Span(TIMELINE_KINDS.get(kind, kind), className=f"tl-kind tl-{kind}"),
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


def forces_list(rows: list[dict]) -> list:
    """Dispatched teams: name, kind, sent (time text), arrived (time text or ''), status."""
    body = [
        html.Tr(
            [
                html.Td(r["name"], className="name"),
                html.Td(r["sent"]),
                # On its way only while it is out: a team back at its post was not "途中".
                html.Td(
                    r["arrived"] or ("途中" if r["status"] == "dispatched" else "—"),
                    className="arrived" if r["arrived"] else "en-route",
                ),
                html.Td(
                    TEAM_STATUS.get(r["status"], r["status"]),
                    className=f"team-status st-{r['status']}",
                ),
            ],
            className="force-row",
            **{"data-id": r["id"], "data-status": r["status"]},
        )
        for r in rows
    ]
    return _table(["队伍", "派出", "到场", "当前状态"], body, "尚未派出救援力量")
