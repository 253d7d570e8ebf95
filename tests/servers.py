"""Servers of a test's own, to break on purpose: a Redis and a PostgreSQL cluster.

Each runs as a real process on a port of the test's choosing, with its files in a fresh
directory; `kill()` is kill -9 (Redis) or `pg_ctl stop -m immediate` (PostgreSQL: a crash,
recovered from its WAL at the next start).

`make test` runs the suite with pytest-xdist (`pytest -n`): several workers at once, each
of which may run a test of the same module at the same time as another. A fixed port must
therefore come from `worker_port(base)`: `base` in a plain run, moved up per worker.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

# Fixed ports of the tests (6411..6414 test_ops/test_faults, 5441 test_faults, 25440 the read
# replica, 26400.. the sentinels; all below the ephemeral range, 32768-60999, where an outgoing
# connection may hold a port) stay at least this far apart per worker: worker gw1 gets base + 20, gw2 base + 40, ...
PORT_STRIDE = 20


def worker_index() -> int:
    """0 in a plain run; N for pytest-xdist's worker gwN (PYTEST_XDIST_WORKER)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def worker_port(base: int) -> int:
    """A fixed port of this worker's own: `base` in a plain run, base + 20*N on worker gwN."""
    return base + PORT_STRIDE * worker_index()


def wait_until(what: str, check, timeout: float = 30.0, every: float = 0.05):  # noqa: ANN001, ANN201
    """Poll `check()` until it returns something true; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class RedisServer:
    """redis-server on 127.0.0.1:`port`, with AOF unless `args` say otherwise."""

    def __init__(self, port: int, *args: str, aof: bool = True) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"se-redis-{port}-"))
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if aof else []
        self.args = ["--save", "", *persistence, *args]
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self, *extra: str) -> RedisServer:
        wait_until(f"port {self.port} free", lambda: _port_free(self.port), timeout=10)
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--dir", str(self.dir), "--logfile", str(self.dir / "log"), *self.args, *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=2)
        # PING answers LOADING while the AOF is read back: wait for a real command.
        wait_until(f"redis on {self.port}", lambda: client.dbsize() is not None, timeout=30)
        client.close()
        return self

    def kill(self) -> None:
        """kill -9: nothing flushed, nothing said goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def wipe(self) -> None:
        """Delete its files (AOF, RDB): the next start is empty."""
        for path in self.dir.iterdir():
            if path.name != "log":
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found under /usr/lib/postgresql")
    return found[-1]


class PostgresCluster:
    """A PostgreSQL cluster of its own (initdb), run as the postgres user, trust on loopback."""

    def __init__(self, port: int, standby_of: PostgresCluster | None = None) -> None:
        """`standby_of`: a streaming replica of that (running) cluster, by `pg_basebackup -R`;
        a hot standby, so it answers reads and refuses writes."""
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"se-pg-{port}-"))
        self.data = self.dir / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        root = os.geteuid() == 0
        self._as = ["runuser", "-u", "postgres", "--"] if root else []
        if root:
            shutil.chown(self.dir, "postgres", "postgres")
        if standby_of is None:
            # initdb's pg_hba lets loopback replication connections in with -A trust.
            command = [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres"]
            command += ["-A", "trust", "-E", "UTF8", "--no-sync"]
        else:
            command = [_pg_bin("pg_basebackup"), "-D", str(self.data), "-R", "-X", "stream"]
            command += ["-h", "127.0.0.1", "-p", str(standby_of.port), "-U", "postgres"]
            command += ["--no-sync"]
        subprocess.run([*self._as, *command], check=True, capture_output=True, cwd=self.dir)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                f"'{self.dir}'\nfsync = on\nshared_buffers = 32MB\nmax_connections = 60\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            )

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as, _pg_bin("pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def start(self) -> PostgresCluster:
        self._ctl("-l", str(self.dir / "log"), "-w", "-t", "60", "start")
        return self

    def kill(self) -> None:
        """`pg_ctl stop -m immediate`: every backend quits at once, no checkpoint."""
        self._ctl("-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
