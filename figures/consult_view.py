"""What the consultation room's panels show, from the data layer's readers: the filtered view
of the alarms, the ranked values of a column, the enterprises behind the alarms' sites, the
names of districts and systems, and the view as CSV."""

from __future__ import annotations

import pandas as pd

from data_sources import Sources
from figures.consult_filter import alarm_filter
from layouts.common import local_time
from layouts.i18n import category_name, level_name, status_name, t
from security.text import spreadsheet_cell


def current_view(sources: Sources, f: dict, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """The filtered alarms: archive and live state merged, newest first."""
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    live = sources.alarms.active(limit=2000, closed_window_s=86400)
    return sources.analysis.view(live, alarm_filter(f, now))


def ranked(view: pd.DataFrame, column: str, labels: dict[str, str], limit: int = 12) -> list:
    """(key, label, count) of the most frequent values of `column`."""
    counts = view[column].dropna().value_counts().head(limit)
    return [(str(k), labels.get(k, str(k)), int(n)) for k, n in counts.items()]


def ranked_levels(
    view: pd.DataFrame, column: str, labels: dict[str, str], limit: int = 12
) -> list[tuple[str, str, dict[str, int]]]:
    """(key, label, {level: count}) of the most frequent values of `column`."""
    rows = view.dropna(subset=[column])
    by_level = pd.crosstab(rows[column], rows["level"]) if len(rows) else pd.DataFrame()
    return [
        (k, label, {lv: int(by_level.at[k, lv]) for lv in by_level.columns if by_level.at[k, lv]})
        for k, label, _n in ranked(view, column, labels, limit)
    ]


def site_enterprises(sources: Sources) -> dict[str, str]:
    """Site id (enterprise, hazard source or sensor) → the enterprise it belongs to."""
    registry = sources.registry
    hazards = registry.hazard_sources()
    owner = dict(zip(hazards["id"], hazards["enterprise_id"]))
    sensors = registry.sensors()
    mapping = {e: e for e in registry.enterprises()["id"]}
    mapping |= owner
    mapping |= {s: owner.get(h) for s, h in zip(sensors["id"], sensors["hazard_source_id"])}
    return mapping


def top_enterprises(view: pd.DataFrame, sources: Sources, limit: int = 10) -> list:
    owners = view["site_id"].map(site_enterprises(sources)).dropna()
    names = dict(sources.registry.enterprises()[["id", "name"]].itertuples(index=False, name=None))
    return [(e, names.get(e, e), int(n)) for e, n in owners.value_counts().head(limit).items()]


def csv_text(view: pd.DataFrame, names: dict, systems: dict, lang: str) -> str:
    """The view as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese right), its
    headers and words in `lang` (times Asia/Shanghai); no cell is ever a formula (titles come
    from upstream systems)."""
    out = pd.DataFrame(
        {
            "id": view["id"],
            "level": [level_name(lv, lang) for lv in view["level"]],
            "occurred_at": [local_time(ts, "%Y-%m-%d %H:%M:%S") for ts in view["occurred_at"]],
            "district": view["district"].map(lambda d: names.get(d, d or "")),
            "source": view["source"].map(lambda s: systems.get(s, s)),
            "category": view["category"].map(lambda c: category_name(c, lang)),
            "title": view["title"],
            "status": [status_name(s, lang) for s in view["status"]],
            "count": view["count"],
            "ack_by": view["ack_by"],
            "closed_by": view["closed_by"],
        }
    )
    out.columns = [t(f"csv.{c}", lang) for c in out.columns]
    return "\ufeff" + out.map(spreadsheet_cell).to_csv(index=False)


def names_of(sources: Sources, lang: str) -> tuple[dict, dict]:
    """(adcode → district name, system code → system name) in the page's language."""
    districts = sources.registry.districts()
    column = "name_en" if lang == "en" else "name"
    names = dict(zip(districts["adcode"], districts[column]))
    systems = dict(sources.registry.source_systems()[["code", "name"]].itertuples(index=False))
    if lang == "en":  # the registry of upstream systems knows their English names
        known = sources.systems.all()
        systems |= {c: n for c, n in zip(known["code"], known["name_en"]) if n and c in systems}
    return names, systems
