"""What the progress engine costs: a full recompute, the work it adds to LRS ingest, and the
coordinators' overview it feeds.

    python bench/progress.py [--statements N] [--learners N] [--rounds N] [--requests N]
                             [--city N]     (or: make bench)

Runs the real thing on 127.0.0.1: a fresh PostgreSQL database ``lms_bench_progress_<pid>`` (on
the server of ``DATABASE_URL``, postgres@127.0.0.1:5432 by default), migrations, an LRS
credential, production settings (DEBUG off) with a Celery broker as in production: a Redis
database of 127.0.0.1:6379 that holds no keys (so that tasks are queued for a worker, never run
in the process that asks for them), which is also the cache the server and the worker share.

1. Recompute. ``bench/_progress_store.py`` makes 2,000 learners (``accounts.User``, enrolled in
   every course), a catalogue of 120 video lessons (4 courses x 5 modules x 6 lessons, 5 to 30
   minutes) and 1,000,000 xAPI Video Profile statements of theirs (viewing sessions: played,
   paused, seeked, completed, terminated with played-segments and session-id) spread over the
   past year and interleaved, loaded with COPY with nothing pending for the engine. Then
   ``manage.py progress_recompute`` (every learner) runs in a process of its own and is timed
   from start to exit: statements per second = statements / wall time. Shown too: its CPU
   time, its PostgreSQL backend's (statements per CPU second is what a quiet machine would
   give), its peak RSS, and the completion announcements it queued (a worker's job, dropped).
   Checked: every learner with statements was recomputed, each learner's ledger
   (CreditEntry) adds up to their clock (LearnerClock.credited_seconds), and 20 learners
   picked at random recomputed again come out identical (clock, state, ledger, coverage,
   completions).
2. Ingest. gunicorn (2 sync workers) takes batches of 100 Video Profile statements of the same
   learners and lessons from 4 keep-alive clients, with the engine off (no Celery worker: the
   statements are stored and their kicks wait in the queue) and on (``celery -A lms worker -Q
   celery -c 1`` draining as statements arrive, on the same 2 cores), in alternating order
   (off, on, on, off, ...), the same statements count each time. Each round's cost is
   (off - on) / off of its two phases, which ran back to back; the cost is the median of the
   rounds' (5 by default: the speed of a shared machine drifts by ±10 % within minutes, and the
   median rates of all "off" and all "on" phases, also shown, can land in different
   stretches of it). Before an "on" phase the worker first drains what the "off" phases
   left (not measured); after it, how long the engine took to catch up and so the rate at
   which it applied statements. At the end nothing may be left pending, the ingested
   statements must have earned credits, and the ledgers must still add up to the clocks.
3. The coordinator overview (``/api/v1/progress/overview/``), once it exists: a city of 5,000
   learners (the metropolitan body and 40 municipalities) with a year of activity, each with
   the clock, lesson progress, completions and enrolments the engine computed in 1. for one of
   the store's learners (copied); the city's coordinator GETs it 40 times in a row (after 3
   unmeasured), p95 of the latency. Every answer must be the city's, with all its learners.

Ends with one line per target and exits 1 if any says MISS. The servers are stopped, the
database dropped and the broker's keys deleted whatever happens.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import _video
from _harness import (
    REPO,
    BenchError,
    Broker,
    CpuMeter,
    Target,
    children,
    connect,
    cpu_seconds,
    free_port,
    fresh_postgres_database,
    manage,
    redis_broker,
    report,
    run_builder,
    running_gunicorn,
    say,
    server_environment,
    stop,
)
from lrs_ingest import Answer, Credential, database_backends, percentile

DATABASE_NAME = f"lms_bench_progress_{os.getpid()}"  # one per run: parallel runs must not collide
BATCH = 100
CLIENTS = 4
SAMPLE = 20  # learners recomputed a second time
DRAIN_TIMEOUT = 900  # seconds the worker may take to catch up
OVERVIEW_PATH = "progress/overview"
OVERVIEW_ROUNDS = 40
CITY_LEARNERS = 5000
LOG_DIR = REPO / "var" / "bench"


def site_catalogue(site_url: str) -> list[_video.Lesson]:
    """``_video.catalogue()`` with its activity IRIs under this server's ``SITE_URL`` (where
    the progress engine looks for lessons); ``bench/_progress_store.py`` creates these."""
    ours = f"{site_url.rstrip('/')}/xapi/activities"
    return [
        dataclasses.replace(
            lesson,
            iri=lesson.iri.replace(_video.ACTIVITIES, ours),
            module_iri=lesson.module_iri.replace(_video.ACTIVITIES, ours),
            course_iri=lesson.course_iri.replace(_video.ACTIVITIES, ours),
        )
        for lesson in _video.catalogue()
    ]


# --- 1. the store and the recompute ---------------------------------------------------------


def build_store(
    *, statements: int, learners: int, key: str, env: dict[str, str], workdir: Path
) -> dict:
    output = workdir / "store.json"
    say(
        f"Building {learners:,} learners, the video lessons and {statements:,} statements "
        "(bench/_progress_store.py: rows from the LRS's own code in 2 processes, COPY, "
        "indexes rebuilt, VACUUM ANALYZE)"
    )
    started = time.monotonic()
    store = run_builder(
        "_progress_store.py",
        str(statements),
        str(learners),
        key,
        env=env,
        output=output,
        what="the store",
    )
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in store["timings"].items())
    say(
        f"Store: {store['count']:,} statements of {store['learners_with_statements']:,} "
        f"learners, {store['lessons']} lessons, in {time.monotonic() - started:.0f} s ({steps})"
    )
    if store["count"] != statements:
        raise BenchError(f"The store holds {store['count']:,} statements, not {statements:,}")
    return store


@dataclass
class Recompute:
    statements: int
    seconds: float
    cpu: float
    database_cpu: float
    peak_rss_mb: float
    learners: int

    @property
    def rate(self) -> float:
        return self.statements / self.seconds

    @property
    def per_cpu_second(self) -> float:
        """Statements per CPU second of the process and its PostgreSQL backend: what the rate
        would be with nothing else on the machine and no waiting."""
        return self.statements / (self.cpu + self.database_cpu)


def recompute_all(*, env: dict[str, str], database_url: str, statements: int) -> Recompute:
    """``manage.py progress_recompute`` for everyone, timed from start to exit; its own CPU
    time and peak RSS from wait4, its PostgreSQL backend's CPU from /proc meanwhile."""
    find = database_backends(database_url)
    log_path = LOG_DIR / "progress-recompute.log"
    before = cpu_seconds(find())
    seen: dict[int, float] = {}
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our manage.py
            [sys.executable, str(REPO / "manage.py"), "progress_recompute"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            seen.update(cpu_seconds(find()))
            time.sleep(0.5)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    output = log_path.read_text()
    if process.returncode != 0:
        raise BenchError(f"progress_recompute failed ({process.returncode}):\n{output[-3000:]}")
    match = re.search(r"Recomputed (\d+) learners", output)
    if match is None:
        raise BenchError(f"progress_recompute said: {output[-500:]!r}")
    return Recompute(
        statements=statements,
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        database_cpu=sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in seen.items()),
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux: KiB
        learners=int(match.group(1)),
    )


@dataclass
class Ledger:
    learners: int  # with a clock
    clock_total: float
    ledger_total: float
    differing: int  # learners whose entries do not add up to their clock
    orphans: int  # learners with entries and no clock


def ledger_check(database_url: str) -> Ledger:
    with connect(database_url, autocommit=True) as db:
        row = db.execute(
            """
            SELECT count(*),
                   coalesce(sum(c.credited_seconds), 0),
                   coalesce(sum(e.total), 0),
                   count(*) FILTER (WHERE abs(c.credited_seconds - coalesce(e.total, 0)) > 1e-6)
            FROM tracking_learnerclock c
            LEFT JOIN (SELECT learner_id, sum(seconds) AS total FROM tracking_creditentry
                       GROUP BY learner_id) e USING (learner_id)
            """
        ).fetchone()
        orphans = db.execute(
            """
            SELECT count(DISTINCT learner_id) FROM tracking_creditentry e WHERE NOT EXISTS
                (SELECT 1 FROM tracking_learnerclock c WHERE c.learner_id = e.learner_id)
            """
        ).fetchone()
    assert row is not None  # noqa: S101 - aggregates return a row
    assert orphans is not None  # noqa: S101
    return Ledger(int(row[0]), float(row[1]), float(row[2]), int(row[3]), int(orphans[0]))


# What a recompute decides for a learner, row by row; compared exactly (floats bit for bit)
# and in a fixed order: SQL sums are not compared, they depend on where rows lie on disk.
SNAPSHOT_QUERIES = {
    "clock": """
        SELECT learner_id::text, credited_seconds, last_stored, last_statement_id::text,
               state::text
        FROM tracking_learnerclock WHERE learner_id::text = ANY(%s)
        """,
    "ledger": """
        SELECT learner_id::text, credited_at, statement_id::text, lesson_id::text, seconds,
               new_seconds, media::text, "window"::text, reason
        FROM tracking_creditentry WHERE learner_id::text = ANY(%s)
        ORDER BY learner_id, credited_at, statement_id, seconds
        """,
    "lesson progress": """
        SELECT learner_id::text, lesson_id::text, covered::text, covered_seconds,
               credited_seconds, completed_at, last_activity_at
        FROM tracking_lessonprogress WHERE learner_id::text = ANY(%s)
        ORDER BY learner_id, lesson_id
        """,
    "completions": """
        SELECT learner_id::text, kind, lesson_id::text, module_id::text, course_id::text,
               completed_at, credited_seconds
        FROM tracking_completion WHERE learner_id::text = ANY(%s)
        ORDER BY learner_id, kind, lesson_id, module_id, course_id
        """,
}


def snapshot(database_url: str, learners: list[str]) -> dict[str, dict[str, list[tuple]]]:
    """Each learner's clock, ledger, lesson progress and completions, as rows."""
    found: dict[str, dict[str, list[tuple]]] = {
        learner: {part: [] for part in SNAPSHOT_QUERIES} for learner in learners
    }
    with connect(database_url, autocommit=True) as db:
        for part, query in SNAPSHOT_QUERIES.items():
            for row in db.execute(query, [learners]).fetchall():
                found[row[0]][part].append(tuple(row[1:]))
    return found


def recompute_sample(*, env: dict[str, str], database_url: str) -> tuple[int, int, list[str]]:
    """Recompute SAMPLE random learners again; (learners, learners that differ, differences)."""
    with connect(database_url, autocommit=True) as db:
        everyone = [
            row[0]
            for row in db.execute(
                "SELECT learner_id::text FROM tracking_learnerclock ORDER BY 1"
            ).fetchall()
        ]
    learners = sorted(random.Random(5).sample(everyone, min(SAMPLE, len(everyone))))  # noqa: S311
    before = snapshot(database_url, learners)
    manage("progress_recompute", *learners, env=env)
    after = snapshot(database_url, learners)
    differences = []
    for learner in learners:
        old, new = before[learner], after[learner]
        changed = [part for part in SNAPSHOT_QUERIES if old[part] != new[part]]
        if changed:
            differences.append(f"{learner}: {', '.join(changed)} differ")
    return len(learners), len(differences), differences


# --- 2. ingest with the engine off and on ---------------------------------------------------


@contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``celery -A lms worker -Q celery -c 1`` until the block ends, once it says it is ready."""
    celery = Path(sys.executable).with_name("celery")
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("a") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [
                str(celery),
                "-A",
                "lms",
                "worker",
                "-Q",
                "celery",
                "-c",
                "1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"progress-bench-{os.getpid()}@%h",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with log_path.open() as text:
                    text.seek(offset)
                    if " ready." in text.read():
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"The Celery worker did not start; see {log_path}")
                time.sleep(0.2)
            yield process
        finally:
            stop(process)


def worker_pids(process: subprocess.Popen[bytes]) -> Callable[[], list[int]]:
    return lambda: [process.pid, *children(process.pid)]


def pending_statements(database_url: str) -> int:
    with connect(database_url, autocommit=True) as db:
        row = db.execute("SELECT count(*) FROM tracking_progressoutbox").fetchone()
    return int(row[0]) if row else 0


def wait_drained(database_url: str, broker: Broker, timeout: float = DRAIN_TIMEOUT) -> float:
    """Seconds until nothing is pending and no task is queued or running (the worker idle)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if (
            pending_statements(database_url) == 0
            and broker.queued() == 0
            and broker.client.hlen("unacked") == 0
        ):
            return time.monotonic() - started
        time.sleep(0.25)
    return float("inf")


def session_bodies(
    rng: random.Random,
    *,
    lessons: list[_video.Lesson],
    learners: int,
    home_page: str,
    clients: int,
    requests: int,
) -> list[list[bytes]]:
    """Each client's batches of 100 statements: viewing sessions happening now, of the
    store's learners and lessons, made before the clock starts."""
    statements: list[dict] = []
    wanted = clients * requests * BATCH
    while len(statements) < wanted:
        session = _video.session_statements(
            rng,
            lesson=rng.choice(lessons),
            learner=rng.randrange(learners),
            home_page=home_page,
            start=datetime.now(tz=UTC),
        )
        statements += [statement for _sent, statement in session]
    bodies: list[list[bytes]] = [[] for _ in range(clients)]
    for number in range(clients * requests):
        chunk = statements[number * BATCH : (number + 1) * BATCH]
        bodies[number % clients].append(json.dumps(chunk).encode())
    return bodies


@dataclass
class IngestPhase:
    engine: bool
    seconds: float = 0.0
    answers: list[Answer] = field(default_factory=list)
    web_cpu: float = 0.0
    database_cpu: float = 0.0
    engine_cpu: float = 0.0  # until the drain caught up
    catch_up: float = 0.0  # seconds from the last answer until nothing was pending

    @property
    def statements(self) -> int:
        return sum(BATCH for a in self.answers if 200 <= a.status < 300)

    @property
    def errors(self) -> int:
        return sum(1 for a in self.answers if not 200 <= a.status < 300)

    @property
    def rate(self) -> float:
        return self.statements / self.seconds if self.seconds else 0.0

    def per_statement_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.statements if self.statements else float("nan")

    @property
    def drain_rate(self) -> float:
        """Statements the engine applied per second, from the first POST until it caught up."""
        return self.statements / (self.seconds + self.catch_up) if self.seconds else 0.0


def post_all(credential: Credential, bodies: list[list[bytes]]) -> tuple[float, list[Answer]]:
    """Every client POSTs its bodies one after another, all clients at once."""
    results: list[list[Answer]] = [[] for _ in bodies]
    start = threading.Barrier(len(bodies) + 1)

    def client_loop(index: int) -> None:
        client = credential.client()
        start.wait()
        for body in bodies[index]:
            results[index].append(client.send("POST", "/xapi/statements", body))
        client.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    return time.monotonic() - began, [a for answers in results for a in answers]


@dataclass
class Ingest:
    phases: list[IngestPhase]
    pending_after: int
    credited_seconds: float
    credits: int
    recomputes: int
    ledger: Ledger

    def median_rate(self, *, engine: bool) -> float:
        return statistics.median(p.rate for p in self.phases if p.engine == engine)

    @property
    def median_drain_rate(self) -> float:
        return statistics.median(p.drain_rate for p in self.phases if p.engine)

    @property
    def round_costs(self) -> list[float]:
        """Each round's cost, (off - on) / off of its two phases, which ran back to back."""
        costs = []
        for start in range(0, len(self.phases) - 1, 2):
            pair = self.phases[start : start + 2]
            off = next(p for p in pair if not p.engine)
            on = next(p for p in pair if p.engine)
            costs.append(100 * (off.rate - on.rate) / off.rate)
        return costs

    @property
    def cost_percent(self) -> float:
        """The median of the rounds' costs: the machine's speed drifts (a shared VM's, by
        ±10 % within minutes), and a round's two phases see the same speed where the medians
        of all "off" and all "on" phases may not."""
        return statistics.median(self.round_costs)

    @property
    def cost_of_medians_percent(self) -> float:
        off = self.median_rate(engine=False)
        return 100 * (off - self.median_rate(engine=True)) / off

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.phases)


def ingest_cost(
    *,
    env: dict[str, str],
    broker: Broker,
    database_url: str,
    key: str,
    secret: str,
    learners: int,
    rounds: int,
    requests: int,
) -> Ingest:
    """The phases, off and on alternating; then the checks. ``env`` has the broker: the kick
    after each POST is queued, and runs only when a worker is there."""
    server_log, worker_log = LOG_DIR / "progress-server.log", LOG_DIR / "progress-worker.log"
    worker_log.write_text("")
    port = int(env["SITE_URL"].rsplit(":", 1)[1])
    rng = random.Random("ingest")  # noqa: S311 - test data (not the store's seeds)
    with running_gunicorn(
        port=port, env=env, log_path=server_log, workers=2, ready_path="/xapi/about"
    ) as server:
        say(
            f"Server: gunicorn, 2 sync workers, {server.base}, broker {broker.url} "
            f"(logs: {server_log}, {worker_log})"
        )
        lessons = site_catalogue(server.base)
        credential = Credential(server.base, key, secret)

        def bodies(clients: int, count: int) -> list[list[bytes]]:
            return session_bodies(
                rng,
                lessons=lessons,
                learners=learners,
                home_page=server.base,
                clients=clients,
                requests=count,
            )

        _seconds, answers = post_all(credential, bodies(2, 10))  # warm-up, engine off
        if bad := [a for a in answers if not 200 <= a.status < 300]:
            raise BenchError(f"The warm-up POSTs failed: HTTP {bad[0].status} {bad[0].body!r}")
        web = CpuMeter(server.worker_pids)
        database = CpuMeter(database_backends(database_url))
        began = datetime.now(tz=UTC)
        say(
            f"{'engine':<7} {'stmt/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'web CPU':>8} "
            f"{'PG CPU':>7} {'engine CPU':>11} {'catch-up s':>11} {'applied/s':>10} "
            f"{'non-2xx':>8}   (CPU: ms per statement)"
        )
        phases = []
        for round_number in range(rounds):
            for engine in (False, True) if round_number % 2 == 0 else (True, False):
                phase = IngestPhase(engine)
                posts = bodies(CLIENTS, requests)
                if engine:
                    with celery_worker(env, worker_log) as worker:
                        if wait_drained(database_url, broker) == float("inf"):  # "off" backlog
                            raise BenchError("The worker did not drain the backlog in time")
                        engine_meter = CpuMeter(worker_pids(worker))
                        run_phase(phase, credential, posts, [web, database, engine_meter])
                        phase.catch_up = wait_drained(database_url, broker)
                        phase.engine_cpu = engine_meter.seconds()
                else:
                    run_phase(phase, credential, posts, [web, database])
                phases.append(phase)
                show(phase)
        say("Draining what is left (not measured) ...")
        with celery_worker(env, worker_log):
            wait_drained(database_url, broker)
        pending = pending_statements(database_url)
    with connect(database_url, autocommit=True) as db:
        row = db.execute(
            "SELECT coalesce(sum(seconds), 0), count(*) FROM tracking_creditentry "
            "WHERE credited_at >= %s",
            [began],
        ).fetchone()
    credited, credits = (float(row[0]), int(row[1])) if row else (0.0, 0)
    recomputes = worker_log.read_text().count("progress: recomputing learner")
    return Ingest(phases, pending, credited, credits, recomputes, ledger_check(database_url))


def run_phase(
    phase: IngestPhase, credential: Credential, bodies: list[list[bytes]], meters: list[CpuMeter]
) -> None:
    for meter in meters:
        meter.start()
    phase.seconds, phase.answers = post_all(credential, bodies)
    phase.web_cpu, phase.database_cpu = (meter.seconds() for meter in meters[:2])


def show(phase: IngestPhase) -> None:
    latencies = [a.seconds * 1000 for a in phase.answers if 200 <= a.status < 300]
    latencies = latencies or [float("nan")]
    engine_cpu = f"{phase.per_statement_ms(phase.engine_cpu):>11.3f}" if phase.engine else " " * 11
    catch_up = f"{phase.catch_up:>11.1f}" if phase.engine else " " * 11
    applied = f"{phase.drain_rate:>10,.0f}" if phase.engine else " " * 10
    say(
        f"{'on' if phase.engine else 'off':<7} {phase.rate:>7,.0f} "
        f"{statistics.median(latencies):>7.1f} {percentile(latencies, 95):>7.1f} "
        f"{phase.per_statement_ms(phase.web_cpu):>8.3f} "
        f"{phase.per_statement_ms(phase.database_cpu):>7.3f} {engine_cpu} {catch_up} "
        f"{applied} {phase.errors:>8}"
    )
    if phase.errors:
        first = next(a for a in phase.answers if not 200 <= a.status < 300)
        say(f"  first error: HTTP {first.status} {first.body[:300]!r}")


# --- 3. the coordinator overview --------------------------------------------------------------


def overview_endpoint_exists() -> bool:
    """Whether the project routes ``/api/v1/progress/overview/`` (any URLconf module)."""
    modules = [*REPO.glob("*/*urls.py"), *REPO.glob("lms/*/*urls.py")]
    return any(f'"{OVERVIEW_PATH}/"' in path.read_text() for path in modules)


@dataclass
class OverviewRun:
    learners: int
    latencies: list[float]  # ms
    errors: int
    problem: str  # why an answer is not the city's overview ("" when every one is)
    size_kib: float


def overview_latency(
    *, env: dict[str, str], database_url: str, learners: int, workdir: Path
) -> OverviewRun:
    """The city's learners and their progress (``bench/_progress_store.py city``), then the
    city coordinator's GET of the overview, one after another, OVERVIEW_ROUNDS times."""
    output = workdir / "city.json"
    say(
        f"Building a city of {learners:,} learners with a year of activity: each gets the "
        "clock, lesson progress, completions and enrolments the engine computed for one of "
        "the store's learners (bench/_progress_store.py city)"
    )
    started = time.monotonic()
    city = run_builder(
        "_progress_store.py", "city", str(learners), env=env, output=output, what="the city"
    )
    rows = ", ".join(f"{count:,} {table}" for table, count in city["copied"].items())
    say(
        f"City: {city['learners']:,} learners in {city['organisations']} organisations "
        f"({rows}) in {time.monotonic() - started:.0f} s"
    )
    log_path = LOG_DIR / "progress-overview-server.log"
    port = int(env["SITE_URL"].rsplit(":", 1)[1])
    with running_gunicorn(
        port=port, env=env, log_path=log_path, workers=2, ready_path="/xapi/about"
    ) as server:
        say(f"Server: gunicorn, 2 sync workers, {server.base} (log: {log_path})")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Token {city['token']}", "Accept": "application/json"}

        def get() -> tuple[int, bytes, float]:
            began = time.perf_counter()
            connection.request("GET", f"/api/v1/{OVERVIEW_PATH}/", headers=headers)
            response = connection.getresponse()
            body = response.read()
            return response.status, body, (time.perf_counter() - began) * 1000

        for _ in range(3):  # both workers warm; not measured
            get()
        answers = [get() for _ in range(OVERVIEW_ROUNDS)]
        connection.close()
    errors = sum(1 for status, _body, _ms in answers if status != 200)
    problem = ""
    if errors:
        status, body, _ms = next(a for a in answers if a[0] != 200)
        problem = f"HTTP {status}: {body[:300]!r}"
    else:
        document = json.loads(answers[-1][1])
        cities = document["by_city"]
        if document["learners"] != learners:
            problem = f"{document['learners']:,} learners, not {learners:,}"
        elif len(cities) != 1 or cities[0]["key"] != city["city"]:
            problem = f"cities: {[c['label'] for c in cities]}"
        elif sum(d["learners"] for d in document["hours_distribution"]) != learners:
            problem = "the hours distribution does not add up to the learners"
    return OverviewRun(
        learners=learners,
        latencies=[ms for status, _body, ms in answers if status == 200],
        errors=errors,
        problem=problem,
        size_kib=len(answers[-1][1]) / 1024,
    )


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--statements", type=int, default=1_000_000, help="statements recomputed (1,000,000)"
    )
    parser.add_argument("--learners", type=int, default=2000, help="their learners (2,000)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="ingest rounds, each one phase off and one on (5)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=100,
        help="batches of 100 each of the 4 clients POSTs in an ingest phase (100)",
    )
    parser.add_argument(
        "--city", type=int, default=CITY_LEARNERS, help="learners of the overview's city (5,000)"
    )
    options = parser.parse_args(argv)
    began = time.monotonic()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    overview: OverviewRun | None = None
    try:
        with (
            tempfile.TemporaryDirectory(prefix="progress-bench-") as tmp,
            fresh_postgres_database(DATABASE_NAME) as database_url,
            redis_broker() as broker,
        ):
            workdir = Path(tmp)
            # Production settings with a broker, as in production: the engine's Celery tasks
            # are queued for a worker, never run in the process that asks for them.
            env = server_environment(
                database_url=database_url,
                port=free_port(),
                var_dir=workdir / "var",
                LOG_LEVEL="WARNING",
                CELERY_BROKER_URL=broker.url,
                REDIS_URL=broker.url,  # the cache, shared by the server and the worker
            )
            manage("migrate", "--noinput", env=env)
            output = manage("lrs_client_create", "--name", "bench", "--read", "all", env=env)
            values = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
            store = build_store(
                statements=options.statements,
                learners=options.learners,
                key=values["key"],
                env=env,
                workdir=workdir,
            )
            say()
            say("Recomputing every learner: manage.py progress_recompute ...")
            recompute = recompute_all(env=env, database_url=database_url, statements=store["count"])
            announcements = broker.queued()
            broker.purge()  # the completions' announcements: a worker's job, not measured here
            ledger = ledger_check(database_url)
            say(
                f"Recompute: {recompute.learners:,} learners, {recompute.statements:,} statements "
                f"in {recompute.seconds:.1f} s ({recompute.rate:,.0f} statements/s); CPU "
                f"{recompute.cpu:.1f} s in the process and {recompute.database_cpu:.1f} s in "
                f"PostgreSQL ({recompute.per_cpu_second:,.0f} statements per CPU second); "
                f"peak RSS {recompute.peak_rss_mb:.0f} MB; {announcements:,} completion "
                "announcements queued"
            )
            say(
                f"Ledger: {ledger.ledger_total / 3600:,.1f} h in the entries, "
                f"{ledger.clock_total / 3600:,.1f} h on {ledger.learners:,} clocks "
                f"({ledger.ledger_total / 3600 / max(1, ledger.learners):.1f} h per learner)"
            )
            if recompute.learners != store["learners_with_statements"]:
                raise BenchError(
                    f"{recompute.learners:,} learners recomputed, but "
                    f"{store['learners_with_statements']:,} have statements"
                )
            if ledger.clock_total <= 0:
                raise BenchError("The recompute credited nothing: the store is not what it seems")
            sampled, differing, differences = recompute_sample(env=env, database_url=database_url)
            broker.purge()
            say(f"Recomputed again: {sampled} random learners, {differing} differ")
            for line in differences[:5]:
                say(f"  {line}")
            say()
            say(
                f"Ingest, batches of {BATCH} from {CLIENTS} clients, {options.requests} batches "
                "each per phase; engine off (no worker) and on (1 Celery worker), alternating"
            )
            ingest = ingest_cost(
                env=env,
                broker=broker,
                database_url=database_url,
                key=values["key"],
                secret=values["secret"],
                learners=options.learners,
                rounds=options.rounds,
                requests=options.requests,
            )
            rounds_text = ", ".join(f"{cost:.1f} %" for cost in ingest.round_costs)
            say(
                f"Cost per round (off and on back to back): {rounds_text}; median "
                f"{ingest.cost_percent:.1f} % (of the median rates of all phases: "
                f"{ingest.cost_of_medians_percent:.1f} %)"
            )
            say(
                f"Median rates: off {ingest.median_rate(engine=False):,.0f}, "
                f"on {ingest.median_rate(engine=True):,.0f} statements/s; the engine applied "
                f"{ingest.median_drain_rate:,.0f} statements/s (median, until it caught up); "
                f"{ingest.credits:,} credits of {ingest.credited_seconds / 60:,.1f} min from the "
                f"ingested statements; {ingest.recomputes} learners recomputed by the drain "
                "(a statement stored behind one applied); "
                f"{ingest.pending_after} statements left pending"
            )
            if ingest.credited_seconds <= 0:
                raise BenchError("The ingested statements earned no credit: the engine did nothing")
            say()
            if overview_endpoint_exists():
                overview = overview_latency(
                    env=env, database_url=database_url, learners=options.city, workdir=workdir
                )
                latencies = overview.latencies or [float("nan")]
                say(
                    f"Overview: {len(overview.latencies)} GETs, p50 "
                    f"{statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} "
                    f"ms, {overview.size_kib:.0f} KiB per answer"
                )
                if overview.problem:
                    say(f"  wrong answer: {overview.problem}")
    except BenchError as exc:
        say(f"progress: could not run: {exc}")
        return 1
    say(f"Run time: {(time.monotonic() - began) / 60:.1f} min")
    say()
    size = f"{recompute.statements:,} video statements of {recompute.learners:,} learners"
    targets = [
        Target(f"full recompute, {size}", recompute.rate, "statements/s", ">=", 5000),
        Target(
            "learners whose ledger differs from their clock after the recompute",
            float(ledger.differing + ledger.orphans),
            "learners",
            "==",
            0,
        ),
        Target(
            f"learners whose totals differ when recomputed again (of {sampled})",
            float(differing),
            "learners",
            "==",
            0,
        ),
        Target("engine cost on batched ingest, 4 clients", ingest.cost_percent, "%", "<=", 20),
        Target(
            "statements left pending after the drain",
            float(ingest.pending_after),
            "statements",
            "==",
            0,
        ),
        Target(
            "learners whose ledger differs from their clock after ingest",
            float(ingest.ledger.differing + ingest.ledger.orphans),
            "learners",
            "==",
            0,
        ),
        Target("ingest errors", float(ingest.errors), "non-2xx answers", "==", 0),
    ]
    if overview is None:
        say("coordinator overview p95: not measured (no endpoint yet)")
    else:
        targets += [
            Target(
                f"coordinator overview p95, a city of {overview.learners:,} learners",
                percentile(overview.latencies or [float("inf")], 95) / 1000,
                "s",
                "<=",
                1,
            ),
            Target(
                "coordinator overview answers that are wrong",
                float(overview.errors + bool(overview.problem)),
                "answers",
                "==",
                0,
            ),
        ]
    return report(targets)


if __name__ == "__main__":
    sys.exit(main())
