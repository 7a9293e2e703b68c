"""What every benchmark shares: the servers (a fresh PostgreSQL database, gunicorn, a Celery
worker, a Redis broker), xAPI Video Profile statements and a client to send them, CPU time from
/proc, rounds' statistics and the target lines. Not a benchmark (``make bench`` skips
``bench/_*.py``) and it imports none of the apps: the servers are processes of their own."""

from __future__ import annotations

import base64
import http.client
import json
import operator
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: tools/ is found from the repository root

from tools.servers import (  # noqa: E402 - after the path above
    Server,
    children,
    connect,
    free_port,
    fresh_postgres_database,
    manage,
    running_gunicorn,
    say,
    server_environment,
    stop,
)
from tools.servers import ServerError as BenchError  # noqa: E402

__all__ = ["BenchError", "Server", "children", "connect", "free_port", "manage", "say", "stop"]
LOG_DIR = REPO / "var" / "bench"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
OPERATORS = {">=": operator.ge, "<=": operator.le, "==": operator.eq}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], percent: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))]


@dataclass(frozen=True)
class Target:
    measure: str
    figure: float
    unit: str  # "" for a plain number (a ratio)
    op: str  # ">=", "<=" or "=="
    value: float

    @property
    def ok(self) -> bool:
        return bool(OPERATORS[self.op](self.figure, self.value))

    def line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return (
            f"{self.measure}: {_number(self.figure)}{unit} "
            f"(target {self.op} {_number(self.value)}) {'ok' if self.ok else 'MISS'}"
        )


def zero(measure: str, figure: float, unit: str) -> Target:
    """A count that must be nothing (errors, wrong answers, differences)."""
    return Target(measure, figure, unit, "==", 0)


def _number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"


def run(name: str, body: Callable[[], list[Target]]) -> int:
    """Run ``body`` (which prints its figures and returns its targets), then one line per
    target; the exit status is 1 if any says MISS or the benchmark could not run."""
    # A SIGTERM unwinds like Ctrl-C: servers stopped, databases dropped, files deleted.
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    try:
        targets = body()
    except BenchError as exc:
        say(f"{name}: could not run: {exc}")
        return 1
    say(f"Run time: {(time.monotonic() - began) / 60:.1f} min")
    say()
    for target in targets:
        say(target.line())
    return 0 if all(t.ok for t in targets) else 1


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each process still there (fields 14 and 15 of stat)."""
    times = {}
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return times


@dataclass
class CpuMeter:
    """CPU seconds the processes ``find`` returns spent between ``start`` and ``seconds``."""

    find: Callable[[], list[int]]
    before: dict[int, float] = field(default_factory=dict)

    def start(self) -> None:
        self.before = cpu_seconds(self.find())

    def seconds(self) -> float:
        after = cpu_seconds(self.find())
        return sum(max(0.0, t - self.before.get(pid, 0.0)) for pid, t in after.items())


def database_backends(url: str) -> Callable[[], list[int]]:
    """PostgreSQL's backend processes serving the database of ``url`` (not the watcher's)."""
    watcher = connect(url, autocommit=True)

    def find() -> list[int]:
        rows = watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
        return [int(row[0]) for row in rows]

    return find


def query_row(url: str, query: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The one row ``query`` returns, on a connection of its own."""
    with connect(url, autocommit=True) as db:
        row = db.execute(query, params).fetchone()
    if row is None:
        raise BenchError(f"No row from {query}")
    return tuple(row)


@dataclass(frozen=True)
class Broker:
    url: str
    client: redis.Redis

    def queued(self) -> int:
        return int(self.client.llen("celery"))

    def busy(self) -> bool:
        return self.queued() > 0 or int(self.client.hlen("unacked")) > 0

    def purge(self) -> None:
        self.client.flushdb()  # only this run uses the database


def redis_broker() -> Broker:
    """A database of the local Redis that holds no keys: 0 and 1 are the project's own (the
    cache, the broker of CI and ``make worker``), others may be another run's."""
    try:
        client = redis.Redis("127.0.0.1", 6379, socket_timeout=5)
        used, count = set(client.info("keyspace")), client.config_get("databases").get("databases")
        free = [n for n in range(2, int(count or 16)) if f"db{n}" not in used]
    except redis.RedisError as exc:
        raise BenchError(f"Redis cannot be reached at 127.0.0.1:6379: {exc}") from exc
    if not free:
        raise BenchError("Every Redis database holds keys: none is free for the broker")
    number = random.Random(os.getpid()).choice(free)  # noqa: S311 - not a secret
    url = f"redis://127.0.0.1:6379/{number}"
    return Broker(url, redis.Redis("127.0.0.1", 6379, db=number, socket_timeout=10))


@dataclass(frozen=True)
class Project:
    """A migrated database with an LRS credential, and the production settings to serve it."""

    env: dict[str, str]
    database_url: str
    workdir: Path
    broker: Broker
    key: str
    secret: str

    @property
    def port(self) -> int:
        return int(self.env["SITE_URL"].rsplit(":", 1)[1])

    def gunicorn(self, name: str, workers: int = 2) -> AbstractContextManager[Server]:
        """The project's gunicorn on ``port``, logging to ``var/bench/<name>-server.log``."""
        log_path = LOG_DIR / f"{name}-server.log"
        say(f"Server: gunicorn, {workers} sync workers, http://127.0.0.1:{self.port} ({log_path})")
        return running_gunicorn(
            port=self.port,
            env=self.env,
            log_path=log_path,
            workers=workers,
            ready_path="/xapi/about",
        )


@contextmanager
def project(name: str, *, broker: bool = True) -> Iterator[Project]:
    """A fresh database ``lms_bench_<name>_<pid>`` (dropped at the end), migrated, with an LRS
    credential. With ``broker``, tasks are queued for a worker (and the cache is shared in
    Redis), never run inline; without, they run in the process that asks for them."""
    with (
        tempfile.TemporaryDirectory(prefix=f"{name}-bench-") as tmp,
        fresh_postgres_database(f"lms_bench_{name}_{os.getpid()}") as url,
    ):
        queue = redis_broker()
        queues = {"CELERY_BROKER_URL": queue.url, "REDIS_URL": queue.url} if broker else {}
        env = server_environment(
            database_url=url,
            port=free_port(),
            var_dir=Path(tmp) / "var",
            LOG_LEVEL="WARNING",
            MEDIA_WORK_DIR=str(Path(tmp) / "work"),
            **queues,
        )
        manage("migrate", "--noinput", env=env)
        # The benchmarks' player is trusted to credit, as the platform's own is.
        output = manage(
            "lrs_client_create", "--name", "bench", "--read", "all", "--can-credit", env=env
        )
        values = dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)
        try:
            yield Project(env, url, Path(tmp), queue, values["key"], values["secret"])
        finally:
            queue.purge()


def build(*args: str, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Run ``bench/_store.py ARGS OUTPUT`` in a Django process; the JSON it wrote."""
    output = workdir / f"{args[0]}.json"
    result = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(REPO / "bench" / "_store.py"), *args, str(output)],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"bench/_store.py {args[0]} failed (exit status {result.returncode})")
    written: dict[str, Any] = json.loads(output.read_text())
    return written


@contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``celery -A lms worker -Q celery -c 1`` until the block ends, once it says it is ready."""
    offset = log_path.stat().st_size if log_path.exists() else 0
    options = ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("a") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            [str(Path(sys.executable).with_name("celery")), "-A", "lms", "worker"]
            + ["-Q", "celery", "-c", "1", *options, "-n", f"bench-{os.getpid()}@%h"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        try:
            deadline = time.monotonic() + 60
            while " ready." not in log_path.read_text()[offset:]:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"The Celery worker did not start; see {log_path}")
                time.sleep(0.2)
            yield process
        finally:
            stop(process)


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection refused, reset, timeout)
    body: bytes
    seconds: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class LrsClient:
    """One keep-alive HTTP connection to the LRS, as one player or reporting tool has."""

    def __init__(self, base: str, key: str, secret: str) -> None:
        parts = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}

    def send(self, method: str, path: str, body: bytes | None = None) -> Answer:
        headers = {**self.headers, **({"Content-Type": "application/json"} if body else {})}
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


@dataclass
class Posted:
    seconds: float
    answers: list[Answer]
    cpu: list[float]  # seconds, one per meter

    @property
    def errors(self) -> int:
        return sum(1 for a in self.answers if not a.ok)

    def first_error(self) -> str:
        bad = next((a for a in self.answers if not a.ok), None)
        return f"HTTP {bad.status} {bad.body[:300]!r}" if bad else ""

    def latencies_ms(self) -> list[float]:
        return [a.seconds * 1000 for a in self.answers if a.ok]


def post_all(
    client: Callable[[], LrsClient],
    bodies: list[list[bytes]],
    meters: list[CpuMeter],
    *,
    seconds: float = float("inf"),
) -> Posted:
    """Each client POSTs its bodies one after another, all clients at once, until done or
    ``seconds`` have passed; the meters read around it."""

    def post(mine: list[bytes]) -> list[Answer]:
        lrs, answers = client(), []
        for body in mine:
            if time.monotonic() > deadline:
                break
            answers.append(lrs.send("POST", "/xapi/statements", body))
        lrs.connection.close()
        return answers

    for meter in meters:
        meter.start()
    began = time.monotonic()
    deadline = began + seconds
    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = [answer for mine in pool.map(post, bodies) for answer in mine]
    return Posted(time.monotonic() - began, answers, [meter.seconds() for meter in meters])


# --- xAPI Video Profile statements, as the platform's player sends them -----------------------
# A viewing session is what one learner does with one lesson between opening and closing the
# player: initialized, played, paused, seeked... completed (at the end), terminated; each
# statement with the session id, the video's length and, from the first pause, the played
# segments and the progress. Deterministic from a seed; the clients and _store.py use it.

VIDEO = "https://w3id.org/xapi/video"
VERBS = ("initialized", "played", "paused", "seeked", "completed", "terminated")
VERB_IDS = {name: f"{VIDEO}/verbs/{name}" for name in VERBS}
EXT = {
    name: f"{VIDEO}/extensions/{name}"
    for name in ("session-id", "length", "time", "played-segments", "progress")
    + ("time-from", "time-to")
}
ACTIVITIES = "http://127.0.0.1/xapi/activities"
NAMESPACE = uuid.UUID("5d0a4a70-3c1e-4a43-9a65-6f0e1f2b7d11")
Statement = dict[str, Any]


def stable_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(frozen=True)
class Lesson:
    iri: str
    module_iri: str
    course_iri: str
    course: int
    title: str
    length: float  # seconds


def catalogue(site_url: str = "") -> list[Lesson]:
    """4 courses x 5 modules x 6 video lessons of 5 to 30 minutes; with ``site_url``, their
    IRIs under that server's ``/xapi/activities`` (where the progress engine finds lessons)."""
    root = f"{site_url.rstrip('/')}/xapi/activities" if site_url else ACTIVITIES
    found = []
    for c in range(4):
        course = f"{root}/course/{stable_uuid('course', c)}"
        for m in range(5):
            module = f"{root}/module/{stable_uuid('module', c, m)}"
            for n in range(6):
                lesson = f"{root}/lesson/{stable_uuid('lesson', c, m, n)}"
                title = f"Modulo {m + 1}, lezione {n + 1}"
                length = float(300 + (c * 97 + m * 31 + n * 53) % 1500)
                found.append(Lesson(lesson, module, course, c, title, length))
    return found


def learner_uuid(index: int) -> uuid.UUID:
    return stable_uuid("learner", index)


def registration_uuid(learner: int, course: int) -> uuid.UUID:
    """One registration per enrolment: a learner in a course."""
    return stable_uuid("registration", learner, course)


def actor(*, home_page: str, learner: int) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": home_page, "name": str(learner_uuid(learner))},
    }


def session_statements(
    rng: random.Random, *, lesson: Lesson, learner: int, home_page: str, start: datetime
) -> list[tuple[datetime, Statement]]:
    """A viewing session's statements, each with the moment it was sent."""
    definition = {"type": f"{VIDEO}/activity-type/video", "name": {"it-IT": lesson.title}}
    base = {
        "actor": actor(home_page=home_page, learner=learner),
        "object": {"objectType": "Activity", "id": lesson.iri, "definition": definition},
    }
    profile = {"type": "http://adlnet.gov/expapi/activities/profile"}
    context = {
        "registration": str(registration_uuid(learner, lesson.course)),
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": lesson.module_iri}],
            "grouping": [{"objectType": "Activity", "id": lesson.course_iri}],
            "category": [{"objectType": "Activity", "id": VIDEO, "definition": profile}],
        },
        "extensions": {
            EXT["session-id"]: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            EXT["length"]: lesson.length,
        },
    }
    out: list[tuple[datetime, Statement]] = []
    clock, position = start, 0.0
    segments: list[tuple[float, float]] = []

    def emit(verb: str, result: dict[str, Any] | None = None) -> None:
        statement: Statement = {
            **base,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "verb": {"id": VERB_IDS[verb], "display": {"en-US": verb}},
            "context": context,
            "timestamp": clock.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if result is not None:
            statement["result"] = {"extensions": result}
        out.append((clock, statement))

    def watched() -> dict[str, Any]:
        covered = sum(end - begin for begin, end in segments)
        return {
            EXT["time"]: round(position, 3),
            EXT["played-segments"]: "[,]".join(f"{b:.3f}[.]{e:.3f}" for b, e in segments),
            EXT["progress"]: round(min(1.0, covered / lesson.length), 4),
        }

    emit("initialized")
    for _ in range(rng.randint(1, 4)):
        clock += timedelta(seconds=rng.uniform(1, 20))
        emit("played", {EXT["time"]: round(position, 3)})
        span = min(lesson.length - position, rng.uniform(20, lesson.length / 2))
        segments.append((round(position, 3), round(position + span, 3)))
        position += span
        clock += timedelta(seconds=span)
        if position >= lesson.length - 0.001:
            emit("completed", watched())
            break
        emit("paused", watched())
        if rng.random() < 0.4:
            target = round(rng.uniform(0, lesson.length), 3)
            clock += timedelta(seconds=rng.uniform(1, 10))
            emit("seeked", {EXT["time-from"]: round(position, 3), EXT["time-to"]: target})
            position = target
    clock += timedelta(seconds=rng.uniform(1, 30))
    emit("terminated", watched())
    return out


def live_statements(
    rng: random.Random, *, lessons: list[Lesson], learners: int, home_page: str
) -> Iterator[Statement]:
    """Statements of viewing sessions happening now, of random learners and lessons, forever."""
    while True:
        lesson, learner = rng.choice(lessons), rng.randrange(learners)
        now = datetime.now(tz=UTC)
        for _sent, statement in session_statements(
            rng, lesson=lesson, learner=learner, home_page=home_page, start=now
        ):
            yield statement


def request_bodies(
    statements: Iterator[Statement], *, clients: int, requests: int, per_request: int
) -> list[list[bytes]]:
    """Each client's request bodies, made before the clock starts: single statements as
    objects, batches as arrays."""
    bodies: list[list[bytes]] = []
    for _ in range(clients):
        chunks = [[next(statements) for _ in range(per_request)] for _ in range(requests)]
        bodies.append([json.dumps(c[0] if per_request == 1 else c).encode() for c in chunks])
    return bodies
