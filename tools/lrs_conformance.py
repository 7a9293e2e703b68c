"""Run ADL's LRS conformance test suite against a disposable copy of the LRS and report.

    LRS_SUITE_DIR=/path/to/lrs-conformance-test-suite make conformance

Steps: ``npm install`` in the suite when ``node_modules`` is missing; a fresh database
(PostgreSQL ``lms_conformance_<pid>`` on the server of ``DATABASE_URL``, or SQLite in a temporary
directory when PostgreSQL cannot be reached); migrations; a credential made with
``manage.py lrs_client_create``; gunicorn on a free port of 127.0.0.1; the suite's console runner
for xAPI 1.0.3 and then 2.0.0. The server is stopped and the database dropped whatever happens.

One line per tree, ``conformance <version>: N passed, M failed``, counted from the JSON log the
runner writes to ``<suite>/logs/<uuid>.log`` (its exit code is the failure count modulo 256, so
it is not used). Exit status: 0 when both trees ran, failures or not (this is a report); 1 when
something could not run.

It runs with the project's interpreter; the disposable database and server come from
``tools/servers.py``, shared with the benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: the tools package is found from the root

from tools.servers import (  # noqa: E402 - after the path above
    ServerError,
    database_url,
    free_port,
    fresh_postgres_database,
    manage,
    postgres_reachable,
    running_gunicorn,
    say,
    server_environment,
    stop,
)

VERSIONS = ("1.0.3", "2.0.0")
# One database per run: two runs on one machine must not drop each other's database.
DATABASE_NAME = f"lms_conformance_{os.getpid()}"
LOG_LINE = re.compile(r"Full run log written to (?P<path>\S+\.log)")


class ConformanceError(Exception):
    """Something the run needs could not be done; the message says what."""


# Where the 1.0.3 suite asks more than the spec. Communication 3.1 asks the LRS for a 409 when a
# PUT without If-Match/If-None-Match finds the document already there; for a new profile it asks
# nothing of the LRS (the header is the client's duty), and tincan, a client this project
# serves, never sends one. These tests PUT a new profile without a header and expect a 400.
SUITE_STRICTER_THAN_SPEC = (
    "PUT request without an ETag header returns an error code and message",
    "fails without ETag header",
)


@dataclass
class TreeResult:
    version: str
    passed: int
    failed: int
    log_path: Path
    console_path: Path
    failures: list[str] = field(default_factory=list)


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


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A new, empty PostgreSQL database for the run (dropped when it ends), or a temporary
    SQLite file when PostgreSQL cannot be reached."""
    if postgres_reachable(database_url(DATABASE_NAME)):
        with fresh_postgres_database(DATABASE_NAME) as url:
            yield url
        return
    say("PostgreSQL is unreachable: falling back to a temporary SQLite database")
    yield f"sqlite:///{workdir / 'conformance.sqlite3'}"  # removed with workdir


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
            fresh_database(Path(tmp)) as url,
        ):
            port = free_port()
            # New connections per request: the suite's many parallel requests need no pool.
            env = server_environment(
                database_url=url, port=port, var_dir=Path(tmp) / "var", DATABASE_CONN_MAX_AGE="0"
            )
            manage("migrate", "--noinput", env=env)
            credentials = {version: create_credential(env, version=version) for version in VERSIONS}
            server_log = output_dir / "server.log"
            with running_gunicorn(
                port=port, env=env, log_path=server_log, ready_path="/xapi/about", access_log=True
            ) as server:
                base = server.base
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
    except (ConformanceError, ServerError) as exc:
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
        stricter = [t for t in result.failures if any(k in t for k in SUITE_STRICTER_THAN_SPEC)]
        note = (
            f" ({len(stricter)} where the suite refuses what the spec allows: a new profile PUT"
            " without preconditions, see SUITE_STRICTER_THAN_SPEC)"
            if stricter
            else ""
        )
        say(f"conformance {result.version}: {result.passed} passed, {result.failed} failed{note}")


if __name__ == "__main__":
    sys.exit(main())
