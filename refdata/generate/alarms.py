"""A year of alarms from every upstream system, and those the last day's readings raised."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from refdata import names
from refdata.generate.base import SHANGHAI, Rng, utc
from refdata.generate.firms import with_firm
from refdata.generate.places import (
    DISTRICTS,
    pick_town,
)
from refdata.generate.seasons import sample_times
from refdata.generate.world import World
from refdata.names import one
from vocabulary import LEVEL_NAMES, LEVELS, weather_hazards


@dataclass(frozen=True)
class AlarmKind:
    source: str
    category: str
    weights: tuple[float, float, float, float]  # relative weight at red, orange, yellow, blue
    season: str
    site: str  # what raises it: a sensor (of a kind), a hazard source, a firm, an area, a shore
    close_minutes: float  # median time from acknowledgement to closing


# fmt: off
ALARM_KINDS = (
    AlarmKind("hazchem", "液位超限", (2, 10, 30, 5), "flat", "sensor:level", 30),
    AlarmKind("hazchem", "温度超限", (2, 8, 25, 5), "heat", "sensor:temperature", 30),
    AlarmKind("hazchem", "压力超限", (2, 8, 20, 3), "heat", "sensor:pressure", 30),
    AlarmKind("hazchem", "可燃气体报警", (4, 10, 25, 3), "flat", "sensor:gas_lel", 40),
    AlarmKind("hazchem", "有毒气体报警", (3, 6, 12, 2), "flat", "sensor:toxic_ppm", 40),
    AlarmKind("iot", "设备离线", (0, 0, 5, 120), "flat", "sensor", 60),
    AlarmKind("iot", "视频智能分析告警", (0, 3, 40, 40), "flat", "hazard", 15),
    AlarmKind("supervision", "隐患超期未整改", (0, 8, 30, 10), "flat", "firm", 2880),
    AlarmKind("supervision", "安全承诺未按时报送", (0, 0, 5, 40), "flat", "hazchem_firm", 240),
    AlarmKind("supervision", "特殊作业报备异常", (0, 3, 12, 10), "flat", "hazchem_firm", 120),
    AlarmKind("enforcement", "执法检查发现重大隐患", (3, 12, 5, 0), "flat", "firm", 4320),
    AlarmKind("enforcement", "执法计划逾期", (0, 0, 3, 10), "flat", "area", 1440),
    AlarmKind("monitor", "气象预警", (1, 4, 10, 12), "summer", "area", 720),
    AlarmKind("monitor", "水位超警戒", (1, 5, 12, 4), "flood", "shore", 2880),
    AlarmKind("emergency", "突发事件接报", (2, 6, 10, 5), "flat", "area", 180),
    AlarmKind("emergency", "值班签到超时", (0, 0, 3, 15), "flat", "area", 10),
    AlarmKind("gis", "危化品运输车辆偏离路线", (0, 2, 12, 8), "flat", "area", 30),
    AlarmKind("gis", "运输车辆超速", (0, 0, 5, 20), "flat", "area", 15),
    AlarmKind("gis", "车辆进入禁行区域", (0, 3, 8, 3), "flat", "area", 20),
)
SHORES = (("320506", "taihu", "太湖"), ("320509", "taihu", "太湖"), ("320505", "taihu", "太湖"),
          ("320507", "yangcheng", "阳澄湖"), ("320582", "yangtze", "长江"), ("320581", "yangtze", "长江"),
          ("320585", "yangtze", "长江"))
# fmt: on
LEVEL_SHARE = (0.02, 0.10, 0.38, 0.50)
ACK_MINUTES = {"red": 1, "orange": 2, "yellow": 5, "blue": 15}  # median
N_ALARMS = 30_000


@dataclass(frozen=True)
class _Sites:
    """What alarms come from, as plain records (fast to pick from one at a time)."""

    sensors: list[dict]
    by_kind: dict[str, list[dict]]
    hazard: list[dict]
    firms: list[dict]
    hazchem_firms: list[dict]


def alarm_history(
    world: World, frames: dict[str, pd.DataFrame], excursions: list[dict]
) -> pd.DataFrame:
    """A year of alarms from every source system, and those the last day's excursions raised.
    Those not yet acknowledged or closed by now are 'new' or 'acknowledged'."""
    rng = world.rng("alarms")
    hazard = pd.DataFrame(with_firm(frames["hazard_sources"], frames["enterprises"]))
    sensors = frames["sensors"].merge(
        hazard[["id", "firm", "district", "lon", "lat"]].rename(columns={"id": "hazard_source_id"}),
        how="left",
    )
    firms = frames["enterprises"]
    sites = _Sites(
        sensors=sensors.to_dict("records"),
        by_kind={k: g.to_dict("records") for k, g in sensors.groupby("kind")},
        hazard=hazard.to_dict("records"),
        firms=firms.to_dict("records"),
        hazchem_firms=firms[firms["hazchem"]].to_dict("records"),
    )
    # The level first (so the shares hold), then what kind of alarm has that level.
    levels = rng.choice(4, size=N_ALARMS, p=LEVEL_SHARE)
    weights = np.array([k.weights for k in ALARM_KINDS], dtype=float)
    kinds = np.empty(N_ALARMS, dtype=int)
    for lv in range(4):
        idx = np.flatnonzero(levels == lv)
        kinds[idx] = rng.choice(
            len(ALARM_KINDS), size=idx.size, p=weights[:, lv] / weights[:, lv].sum()
        )
    rows = []
    for k, kind in enumerate(ALARM_KINDS):
        idx = np.flatnonzero(kinds == k)
        times = sample_times(rng, world, idx.size, kind.season, latest=timedelta(minutes=10))
        rows += [
            _alarm(rng, world, kind, LEVELS[lv], t, sites) for lv, t in zip(levels[idx], times)
        ]
    for ex in excursions:
        sensor = sites.sensors[ex["sensor"]]
        kind = next(k for k in ALARM_KINDS if k.site == f"sensor:{sensor['kind']}")
        level = "orange" if ex["value"] >= sensor["high_high"] else "yellow"
        rows.append(_sensor_alarm(kind, level, ex["start"], sensor, ex["value"]))

    frame = pd.DataFrame(rows).sort_values("occurred_at", kind="stable").reset_index(drop=True)
    n = len(frame)
    frame["id"] = (
        "H-" + frame["source"] + "-" + (frame.groupby("source").cumcount() + 1).map("{:06d}".format)
    )
    frame["received_at"] = frame["occurred_at"] + pd.to_timedelta(rng.uniform(0.5, 8, n), unit="s")
    ack_minutes = rng.lognormal(np.log(frame["level"].map(ACK_MINUTES).to_numpy(dtype=float)), 0.7)
    ack = frame["received_at"] + pd.to_timedelta(np.minimum(ack_minutes, 120), unit="min")
    close_minutes = rng.lognormal(np.log(frame["close_minutes"].to_numpy(dtype=float)), 0.8)
    close = ack + pd.to_timedelta(close_minutes, unit="min")
    acked = (ack <= pd.Timestamp(world.now)).to_numpy()
    closed = (close <= pd.Timestamp(world.now)).to_numpy()
    people = np.array(world.duty_officers(), dtype=object)
    frame["status"] = np.where(closed, "closed", np.where(acked, "acknowledged", "new"))
    frame["ack_by"] = np.where(acked, people[rng.integers(len(people), size=n)], None)
    frame["ack_at"] = ack.where(acked)
    frame["closed_by"] = np.where(closed, people[rng.integers(len(people), size=n)], None)
    frame["closed_at"] = close.where(closed)
    notes = [names.CLOSE_NOTES.get(c, names.CLOSE_NOTES["sensor"]) for c in frame["category"]]
    frame["close_note"] = np.where(
        closed, np.array([one(rng, ns) for ns in notes], dtype=object), None
    )
    repeats = frame["category"].isin(["设备离线", "可燃气体报警"]).to_numpy() & (
        rng.random(n) < 0.4
    )
    frame["count"] = np.where(repeats, rng.geometric(0.4, n) + 1, 1)
    return utc(frame, "occurred_at", "received_at", "ack_at", "closed_at")


def _sensor_alarm(
    kind: AlarmKind, level: str, occurred, sensor: dict, value: float, low=False
) -> dict:
    if low:
        word, threshold = (
            ("低低报警", "low_low") if level in ("red", "orange") else ("低报警", "low")
        )
    else:
        word, threshold = {
            "red": ("高高报警", "high_high"),
            "orange": ("高高报警", "high_high"),
            "yellow": ("高报警", "high"),
            "blue": ("接近报警值", "high"),
        }[level]
    detail = {
        "sensor_id": sensor["id"],
        "value": round(float(value), 3),
        "threshold": float(sensor[threshold]),
        "unit": sensor["unit"],
    }
    return {
        "source": kind.source,
        "level": level,
        "category": kind.category,
        "title": f"{sensor['firm']} {sensor['name']}{word}",
        "occurred_at": occurred,
        "lon": float(sensor["lon"]),
        "lat": float(sensor["lat"]),
        "site_id": sensor["id"],
        "district": sensor["district"],
        "close_minutes": kind.close_minutes,
        "detail": json.dumps(detail, ensure_ascii=False),
    }


def _alarm(rng: Rng, world: World, kind: AlarmKind, level: str, occurred, sites: _Sites) -> dict:
    """One alarm of `kind`: where it comes from, and its title."""
    if kind.site.startswith("sensor:"):
        sensor = one(rng, sites.by_kind[kind.site.split(":")[1]])
        low = sensor["kind"] == "level" and rng.random() < 0.3
        if low:
            value = (
                sensor["low_low"] * rng.uniform(0.2, 0.9)
                if level in ("red", "orange")
                else sensor["low"] * rng.uniform(0.6, 0.95)
            )
        elif level in ("red", "orange"):
            value = sensor["high_high"] * rng.uniform(1.0, 1.3 if level == "orange" else 1.6)
        elif level == "yellow":
            value = sensor["high"] + (sensor["high_high"] - sensor["high"]) * rng.uniform(0, 1)
        else:
            value = sensor["high"] * rng.uniform(0.9, 1.0)
        return _sensor_alarm(kind, level, occurred, sensor, value, low)

    site, adcode = None, None
    if kind.site == "sensor":
        site = one(rng, sites.sensors)
        title = f"{site['firm']} {site['name']}设备离线"
    elif kind.site == "hazard":
        site = one(rng, sites.hazard)
        title = f"{site['firm']} {site['name']}视频告警：{one(rng, names.VIDEO_EVENTS)}"
    elif kind.site in ("firm", "hazchem_firm"):
        site = one(rng, sites.hazchem_firms if kind.site == "hazchem_firm" else sites.firms)
        title = {
            "安全承诺未按时报送": f"{site['name']} 今日安全承诺未按时报送",
            "特殊作业报备异常": f"{site['name']} {one(rng, names.SPECIAL_WORK)}作业未按规定报备",
            "执法检查发现重大隐患": f"{site['name']} 执法检查发现重大事故隐患：{one(rng, names.HIDDEN_DANGERS)}",
        }.get(kind.category, f"{site['name']} {one(rng, names.HIDDEN_DANGERS)}隐患超期未整改")
    elif kind.site == "shore":
        adcode, water, water_name = SHORES[rng.integers(len(SHORES))]
        lon, lat = world.uniform_in(rng, world.shore(adcode, water), 1)
        title = f"{water_name}{pick_town(rng, adcode)}站水位超警戒{rng.uniform(0.02, 0.6):.2f}米"
    else:
        adcode = world.pick_districts(rng, 1)[0]
        lon, lat = world.uniform_in(rng, world.land[adcode], 1)
        title = _area_alarm_title(rng, world, kind.category, level, adcode, occurred)
    place = (
        {
            "site_id": site["id"],
            "district": site["district"],
            "lon": float(site["lon"]),
            "lat": float(site["lat"]),
        }
        if site
        else {"site_id": None, "district": adcode, "lon": float(lon[0]), "lat": float(lat[0])}
    )
    return {
        "source": kind.source,
        "level": level,
        "category": kind.category,
        "title": title,
        "occurred_at": occurred,
        "close_minutes": kind.close_minutes,
        "detail": "{}",
        **place,
    }


def _area_alarm_title(
    rng: Rng, world: World, category: str, level: str, adcode: str, occurred
) -> str:
    dname, month = world.names[adcode], occurred.tz_convert(SHANGHAI).month
    if category == "气象预警":
        # Only hazards whose warning exists at this level: the title's colour is the level.
        season = names.WEATHER["summer" if 5 <= month <= 9 else "winter"]
        hazard = one(rng, weather_hazards(level, season) or ("大风",))
        office = {
            "320505": "苏州市",
            "320506": "苏州市",
            "320507": "苏州市",
            "320508": "苏州市",
            "320509": "吴江区",
        }.get(adcode, f"{DISTRICTS[adcode].short}市")
        return f"{office}气象台发布{hazard}{LEVEL_NAMES[level]}预警"
    if category == "突发事件接报":
        return f"{dname}{pick_town(rng, adcode)}{one(rng, names.REPORTED_EVENTS)}"
    if category == "值班签到超时":
        return f"{dname}应急值班室签到超时"
    if category == "执法计划逾期":
        return f"{dname}{month}月执法计划逾期未完成"
    if category == "运输车辆超速":
        return f"运输车辆{names.plate(rng)}超速行驶({int(rng.integers(85, 130))}km/h)"
    if category == "车辆进入禁行区域":
        return f"危化品运输车辆{names.plate(rng)}进入{pick_town(rng, adcode)}禁行区域"
    return f"危化品运输车辆{names.plate(rng)}偏离规定路线"
