"""Disposable copies of the project for the scripts that measure it from outside (the
conformance run, the benchmarks): a fresh PostgreSQL database, ``manage.py`` commands, and the
project's gunicorn on a free port of 127.0.0.1, each stopped or dropped when its block ends.

It runs with the project's interpreter (psycopg comes from there) but imports nothing from the
project: the servers are separate processes, as in production.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


class ServerError(Exception):
    """Something the run needs could not be done; the message says what."""


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - these scripts report on stdout


# --- database -------------------------------------------------------------------------------


def database_url(name: str) -> str:
    """A database ``name`` on the server (and with the credentials) of ``DATABASE_URL`` when it
    is a PostgreSQL one, else on the local server: never the developer's own database."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        base = DEFAULT_SERVER
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgres", path=f"/{name}"))


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), **kwargs)  # type: ignore[arg-type]


def postgres_reachable(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 3):
            return True
    except OSError:
        return False


def drop_database(url: str, *, create_again: bool = False) -> None:
    """Drop the database of ``url`` (and create it empty when ``create_again``)."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    try:
        connection = connect(maintenance, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise ServerError(f"PostgreSQL cannot be reached at {redact(maintenance)}: {exc}") from exc
    with connection:
        # FORCE (PostgreSQL 13+) ends connections a killed server may have left behind.
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create_again:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def fresh_postgres_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped when the block ends whatever happens."""
    url = database_url(name)
    drop_database(url, create_again=True)
    say(f"Database: {redact(url)} (created)")
    try:
        yield url
    finally:
        drop_database(url)
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


def server_environment(
    *, database_url: str, port: int, var_dir: Path, **overrides: str
) -> dict[str, str]:
    """Production settings (DEBUG off) on the given database, for a server on ``port``."""
    env = dict(os.environ)
    # No broker: tasks run in-process. No Redis: the cache is per process. Nothing outlives us.
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        MEDIA_SIGNING_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        STORAGE_BACKEND="local",
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)  # a caller's value wins over a default above (the shared media key)
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
        raise ServerError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])  # the 4th field: ppid
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
        if parent == pid:
            found.append(int(entry.name))
    return sorted(found)


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
    *,
    port: int,
    env: dict[str, str],
    log_path: Path,
    workers: int = 2,
    ready_path: str = "/",
    access_log: bool = False,
) -> Iterator[Server]:
    """gunicorn serving the project on 127.0.0.1:port until the block ends, once it answers
    ``ready_path`` with all its workers up."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    options = [f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--timeout=120"]
    options += ["--backlog=256"] + (["--access-logfile=-"] if access_log else [])
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [*command, "lms.wsgi", *options],
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
            raise ServerError(
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
    raise ServerError(f"gunicorn did not answer {path} within 60 s; see {server.log_path}")


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
