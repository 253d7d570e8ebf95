"""A year of incidents and the timeline of each."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from refdata import names
from refdata.generate.base import COLUMNS, SHANGHAI, Rng, utc
from refdata.generate.firms import with_firm
from refdata.generate.places import (
    pick_town,
)
from refdata.generate.seasons import sample_times
from refdata.generate.world import World
from refdata.names import one

# fmt: off
INCIDENT_CATEGORIES = {  # weight, season, hours to close (low, high), teams sent
    "交通事故": (0.28, "flat", (1, 4), ("fire", "medical")),
    "火灾": (0.27, "flat", (1, 5), ("fire", "medical")),
    "防汛": (0.12, "flood", (12, 72), ("water", "engineering")),
    "生产安全事故": (0.15, "flat", (2, 10), ("fire", "medical")),
    "危化品泄漏": (0.10, "flat", (3, 24), ("hazchem", "fire")),
    "特种设备": (0.08, "flat", (0.5, 2), ("fire",)),
}
# What may be going on now, late in the year: no floods.
OPEN_CATEGORIES = {"交通事故": 0.3, "火灾": 0.3, "生产安全事故": 0.15, "危化品泄漏": 0.15, "特种设备": 0.1}
# fmt: on
N_CLOSED_INCIDENTS = 145


def incidents(world: World, frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A year of incidents, all closed but the 4-6 opened in the last two days; and the
    timeline of each."""
    rng = world.rng("incidents")
    cases: list[tuple[str, pd.Timestamp, bool]] = []  # category, opened_at, still open
    for category, (weight, season, _, _) in INCIDENT_CATEGORIES.items():
        count = round(N_CLOSED_INCIDENTS * weight)
        opened = sample_times(rng, world, count, season, latest=timedelta(days=2))
        cases += [(category, t, False) for t in opened]
    p = np.array(list(OPEN_CATEGORIES.values()))
    for _ in range(int(rng.integers(4, 7))):
        category = list(OPEN_CATEGORIES)[rng.choice(len(p), p=p)]
        cases.append(
            (
                category,
                pd.Timestamp(world.now) - pd.Timedelta(minutes=float(rng.uniform(60, 2760))),
                True,
            )
        )

    context = {
        "hazard": with_firm(frames["hazard_sources"], frames["enterprises"]),
        "firms": frames["enterprises"].to_dict("records"),
        "homes": frames["sensitive_targets"].query("kind == 'residential'").to_dict("records"),
    }
    teams = frames["rescue_teams"]
    now = pd.Timestamp(world.now)
    rows, timelines = [], []
    for category, opened_at, is_open in cases:
        level = int(rng.choice([2, 3, 4], p=[0.01, 0.09, 0.90]))
        adcode, lon, lat, title, summary = _incident_site(rng, world, category, context)
        casualties = (
            0
            if category == "防汛"
            else int(rng.integers(3, 10) if level <= 3 else rng.choice([0, 0, 0, 1, 1, 2]))
        )
        low, high = INCIDENT_CATEGORIES[category][2]
        closed_at = None
        if not is_open:
            duration = pd.Timedelta(hours=float(rng.uniform(low, high)) * (2 if level <= 3 else 1))
            # Recent ones that would still be running now closed a little earlier.
            closed_at = min(
                opened_at + duration, opened_at + (now - opened_at) * float(rng.uniform(0.5, 0.9))
            )
        rows.append(
            (
                title,
                category,
                level,
                "open" if is_open else "closed",
                adcode,
                lon,
                lat,
                opened_at,
                closed_at,
                casualties,
                summary,
            )
        )
        timelines.append(
            _timeline(rng, world, teams, category, title, adcode, lon, lat, opened_at, closed_at)
        )

    frame = pd.DataFrame(rows, columns=COLUMNS["incidents"][1:])
    day = frame["opened_at"].dt.tz_convert(SHANGHAI).dt.strftime("%Y%m%d")
    order = np.argsort(frame["opened_at"].to_numpy(), kind="stable")
    serial = pd.Series(np.empty(len(frame), dtype=int))
    serial.iloc[order] = day.iloc[order].groupby(day.iloc[order]).cumcount().to_numpy() + 1
    frame["id"] = "INC-" + day + "-" + serial.map("{:03d}".format)
    events = [
        (frame["id"].iloc[i], *event) for i, entries in enumerate(timelines) for event in entries
    ]
    events = pd.DataFrame(events, columns=COLUMNS["incident_timeline"][1:])
    events = utc(
        events.sort_values(["at", "incident_id"], kind="stable").reset_index(drop=True), "at"
    )
    events["id"] = np.arange(1, len(events) + 1)
    frame = utc(frame.iloc[order].reset_index(drop=True), "opened_at", "closed_at")
    return frame, events


def _incident_site(rng: Rng, world: World, category: str, context: dict) -> tuple:
    """(district, lon, lat, title, summary) of one incident."""
    what = one(rng, names.ACCIDENT_KINDS.get(category, ("",)))
    if category == "危化品泄漏":
        site = one(rng, context["hazard"])
        chem = site["chemicals"].split("、")[0]
        title = f"{site['firm']}{site['name']}{chem}泄漏"
        summary = (
            f"{site['firm']}{site['name']}一处法兰密封失效导致{chem}泄漏，企业启动应急预案并切断物料，"
            f"消防救援和生态环境部门到场处置，周边{int(rng.integers(2, 8)) * 100}米范围设置警戒。"
        )
    elif category == "生产安全事故" or (category == "特种设备" and rng.random() < 0.7):
        site = one(rng, context["firms"])
        title = f"{site['name']}{what}事故"
        summary = f"{site['name']}发生一起{what}事故，伤员已送医救治，属地应急管理部门已到场调查，企业相关作业已停工整改。"
    elif category == "特种设备":
        site = one(rng, context["homes"])
        title = f"{site['name']}电梯困人"
        summary = (
            f"{site['name']}一部电梯运行中停梯，{int(rng.integers(1, 6))}人被困，"
            "消防救援站到场破拆救出，电梯维保单位已到场检修。"
        )
    else:
        adcode = world.pick_districts(rng, 1)[0]
        lon, lat = world.uniform_in(rng, world.land[adcode], 1)
        place = world.names[adcode] + pick_town(rng, adcode)
        if category == "火灾":
            title = f"{place}{what}火灾"
            summary = (
                f"{place}一{what}发生火灾，过火面积约{int(rng.integers(10, 800))}平方米，消防救援站出动"
                f"{int(rng.integers(3, 12))}车{int(rng.integers(15, 60))}人扑救，火势已控制。"
            )
        elif category == "交通事故":
            road = one(rng, names.ROADS[adcode])
            title = f"{road}{what}事故"
            summary = f"{road}发生一起{what}事故，交警、消防、急救到场处置，现场交通已临时管制。"
        else:
            title = f"{place}{what}"
            summary = f"受强降雨影响，{place}出现{what}，属地组织抢险队伍排涝、巡堤，转移群众{int(rng.integers(0, 300))}人。"
        return adcode, float(lon[0]), float(lat[0]), title, summary
    lon, lat = world.around(rng, site["district"], site["lon"], site["lat"], 0, 150)
    return site["district"], float(lon[0]), float(lat[0]), title, summary


def _timeline(
    rng, world, teams, category, title, adcode, lon, lat, opened_at, closed_at
) -> list[tuple]:
    """(at, kind, text, author) entries up to now: 接报 report, 派出 dispatch, 到场 arrive,
    处置 handle (1-3), 结束 close."""
    people = world.duty_officers()
    nearby = teams[teams["kind"].isin(INCIDENT_CATEGORIES[category][3])]
    distance = np.hypot(nearby["lon"].to_numpy() - lon, (nearby["lat"].to_numpy() - lat) * 1.17)
    sent = list(nearby["name"].to_numpy()[np.argsort(distance)[: int(rng.integers(1, 4))]])
    source = one(rng, names.REPORTED_BY[category]).format(district=world.names[adcode])
    dispatched = opened_at + pd.Timedelta(minutes=float(rng.uniform(2, 8)))
    arrived = dispatched + pd.Timedelta(minutes=float(rng.uniform(8, 30)))
    entries = [
        (opened_at, "report", f"接报：{source}报告{title}。"),
        (dispatched, "dispatch", f"派出：调派{'、'.join(sent)}赶赴现场。"),
        (arrived, "arrive", f"到场：{sent[0]}到达现场，开展侦察并设置警戒。"),
    ]
    end, at = closed_at if closed_at is not None else pd.Timestamp(world.now), arrived
    for _ in range(int(rng.integers(1, 4))):
        at = at + (end - at) * float(rng.uniform(0.2, 0.6))
        entries.append((at, "handle", f"处置：{one(rng, names.HANDLING_STEPS)}"))
    if closed_at is not None:
        entries.append((closed_at, "close", "结束：现场处置完毕，队伍归建。"))
    return [(*e, one(rng, people)) for e in entries if e[0] <= pd.Timestamp(world.now)]
