"""What the benchmarks share: the app under gunicorn as production runs it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def gunicorn_app(workers: int, port: int, threads: int = 8) -> list[str]:
    """The command line of `app:server` under gunicorn on 127.0.0.1:`port`."""
    return [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "app:server",
    ]
