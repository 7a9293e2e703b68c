"""What every benchmark needs: a disposable PostgreSQL database, the project's gunicorn on a free
port of 127.0.0.1, process CPU and memory read from /proc, and the target lines.

Not a benchmark itself (``make bench`` skips ``bench/_*.py``). It runs with the project's
interpreter (psycopg comes from there) and imports nothing from the project, so that a
benchmark's own process stays a client: the servers are separate processes, as in production.
The database and the server come from ``tools/servers.py``, shared with the conformance run;
a Celery broker (and cache) from a Redis database nobody else uses.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: tools/ is found from the repository root

from tools.servers import (  # noqa: E402 - after the path above
    Server,
    ServerError,
    children,
    connect,
    database_url,
    free_port,
    fresh_postgres_database,
    manage,
    redact,
    running_gunicorn,
    say,
    server_environment,
    stop,
)

__all__ = [
    "BenchError",
    "Server",
    "children",
    "connect",
    "database_url",
    "free_port",
    "fresh_postgres_database",
    "manage",
    "redact",
    "running_gunicorn",
    "say",
    "server_environment",
    "stop",
]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


# The disposable database and server are the conformance run's too: one implementation.
BenchError = ServerError


# --- a Celery broker of our own ----------------------------------------------------------------

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@dataclass(frozen=True)
class Broker:
    url: str
    client: redis.Redis

    def queued(self) -> int:
        return int(self.client.llen("celery"))

    def purge(self) -> None:
        """Forget every message, binding and cached key (only this run uses the database)."""
        self.client.flushdb()


@contextmanager
def redis_broker() -> Iterator[Broker]:
    """A database of the local Redis with no keys (other runs may be using the others), as
    the Celery broker; its keys deleted when the block ends."""
    try:
        client = redis.Redis(REDIS_HOST, REDIS_PORT, socket_timeout=5)
        used = set(client.info("keyspace"))
        count = int(client.config_get("databases").get("databases", 16))
    except redis.RedisError as exc:
        raise BenchError(f"Redis cannot be reached at {REDIS_HOST}:{REDIS_PORT}: {exc}") from exc
    # 0 and 1 are the project's own (cache, and the broker of CI and `make worker`): a bench
    # worker there would take the test suite's tasks.
    free = [n for n in range(2, count) if f"db{n}" not in used]
    if not free:
        raise BenchError("Every Redis database holds keys: none is free for the broker")
    number = random.Random(os.getpid()).choice(free)  # noqa: S311 - not a secret
    broker = Broker(
        f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}",
        redis.Redis(REDIS_HOST, REDIS_PORT, db=number, socket_timeout=10),
    )
    try:
        yield broker
    finally:
        broker.purge()


# --- the store builders (bench/_*_store.py) ----------------------------------------------------


def run_builder(
    script: str, *args: str, env: dict[str, str], output: Path, what: str
) -> dict[str, Any]:
    """Run ``bench/<script>`` with the project's settings and these arguments (the last one
    ``output``); the JSON it wrote there. ``what`` names the step in the error."""
    result = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(REPO / "bench" / script), *args, str(output)],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"Building {what} failed (exit status {result.returncode})")
    written: dict[str, Any] = json.loads(output.read_text())
    return written


# --- /proc ----------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each process (utime and stime, fields 14 and 15 of stat)."""
    times = {}
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


def rss_bytes(pid: int) -> int:
    """Resident set size now (statm's second field)."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES


@dataclass
class CpuMeter:
    """CPU seconds a set of processes spent between ``start`` and ``stop``; processes are found
    again at each reading (a process that appears in between counts from zero)."""

    find: Callable[[], list[int]]
    before: dict[int, float] = field(default_factory=dict)

    def start(self) -> None:
        self.before = cpu_seconds(self.find())

    def seconds(self) -> float:
        after = cpu_seconds(self.find())
        return sum(max(0.0, t - self.before.get(pid, 0.0)) for pid, t in after.items())


# --- targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    measure: str
    figure: float
    unit: str
    op: str  # ">=", "<=" or "=="
    value: float

    @property
    def ok(self) -> bool:
        if self.op == ">=":
            return self.figure >= self.value
        if self.op == "<=":
            return self.figure <= self.value
        return self.figure == self.value

    def line(self) -> str:
        return (
            f"{self.measure}: {_number(self.figure)} {self.unit} "
            f"(target {self.op} {_number(self.value)}) {'ok' if self.ok else 'MISS'}"
        )


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"


def report(targets: list[Target]) -> int:
    """Print one line per target, last; the exit status: 1 if any line says MISS."""
    for target in targets:
        say(target.line())
    return 0 if all(t.ok for t in targets) else 1
