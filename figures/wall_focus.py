"""What holds the wall: the most overdue unacknowledged red alarm (the takeover, naming the
others), else what a presenter put on it. Computed once per change on the server, for the map
callback and the push hub alike (no Dash here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from layouts import demo
from layouts.common import local_time
from layouts.i18n import t
from maps.datum import display_xy
from thresholds.escalation import escalation_badge, recorded_stage, waiting_minutes


def minutes_token(occurred_at: pd.Timestamp, now: datetime) -> str:
    """Minutes waited, as `{m:<epoch s>=<minutes>}`: assets/wall.js shows the minutes and keeps
    them current from the epoch between server updates."""
    since = pd.Timestamp(occurred_at).timestamp()
    return f"{{m:{since:.0f}={waiting_minutes(occurred_at, now)}}}"


# The takeover names at most this many other red alarms that wait (then "等 N 条").
TAKEOVER_NAMED = 4


def takeover(alarms: pd.DataFrame, gcj02: bool, now: datetime | None = None) -> dict | None:
    """The unacknowledged red alarm most overdue (highest escalation stage, then waiting
    longest) holds the wall until acknowledged; the other red alarms waiting are named."""
    red = alarms[(alarms["level"] == "red") & (alarms["status"] == "new")]
    if red.empty or red["lon"].isna().all():
        return None
    now = now or datetime.now(UTC)
    stage = [recorded_stage(r) for r in red.itertuples(index=False)]
    red = red.assign(_stage=stage).sort_values(
        ["_stage", "occurred_at"], ascending=[False, True], kind="stable"
    )
    row = red[red["lon"].notna()].iloc[0]
    lon, lat = display_xy(row["lon"], row["lat"], gcj02)
    title, others, text = told(row, red, now, "zh")
    return {
        "mode": "takeover",
        "id": row["id"],
        "lat": float(lat),
        "lon": float(lon),
        "title": title,
        "time": local_time(row["occurred_at"]),
        "stage": int(row["_stage"]),
        "count": int(len(red)),
        "others": others,
        "text": text,
        # The wall state is one for every screen: an English wall shows this (assets/wall.js).
        "text_en": told(row, red, now, "en")[2],
    }


def told(row: pd.Series, red: pd.DataFrame, now: datetime, lang: str) -> tuple[str, list, str]:
    """(title, the others waiting, the banner's text) of the takeover by `row`, in `lang`."""
    # Plain text in the takeover banner; a demo alarm says so before its title.
    title = (t("wall.takeover.demo", lang) if demo.is_demo(row["detail"]) else "") + row["title"]
    stage = int(row["_stage"])
    waited = escalation_badge(stage, minutes_token(row["occurred_at"], now), lang)
    waited = waited or t("wall.takeover.waited", lang, m=minutes_token(row["occurred_at"], now))
    others = [
        t("wall.takeover.other", lang, title=r.title, m=minutes_token(r.occurred_at, now))
        for r in red[red["id"] != row["id"]].itertuples(index=False)
    ]
    lines = [
        t("wall.takeover.head", lang, time=local_time(row["occurred_at"]), title=title),
        waited,
    ]
    if others:
        named = t("wall.takeover.join", lang).join(others[:TAKEOVER_NAMED])
        rest = len(others) - TAKEOVER_NAMED
        more = t("wall.takeover.more", lang, n=len(others)) if rest > 0 else ""
        lines.append(t("wall.takeover.others", lang) + named + more)
    return title, others, "\n".join(lines)


def presenter_focus(focus: dict | None, gcj02: bool) -> dict | None:
    """What a leader or duty officer put on the wall (an incident or a district), if anything."""
    if not focus:
        return None
    view: dict = {
        "mode": "presenter",
        "id": f"{focus['kind']}:{focus['id']}",
        "label": focus["label"],
        "by": focus["by"],
    }
    if focus.get("bounds"):
        (south, west), (north, east) = focus["bounds"]
        west, south = display_xy(west, south, gcj02)
        east, north = display_xy(east, north, gcj02)
        view["bounds"] = [[float(south), float(west)], [float(north), float(east)]]
    elif focus.get("lon") is not None:
        lon, lat = display_xy(focus["lon"], focus["lat"], gcj02)
        view |= {"lat": float(lat), "lon": float(lon)}
    return view
