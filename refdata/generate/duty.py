"""Duty: the rosters of the city and district duty rooms, and the city duty log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd

from data_sources.duty import handover_line
from refdata import names
from refdata.generate.base import COLUMNS, SHANGHAI, utc
from refdata.generate.firms import with_firm
from refdata.generate.places import (
    pick_town,
)
from refdata.generate.world import World
from refdata.names import one

DAY_START = time(8, 30)
NIGHT_START = time(17, 30)
# What a chief hands over besides the counts (the handover's notes.text).
HANDOVER_NOTES = (
    "值班设备运行正常",
    "值班设备运行正常，卫星电话已充电",
    "气象台发布大风蓝色预警，已转发各地区",
    "昆山市一处危化品企业停车检修，明日复产前需复核",
    "市防指值班电话转接测试正常",
    "吴江区报送的隐患整改情况待续报",
)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, SHANGHAI).astimezone(UTC)


def duty_roster(world: World) -> pd.DataFrame:
    """Four weeks from the Monday of last week. Per unit and day: one leader (带班领导) on call
    for 24 hours from 08:30 (shift 'day'), and per shift one chief (值班长) and two officers
    (值班员); people rotate through a fixed staff, with a swapped shift now and then."""
    start = world.today - timedelta(days=world.today.weekday() + 7)
    rows = []
    for unit in ["city", *world.adcodes]:
        rng = world.rng(f"roster:{unit}")
        people, phones = world.staff(unit)
        leaders, chiefs, officers = people[:5], people[5:13], people[13:29]
        offset = int(rng.integers(0, 40))
        for d in range(28):
            day = start + timedelta(days=d)
            morning, evening = _local(day, DAY_START), _local(day, NIGHT_START)
            next_morning = _local(day + timedelta(days=1), DAY_START)
            k = d + offset
            crew = [
                ("day", "leader", leaders[k % 5], morning, next_morning),
                ("day", "chief", chiefs[2 * k % 8], morning, evening),
                ("day", "officer", officers[4 * k % 16], morning, evening),
                ("day", "officer", officers[(4 * k + 1) % 16], morning, evening),
                ("night", "chief", chiefs[(2 * k + 1) % 8], evening, next_morning),
                ("night", "officer", officers[(4 * k + 2) % 16], evening, next_morning),
                ("night", "officer", officers[(4 * k + 3) % 16], evening, next_morning),
            ]
            if rng.random() < 0.08:  # 调班
                j = int(rng.integers(2, 7))
                pool = officers if crew[j][1] == "officer" else chiefs
                spare = [p for p in pool if p not in {c[2] for c in crew}]
                crew[j] = (*crew[j][:2], one(rng, spare), *crew[j][3:])
            for shift, role, name, starts, ends in crew:
                rows.append((unit, day, shift, role, name, phones[name], starts, ends))
    frame = pd.DataFrame(rows, columns=COLUMNS["duty_roster"][1:])
    frame["id"] = np.arange(1, len(frame) + 1)
    return utc(frame, "starts_at", "ends_at")


def _on_duty(
    roster: pd.DataFrame, unit: str, at: datetime, roles=("chief", "officer")
) -> list[str]:
    on = roster[
        (roster["unit"] == unit)
        & roster["role"].isin(roles)
        & (roster["starts_at"] <= at)
        & (roster["ends_at"] > at)
    ]
    return list(on["name"])


def duty_log(world: World, frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The city duty room's log of the past week (handovers, reports taken, checks, notices)
    and its handover records, each with its log line, as `Duty.record_handover` writes them."""
    rng = world.rng("duty_log")
    roster = frames["duty_roster"]
    sites = with_firm(frames["hazard_sources"], frames["enterprises"])
    rows = []
    handovers = []

    def author(at: datetime) -> str:
        return one(rng, _on_duty(roster, "city", at) or world.duty_officers())

    first = (world.now - timedelta(days=7)).astimezone(SHANGHAI).date()
    for offset in range((world.today - first).days + 1):
        day = first + timedelta(days=offset)
        for at in (_local(day, DAY_START), _local(day, NIGHT_START)):
            before = _on_duty(roster, "city", at - timedelta(minutes=1), ("chief",))
            after = _on_duty(roster, "city", at, ("chief",))
            if before and after:
                notes = {
                    "text": one(rng, HANDOVER_NOTES),
                    "open_alarms": int(rng.integers(0, 3)),
                    "open_incidents": int(rng.integers(0, 5)),
                }
                rows.append((at, after[0], "handover", handover_line(before[0], after[0], notes)))
                handovers.append((at, before[0], after[0], json.dumps(notes, ensure_ascii=False)))
        for _ in range(int(rng.integers(1, 4))):
            at = _local(day, time(int(rng.integers(0, 24)), int(rng.integers(0, 60))))
            adcode = one(rng, world.adcodes)
            dname = world.names[adcode]
            text = (
                f"接报：{dname}{pick_town(rng, adcode)}{one(rng, names.DUTY_REPORTS)}，"
                f"已通知{dname}应急管理局核实处置并续报。"
            )
            rows.append((at, author(at), "report", text))
        for _ in range(int(rng.integers(1, 3))):
            at = _local(day, time(int(rng.integers(9, 23)), int(rng.integers(0, 60))))
            if rng.random() < 0.5:
                adcode = one(rng, world.adcodes)
                who = (_on_duty(roster, adcode, at) or ["值班员"])[0]
                text = f"检查：视频抽查{world.names[adcode]}应急值班室，{who}在岗在位。"
            else:
                site = sites[int(rng.integers(len(sites)))]
                text = f"检查：视频巡查{site['firm']}{site['name']}，运行正常，未见异常作业。"
            rows.append((at, author(at), "inspection", text))
        if rng.random() < 0.5:
            at = _local(day, time(int(rng.integers(8, 18)), int(rng.integers(0, 60))))
            rows.append((at, author(at), "notice", one(rng, names.DUTY_NOTICES)))
    log = _past_week(world, pd.DataFrame(rows, columns=["at", "author", "category", "text"]))
    kept = _past_week(
        world, pd.DataFrame(handovers, columns=["at", "from_name", "to_name", "notes"])
    )
    kept["recorded_by"] = None
    return log, kept


def _past_week(world: World, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[(frame["at"] <= world.now) & (frame["at"] > world.now - timedelta(days=7))]
    frame = utc(frame.sort_values("at", kind="stable").reset_index(drop=True), "at")
    frame["unit"] = "city"
    frame["id"] = np.arange(1, len(frame) + 1)
    return frame
