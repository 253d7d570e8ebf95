"""The durability promise under fault: a 2xx from the ingest API means the data survives.

The production shape, every part a real process of this test's own: Redis with AOF
(127.0.0.1:6414), a PostgreSQL cluster (initdb, 127.0.0.1:5441; both ports + 20 per
pytest-xdist worker, tests/servers.py worker_port), the app under gunicorn, the
archiver (`python -m archiver`) and the threshold engine (`python -m thresholds`). A load
thread posts alarms, acks, closes and readings (about 30 requests/s) and writes down every
one that got a 2xx. Then a fault, the load going on through it, and once the archiver has
drained its streams: every alarm, transition and reading that got a 2xx is in the warehouse
exactly once (and nothing that got no 2xx is there twice).

`pytest -m faults` selects these; `make test` runs them with the rest.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import requests

from archiver import GROUP
from data_sources import build_sources, keys
from settings import ROOT, Settings
from tests.helpers import seed_minimal_registry
from tests.servers import PostgresCluster, RedisServer, wait_until, worker_port

pytestmark = [pytest.mark.faults, pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

REDIS_PORT = worker_port(6414)
PG_PORT = worker_port(5441)
SECRET = "fault-test-token-0123456789"
SYSTEM_TOKEN = f"hazchem:{SECRET}"
SENSORS = ("H0001-L1", "H0001-T1", "H0001-G1")
NORMAL = {"H0001-L1": 55.0, "H0001-T1": 25.0, "H0001-G1": 2.0}


def _bearer() -> str:
    # INGEST_TOKENS is `token,...` on some branches and `system:token,...` on others: the
    # same setting value works for both, the bearer is what the parser made of it.
    tokens = Settings.load({"INGEST_TOKENS": SYSTEM_TOKEN}).INGEST_TOKENS
    return SYSTEM_TOKEN if SYSTEM_TOKEN in tuple(tokens) else SECRET


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """One process of the stack, in its own process group (kill -9 takes all of it)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Proc:
        out = open(self.log, "a")  # noqa: SIM115 - the child holds it
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
        )
        out.close()
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Stack:
    redis: RedisServer
    pg: PostgresCluster
    app: Proc
    archiver: Proc
    thresholds: Proc
    url: str
    sources: object
    bearer: str

    @property
    def r(self) -> redis.Redis:
        return self.sources.redis

    def start_app(self) -> None:
        self.app.start()
        try:
            wait_until("the app answers /healthz", self._healthy, timeout=180)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.app.log.read_text()[-3000:]}") from None

    def _healthy(self) -> bool:
        return requests.get(self.url + "/healthz", timeout=2).status_code == 200

    def ready(self) -> dict:
        return requests.get(self.url + "/readyz", timeout=5).json()

    def drained(self) -> bool:
        """The archiver has written and acknowledged everything in both streams."""
        for stream in (keys.ALARM_STREAM, keys.READING_STREAM):
            groups = {g["name"]: g for g in self.r.xinfo_groups(stream)}
            group = groups.get(GROUP)
            if group is None or group["pending"] or group.get("lag"):
                return False
            last = self.r.xinfo_stream(stream)["last-generated-id"]
            if group["last-delivered-id"] != last:
                return False
        return True


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("fault-logs")
    rds = RedisServer(REDIS_PORT).start()
    pg = PostgresCluster(PG_PORT).start()
    settings = Settings.load({"REDIS_URL": rds.url, "WAREHOUSE_URL": pg.url, "DATA_DIR": str(logs)})
    sources = build_sources(settings)  # migrates the warehouse
    seed_minimal_registry(sources.warehouse)
    port = _free_port()
    env = os.environ | {
        "REDIS_URL": rds.url,
        "WAREHOUSE_URL": pg.url,
        "INGEST_TOKENS": SYSTEM_TOKEN,
        "AUTH_REQUIRED": "0",
        "DEMO_FEED": "0",
        "INPROCESS_WORKERS": "0",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(logs),
        "SECRET_KEY": "fault-test-secret",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_VOLATILE_OK", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    app_argv = [gunicorn, "--workers", "1", "--threads", "8", "--bind", f"127.0.0.1:{port}"]
    built = Stack(
        redis=rds,
        pg=pg,
        app=Proc("app", [*app_argv, "--timeout", "60", "app:server"], env, logs),
        archiver=Proc("archiver", [sys.executable, "-m", "archiver"], env, logs),
        thresholds=Proc("thresholds", [sys.executable, "-m", "thresholds"], env, logs),
        url=f"http://127.0.0.1:{port}",
        sources=sources,
        bearer=_bearer(),
    )
    try:
        built.archiver.start()
        built.thresholds.start()
        built.start_app()
        wait_until("/readyz is 200", lambda: built.ready()["ready"], timeout=60)
        yield built
    finally:
        for proc in (built.app, built.archiver, built.thresholds):
            proc.kill()
        sources.redis.close()
        sources.warehouse.engine.dispose()
        pg.stop()
        rds.stop()


# --- the load ------------------------------------------------------------------------


@dataclass
class Load:
    """Posts alarms, acks, closes and readings until stopped; counts every 2xx."""

    stack: Stack
    prefix: str
    rate: float = 30.0  # requests per second, all kinds together
    closes: bool = True
    ok: dict[str, set] = field(default_factory=lambda: {"new": set(), "ack": set(), "close": set()})
    tried: dict[str, set] = field(
        default_factory=lambda: {"new": set(), "ack": set(), "close": set()}
    )
    readings_ok: set = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"load-{self.prefix}", daemon=True)
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {self.stack.bearer}"
        self._rng = random.Random(self.prefix)
        self._n = 0

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def post(self, path: str, body: object) -> int:
        try:
            answer = self._session.post(self.stack.url + path, json=body, timeout=5)
            status = answer.status_code
        except requests.RequestException:
            status = 0  # no answer: the request may or may not have been stored
        self.statuses[status] += 1
        return status

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self._step()
            self._stop.wait(max(0.0, 3 / self.rate - (time.monotonic() - started)))

    def _step(self) -> None:
        n, self._n = self._n, self._n + 1
        alarm_id = f"{self.prefix}-{n:05d}"
        self.tried["new"].add(alarm_id)
        body = {
            "id": alarm_id,
            "source": "hazchem",
            "level": self._rng.choice(["red", "orange", "yellow", "blue"]),
            "category": f"故障测试{self.prefix}{n}",  # its own: never merged into another
            "title": f"故障注入测试告警 {alarm_id}",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lon": 120.62,
            "lat": 31.31,
        }
        if self.post("/api/v1/alarms", body) == 201:
            self.ok["new"].add(alarm_id)
        # Readings: one per sensor, a distinct millisecond each.
        now_ms = int(time.time() * 1000)
        batch = [
            (sensor, now_ms + i, round(NORMAL[sensor] + self._rng.uniform(-1, 1), 3))
            for i, sensor in enumerate(SENSORS)
        ]
        readings = [
            {"sensor_id": s, "ts": datetime.fromtimestamp(t / 1000, UTC).isoformat(), "value": v}
            for s, t, v in batch
        ]
        if self.post("/api/v1/readings", readings) == 202:
            self.readings_ok.update((s, t) for s, t, _ in batch)
        # One transition: acknowledge a new alarm, or close one.
        op = "ack" if n % 2 or not self.closes else "close"
        candidates = sorted(self.ok["new"] - self.tried["ack"] - self.tried["close"])
        if op == "close":
            candidates = sorted(self.ok["new"] - self.tried["close"])
        if candidates:
            target = self._rng.choice(candidates[-50:])
            self.transition(target, op)

    def transition(self, alarm_id: str, op: str) -> int:
        self.tried[op].add(alarm_id)
        status = self.post(f"/api/v1/alarms/{alarm_id}/{op}", {"by": "故障测试值班员"})
        if status == 200:
            self.ok[op].add(alarm_id)
        return status


def verify(stack: Stack, load: Load) -> None:
    """Every 2xx of `load` is in the warehouse exactly once; nothing is there twice."""
    wait_until("the archiver drained its streams", stack.drained, timeout=90, every=0.25)
    wh = stack.sources.warehouse
    pattern = f"{load.prefix}-%"
    history = wh.query(
        "SELECT id, status FROM alarm_history WHERE id LIKE :p", {"p": pattern}
    ).set_index("id")["status"]
    events = wh.query(
        "SELECT alarm_id, op FROM alarm_events WHERE alarm_id LIKE :p", {"p": pattern}
    )
    counts = Counter(zip(events["alarm_id"], events["op"]))
    ops = {"new": "new", "ack": "acknowledged", "close": "closed"}
    assert load.ok["new"], f"no alarm was accepted at all: {load.statuses}"
    missing = sorted(load.ok["new"] - set(history.index))
    assert not missing, f"{len(missing)} accepted alarms are not in the warehouse: {missing[:5]}"
    for kind, op in ops.items():
        lost = sorted(a for a in load.ok[kind] if counts[(a, op)] != 1)
        assert not lost, f"{kind}: {len(lost)} with a 2xx not stored exactly once: {lost[:5]}"
    doubled = sorted(k for k, v in counts.items() if v > 1)
    assert not doubled, f"stored twice: {doubled[:5]}"
    unclosed = sorted(a for a in load.ok["close"] if history[a] != "closed")
    assert not unclosed, f"closed with a 2xx, not closed in the warehouse: {unclosed[:5]}"
    since = datetime.fromtimestamp(min(t for _, t in load.readings_ok) / 1000, UTC)
    frame = wh.query(
        "SELECT sensor_id, ts FROM reading_history WHERE ts >= :since", {"since": since}
    )
    stored = Counter(
        (s, int(round(t.timestamp() * 1000)))
        for s, t in zip(frame["sensor_id"], pd_times(frame["ts"]))
    )
    lost = sorted(load.readings_ok - set(stored))
    assert not lost, f"{len(lost)} of {len(load.readings_ok)} accepted readings lost: {lost[:3]}"
    print(
        f"{load.prefix}: answers {dict(load.statuses)}; with a 2xx and in the warehouse once: "
        f"{len(load.ok['new'])} alarms, {len(load.ok['ack'])} acks, {len(load.ok['close'])} "
        f"closes, {len(load.readings_ok)} readings"
    )


def pd_times(column) -> list[datetime]:  # noqa: ANN001
    import pandas as pd

    return [t.to_pydatetime() for t in pd.to_datetime(column, utc=True, format="ISO8601")]


def run_for(seconds: float) -> None:
    time.sleep(seconds)


# --- the faults ----------------------------------------------------------------------


def test_postgres_down_then_redis_killed_and_restarted_then_postgres_up_loses_nothing(
    stack: Stack,
) -> None:
    with Load(stack, "PGR") as load:
        run_for(3)
        stack.pg.kill()
        run_for(4)  # accepted into Redis only: the archiver waits for the warehouse
        stack.redis.kill()
        run_for(1)
        stack.redis.start()  # from its AOF
        run_for(3)
        stack.pg.start()
        run_for(3)
    # The load went through the faults: it was accepted while the warehouse was down.
    assert load.statuses[201] > 0 and load.statuses[200] > 0, load.statuses
    verify(stack, load)


@pytest.mark.parametrize("victim", ["redis", "postgres", "app", "archiver", "thresholds"])
def test_kill_9_of_one_process_loses_nothing_that_got_a_2xx(stack: Stack, victim: str) -> None:
    with Load(stack, f"K{victim[:3].upper()}") as load:
        run_for(3)
        if victim == "redis":
            stack.redis.kill()
            run_for(1)
            stack.redis.start()
        elif victim == "postgres":
            stack.pg.kill()
            run_for(3)
            stack.pg.start()
        elif victim == "app":
            stack.app.kill()
            run_for(1)
            stack.start_app()
        else:
            proc = getattr(stack, victim)
            proc.kill()
            run_for(2)
            proc.start()
        run_for(3)
    verify(stack, load)
    if victim == "thresholds":
        # The engine came back and caught up with the readings it missed.
        wait_until(
            "the threshold engine caught up",
            lambda: all(
                g["pending"] == 0 and not g.get("lag")
                for g in stack.r.xinfo_groups(keys.READING_STREAM)
                if g["name"] == "thresholds"
            ),
            timeout=60,
        )


def test_redis_restarted_empty_takes_closes_during_the_restore_and_keeps_them(
    stack: Stack,
) -> None:
    with Load(stack, "EMP", closes=False) as before:
        run_for(4)
    wait_until("the archiver drained its streams", stack.drained, timeout=90, every=0.25)
    still_open = sorted(before.ok["new"] - before.tried["close"])
    assert still_open

    # Redis comes back with nothing (its AOF deleted); the archiver is held off the restore
    # (the test holds its lease) so that the closes below arrive while it is pending.
    stack.archiver.kill()
    stack.redis.kill()
    stack.redis.wipe()
    stack.redis.start()
    stack.r.set(keys.lock("archiver-restore"), "the-test", px=120_000)
    stack.archiver.start()
    wait_until("/readyz says restoring", lambda: stack.ready()["live_state"] == "restoring")

    with Load(stack, "EMQ") as during:
        closes = {a: before.transition(a, "close") for a in still_open}
        assert stack.ready()["live_state"] == "restoring"  # all of them during the restore
        stack.r.delete(keys.lock("archiver-restore"))
        wait_until("/readyz is 200 again", lambda: stack.ready()["ready"], timeout=60)
        run_for(2)
    assert set(closes.values()) == {200}, Counter(closes.values())

    verify(stack, before)
    verify(stack, during)
    live = stack.sources
    for alarm_id in still_open:
        assert live.alarms.get(alarm_id)["status"] == "closed", alarm_id
    # Everything the warehouse knows as open is on the wall again.
    active = set(live.redis.zrange(keys.ALARMS_ACTIVE, 0, -1))
    expected = (before.ok["new"] - before.ok["close"] - before.tried["close"]) & set(
        stack.sources.warehouse.query(
            "SELECT id FROM alarm_history WHERE status <> 'closed' AND id LIKE 'EMP-%'"
        )["id"]
    )
    assert expected <= active
