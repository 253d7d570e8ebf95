"""Search by name, place or number across what the screens show: alarms (the live state first,
then the warehouse's history), incidents, enterprises, rescue teams, and contacts.

A query is split into words (spaces, full-width ones too); a record matches when every word
appears in one of its searched fields or in the name of its district (the place), case
ignored. Each word is a bound LIKE parameter with its wildcards escaped, so `%` and `_` are
only themselves. Results are plain data (`Hit`), at most `limit` of each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from data_sources.alarms import Alarms
from data_sources.registry import Registry
from data_sources.warehouse import Warehouse, utc

MAX_WORDS = 5
MAX_WORD = 30
MAX_QUERY = 60
ALARM_DAYS = 90  # alarm history searched by words; an exact upstream id is found at any age
_SPLIT = re.compile(r"[\s\u3000,，、;；]+")


@dataclass(frozen=True)
class Hit:
    """One search result. `kind`: alarm, incident, enterprise, team or contact; `id` its
    record's id; `title` what it is called; `detail` where / when / what number, as text;
    `target`: for an enterprise its first hazard source (None: it has none), for a contact
    where it comes from (`roster` or `expert`); `level`: an alarm's level, an incident's
    1-4, else None."""

    kind: str
    id: str
    title: str
    detail: str
    target: str | None = None
    level: str | None = None


def words(text: str | None) -> list[str]:
    """The words of a query, lower-cased: at most MAX_WORDS of at most MAX_WORD characters."""
    cleaned = "".join(c for c in (text or "")[:MAX_QUERY] if c.isprintable() or c.isspace())
    found = [w.lower()[:MAX_WORD] for w in _SPLIT.split(cleaned) if w]
    return list(dict.fromkeys(found))[:MAX_WORDS]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Search:
    """Search the warehouse (bound parameters, its time limit) and the live alarms."""

    def __init__(self, warehouse: Warehouse, alarms: Alarms, registry: Registry) -> None:
        self.wh = warehouse
        self.live = alarms
        self.registry = registry
        # ASCII case ignored: SQLite's LIKE does it, PostgreSQL's needs ILIKE.
        self._like = "ILIKE" if warehouse.dialect == "postgresql" else "LIKE"

    def _match(
        self, found: list[str], columns: tuple[str, ...], district: str, names: dict[str, str]
    ) -> tuple[str, dict]:
        """SQL that every word is in one of `columns` or names the row's district (its
        `district` column; `names`: adcode → name), and its parameters."""
        clauses, params = [], {}
        for i, word in enumerate(found):
            params[f"w{i}"] = _like(word)
            parts = [f"{c} {self._like} :w{i} ESCAPE '\\'" for c in columns]
            places = [a for a, name in names.items() if word in name.lower()]
            if places:
                keys = [f"w{i}d{j}" for j in range(len(places))]
                params |= dict(zip(keys, places, strict=True))
                parts.append(f"{district} IN ({', '.join(':' + k for k in keys)})")
            clauses.append("(" + " OR ".join(parts) + ")")
        return " AND ".join(clauses), params

    def find(self, text: str | None, limit: int = 5) -> list[Hit]:
        """Alarms, incidents, enterprises and teams matching `text` (no personal data)."""
        found = words(text)
        if not found:
            return []
        exact = (text or "").strip()[:MAX_QUERY]
        return [*self.alarms(found, limit, exact), *self.registered(found, limit)]

    def alarms(self, found: list[str], limit: int, exact: str = "") -> list[Hit]:
        """Live alarms first (newest first), then archived ones of the last ALARM_DAYS (any
        age for an exact upstream id), by upstream id, title or category words, or district."""
        names = self.registry.district_names()
        hits: dict[str, Hit] = {}
        live = self.live.active(closed_window_s=0)
        if len(live):
            text = (
                live["id"].str.lower()
                + " "
                + live["title"].str.lower()
                + " "
                + live["category"].str.lower()
                + " "
                + live["district"].map(names).fillna("")
            )
            mask = pd.Series(True, index=live.index)
            for word in found:
                mask &= text.str.contains(word, regex=False)
            for r in live[mask].head(limit).itertuples(index=False):
                hits[r.id] = _alarm_hit(
                    r.id, r.title, r.level, r.occurred_at, names.get(r.district)
                )
        if len(hits) < limit:
            where, params = self._match(found, ("id", "title", "category"), "district", names)
            archived = self.wh.query(
                "SELECT id, title, level, occurred_at, district FROM alarm_history "
                f"WHERE id = :exact OR (occurred_at >= :since AND {where}) "
                "ORDER BY occurred_at DESC LIMIT :n",
                params
                | {
                    "exact": exact,
                    "since": datetime.now(UTC) - timedelta(days=ALARM_DAYS),
                    "n": limit,
                },
            )
            for r in utc(archived, "occurred_at").itertuples(index=False):
                hit = _alarm_hit(r.id, r.title, r.level, r.occurred_at, names.get(r.district))
                hits.setdefault(r.id, hit)
        return list(hits.values())[:limit]

    def registered(self, found: list[str], limit: int) -> list[Hit]:
        """Incidents (open ones first, newest first), enterprises (hazchem ones first) and
        rescue teams, by id, name or district; in one query."""
        names = self.registry.district_names()
        incidents, p1 = self._match(found, ("id", "title"), "district", names)
        firms, p2 = self._match(found, ("id", "name", "industry"), "district", names)
        teams, p3 = self._match(found, ("id", "name"), "district", names)
        # The three matches bind the same words and districts: one set of parameters.
        rows = self.wh.query(
            "SELECT * FROM (SELECT 'incident' AS kind, id, title, district, "
            "CAST(level AS TEXT) AS extra, status AS extra2, NULL AS target FROM incidents "
            f"WHERE {incidents} ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, "
            "opened_at DESC LIMIT :n) AS i "
            "UNION ALL SELECT * FROM (SELECT 'enterprise', e.id, e.name, e.district, e.industry, "
            "NULL, (SELECT min(h.id) FROM hazard_sources h WHERE h.enterprise_id = e.id) "
            f"FROM enterprises e WHERE {firms} "
            "ORDER BY CASE WHEN e.hazchem THEN 0 ELSE 1 END, e.name LIMIT :n) AS e "
            "UNION ALL SELECT * FROM (SELECT 'team', id, name, district, "
            "CAST(personnel AS TEXT), NULL, NULL FROM rescue_teams "
            f"WHERE {teams} ORDER BY name LIMIT :n) AS t",
            p1 | p2 | p3 | {"n": limit},
        )
        hits = []
        for r in rows.itertuples(index=False):
            place = names.get(r.district, "—")
            if r.kind == "incident":
                detail = " · ".join([place, "处置中" if r.extra2 == "open" else "已结束"])
                hits.append(Hit("incident", r.id, r.title, detail, level=r.extra))
            elif r.kind == "enterprise":
                hits.append(Hit("enterprise", r.id, r.title, f"{place} · {r.extra}", r.target))
            else:
                hits.append(Hit("team", r.id, r.title, f"{place} · {r.extra} 人"))
        return hits

    def contacts(self, text: str | None, limit: int = 5) -> list[Hit]:
        """People by name, phone number or district: the duty rosters' (the latest duty
        first), then experts'. Personal data: for the "contacts" permission only."""
        found = words(text)
        if not found:
            return []
        names = self.registry.district_names()
        roster, p1 = self._match(found, ("name", "phone"), "unit", names)
        experts, p2 = self._match(found, ("name", "phone", "organisation"), "district", names)
        rows = self.wh.query(
            "SELECT * FROM (SELECT 'roster' AS kind, unit AS id, name, phone, "
            "CAST(max(duty_date) AS TEXT) AS detail FROM duty_roster "
            f"WHERE {roster} GROUP BY unit, name, phone ORDER BY detail DESC, name LIMIT :n) AS r "
            "UNION ALL SELECT * FROM (SELECT 'expert', id, name, phone, specialty FROM experts "
            f"WHERE {experts} ORDER BY name LIMIT :n) AS x",
            p1 | p2 | {"n": limit},
        )
        hits = []
        for r in rows.itertuples(index=False):
            if r.kind == "roster":
                unit = "市局" if r.id == "city" else names.get(r.id, r.id)
                detail = f"{unit} 值班 · {r.phone}"
                hits.append(Hit("contact", f"{r.id}:{r.name}", r.name, detail, "roster"))
            else:
                hits.append(
                    Hit("contact", r.id, r.name, f"专家 · {r.detail} · {r.phone}", "expert")
                )
        return hits[:limit]


def _day(ts: object) -> str:
    if ts is None or ts is pd.NaT or ts != ts:
        return ""
    from zoneinfo import ZoneInfo

    return pd.Timestamp(ts).tz_convert(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _alarm_hit(
    alarm_id: str, title: str, level: str, occurred_at: object, place: str | None
) -> Hit:
    return Hit(
        "alarm", alarm_id, title, " · ".join(filter(None, [place, _day(occurred_at)])), level=level
    )
