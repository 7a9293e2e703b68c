"""What every benchmark needs: a disposable PostgreSQL database, the project's gunicorn on a free
port of 127.0.0.1, process CPU and memory read from /proc, and the target lines.

Not a benchmark itself (``make bench`` skips ``bench/_*.py``). It runs with the project's
interpreter (psycopg comes from there) and imports nothing from the project, so that a
benchmark's own process stays a client: the servers are separate processes, as in production.
The approach is the one of ``tools/lrs_conformance.py``.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class BenchError(Exception):
    """Something the run needs could not be done; the message says what."""


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - benchmarks report on stdout


# --- database -------------------------------------------------------------------------------


def database_url(name: str) -> str:
    """The benchmark database's URL: the server (and credentials) of ``DATABASE_URL`` when it is
    a PostgreSQL one, with the database name replaced, so that the developer's own database is
    never the one dropped."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        base = DEFAULT_SERVER
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), **kwargs)  # type: ignore[arg-type]


def _drop_and_create(url: str, *, create: bool) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    try:
        connection = connect(maintenance, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL cannot be reached at {redact(maintenance)}: {exc}") from exc
    with connection:
        # FORCE (PostgreSQL 13+) ends connections a killed server may have left behind.
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the run; dropped when the block ends, whatever
    happens. Benchmarks measure PostgreSQL: there is no SQLite fallback."""
    url = database_url(name)
    _drop_and_create(url, create=True)
    say(f"Database: {redact(url)} (created)")
    try:
        yield url
    finally:
        _drop_and_create(url, create=False)
        say(f"Database {name} dropped")


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


# --- the project's processes ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(*, database_url: str, port: int, var_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off, persistent database connections) on the bench database."""
    env = dict(os.environ)
    # No broker: tasks run in-process. No Redis: the cache is per process. Nothing outlives us.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        STORAGE_BACKEND="local",
        LOG_FORMAT="console",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - our interpreter, our manage.py
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log_path: Path
    workers: int

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)


@contextmanager
def running_gunicorn(
    *, port: int, env: dict[str, str], log_path: Path, workers: int = 2, ready_path: str = "/"
) -> Iterator[Server]:
    """gunicorn serving the project on 127.0.0.1:port until the block ends (no access log: it
    would be part of what is measured)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [
                *command,
                "lms.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--timeout=120",
                "--backlog=256",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        server = Server(f"http://127.0.0.1:{port}", process, log_path, workers)
        try:
            _wait_until_answering(server, ready_path)
            yield server
        finally:
            stop(process)


def _wait_until_answering(server: Server, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with status {server.process.returncode}; see {server.log_path}:\n"
                + server.log_path.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(server.base + path, timeout=2):  # noqa: S310 - our URL
                pass
        except urllib.error.HTTPError:
            pass  # any HTTP answer, even an error, means the server is up
        except OSError:
            time.sleep(0.25)
            continue
        if len(server.worker_pids()) >= server.workers:
            return
        time.sleep(0.25)
    raise BenchError(f"gunicorn did not answer {path} within 60 s; see {server.log_path}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the process group the process leads (it was started in a session of its own)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # the group is already gone
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- /proc ----------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
    return sorted(found)


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
