"""Operations endpoints: /healthz, /readyz, /metrics, /version."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import Counter
from pathlib import Path

import redis
from flask import Blueprint, Flask, Response, jsonify, request

from data_sources import get_sources
from data_sources.live import LEVELS

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
_counters: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Add to a Prometheus counter (process-local)."""
    with _lock:
        _counters[(name, tuple(sorted(labels.items())))] += amount


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok", build=BUILD)


@bp.get("/readyz")
def readyz():
    """Ready: Redis reachable and keeping what it acknowledges (AOF), the warehouse reachable,
    and the live state restored (`restoring` while the archiver refills an emptied Redis)."""
    sources = get_sources()
    status = sources.readiness()
    persistence = "unknown: Redis unreachable"
    status["live_state"] = "unknown: Redis unreachable"
    if status["redis"] == "ok":
        try:
            status["redis"], persistence = sources.durability.readiness()
            status["live_state"] = "ok" if sources.live.is_restored() else "restoring"
        except Exception as exc:  # noqa: BLE001 - Redis went away between the two checks
            status["redis"] = f"{type(exc).__name__}: {exc}"[:200]
    ready = all(v == "ok" for v in status.values())
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


@bp.get("/version")
def version():
    return jsonify(build=BUILD)


@bp.get("/metrics")
def metrics():
    sources = get_sources()
    lines = []
    with _lock:
        items = sorted(_counters.items())
    seen = set()
    for (name, labels), value in items:
        if name not in seen:
            lines.append(f"# TYPE {name} counter")
            seen.add(name)
        label_text = ",".join(f'{k}="{v}"' for k, v in labels)
        lines.append(f"{name}{{{label_text}}} {value}")
    status = sources.readiness()
    lines.append("# TYPE se_up gauge")
    for name, state in status.items():
        lines.append(f'se_up{{service="{name}"}} {int(state == "ok")}')
    if status["redis"] == "ok":
        # 1 while Redis keeps what it acknowledges (AOF, or the exempt embedded store).
        lines.append("# TYPE se_redis_persistent gauge")
        lines.append(f"se_redis_persistent {int(sources.durability.check().durable)}")
        counts = sources.live.level_counts()
        lines.append("# TYPE se_active_alarms gauge")
        lines += [f'se_active_alarms{{level="{lvl}"}} {counts[lvl]}' for lvl in LEVELS]
        now = time.time()
        lines.append("# TYPE se_heartbeat_age_seconds gauge")
        for source, at in sorted(sources.live.heartbeats().items()):
            lines.append(f'se_heartbeat_age_seconds{{source="{source}"}} {now - at:.1f}')
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


def _redis_down(exc: Exception):
    # Redis went away mid-request (after the durability gate let it in): nothing was
    # acknowledged, and the caller should retry, which a 503 says and a 500 would not.
    count("se_redis_unavailable_total")
    return jsonify(error=f"the live state (Redis) is unavailable: {type(exc).__name__}"), 503


def init_app(server: Flask) -> None:
    server.register_blueprint(bp)
    for error in (redis.ConnectionError, redis.TimeoutError):
        server.register_error_handler(error, _redis_down)
