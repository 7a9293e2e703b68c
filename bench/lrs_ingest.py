"""How fast the LRS stores and finds xAPI Video Profile statements.

    python bench/lrs_ingest.py [--store-size N] [--workers N]     (or: make bench)

Runs the real thing on 127.0.0.1: a fresh PostgreSQL database ``lms_bench_<pid>`` (on the server of
``DATABASE_URL``, postgres@127.0.0.1:5432 by default), migrations, an LRS credential from
``manage.py lrs_client_create``, and gunicorn with production settings (DEBUG off, persistent
database connections, 2 sync workers: the machine's 2 cores) and a Celery broker with no worker
(a Redis database nobody else uses): the progress engine's work is queued, not measured here
(``bench/progress.py`` measures it).

1. Ingest over HTTP: statements as the player sends them (one per POST, then batches of 100),
   from 1 and then 4 concurrent keep-alive clients. Statements per second, the gunicorn
   workers' CPU time per statement (from /proc, summed over the master's children) and
   PostgreSQL's, non-2xx answers; then the rows in the database are counted against the
   statements acknowledged.
2. A store of 1,000,000 statements built by the LRS's own row-building code and loaded with COPY
   (``bench/_lrs_store.py`` says how), then the typical queries over HTTP, each many times:
   a learner's statements for a verb, a registration, a verb since a date. Every answer is
   compared with the ids stored: a filter that returns nothing is a failure, not a fast query.
   The plan PostgreSQL chooses for each (EXPLAIN ANALYZE) is shown with its index.
3. Memory: a worker's peak RSS while answering pages of 10 and of the server's page size, for a
   query that matches hundreds of thousands of statements.

Ends with one line per target and exits 1 if any says MISS. The server is stopped and the
database dropped whatever happens.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import _video
from _harness import (
    REPO,
    BenchError,
    CpuMeter,
    Server,
    Target,
    connect,
    free_port,
    fresh_postgres_database,
    manage,
    redis_broker,
    report,
    run_builder,
    running_gunicorn,
    say,
    server_environment,
)

DATABASE_NAME = f"lms_bench_{os.getpid()}"  # one per run: parallel runs must not collide
PAGE_SIZE = int(os.environ.get("LRS_PAGE_SIZE", "100"))  # the server's default too
BATCH = 100
PHASE_SECONDS = 20  # a phase stops early when it has sent this long
QUERY_ROUNDS = 300  # requests per kind of query
QUERY_KINDS = {
    "agent_verb": "learner + verb",
    "registration": "registration",
    "verb_since": "verb since a date",
}


# --- an xAPI client -------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection refused, reset, timeout)
    body: bytes
    seconds: float


class LrsClient:
    """One keep-alive HTTP connection to the LRS, as one player or reporting tool has."""

    def __init__(self, base: str, key: str, secret: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}

    def send(self, method: str, path: str, body: bytes | None = None) -> Answer:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnects at the next request
            return Answer(0, b"", time.perf_counter() - started)
        return Answer(response.status, data, time.perf_counter() - started)

    def statements(self, params: dict[str, str]) -> Answer:
        return self.send("GET", "/xapi/statements?" + urllib.parse.urlencode(params))

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Credential:
    base: str
    key: str
    secret: str

    def client(self) -> LrsClient:
        return LrsClient(self.base, self.key, self.secret)


# --- ingest -----------------------------------------------------------------------------------


def fresh_statements(rng: random.Random, count: int, *, home_page: str) -> Iterator[dict]:
    """Video Profile statements of viewing sessions happening now, as players send them."""
    lessons = _video.catalogue()
    made = 0
    while made < count:
        session = _video.session_statements(
            rng,
            lesson=rng.choice(lessons),
            learner=rng.randrange(2000),
            home_page=home_page,
            start=datetime.now(tz=UTC),
        )
        for _sent, statement in session[: count - made]:
            yield statement
            made += 1


def request_bodies(
    rng: random.Random, *, clients: int, requests: int, per_request: int, home_page: str
) -> list[list[bytes]]:
    """Each client's request bodies, made before the clock starts (the client's own work must
    not be measured): single statements as objects, batches as arrays."""
    statements = fresh_statements(rng, clients * requests * per_request, home_page=home_page)
    bodies: list[list[bytes]] = []
    for _ in range(clients):
        mine = []
        for _ in range(requests):
            chunk = [next(statements) for _ in range(per_request)]
            mine.append(json.dumps(chunk[0] if per_request == 1 else chunk).encode())
        bodies.append(mine)
    return bodies


@dataclass
class Phase:
    name: str
    clients: int
    per_request: int
    seconds: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    worker_cpu: float = 0.0
    database_cpu: float = 0.0

    @property
    def ok(self) -> list[Answer]:
        return [a for a in self.answers if 200 <= a.status < 300]

    @property
    def errors(self) -> int:
        return len(self.answers) - len(self.ok)

    @property
    def statements(self) -> int:
        return len(self.ok) * self.per_request

    @property
    def requests_per_second(self) -> float:
        return len(self.ok) / self.seconds if self.seconds else 0.0

    @property
    def statements_per_second(self) -> float:
        return self.statements / self.seconds if self.seconds else 0.0

    def cpu_ms_per_statement(self, seconds: float) -> float:
        return 1000 * seconds / self.statements if self.statements else float("nan")


def run_clients(
    credential: Credential, bodies: list[list[bytes]], phase: Phase, meters: list[CpuMeter]
) -> None:
    """Every client POSTs its bodies one after another, all clients at once, until done or
    ``PHASE_SECONDS`` have passed."""
    results: list[list[Answer]] = [[] for _ in bodies]
    start = threading.Barrier(len(bodies) + 1)
    deadline = [0.0]

    def client_loop(index: int) -> None:
        client = credential.client()
        start.wait()
        for body in bodies[index]:
            if time.monotonic() > deadline[0]:
                break
            results[index].append(client.send("POST", "/xapi/statements", body))
        client.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for meter in meters:
        meter.start()
    began = time.monotonic()
    deadline[0] = began + PHASE_SECONDS
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - began
    phase.worker_cpu, phase.database_cpu = (meter.seconds() for meter in meters)
    phase.answers = [answer for answers in results for answer in answers]


def database_backends(url: str) -> Callable[[], list[int]]:
    """PostgreSQL's backend processes serving the benchmark database (not this one)."""
    watcher = connect(url, autocommit=True)

    def find() -> list[int]:
        rows = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
        return [int(row[0]) for row in rows]

    return find


def ingest(server: Server, credential: Credential, database_url: str) -> list[Phase]:
    rng = random.Random(2024)  # noqa: S311 - test data
    home = server.base
    meters = [CpuMeter(server.worker_pids), CpuMeter(database_backends(database_url))]
    warm = Phase("warm-up", 2, 1)
    run_clients(
        credential,
        request_bodies(rng, clients=2, requests=20, per_request=1, home_page=home),
        warm,
        meters,
    )
    if warm.errors:
        first = next(a for a in warm.answers if not 200 <= a.status < 300)
        raise BenchError(f"The warm-up POSTs failed: HTTP {first.status} {first.body[:500]!r}")
    phases = [
        (Phase("single statements, 1 client", 1, 1), 4000),
        (Phase("single statements, 4 clients", 4, 1), 2000),
        (Phase("batches of 100, 1 client", 1, BATCH), 200),
        (Phase("batches of 100, 4 clients", 4, BATCH), 80),
    ]
    say(
        f"{'phase':<32} {'req/s':>8} {'stmt/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'worker CPU ms/stmt':>19} {'PG CPU ms/stmt':>15} {'non-2xx':>8}"
    )
    for phase, requests in phases:
        bodies = request_bodies(
            rng,
            clients=phase.clients,
            requests=requests,
            per_request=phase.per_request,
            home_page=home,
        )
        run_clients(credential, bodies, phase, meters)
        latencies = [a.seconds * 1000 for a in phase.ok] or [float("nan")]
        say(
            f"{phase.name:<32} {phase.requests_per_second:>8,.0f} "
            f"{phase.statements_per_second:>8,.0f} "
            f"{statistics.median(latencies):>7.1f} {percentile(latencies, 95):>7.1f} "
            f"{phase.cpu_ms_per_statement(phase.worker_cpu):>19.3f} "
            f"{phase.cpu_ms_per_statement(phase.database_cpu):>15.3f} "
            f"{phase.errors:>8}"
        )
        if phase.errors:
            first = next(a for a in phase.answers if not 200 <= a.status < 300)
            say(f"  first error: HTTP {first.status} {first.body[:300]!r}")
    acknowledged = warm.statements + sum(p.statements for p, _ in phases)
    with connect(database_url, autocommit=True) as check:
        row = check.execute("SELECT count(*) FROM tracking_statement").fetchone()
    stored = int(row[0]) if row else 0
    say(f"Rows stored: {stored:,}; statements acknowledged: {acknowledged:,}")
    if stored != acknowledged:
        raise BenchError(f"{acknowledged:,} statements acknowledged but {stored:,} rows stored")
    return [phase for phase, _ in phases]


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))]


# --- the store and its queries --------------------------------------------------------------


def build_store(*, size: int, credential: Credential, env: dict[str, str], workdir: Path) -> dict:
    output = workdir / "store.json"
    say(
        f"Building a store of {size:,} statements (bench/_lrs_store.py: rows from "
        "tracking.services.statements.prepare_statement and statement_rows in 2 processes, "
        "loaded with COPY while the secondary indexes and constraints are dropped, then rebuilt "
        "from their definitions; VACUUM ANALYZE). The statements posted above are replaced."
    )
    started = time.monotonic()
    store = run_builder(
        "_lrs_store.py", str(size), credential.key, env=env, output=output, what="the store"
    )
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in store["timings"].items())
    say(
        f"Store: {store['count']:,} statements of {store['learners']:,} learners "
        f"in {time.monotonic() - started:.0f} s ({steps})"
    )
    if store["count"] < size:
        raise BenchError(f"The store holds {store['count']:,} statements, not {size:,}")
    return store


def query_params(kind: str, expected: dict) -> dict[str, str]:
    if kind == "agent_verb":
        return {"agent": json.dumps(expected["agent"]), "verb": expected["verb"]}
    if kind == "registration":
        return {"registration": expected["registration"]}
    return {"verb": expected["verb"], "since": expected["since"]}


def page_problem(answer: Answer, expected_ids: list[str]) -> str:
    """Why the answer is not the first page of ``expected_ids`` ("" when it is)."""
    if answer.status != 200:
        return f"HTTP {answer.status}: {answer.body[:200]!r}"
    document = json.loads(answer.body)
    ids = [s["id"] for s in document["statements"]]
    if ids != expected_ids[:PAGE_SIZE]:
        wanted = min(len(expected_ids), PAGE_SIZE)
        return f"{len(ids)} statements, not the {wanted} stored (or in another order)"
    if bool(document["more"]) != (len(expected_ids) > PAGE_SIZE):
        return "the more link is wrong"
    return ""


def all_ids(client: LrsClient, params: dict[str, str]) -> list[str] | None:
    """Every id a query returns, following its more links (None on any error)."""
    answer = client.statements(params)
    ids: list[str] = []
    while answer.status == 200:
        document = json.loads(answer.body)
        ids += [s["id"] for s in document["statements"]]
        if not document["more"]:
            return ids
        answer = client.send("GET", document["more"])
    return None


@dataclass
class QueryKind:
    name: str
    latencies: list[float]
    mismatches: int
    index_names: list[str]


def queries(credential: Credential, store: dict) -> list[QueryKind]:
    client = credential.client()
    results = []
    say(
        f"{'query':<20} {'targets':>7} {'rows each':>10} {'requests':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'wrong':>6}  plan uses"
    )
    for kind, label in QUERY_KINDS.items():
        targets = store["expected"][kind]
        if not targets or not any(t["ids"] for t in targets):
            raise BenchError(
                f"No {label} query has anything to find: the store is not what was asked"
            )
        params = [query_params(kind, t) for t in targets]
        for p in params[:3]:  # warm the workers; not measured
            client.statements(p)
        latencies, wrong, first_problem = [], 0, ""
        for round_number in range(QUERY_ROUNDS):
            index = round_number % len(targets)
            answer = client.statements(params[index])
            latencies.append(answer.seconds * 1000)
            if problem := page_problem(answer, targets[index]["ids"]):
                wrong += 1
                first_problem = first_problem or f"{params[index]}: {problem}"
        for index in range(min(5, len(targets))):  # complete results, through the more links
            if all_ids(client, params[index]) != targets[index]["ids"]:
                wrong += 1
                first_problem = (
                    first_problem or f"{params[index]}: the pages do not add up to what was stored"
                )
        plan = store["plans"][kind]
        uses = ", ".join(plan["indexes"]) or "no index"
        if plan["seq_scans"]:
            uses += f"; sequential scan of {', '.join(plan['seq_scans'])}"
        sizes = [len(t["ids"]) for t in targets]
        say(
            f"{label:<20} {len(targets):>7} {f'{min(sizes)}-{max(sizes)}':>10} {QUERY_ROUNDS:>8} "
            f"{statistics.median(latencies):>7.1f} {percentile(latencies, 95):>7.1f} "
            f"{wrong:>6}  {uses}"
        )
        if first_problem:
            say(f"  first wrong answer: {first_problem}")
        results.append(QueryKind(label, latencies, wrong, plan["indexes"]))
    client.close()
    return results


# --- memory -----------------------------------------------------------------------------------


def peak_rss_mb(pids: list[int]) -> float:
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def reset_peak_rss(pids: list[int]) -> None:
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # Linux: VmHWM := current RSS


def memory(server: Server, credential: Credential, store: dict) -> str:
    """Peak RSS of the workers answering 50 pages of 10 and then 50 of the server's size, for
    a query matching a sixth of the store."""
    client = credential.client()
    verb = _video.VERB_IDS["played"]
    pids = server.worker_pids()
    lines = []
    for limit in ("10", "0"):
        reset_peak_rss(pids)
        answers = [client.statements({"verb": verb, "limit": limit}) for _ in range(50)]
        if any(a.status != 200 for a in answers):
            raise BenchError(f"GET with limit={limit} failed: HTTP {answers[0].status}")
        document = json.loads(answers[-1].body)
        returned = len(document["statements"])
        wanted = 10 if limit == "10" else PAGE_SIZE
        if returned != wanted or not document["more"]:
            raise BenchError(
                f"limit={limit} returned {returned} statements (expected {wanted} and a more link)"
            )
        lines.append(
            f"limit={limit}: {returned} statements ({len(answers[-1].body) / 1024:.0f} KiB), "
            f"peak RSS {peak_rss_mb(pids):.1f} MB"
        )
    client.close()
    return "; ".join(lines)


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store-size",
        type=int,
        default=1_000_000,
        help="statements in the store (default 1,000,000)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    options = parser.parse_args(argv)
    began = time.monotonic()
    log_dir = REPO / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="lrs-bench-") as tmp,
            fresh_postgres_database(DATABASE_NAME) as database_url,
            redis_broker() as broker,
        ):
            workdir = Path(tmp)
            port = free_port()
            # A broker with no worker, as in production: the progress engine's kicks are queued
            # (and dropped with the broker's keys), never run inside the LRS's requests.
            env = server_environment(
                database_url=database_url,
                port=port,
                var_dir=workdir / "var",
                LOG_LEVEL="WARNING",
                CELERY_BROKER_URL=broker.url,
                REDIS_URL=broker.url,
            )
            manage("migrate", "--noinput", env=env)
            output = manage("lrs_client_create", "--name", "bench", "--read", "all", env=env)
            values = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
            log_path = log_dir / "lrs_ingest-server.log"
            with running_gunicorn(
                port=port,
                env=env,
                log_path=log_path,
                workers=options.workers,
                ready_path="/xapi/about",
            ) as server:
                credential = Credential(server.base, values["key"], values["secret"])
                say(
                    f"Server: gunicorn, {options.workers} sync workers, {server.base} "
                    f"(log: {log_path})"
                )
                say()
                phases = ingest(server, credential, database_url)
                say()
                store = build_store(
                    size=options.store_size, credential=credential, env=env, workdir=workdir
                )
                say()
                kinds = queries(credential, store)
                say()
                say(f"Memory: {memory(server, credential, store)}")
    except BenchError as exc:
        say(f"lrs_ingest: could not run: {exc}")
        return 1
    say(f"Run time: {(time.monotonic() - began) / 60:.1f} min")
    say()
    by_name = {phase.name: phase for phase in phases}
    batched, single = by_name["batches of 100, 4 clients"], by_name["single statements, 4 clients"]
    targets = [
        Target(
            "batched ingest, 4 clients", batched.statements_per_second, "statements/s", ">=", 3000
        ),
        Target(
            "single-statement POST, 4 clients", single.requests_per_second, "requests/s", ">=", 300
        ),
        *(
            Target(f"query p95, {kind.name}", percentile(kind.latencies, 95), "ms", "<=", 50)
            for kind in kinds
        ),
        Target(
            "errors under 4 concurrent clients",
            float(batched.errors + single.errors),
            "non-2xx answers",
            "==",
            0,
        ),
        Target(
            "query answers that differ from the store",
            float(sum(k.mismatches for k in kinds)),
            "answers",
            "==",
            0,
        ),
    ]
    return report(targets)


if __name__ == "__main__":
    sys.exit(main())
