"""The map's point layers and district shading as plain GeoJSON, from frames with `lon`/`lat`
(WGS-84). Styled in the browser by assets/map.js (`seMap.*`) and assets/incident.js."""

from __future__ import annotations

from typing import Any

import pandas as pd

from maps.points import collection, point_features
from vocabulary import LEVEL_RANK

# The map draws at most this many alarms (the newest); counts and lists see them all.
MAP_ALARMS = 500


def registry_points(frame: pd.DataFrame, kind: str, gcj02: bool) -> list[dict]:
    """Registry records for `seMap.registryPoint`: the layer key `k`, the id and the name."""
    return point_features(frame, gcj02, k=kind, id=frame["id"], name=frame["name"])


def registry_layers(registry: Any, gcj02: bool) -> tuple[dict, dict]:
    """(registry points, hazchem enterprises for clustering) of the city map."""
    targets = registry.sensitive_targets(("school", "hospital"))
    features = []
    for kind, frame in (
        ("school", targets[targets["kind"] == "school"]),
        ("shelter", registry.shelters()),
        ("depot", registry.depots()),
        ("hospital", targets[targets["kind"] == "hospital"]),
        ("team", registry.rescue_teams()),
        ("hazard", registry.hazard_sources()),
    ):
        features += registry_points(frame, kind, gcj02)
    enterprises = registry_points(registry.enterprises(hazchem_only=True), "enterprise", gcj02)
    return collection(features), collection(enterprises)


def alarm_features(
    shown: pd.DataFrame, gcj02: bool, tips: list[str], tips_en: list[str], newest: int = 3
) -> dict:
    """The alarms of `open_alarms(...)` for `seMap.alarmPoint`: level and tooltip text (one
    of `tips` per alarm, and of `tips_en` for an English wall); the newest few pulse. `at`
    (epoch s of occurred_at) and `d` (the district's adcode) let the wall merge pushed changes
    and shade districts in the browser (assets/push.js)."""
    return collection(
        point_features(
            shown,
            gcj02,
            digits=6,
            id=shown["id"],
            level=shown["level"],
            pulse=[i < newest for i in range(len(shown))],
            tip=tips,
            tip_en=tips_en,
            at=[round(t.timestamp(), 3) for t in shown["occurred_at"]],
            d=[d if isinstance(d, str) else None for d in shown["district"]],
        )
    )


def open_alarms(alarms: pd.DataFrame) -> pd.DataFrame:
    """The alarms not closed that have a position, newest first."""
    shown = alarms[(alarms["status"] != "closed") & alarms["lon"].notna()]
    return shown.sort_values("occurred_at", ascending=False)


def alarm_points(view: pd.DataFrame, gcj02: bool = False) -> tuple[dict, dict]:
    """The first `MAP_ALARMS` alarms of the view that have a position, for `seMap.riskPoint`
    (colour by level, size by severity), and the hideout with each one's level."""
    placed = view[view["lon"].notna() & view["lat"].notna()].head(MAP_ALARMS)
    grades = [LEVEL_RANK[level] + 1 for level in placed["level"]]
    features = point_features(placed, gcj02, id=placed["id"], name=placed["title"], grade=grades)
    return collection(features), {"risk": dict(zip(placed["id"], placed["level"]))}


def worst_levels(alarms: pd.DataFrame) -> dict[str, str]:
    """The most severe level of the alarms in each district (the districts' shading)."""
    worst: dict[str, str] = {}
    for district, level in zip(alarms["district"], alarms["level"]):
        if isinstance(district, str) and (
            district not in worst or LEVEL_RANK[level] < LEVEL_RANK[worst[district]]
        ):
            worst[district] = level
    return worst


def district_levels(alarms: pd.DataFrame) -> dict[str, str]:
    """The most severe level of the open alarms in each district."""
    return worst_levels(alarms[(alarms["status"] != "closed") & alarms["district"].notna()])
