"""Run ADL's LRS conformance test suite against a disposable copy of the LRS and report.

    LRS_SUITE_DIR=/path/to/lrs-conformance-test-suite make conformance

Steps: ``npm install`` in the suite when ``node_modules`` is missing; a fresh database
(PostgreSQL named ``lms_conformance`` on the server of ``DATABASE_URL``, or SQLite in a temporary
directory when PostgreSQL cannot be reached); migrations; a credential made with
``manage.py lrs_client_create``; gunicorn on a free port of 127.0.0.1; the suite's console runner
for xAPI 1.0.3 and then 2.0.0. The server is stopped and the database dropped whatever happens.

One line per tree, ``conformance <version>: N passed, M failed``, counted from the JSON log the
runner writes to ``<suite>/logs/<uuid>.log`` (its exit code is the failure count modulo 256, so
it is not used). Exit status: 0 when both trees ran, failures or not (this is a report); 1 when
something could not run.

Standard library only: it runs with the project's interpreter but imports nothing from it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSIONS = ("1.0.3", "2.0.0")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lms_conformance"
DATABASE_NAME = "lms_conformance"
LOG_LINE = re.compile(r"Full run log written to (?P<path>\S+\.log)")

# Run by the project's interpreter in a child process: the driver is the project's dependency,
# this tool stays stdlib-only. Exit 3 means the server could not be reached.
POSTGRES_SCRIPT = """
import sys
import psycopg
from psycopg import sql

url, name, action = sys.argv[1:4]
try:
    connection = psycopg.connect(url, autocommit=True, connect_timeout=5)
except psycopg.OperationalError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
with connection:
    # FORCE (PostgreSQL 13+) ends connections a killed server may have left behind.
    connection.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )
    if action == "create":
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
"""


class ConformanceError(Exception):
    """Something the run needs could not be done; the message says what."""


@dataclass
class TreeResult:
    version: str
    passed: int
    failed: int
    log_path: Path
    console_path: Path
    failures: list[str] = field(default_factory=list)


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - this tool reports on stdout


def suite_dir_from_env() -> Path:
    value = os.environ.get("LRS_SUITE_DIR", "")
    if not value:
        raise ConformanceError(
            "LRS_SUITE_DIR is not set. Clone https://github.com/adlnet/lrs-conformance-test-suite "
            "outside this repository and run: LRS_SUITE_DIR=/path/to/it make conformance"
        )
    suite = Path(value).expanduser().resolve()
    if not (suite / "bin" / "console_runner.js").is_file():
        raise ConformanceError(
            f"LRS_SUITE_DIR={value} is not a checkout of the conformance suite "
            "(bin/console_runner.js is missing)"
        )
    return suite


def ensure_node_modules(suite: Path) -> None:
    if (suite / "node_modules").is_dir():
        return
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise ConformanceError(f"{tool} is not installed; the suite needs Node.js 20 and npm")
    say(f"Installing the suite's packages (npm install in {suite})...")
    result = subprocess.run(  # noqa: S603 - fixed command, no shell
        ["npm", "install", "--no-audit", "--no-fund"],  # noqa: S607 - npm from PATH on purpose
        cwd=suite,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ConformanceError(f"npm install failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_url() -> str:
    """The conformance database's URL: the server (and credentials) of ``DATABASE_URL`` when it
    is a PostgreSQL one, with the database name replaced so that the developer's own database
    is never the one dropped."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        return DEFAULT_DATABASE_URL
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE_NAME}"))


def postgres_reachable(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 3):
            return True
    except OSError:
        return False


def postgres(url: str, action: str) -> bool:
    """Drop the database, then create it when ``action`` is "create". False when the server
    could not be reached; ConformanceError on any other failure."""
    maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))
    result = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", POSTGRES_SCRIPT, maintenance, DATABASE_NAME, action],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 3:
        say(f"PostgreSQL refused the connection: {result.stderr.strip()}")
        return False
    if result.returncode != 0:
        raise ConformanceError(f"Could not {action} the database:\n{result.stderr}")
    return True


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A new, empty database for the run; dropped when the run ends."""
    url = postgres_url()
    if postgres_reachable(url) and postgres(url, "create"):
        say(f"Database: {redact(url)} (created)")
        try:
            yield url
        finally:
            postgres(url, "drop")
            say(f"Database {DATABASE_NAME} dropped")
        return
    say("PostgreSQL is unreachable: falling back to a temporary SQLite database")
    yield f"sqlite:///{workdir / 'conformance.sqlite3'}"  # removed with workdir


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def server_environment(*, database_url: str, port: int, workdir: Path) -> dict[str, str]:
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
        DATABASE_CONN_MAX_AGE="0",
        VAR_DIR=str(workdir / "var"),
        STORAGE_BACKEND="local",
        LOG_FORMAT="console",
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
        raise ConformanceError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def create_credential(env: dict[str, str], *, version: str) -> tuple[str, str]:
    """A credential for one tree: a client built for that xAPI version, as a real one is."""
    output = manage(
        "lrs_client_create",
        "--name",
        f"conformance {version}",
        "--read",
        "all",
        "--xapi-version",
        version,
        env=env,
    )
    values = dict(
        line.split(": ", 1)
        for line in output.splitlines()
        if line.startswith(("key: ", "secret: "))
    )
    if "key" not in values or "secret" not in values:
        raise ConformanceError(f"lrs_client_create printed no key and secret:\n{output}")
    return values["key"], values["secret"]


@contextmanager
def running_server(*, port: int, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """gunicorn serving the project on 127.0.0.1:port until the block ends."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [
                *command,
                "lms.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--timeout=120",
                "--access-logfile=-",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_answering(f"{base}/xapi/about", process=process, log_path=log_path)
            yield base
        finally:
            stop(process)


def wait_until_answering(url: str, *, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConformanceError(
                f"The server exited with status {process.returncode}; see {log_path}:\n"
                + log_path.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http URL
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer, even an error, means the server is up
        except OSError:
            time.sleep(0.25)
    raise ConformanceError(f"The server did not answer {url} within 60 s; see {log_path}")


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


def run_tree(
    *,
    suite: Path,
    version: str,
    endpoint: str,
    key: str,
    secret: str,
    output_dir: Path,
    timeout: int,
) -> TreeResult:
    """Run one tree of the suite and count its results from the JSON log the runner wrote."""
    console_path = output_dir / f"runner-{version}.txt"
    say(f"Running the {version} tests (runner output: {console_path})...")
    started = time.time()
    with console_path.open("w") as console:
        runner = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [  # noqa: S607 - node from PATH on purpose
                "node",
                "bin/console_runner.js",
                "-e",
                endpoint,
                "-a",
                "-u",
                key,
                "-p",
                secret,
                "-x",
                version,
            ],
            cwd=suite,
            stdout=console,
            stderr=subprocess.STDOUT,
            # Its own process group: the runner forks the mocha process, and both must go when
            # we stop early (timeout, Ctrl+C), not only the one we started.
            start_new_session=True,
        )
        try:
            # The exit code is the failure count modulo 256: not a verdict, so not read.
            runner.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ConformanceError(
                f"The {version} run did not finish within {timeout} s; see {console_path}"
            ) from exc
        finally:
            stop(runner)
    log_path = find_log(suite=suite, console_path=console_path, since=started)
    record = json.loads(log_path.read_text())
    if record.get("state") != "finished":
        raise ConformanceError(
            f"The {version} run ended in state {record.get('state')!r}; see {console_path}"
        )
    summary = record["summary"]
    return TreeResult(
        version=version,
        passed=int(summary["passed"] or 0),
        failed=int(summary["failed"] or 0),
        log_path=log_path,
        console_path=console_path,
        failures=list(failed_titles(record.get("log"))),
    )


def find_log(*, suite: Path, console_path: Path, since: float) -> Path:
    """The runner prints "Full run log written to <suite>/logs/<uuid>.log"; failing that, the
    newest log written there since the run started."""
    if match := LOG_LINE.search(console_path.read_text(errors="replace")):
        path = Path(match["path"])
        if path.is_file():
            return path
    candidates = [p for p in (suite / "logs").glob("*.log") if p.stat().st_mtime >= since]
    if not candidates:
        raise ConformanceError(f"The runner wrote no log; see {console_path}")
    return max(candidates, key=lambda p: p.stat().st_mtime)


def failed_titles(node: dict | None, trail: tuple[str, ...] = ()) -> Iterator[str]:
    """Titles of the failed tests, each under its suites ("suite > sub-suite > test"). A failed
    hook marks its suite failed without a failed child: the suite itself is listed then."""
    if not node:
        return
    title = (node.get("title") or "").strip()
    path = (*trail, title) if title else trail
    children = node.get("tests") or []
    if node.get("status") == "failed" and (
        node.get("error") or not any(c and c.get("status") == "failed" for c in children)
    ):
        error = (node.get("error") or "").strip().splitlines()
        yield " > ".join(path) + (f": {error[0]}" if error else "")
    for child in children:
        yield from failed_titles(child, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--failures", action="store_true", help="also print the titles of the failing tests"
    )
    parser.add_argument(
        "--timeout", type=int, default=3600, help="seconds allowed for each tree (default 3600)"
    )
    options = parser.parse_args(argv)

    results: list[TreeResult] = []
    try:
        suite = suite_dir_from_env()
        ensure_node_modules(suite)
        if shutil.which("node") is None:
            raise ConformanceError("node is not installed; the suite needs Node.js 20")
        output_dir = REPO / "var" / "conformance"
        output_dir.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.TemporaryDirectory(prefix="lrs-conformance-") as tmp,
            fresh_database(Path(tmp)) as database_url,
        ):
            workdir = Path(tmp)
            port = free_port()
            env = server_environment(database_url=database_url, port=port, workdir=workdir)
            manage("migrate", "--noinput", env=env)
            credentials = {version: create_credential(env, version=version) for version in VERSIONS}
            server_log = output_dir / "server.log"
            with running_server(port=port, env=env, log_path=server_log) as base:
                say(f"Server: {base} (log: {server_log})")
                for version in VERSIONS:
                    results.append(
                        run_tree(
                            suite=suite,
                            version=version,
                            endpoint=f"{base}/xapi",
                            key=credentials[version][0],
                            secret=credentials[version][1],
                            output_dir=output_dir,
                            timeout=options.timeout,
                        )
                    )
    except ConformanceError as exc:
        report(results, show_failures=options.failures)
        say(f"conformance: could not run: {exc}")
        return 1
    except KeyboardInterrupt:
        report(results, show_failures=options.failures)
        say("conformance: interrupted (server stopped, database dropped)")
        return 130
    report(results, show_failures=options.failures)
    return 0


def report(results: list[TreeResult], *, show_failures: bool) -> None:
    for result in results:
        if show_failures and result.failures:
            say(f"Failing tests ({result.version}):")
            for title in result.failures:
                say(f"  - {title}")
    for result in results:
        say(f"log {result.version}: {result.log_path} (runner output: {result.console_path})")
    for result in results:
        say(f"conformance {result.version}: {result.passed} passed, {result.failed} failed")


if __name__ == "__main__":
    sys.exit(main())
