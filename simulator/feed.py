"""A day in the life of Suzhou's upstream systems, compressed: readings every few seconds,
alarms of all four levels, acknowledgements and closures, team moves, duty check-ins."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from flask import Flask

from data_sources import Sources

log = logging.getLogger(__name__)

# (source system, category, title template, level weights red/orange/yellow/blue)
ALARM_KINDS: list[tuple[str, str, str, tuple[float, ...]]] = [
    ("hazchem", "液位超限", "{site} 储罐液位超限", (0.05, 0.25, 0.4, 0.3)),
    ("hazchem", "可燃气体报警", "{site} 可燃气体浓度超标", (0.1, 0.3, 0.4, 0.2)),
    ("hazchem", "有毒气体报警", "{site} 有毒气体浓度超标", (0.1, 0.3, 0.4, 0.2)),
    ("hazchem", "温度超限", "{site} 温度超限", (0.03, 0.2, 0.4, 0.37)),
    ("iot", "视频智能分析告警", "{site} 视频监测发现人员违规作业", (0.0, 0.1, 0.4, 0.5)),
    ("iot", "设备离线", "{site} 监测设备离线", (0.0, 0.05, 0.35, 0.6)),
    ("supervision", "隐患超期未整改", "{site} 重大隐患超期未整改", (0.02, 0.2, 0.5, 0.28)),
    ("enforcement", "执法检查发现重大隐患", "{site} 执法检查发现重大隐患", (0.02, 0.3, 0.5, 0.18)),
    ("monitor", "气象预警", "{district} 发布雷电黄色预警", (0.0, 0.1, 0.6, 0.3)),
    ("monitor", "水位超警戒", "{district} 河道水位超警戒", (0.05, 0.3, 0.45, 0.2)),
    ("emergency", "突发事件接报", "{district} 接报火情", (0.15, 0.35, 0.35, 0.15)),
]
LEVELS = ("red", "orange", "yellow", "blue")
TEAM_STATES = ("ready", "ready", "ready", "ready", "dispatched", "returning")


class DemoFeed:
    """Runs in a daemon thread until `stop()`."""

    READING_EVERY_S = 3.0
    ALARM_EVERY_S = (3.0, 9.0)

    def __init__(self, server: Flask, sources: Sources, seed: int | None = None) -> None:
        self.server = server
        self.sources = sources
        self.rng = np.random.default_rng(seed)
        self.owner = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feed", daemon=True)
        self.token = sources.settings.INGEST_TOKENS[0]
        self.client = server.test_client()
        self.sent = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    # --- posting through the API ---------------------------------------------------------

    def _post(self, path: str, body: Any) -> int:
        response = self.client.post(
            path, json=body, headers={"Authorization": f"Bearer {self.token}"}
        )
        if response.status_code >= 400:
            log.warning(
                "demo feed: %s refused (%s): %s", path, response.status_code, response.get_json()
            )
        self.sent += 1
        return response.status_code

    # --- the loop --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._load()
        except Exception:  # noqa: BLE001 - no reference data yet: say so, do not crash the app
            log.exception("demo feed: cannot read the registry; is the warehouse built?")
            return
        next_alarm = 0.0
        tick = 0
        while not self._stop.wait(self.READING_EVERY_S if tick else 0):
            try:
                if not self.sources.live.lease("demo-feed", self.owner, 15):
                    continue
                now = datetime.now(UTC)
                self._readings(now)
                if tick % 3 == 0:
                    self._heartbeats(now)
                if now.timestamp() >= next_alarm:
                    self._alarm(now)
                    next_alarm = now.timestamp() + self.rng.uniform(*self.ALARM_EVERY_S)
                self._lifecycle(now)
                if tick % 5 == 0:
                    self._teams_and_duty()
            except Exception:  # noqa: BLE001 - a hiccup (Redis restarting) must not end the feed
                log.exception("demo feed: tick failed; retrying")
            tick += 1

    def _load(self) -> None:
        registry = self.sources.registry
        self.sensors = registry.sensors()
        self.hazards = registry.hazard_sources()
        self.teams = registry.rescue_teams()
        self.districts = registry.districts()
        self.systems = list(registry.source_systems()["code"])
        self.units = ["city", *self.districts["adcode"]]
        # A sensor's value wanders around its normal value; keep the walk between ticks.
        self.values = dict(zip(self.sensors["id"], self.sensors["normal"].astype(float)))
        self.alarm_seq = 0
        # One district duty room that is slow to answer, so the roll call has something to show.
        self.slow_unit = self.units[-1]

    def _readings(self, now: datetime) -> None:
        sample = self.sensors.sample(
            n=min(400, len(self.sensors)), random_state=int(self.rng.integers(1 << 31))
        )
        batch = []
        for row in sample.itertuples(index=False):
            span = (
                (row.high - row.normal)
                if row.high == row.high and row.high
                else max(abs(row.normal), 1.0) * 0.3
            )
            # Small noise pulled back toward normal: real plant values are calm most of the
            # time; the threshold engine must see a few excursions, not a flood of rate alarms.
            value = self.values[row.id] + self.rng.normal(0, 0.005 * span)
            value += 0.1 * (row.normal - value)
            if self.rng.random() < 0.0002:
                value = row.normal + span * self.rng.uniform(0.9, 1.4)  # an excursion
            self.values[row.id] = value
            batch.append(
                {"sensor_id": row.id, "ts": now.isoformat(), "value": round(float(value), 3)}
            )
        self._post("/api/v1/readings", batch)

    def _heartbeats(self, now: datetime) -> None:
        for code in self.systems:
            self._post("/api/v1/heartbeat", {"source": code, "at": now.isoformat()})

    def _alarm(self, now: datetime) -> None:
        source, category, title, weights = ALARM_KINDS[int(self.rng.integers(len(ALARM_KINDS)))]
        level = LEVELS[int(self.rng.choice(4, p=np.array(weights) / sum(weights)))]
        self.alarm_seq += 1
        body: dict[str, Any] = {
            "id": f"demo-{self.owner[:6]}-{self.alarm_seq}",
            "source": source,
            "level": level,
            "category": category,
            "occurred_at": (now - timedelta(seconds=float(self.rng.uniform(0, 5)))).isoformat(),
        }
        if source in ("hazchem", "iot", "supervision", "enforcement"):
            # A few hot spots repeat, so the wall shows merged repeats with a count.
            pool = self.hazards.head(12) if self.rng.random() < 0.3 else self.hazards
            site = pool.iloc[int(self.rng.integers(len(pool)))]
            body |= {"site_id": site["id"], "title": title.format(site=site["enterprise"])}
        else:
            district = self.districts.iloc[int(self.rng.integers(len(self.districts)))]
            point = district.geometry.representative_point()
            jitter = self.rng.normal(0, 0.02, 2)
            lon, lat = point.x + jitter[0], point.y + jitter[1]
            if not district.geometry.contains(type(point)(lon, lat)):
                lon, lat = point.x, point.y
            body |= {
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "title": title.format(district=district["name"]),
            }
        body["detail"] = {"simulated": True}
        self._post("/api/v1/alarms", body)

    def _lifecycle(self, now: datetime) -> None:
        alarms = self.sources.live.active_alarms(closed_window_s=0)
        if alarms.empty:
            return
        age = (now - alarms["occurred_at"]).dt.total_seconds()
        officer = "值班员 (演示)"
        for row, seconds in zip(alarms.itertuples(index=False), age):
            if row.status == "new" and seconds > 40 and self.rng.random() < 0.15:
                self._post(f"/api/v1/alarms/{row.id}/ack", {"by": officer})
            elif row.status == "acknowledged" and seconds > 150 and self.rng.random() < 0.1:
                self._post(f"/api/v1/alarms/{row.id}/close", {"by": officer, "note": "已处置完毕"})
        # Keep the wall readable: never more than about forty open alarms in the demo.
        if len(alarms) > 40:
            oldest = alarms.sort_values("occurred_at").head(len(alarms) - 40)
            for alarm_id in oldest["id"]:
                self._post(
                    f"/api/v1/alarms/{alarm_id}/close", {"by": officer, "note": "演示数据自动关闭"}
                )

    def _teams_and_duty(self) -> None:
        live = self.sources.live
        team = self.teams.iloc[int(self.rng.integers(len(self.teams)))]
        live.set_team_status(team["id"], TEAM_STATES[int(self.rng.integers(len(TEAM_STATES)))])
        for unit in self.units:
            if unit != self.slow_unit or self.rng.random() < 0.2:
                live.checkin(unit)
        # District duty rooms answer a running roll call within a few ticks; the slow one
        # does not, so the duty room sees a roll call with someone flagged.
        state = live.rollcall_state()
        if state:
            for unit in state["units"]:
                if (
                    unit not in state["answers"]
                    and unit != self.slow_unit
                    and self.rng.random() < 0.3
                ):
                    self._post("/api/v1/rollcall/answer", {"unit": unit})
