"""A day in the life of Suzhou's upstream systems, compressed: readings every few seconds,
alarms of all four levels, acknowledgements and closures, team moves, duty check-ins.

Each simulated system posts with its own demo token (ingest/credentials.py), so the feed goes
through the same rules as a real one: it cannot post, beat or close as another system. Its
alarms carry `detail.demo` and a `demo-` id and show 演示 on the screens. It acknowledges and
closes only the alarms it created (their ids kept in Redis, `se:demo:alarms`): an alarm
posted by anyone else is never touched, however long the feed runs.
"""

from __future__ import annotations

import logging
import math
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from flask import Flask

from data_sources import Sources
from data_sources.incidents import sent_teams
from data_sources.systems import RegistryError
from ingest import credentials
from simulator.broker import DemoBroker
from simulator.rates import Planned, Schedule, measure
from vocabulary import (
    LEVEL_NAMES,
    LEVELS,
    TEAM_DEFAULT,
    TEAM_TRANSITIONS,
    sensor_range,
    weather_hazards,
)

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
    ("monitor", "气象预警", "{district} 发布{hazard}{colour}预警", (0.0, 0.1, 0.6, 0.3)),
    ("monitor", "水位超警戒", "{district} 河道水位超警戒", (0.05, 0.3, 0.45, 0.2)),
    ("emergency", "突发事件接报", "{district} 接报火情", (0.15, 0.35, 0.35, 0.15)),
]
# The systems the feed simulates, registered if missing (the migration seeds all seven).
SYSTEMS = {
    "emergency": ("应急平台综合应用系统", ("alarms", "incidents", "heartbeats")),
    "supervision": ("安全生产监管", ("alarms", "heartbeats")),
    "enforcement": ("安全生产行政执法", ("alarms", "heartbeats")),
    "gis": ("安全生产地理信息系统", ("alarms", "heartbeats")),
    "hazchem": ("危险化学品安全生产风险监测预警系统", ("alarms", "readings", "heartbeats")),
    "monitor": ("安全生产监测监控中心", ("alarms", "readings", "heartbeats")),
    "iot": ("感知网络", ("alarms", "readings", "heartbeats")),
}
# The weather warnings the feed issues; the hazard is drawn from those issued at the alarm's
# level, so a title's colour word is always its level (there is no blue lightning warning).
WEATHER = ("雷电", "暴雨", "大风", "高温")
READINGS_AS = "hazchem"  # the sensors are the hazardous-chemicals plants' instruments
OFFICER = "值班员 (演示)"
# A ready team leaves its post now and then; a busy one moves on each time it is picked.
TEAM_LEAVES_READY = 0.25
DEMO_CHANGE = {"by": OFFICER, "via": "demo"}  # who a team status change of the feed is from


class DemoFeed:
    """Runs in a daemon thread until `stop()`."""

    READING_EVERY_S = 3.0
    HISTORY_DAYS = 28  # the weeks of archive whose alarm rates the feed keeps to
    RATE_SCALE = 1.0  # times the history's rate (tests speed the feed up)
    EXCURSIONS_PER_HOUR = 0.5  # sensor values past a limit, for the threshold engine to judge
    # Governance has something to show: now and then one system goes quiet for a while, and
    # one sends a malformed message (refused with 422, never stored).
    QUIET_EVERY_S = 900.0
    QUIET_FOR_S = 180.0
    MALFORMED_EVERY_S = 300.0

    def __init__(
        self,
        server: Flask,
        sources: Sources,
        seed: int | None = None,
        broker: DemoBroker | None = None,
        workers: list[Any] | None = None,
    ) -> None:
        self.server = server
        # The sensing network over MQTT (MQTT_URL set), and the connector taking it in.
        self.broker = broker
        self.workers = workers or []
        self.sources = sources
        self.rng = np.random.default_rng(seed)
        self.owner = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-feed", daemon=True)
        self.tokens: dict[str, str] = {}
        self.quiet: tuple[str, float] | None = None  # (system, until epoch s)
        self.next_quiet = self.next_malformed = 0.0
        self.client = server.test_client()
        self.sent = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self.broker is not None:
            self.broker.close()
        for worker in self.workers:
            worker.stop()

    # --- posting through the API ---------------------------------------------------------

    def _post(self, path: str, body: Any, system: str) -> int:
        token = self.tokens.get(system)
        if token is None:
            return 0  # a system disabled in the registry: it stays quiet
        response = self.client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
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
        except LookupError as exc:
            log.error("demo feed: off: %s; build it with `python -m refdata.build`", exc)
            return
        except Exception:  # noqa: BLE001 - no reference data yet: say so, do not crash the app
            log.exception("demo feed: cannot read the registry; is the warehouse built?")
            return
        tick = 0
        while not self._stop.wait(self.READING_EVERY_S if tick else 0):
            try:
                if not self.sources.streams.lease("demo-feed", self.owner, 15):
                    continue
                now = datetime.now(UTC)
                self._governance(now)
                self._readings(now)
                if tick % 3 == 0:
                    self._heartbeats(now)
                for planned in self.schedule.due(now):
                    self._alarm(now, planned)
                self._lifecycle(now)
                if tick % 5 == 0:
                    self._teams_and_duty()
            except Exception:  # noqa: BLE001 - a hiccup (Redis restarting) must not end the feed
                log.exception("demo feed: tick failed; retrying")
            tick += 1

    def _register(self) -> None:
        """Make sure the feed's systems are registered; take a demo token for each enabled one."""
        systems = self.sources.systems
        for code, (name, sends) in SYSTEMS.items():
            if systems.get(code) is None:
                try:
                    systems.add(code, name, kind="demo", sends=sends)
                except RegistryError:
                    log.warning("demo feed: cannot register %s", code, exc_info=True)
        self.tokens = {
            code: token
            for code, token in credentials.get(self.server).make_demo_tokens().items()
            if code in SYSTEMS
        }

    def _load(self) -> None:
        self._register()
        registry = self.sources.registry
        self.sensors = registry.sensors()
        self.hazards = registry.hazard_sources()
        self.teams = registry.rescue_teams()
        self.districts = registry.districts()
        if self.districts.empty or self.sensors.empty or self.hazards.empty:
            raise LookupError("the registry is empty (districts, sensors, hazard sources)")
        self.systems = list(self.tokens)
        self.units = ["city", *self.districts["adcode"]]
        # A sensor's value wanders around its normal value; keep the walk between ticks.
        self.values = dict(zip(self.sensors["id"], self.sensors["normal"].astype(float)))
        self.alarm_seq = 0
        self.next_sensor = 0
        now = datetime.now(UTC)
        counts = self.sources.analysis.hourly_counts(now - timedelta(days=self.HISTORY_DAYS), now)
        self.schedule = Schedule(
            measure(counts, self.HISTORY_DAYS).scaled(self.RATE_SCALE), self.rng
        )
        self.bursts: dict[int, tuple[Any, int]] = {}  # burst → (its plant's sites, alarms so far)
        self.committed: set[str] = set()
        self._commit_teams()
        # One district duty room that is slow to answer, so the roll call has something to show.
        self.slow_unit = self.units[-1]

    def _is_quiet(self, code: str, now: datetime) -> bool:
        return self.quiet is not None and self.quiet[0] == code and now.timestamp() < self.quiet[1]

    def _governance(self, now: datetime) -> None:
        t = now.timestamp()
        if not self.next_quiet:
            self.next_quiet = t + self.QUIET_EVERY_S * self.rng.uniform(0.3, 1.0)
            self.next_malformed = t + self.MALFORMED_EVERY_S * self.rng.uniform(0.2, 1.0)
        if t >= self.next_quiet and self.systems:
            code = self.systems[int(self.rng.integers(len(self.systems)))]
            self.quiet = (code, t + self.QUIET_FOR_S)
            self.next_quiet = t + self.QUIET_EVERY_S * self.rng.uniform(0.5, 1.5)
            log.info("demo feed: %s goes quiet for %.0f s", code, self.QUIET_FOR_S)
        if t >= self.next_malformed and self.systems:
            code = self.systems[int(self.rng.integers(len(self.systems)))]
            self.next_malformed = t + self.MALFORMED_EVERY_S * self.rng.uniform(0.5, 1.5)
            malformed = {
                "id": f"demo-{self.owner[:6]}-bad-{int(t)}",
                "source": code,
                "level": "purple",
            }
            if self.broker is not None and self.broker.system in self.tokens:
                # Over MQTT the connector quarantines it: /governance shows the payload.
                self.broker.publish("alarms", {**malformed, "source": self.broker.system})
                self.sent += 1
                return
            self.client.post(
                "/api/v1/alarms",
                json=malformed,
                headers={"Authorization": f"Bearer {self.tokens.get(code, '')}"},
            )
            self.sent += 1

    def _readings(self, now: datetime) -> None:
        if self._is_quiet(READINGS_AS, now):
            return
        # The sensors in turn, 400 a tick: every one reports every few ticks (a random pick
        # left some unsampled long enough for the engine to call them 传感器离线).
        n = min(400, len(self.sensors))
        rows = [(self.next_sensor + k) % len(self.sensors) for k in range(n)]
        self.next_sensor = (self.next_sensor + n) % len(self.sensors)
        sample = self.sensors.iloc[rows]
        batch = []
        # Each excursion raises a threshold alarm or two on top of the feed's own: about as
        # many an hour as the history's sensor alarms (液位/温度/压力/气体超限, ~1 an hour),
        # not one every few seconds (0.0002 a reading came to ~100 an hour).
        excursion = self.EXCURSIONS_PER_HOUR * self.READING_EVERY_S / 3600 / max(len(sample), 1)
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
            if self.rng.random() < excursion:
                value = row.normal + span * self.rng.uniform(0.9, 1.4)  # an excursion
            # A working detector in clean air reads 0 %LEL, never -0.3: stay within what the
            # kind can read, so the screens' 传感器故障 stays for real faults.
            lo, hi = sensor_range(row.kind, row.unit)
            value = min(max(value, -math.inf if lo is None else lo), math.inf if hi is None else hi)
            self.values[row.id] = value
            batch.append(
                {"sensor_id": row.id, "ts": now.isoformat(), "value": round(float(value), 3)}
            )
        self._post("/api/v1/readings", batch, READINGS_AS)

    def _heartbeats(self, now: datetime) -> None:
        for code in self.systems:
            if self._is_quiet(code, now):
                continue
            beat = {"source": code, "at": now.isoformat()}
            if self.broker is not None and code == self.broker.system:
                self.broker.publish("heartbeat", beat)
                self.sent += 1
                continue
            self._post("/api/v1/heartbeat", beat, code)

    def _kind_for(self, level: str) -> int:
        """An alarm kind that raises `level` (by the kinds' level weights)."""
        lv = LEVELS.index(level)
        weights = np.array([k[3][lv] for k in ALARM_KINDS]) + 1e-9
        return int(self.rng.choice(len(ALARM_KINDS), p=weights / weights.sum()))

    def _alarm(self, now: datetime, planned: Planned) -> None:
        level = planned.level
        kind, site = self._kind_for(level), None
        if planned.burst is not None:
            # A burst is one plant's detectors going off one after another, each its own
            # alarm: its sensors in turn (a site each, so they do not merge into one).
            if planned.burst not in self.bursts:
                first = self.hazards.iloc[int(self.rng.integers(len(self.hazards)))]
                plant = self.hazards[self.hazards["enterprise_id"] == first["enterprise_id"]]
                sensors = self.sensors[self.sensors["hazard_source_id"].isin(plant["id"])]
                sites = [{"id": i, "enterprise": first["enterprise"]} for i in sensors["id"]]
                self.bursts = {planned.burst: (sites or [first.to_dict()], 0)}
            sites, n = self.bursts[planned.burst]
            self.bursts[planned.burst] = (sites, n + 1)
            hazchem = [i for i, k in enumerate(ALARM_KINDS) if k[0] == "hazchem"]
            kind, site = hazchem[n % len(hazchem)], sites[n % len(sites)]
        source, category, title, _weights = ALARM_KINDS[kind]
        if self._is_quiet(source, now):
            return
        self.alarm_seq += 1
        body: dict[str, Any] = {
            "id": f"demo-{self.owner[:6]}-{self.alarm_seq}",
            "source": source,
            "level": level,
            "category": category,
            "occurred_at": min(planned.at, now).isoformat(),
        }
        if source in ("hazchem", "iot", "supervision", "enforcement"):
            # A few hot spots repeat, so the wall shows merged repeats with a count.
            if site is None:
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
            hazards = weather_hazards(level, WEATHER)
            hazard = hazards[int(self.rng.integers(len(hazards)))] if hazards else ""
            body |= {
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "title": title.format(
                    district=district["name"], hazard=hazard, colour=LEVEL_NAMES[level]
                ),
            }
        body["detail"] = {"demo": True, "simulated": True}
        response = self.client.post(
            "/api/v1/alarms",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens.get(source, '')}"},
        )
        self.sent += 1
        # Only an alarm stored under its own id is the feed's; a repeat merged into another
        # alarm leaves that alarm alone.
        if response.status_code == 201 and response.get_json().get("alarm_id") == body["id"]:
            self.sources.alarms.demo_added(body["id"])
        elif response.status_code >= 400:
            log.warning(
                "demo feed: alarm refused (%s): %s", response.status_code, response.get_json()
            )

    def _lifecycle(self, now: datetime) -> None:
        """Acknowledge and close some of the feed's own alarms; nobody else's, ever."""
        own = self.sources.alarms.demo_ids()
        if not own:
            return
        alarms = self.sources.alarms.active(closed_window_s=0)
        for alarm_id in own - set(alarms["id"]):
            current = self.sources.alarms.get(alarm_id)
            if current is None or current["status"] == "closed":  # closed meanwhile: forget it
                self.sources.alarms.demo_closed(alarm_id)
        alarms = alarms[alarms["id"].isin(own) & alarms["detail"].map(_is_demo)]
        if alarms.empty:
            return
        age = (now - alarms["occurred_at"]).dt.total_seconds()
        for row, seconds in zip(alarms.itertuples(index=False), age):
            if row.status == "new" and seconds > 40 and self.rng.random() < 0.15:
                self._post(f"/api/v1/alarms/{row.id}/ack", {"by": OFFICER}, row.source)
            elif row.status == "acknowledged" and seconds > 150 and self.rng.random() < 0.1:
                self._close(row.id, row.source, "已处置完毕")
        # Keep the wall readable: never more than about forty open demo alarms.
        if len(alarms) > 40:
            oldest = alarms.sort_values("occurred_at").head(len(alarms) - 40)
            for row in oldest.itertuples(index=False):
                self._close(row.id, row.source, "演示数据自动关闭")

    def _close(self, alarm_id: str, source: str, note: str) -> None:
        path = f"/api/v1/alarms/{alarm_id}/close"
        if self._post(path, {"by": OFFICER, "note": note}, source) in (200, 404, 409):
            self.sources.alarms.demo_closed(alarm_id)

    def _commit_teams(self) -> None:
        """Teams sent to an open incident are `dispatched` until it closes: the live status
        agrees with the incident's 派出 entries, and the random walk leaves them alone."""
        status, committed = self.sources.status.team_status(), set()
        for incident_id in self.sources.incidents.listed("open")["id"]:
            timeline = self.sources.incidents.timeline(incident_id)
            committed |= set(sent_teams(timeline, self.teams)["id"])
        for team_id in committed:
            path = {"off": ("ready", "dispatched"), "dispatched": ()}
            for state in path.get(status.get(team_id, TEAM_DEFAULT), ("dispatched",)):
                self.sources.status.set_team_status(team_id, state, **DEMO_CHANGE)
        for team_id in getattr(self, "committed", set()) - committed:  # its incident closed
            if status.get(team_id) == "dispatched":
                self.sources.status.set_team_status(team_id, "returning", **DEMO_CHANGE)
        self.committed = committed

    def _teams_and_duty(self) -> None:
        sources = self.sources
        self._commit_teams()
        team_id = self.teams["id"].iloc[int(self.rng.integers(len(self.teams)))]
        current = sources.status.team_status().get(team_id, TEAM_DEFAULT)
        if team_id not in self.committed and (
            current != "ready" or self.rng.random() < TEAM_LEAVES_READY
        ):
            options = TEAM_TRANSITIONS[current]
            state = options[int(self.rng.integers(len(options)))]
            sources.status.set_team_status(team_id, state, **DEMO_CHANGE)
        for unit in self.units:
            if unit != self.slow_unit or self.rng.random() < 0.2:
                sources.status.checkin(unit)
        # District duty rooms answer a running roll call within a few ticks; the slow one
        # does not, so the duty room sees a roll call with someone flagged.
        state = sources.rollcall.state()
        if state:
            for unit in state["units"]:
                if (
                    unit not in state["answers"]
                    and unit != self.slow_unit
                    and self.rng.random() < 0.3
                ):
                    self._post("/api/v1/rollcall/answer", {"unit": unit}, "emergency")


def _is_demo(detail: Any) -> bool:
    return isinstance(detail, dict) and detail.get("demo") is True
