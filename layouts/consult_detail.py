"""The consultation room's detail panel: one alarm, enterprise or incident, opened by a
`#kind=id` link (drill_href) from a list, a chart or the map."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

import pandas as pd
from dash import dcc, html

from layouts.common import local_time
from layouts.i18n import category_name, incident_level_name, level_name, status_name, t
from thresholds.alarms import RULE_TEXT
from vocabulary import SENSOR_KINDS, incident_level, title_disagrees

DAY_TIME = "%m-%d %H:%M"
# The fields the threshold engine and the demo feed put in an alarm's `detail`, as (中文,
# English); their coded values are shown by their names. Other upstream fields stay as sent.
DETAIL_FIELDS = {
    "engine": ("来源", "Raised by"),
    "rule": ("规则", "Rule"),
    "episode": ("次序", "Episode"),
    "sensor_id": ("传感器", "Sensor"),
    "hazard_source_id": ("危险源", "Hazard source"),
    "kind": ("传感器类型", "Sensor kind"),
    "value": ("读数", "Value"),
    "unit": ("单位", "Unit"),
    "limit": ("限值", "Limit"),
    "rate_per_min": ("变化速率(每分钟)", "Rate per minute"),
    "demo": ("演示数据", "Demo data"),
    "simulated": ("模拟数据", "Simulated"),
}
DETAIL_VALUES = {
    "engine": {"thresholds": ("阈值引擎", "Threshold engine")},
    "rule": {k: (v, k.replace("_", " ")) for k, v in RULE_TEXT.items()},
    "kind": {k: (v, k.replace("_", " ")) for k, v in SENSOR_KINDS.items()},
}


def detail_rows(detail: dict, lang: str) -> list[tuple[str, str]]:
    """An alarm's `detail` as (label, text): known fields and coded values by name, yes/no
    for flags, — for nothing."""
    i = 1 if lang == "en" else 0
    rows = []
    for key, value in detail.items():
        label = DETAIL_FIELDS[key][i] if key in DETAIL_FIELDS else str(key)
        if isinstance(value, bool):
            text = ("否", "no")[i] if not value else ("是", "yes")[i]
        elif value is None:
            text = "—"
        else:
            named = DETAIL_VALUES.get(key, {}).get(value) if isinstance(value, str) else None
            text = named[i] if named else str(value)
        rows.append((label, text))
    return rows


def drill_href(kind: str, ident: str) -> str:
    """The link that opens a record in the detail panel (alarm, enterprise or incident)."""
    return f"#{kind}={quote(str(ident), safe='')}"


def parse_drill(hash_: str | None) -> tuple[str, str] | None:
    """(kind, id) of a `drill_href` hash; None for anything else."""
    kind, _, ident = (hash_ or "").lstrip("#").partition("=")
    if kind in ("alarm", "enterprise", "incident") and ident:
        return kind, unquote(ident)
    return None


def _pairs(rows: list[tuple[str, Any]]) -> html.Dl:
    items = []
    for label, value in rows:
        items += [html.Dt(label), html.Dd(value if value not in (None, "") else "—")]
    return html.Dl(items, className="kv")


def alarm_detail(
    alarm: dict, events: pd.DataFrame, names: dict, systems: dict, enterprise, lang: str
):
    """One alarm: what, where, its lifecycle and every recorded change."""
    steps = [
        ("life.occurred", alarm.get("occurred_at"), ""),
        ("life.received", alarm.get("received_at"), ""),
        ("life.acknowledged", alarm.get("ack_at"), alarm.get("ack_by")),
        (
            "life.closed",
            alarm.get("closed_at"),
            " ".join(filter(None, [alarm.get("closed_by"), alarm.get("close_note")])),
        ),
    ]
    life = [
        html.Li(
            [
                html.Span(t(key, lang), className="step"),
                html.Span(local_time(at, DAY_TIME + ":%S")),
                html.Span(who or ""),
            ],
            className="done" if at is not None and at == at else "pending",
        )
        for key, at, who in steps
    ]
    count = int(alarm.get("count") or 1)
    parts = [
        html.H3(
            [
                html.Span(
                    level_name(alarm["level"], lang), className=f"lvl level-{alarm['level']}"
                ),
                " ",
                alarm["title"],
            ]
        ),
        _pairs(
            [
                ("ID", alarm["id"]),
                (t("field.source", lang), systems.get(alarm["source"], alarm["source"])),
                (t("field.category", lang), category_name(alarm["category"], lang)),
                (t("field.district", lang), names.get(alarm.get("district") or "", "—")),
                (t("field.site", lang), alarm.get("site_id")),
                (
                    t("col.status", lang),
                    status_name(alarm["status"], lang)
                    + (" · " + t("life.repeats", lang, n=count) if count > 1 else ""),
                ),
            ]
        ),
        html.H4(t("detail.lifecycle", lang)),
        html.Ol(life, className="lifecycle"),
    ]
    said = title_disagrees(alarm["title"], alarm["level"])
    if said is not None:  # stored as the upstream system sent it; say so, do not correct it
        note = t("detail.title_level", lang, said=said, level=level_name(alarm["level"], lang))
        parts.insert(2, html.P(note, className="title-level-mismatch"))
    detail = alarm.get("detail") or {}
    if detail:
        parts += [
            html.H4(t("detail.fields", lang)),
            _pairs(detail_rows(detail, lang)),
        ]
    if len(events):
        parts += [
            html.H4(t("detail.history", lang)),
            html.Ol(
                [
                    html.Li(
                        f"{local_time(e.at, DAY_TIME + ':%S')} {t('op.' + e.op, lang)} "
                        + systems.get(e.actor or "", e.actor or "")
                    )
                    for e in events.itertuples(index=False)
                ],
                className="events",
            ),
        ]
    if enterprise:
        ent_id, ent_name = enterprise
        parts.append(
            html.A(
                f"{t('detail.enterprise', lang)}：{ent_name}",
                href=drill_href("enterprise", ent_id),
                className="btn",
            )
        )
    return parts


def enterprise_detail(
    ent: dict, hazards: pd.DataFrame, alarms: pd.DataFrame, names: dict, lang: str
):
    """One enterprise: its record, its major hazard sources and its alarms in the view."""
    parts = [
        html.H3(ent["name"]),
        _pairs(
            [
                ("ID", ent["id"]),
                (t("field.district", lang), names.get(ent["district"], "—")),
                (t("field.industry", lang), ent["industry"]),
                (
                    t("field.risk", lang),
                    level_name(ent["risk"], lang)
                    if ent.get("risk") in ("red", "orange", "yellow", "blue")
                    else ent.get("risk"),
                ),
                (t("field.employees", lang), ent["employees"]),
                (t("field.contact", lang), f"{ent['contact']} {ent['phone']}"),
            ]
        ),
    ]
    if len(hazards):
        parts += [
            html.H4(t("detail.hazards", lang)),
            html.Ul(
                [
                    html.Li(f"{h.name} · {t('field.grade', lang).format(h.grade)} · {h.chemicals}")
                    for h in hazards.itertuples(index=False)
                ]
            ),
        ]
    parts += [
        html.H4(f"{t('detail.ent_alarms', lang)} ({len(alarms)})"),
        html.Ul(
            [
                html.Li(
                    html.A(
                        f"{local_time(a.occurred_at, DAY_TIME)} {level_name(a.level, lang)} {a.title}",
                        href=drill_href("alarm", a.id),
                        className="drill-link",
                    )
                )
                for a in alarms.head(12).itertuples(index=False)
            ]
        ),
    ]
    return parts


def incident_detail(inc: dict, timeline: pd.DataFrame, names: dict, lang: str):
    """One incident: its record, the newest timeline entries and the way to its command page."""
    return [
        html.H3(
            [
                html.Span(
                    incident_level_name(inc["level"], lang),
                    className=f"lvl level-{incident_level(inc['level'])[2]}",
                    **{"data-level": str(inc["level"])},
                ),
                " ",
                inc["title"],
            ]
        ),
        _pairs(
            [
                ("ID", inc["id"]),
                (t("field.category", lang), category_name(inc["category"], lang)),
                (t("field.district", lang), names.get(inc["district"], "—")),
                (t("field.opened", lang), local_time(inc["opened_at"], DAY_TIME)),
                (t("field.casualties", lang), inc["casualties"]),
            ]
        ),
        html.P(inc.get("summary") or ""),
        dcc.Link(
            t("detail.open_incident", lang), href=f"/incident/{inc['id']}", className="btn primary"
        ),
        html.H4(t("detail.timeline", lang)),
        html.Ol(
            [
                html.Li(f"{local_time(e.at, DAY_TIME)} {e.text} ({e.author})")
                for e in timeline.itertuples(index=False)
            ],
            className="events",
        ),
    ]
