"""Operations endpoints: /healthz, /readyz, /metrics, /version.

/metrics is the official `prometheus_client`'s exposition: counters and histograms of this
process (or, under multi-worker gunicorn with PROMETHEUS_MULTIPROC_DIR, of every worker),
per registered upstream system (messages, rejects by reason, lateness, last heartbeat),
latency of HTTP requests and Dash callbacks, the process's own metrics, and gauges read from
Redis at each scrape.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import prometheus_client
import redis
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

import auth
from data_sources import get_sources, health
from vocabulary import LEVELS

if TYPE_CHECKING:
    from data_sources import Sources

log = logging.getLogger(__name__)
# Multi-worker gunicorn: PROMETHEUS_MULTIPROC_DIR set (and emptied) before the workers start.
MULTIPROC = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
prometheus_client.disable_created_metrics()
# This process's metrics; in multiprocess mode their values live in the shared directory.
REGISTRY = CollectorRegistry()
# CPU, memory, open files and GC of the process that answers.
_PROCESS = CollectorRegistry()
prometheus_client.ProcessCollector(registry=_PROCESS)
prometheus_client.PlatformCollector(registry=_PROCESS)
prometheus_client.GCCollector(registry=_PROCESS)

bp = Blueprint("ops", __name__)


def _build_id() -> str:
    """The same for every worker of one deployment, new when the code changes.

    A wall that sees it change reloads itself. Derived from the code and assets on disk (or
    APP_BUILD), never from the process, or a wall balanced over two workers would reload
    in a loop.
    """
    if os.environ.get("APP_BUILD"):
        return os.environ["APP_BUILD"]
    root = Path(__file__).resolve().parent
    digest = hashlib.sha1()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in {"var", "tests", "docs", "__pycache__"}
        )
        for name in sorted(files):
            if name.endswith((".py", ".js", ".css")):
                path = Path(folder) / name
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


BUILD = _build_id()

_lock = threading.Lock()
# Counters are made on first use by name (`count`), with the label names of that first use.
_counters: dict[str, Counter] = {}
# Per-system figures carry only registered systems' codes as labels: the caller proves it
# (a token bound to its system, or a connector configured for it), never a body's `source`.
MESSAGES = Counter(
    "se_system_messages",
    "Messages accepted from each upstream system, by kind and outcome.",
    ["system", "kind", "outcome"],
    registry=REGISTRY,
)
REJECTS = Counter(
    "se_system_rejects",
    "Messages refused from each upstream system, by reason (HTTP status, or quarantined).",
    ["system", "reason"],
    registry=REGISTRY,
)
LATENESS = Histogram(
    "se_system_lateness_seconds",
    "Arrival minus event time of each system's alarms.",
    ["system"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400),
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "se_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route (the rule, never the raw path) and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
CALLBACK_LATENCY = Histogram(
    "se_callback_duration_seconds",
    "Time to answer a Dash callback, by the callback's declared output.",
    ["callback"],
    registry=REGISTRY,
)
REASONS = {"400", "401", "403", "404", "405", "409", "413", "415", "422", "503", "quarantined"}


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Add to a Prometheus counter (`name` ends in _total), made on first use."""
    with _lock:
        counter = _counters.get(name)
        if counter is None:
            counter = Counter(name.removesuffix("_total"), name, sorted(labels), registry=REGISTRY)
            _counters[name] = counter
    try:
        (counter.labels(**labels) if labels else counter).inc(amount)
    except ValueError:  # other label names than the first use: a bug, never a crash
        log.warning("metric %s counted with labels %s", name, sorted(labels))


def _registered(sources: Sources, system: str | None) -> bool:
    try:
        return bool(system) and sources.systems.get(system) is not None
    except Exception:  # noqa: BLE001 - no registry, no label
        return False


def message(
    sources: Sources, system: str, kind: str, outcome: str, late_s: float | None = None
) -> None:
    """Count one message accepted from `system` (and its lateness), if it is registered."""
    if not _registered(sources, system):
        return
    MESSAGES.labels(system, kind, outcome).inc()
    if late_s is not None:
        LATENESS.labels(system).observe(max(0.0, late_s))


def reject(sources: Sources, system: str | None, reason: str) -> None:
    """Count one message refused from `system`, if it is registered; reasons are a fixed set."""
    if not _registered(sources, system):
        return
    REJECTS.labels(system, reason if reason in REASONS else "other").inc()


class _LiveCollector:
    """Figures read from Redis and the warehouse at each scrape, so they are the same
    whichever worker answers: up, persistence, active alarms, heartbeats of registered systems."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):  # noqa: ANN201
        with self.app.app_context():
            sources = get_sources()
            status = sources.readiness()
            up = GaugeMetricFamily(
                "se_up", "1 while the backing service answers.", labels=["service"]
            )
            for name, state in status.items():
                up.add_metric([name], int(state == "ok"))
            yield up
            if status["redis"] != "ok":
                return
            yield GaugeMetricFamily(
                "se_redis_persistent",
                "1 while Redis keeps what it acknowledges (AOF, or the exempt embedded store).",
                value=int(sources.durability.check().durable),
            )
            active = GaugeMetricFamily(
                "se_active_alarms", "Alarms not closed, by level.", labels=["level"]
            )
            counts = sources.alarms.level_counts()
            for level in LEVELS:
                active.add_metric([level], counts[level])
            yield active
            try:
                registered = set(sources.systems.all()["code"])
            except Exception:  # noqa: BLE001 - warehouse down: no per-system labels at all
                registered = set()
            beats = {k: v for k, v in sources.status.heartbeats().items() if k in registered}
            now = time.time()
            age = GaugeMetricFamily(
                "se_heartbeat_age_seconds",
                "Seconds since each registered system's last heartbeat.",
                labels=["source"],
            )
            last = GaugeMetricFamily(
                "se_system_last_heartbeat_timestamp_seconds",
                "When each registered system last sent a heartbeat (epoch s).",
                labels=["system"],
            )
            for code, at in sorted(beats.items()):
                age.add_metric([code], round(now - at, 1))
                last.add_metric([code], at)
            yield age
            yield last


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", build=BUILD)


@bp.get("/readyz")
def readyz():
    """Ready: Redis reachable and keeping what it acknowledges (AOF), the warehouse reachable,
    and the live state restored (`restoring` while the archiver refills an emptied Redis)."""
    ready, persistence, status = health.readiness(get_sources())
    return jsonify(ready=ready, persistence=persistence, **status), 200 if ready else 503


def refuse_ingest_unless_durable():
    """Answer a write to the ingest API with 503 while Redis would not keep it (no AOF, or
    unreachable): a 2xx promises that the data survives the loss of any one process."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    reason = get_sources().durability.refusal()
    if reason is None:
        return None
    count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status="503")
    return jsonify(error=reason, field=None), 503, {"Retry-After": "5"}


def confirm_ingest_replicated(response: Response) -> Response:
    """Turn an ingest write's 2xx into 503 while its data is on fewer replicas than
    REDIS_WAIT_REPLICAS asks (data_sources/durability.py): a 2xx promises it survives."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not 200 <= response.status_code < 300:
        return response
    try:
        reason = get_sources().durability.unreplicated()
    except redis.RedisError as exc:
        reason = f"the live state (Redis) is unreachable: {type(exc).__name__}"
    if reason is None:
        return response
    count("se_ingest_rejected_total", endpoint=request.endpoint or "?", status="503")
    refused = jsonify(error=reason, field=None)
    refused.status_code = 503
    refused.headers["Retry-After"] = "1"
    return refused


@bp.get("/version")
def version():
    return jsonify(build=BUILD)


@bp.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    if MULTIPROC:
        # gunicorn's workers each write their counters to PROMETHEUS_MULTIPROC_DIR; any worker
        # sums them all, so /metrics is right whichever worker answers.
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(_LiveCollector(current_app._get_current_object()))
    registry.register(_Forward(_PROCESS))
    # The 0.0.4 text format: what every Prometheus server scrapes, and what this names.
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})


class _Forward:
    """Expose another registry's metrics in this one."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self):  # noqa: ANN201
        yield from self.source.collect()


def _observe_start() -> None:
    g.ops_started = time.perf_counter()


def _observe_end(response: Response) -> Response:
    started = g.pop("ops_started", None)
    if started is None:
        return response
    spent = time.perf_counter() - started
    rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
    HTTP_LATENCY.labels(request.method, rule, str(response.status_code)).observe(spent)
    if request.path.endswith("/_dash-update-component"):
        body = request.get_json(silent=True) if request.is_json else None
        output = body.get("output") if isinstance(body, dict) else None
        known = current_app.extensions.get(auth.CALLBACKS, {})
        CALLBACK_LATENCY.labels(output if output in known else "unknown").observe(spent)
    return response


def _redis_down(exc: Exception):
    # Redis went away mid-request (after the durability gate let it in): nothing was
    # acknowledged, and the caller should retry, which a 503 says and a 500 would not.
    count("se_redis_unavailable_total")
    return jsonify(error=f"the live state (Redis) is unavailable: {type(exc).__name__}"), 503


def init_app(server: Flask) -> None:
    server.register_blueprint(bp)
    server.before_request(_observe_start)
    server.after_request(_observe_end)
    for error in (redis.ConnectionError, redis.TimeoutError):
        server.register_error_handler(error, _redis_down)
