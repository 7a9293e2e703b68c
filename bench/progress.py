"""What the progress engine costs: a full recompute, the work it adds to LRS ingest, and the
coordinators' overview it feeds.

    python bench/progress.py [--statements N] [--learners N] [--rounds N] [--requests N]
                             [--city N]     (or: make bench)

Production settings on a fresh database, a Celery broker (a Redis database nobody else uses) so
that tasks wait for a worker. 1. bench/_store.py makes 2,000 learners enrolled in 120 video
lessons and 1,000,000 Video Profile statements of theirs over the past year; ``manage.py
progress_recompute`` is timed from start to exit; every ledger must add up to its clock, and 20
learners recomputed again must come out identical. 2. gunicorn takes batches of 100 statements
from 4 clients with the engine off (no worker) and on (a Celery worker draining beside it), a
round being an off and an on phase back to back; the target is the engine's CPU per statement
(the median of the on phases'), the throughput cost beside it is printed for reference.
3. A city of 5,000 learners with the recomputed progress; its coordinator GETs the overview.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import _harness as h

CLIENTS, BATCH = 4, 100
DRAIN_TIMEOUT = 900  # seconds the worker may take to catch up
LEDGER = """
    SELECT count(*) FILTER (WHERE abs(c.credited_seconds - coalesce(e.total, 0)) > 1e-6)
           + (SELECT count(DISTINCT learner_id) FROM tracking_creditentry x WHERE NOT EXISTS
              (SELECT 1 FROM tracking_learnerclock y WHERE y.learner_id = x.learner_id)),
           coalesce(sum(c.credited_seconds), 0), coalesce(sum(e.total), 0), count(*)
    FROM tracking_learnerclock c LEFT JOIN (SELECT learner_id, sum(seconds) AS total
        FROM tracking_creditentry GROUP BY learner_id) e USING (learner_id)
"""  # learners whose ledger does not add up to their clock (or with no clock), the totals
# What a recompute decides for a learner, row by row, compared exactly in a fixed order.
SNAPSHOT = {
    "clock": "credited_seconds, last_stored, last_statement_id::text, state::text "
    "FROM tracking_learnerclock",
    "ledger": "credited_at, statement_id::text, lesson_id::text, seconds, new_seconds, "
    'media::text, "window"::text, reason FROM tracking_creditentry',
    "lesson progress": "lesson_id::text, covered::text, covered_seconds, credited_seconds, "
    "completed_at, last_activity_at FROM tracking_lessonprogress",
    "completions": "kind, lesson_id::text, module_id::text, course_id::text, completed_at, "
    "credited_seconds FROM tracking_completion",
}


def recompute(lrs: h.Project, statements: int) -> tuple[int, float]:
    """``manage.py progress_recompute`` for everyone, timed from start to exit, its CPU and
    peak RSS from wait4, its PostgreSQL backend's CPU from /proc; (learners, statements/s)."""
    find, log_path = h.database_backends(lrs.database_url), h.LOG_DIR / "progress-recompute.log"
    before, seen = h.cpu_seconds(find()), {}
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our interpreter, our manage.py
            [sys.executable, str(h.REPO / "manage.py"), "progress_recompute"],
            cwd=h.REPO,
            env=lrs.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        while not (waited := os.wait4(process.pid, os.WNOHANG))[0]:
            seen.update(h.cpu_seconds(find()))
            time.sleep(0.5)
        seconds = time.monotonic() - started
    _pid, status, usage = waited
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    output = log_path.read_text()
    if process.returncode != 0 or not (found := re.search(r"Recomputed (\d+) learners", output)):
        raise h.BenchError(f"progress_recompute failed ({process.returncode}): {output[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    database = sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in seen.items())
    learners, rate = int(found.group(1)), statements / seconds
    h.say(
        f"Recompute: {learners:,} learners, {statements:,} statements in {seconds:.1f} s "
        f"({rate:,.0f} statements/s); CPU {cpu:.1f} s in the process and {database:.1f} s in "
        f"PostgreSQL ({statements / (cpu + database):,.0f} statements per CPU second); peak RSS "
        f"{usage.ru_maxrss / 1024:.0f} MB; {lrs.broker.queued():,} completion announcements queued"
    )
    lrs.broker.purge()  # the announcements: a worker's job, not measured here
    return learners, rate


def ledger_differs(lrs: h.Project) -> int:
    """Learners whose ledger (CreditEntry) does not add up to their clock; the totals shown."""
    differing, clocks, entries, learners = h.query_row(lrs.database_url, LEDGER)
    h.say(
        f"Ledger: {entries / 3600:,.1f} h in the entries, {clocks / 3600:,.1f} h on "
        f"{learners:,} clocks ({entries / 3600 / max(1, learners):.1f} h per learner)"
    )
    if clocks <= 0:
        raise h.BenchError("Nothing was credited: the store is not what it seems")
    return int(differing)


def snapshot(lrs: h.Project, learners: list[str]) -> dict[str, list[str]]:
    """Each learner's rows of SNAPSHOT, as exact text (floats bit for bit), in a fixed order."""
    found: dict[str, list[str]] = {learner: [] for learner in learners}
    with h.connect(lrs.database_url, autocommit=True) as db:
        for part, query in SNAPSHOT.items():
            sql = f"SELECT learner_id::text, {query} WHERE learner_id::text = ANY(%s)"
            for row in db.execute(sql, [learners]).fetchall():  # noqa: S608 - our SQL
                found[row[0]].append(repr((part, *row[1:])))
    return {learner: sorted(rows) for learner, rows in found.items()}


def recompute_again(lrs: h.Project, sample: int = 20) -> tuple[int, int]:
    """Recompute ``sample`` random learners again; (learners, learners whose rows differ)."""
    (everyone,) = h.query_row(
        lrs.database_url, "SELECT array_agg(learner_id::text ORDER BY 1) FROM tracking_learnerclock"
    )
    learners = sorted(random.Random(5).sample(everyone, min(sample, len(everyone))))  # noqa: S311
    before = snapshot(lrs, learners)
    h.manage("progress_recompute", *learners, env=lrs.env)
    after = snapshot(lrs, learners)
    lrs.broker.purge()
    differing = [learner for learner in learners if before[learner] != after[learner]]
    h.say(f"Recomputed again: {len(learners)} random learners, {len(differing)} differ")
    for learner in differing[:5]:
        h.say(f"  {learner}: its clock, ledger, lesson progress or completions differ")
    return len(learners), len(differing)


@dataclass
class Phase:
    engine: bool
    posted: h.Posted
    engine_cpu: float = 0.0  # until the drain caught up
    catch_up: float = 0.0  # seconds from the last answer until nothing was pending

    @property
    def statements(self) -> int:
        return (len(self.posted.answers) - self.posted.errors) * BATCH

    @property
    def rate(self) -> float:
        return self.statements / self.posted.seconds

    @property
    def drain_rate(self) -> float:
        """Statements the engine applied per second, from the first POST until it caught up."""
        return self.statements / (self.posted.seconds + self.catch_up)

    def ms(self, seconds: float) -> float:
        return 1000 * seconds / self.statements if self.statements else float("nan")

    def line(self) -> str:
        latencies, (web, database) = self.posted.latencies_ms(), self.posted.cpu[:2]
        engine = (
            f"{self.ms(self.engine_cpu):>11.3f} {self.catch_up:>11.1f} {self.drain_rate:>10,.0f}"
            if self.engine
            else " " * 34
        )
        return (
            f"{'on' if self.engine else 'off':<7} {self.rate:>7,.0f} {h.median(latencies):>7.1f} "
            f"{h.percentile(latencies, 95):>7.1f} {self.ms(web):>8.3f} {self.ms(database):>7.3f} "
            f"{engine} {self.posted.errors:>8}"
        )


def wait_drained(lrs: h.Project) -> float:
    """Seconds until nothing is pending and no task is queued or running (the worker idle)."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        (pending,) = h.query_row(lrs.database_url, "SELECT count(*) FROM tracking_progressoutbox")
        if pending == 0 and not lrs.broker.busy():
            return time.monotonic() - started
        time.sleep(0.25)
    raise h.BenchError(f"The worker did not drain what was pending within {DRAIN_TIMEOUT} s")


def ingest_phases(lrs: h.Project, learners: int, rounds: int, requests: int) -> list[Phase]:
    """The rounds, off and on alternating which goes first; the worker drains the "off"
    backlog before an "on" phase (not measured)."""
    worker_log = h.LOG_DIR / "progress-worker.log"
    worker_log.write_text("")
    with lrs.gunicorn("progress") as server:
        h.say(f"Broker {lrs.broker.url}, worker log {worker_log}")
        statements = h.live_statements(
            random.Random("ingest"),  # noqa: S311 - test data (not the store's seeds)
            lessons=h.catalogue(server.base),
            learners=learners,
            home_page=server.base,
        )
        client = partial(h.LrsClient, server.base, lrs.key, lrs.secret)

        def bodies(clients: int, count: int) -> list[list[bytes]]:
            return h.request_bodies(statements, clients=clients, requests=count, per_request=BATCH)

        warm = h.post_all(client, bodies(2, 10), [])
        if warm.errors:
            raise h.BenchError(f"The warm-up POSTs failed: {warm.first_error()}")
        meters = [h.CpuMeter(server.worker_pids), h.CpuMeter(h.database_backends(lrs.database_url))]
        h.say(
            f"{'engine':<7} {'stmt/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'web CPU':>8} "
            f"{'PG CPU':>7} {'engine CPU':>11} {'catch-up s':>11} {'applied/s':>10} "
            f"{'non-2xx':>8}   (CPU: ms per statement)"
        )
        phases = []
        for number in range(rounds):
            for engine in (False, True) if number % 2 == 0 else (True, False):
                posts = bodies(CLIENTS, requests)
                if not engine:
                    phases.append(Phase(False, h.post_all(client, posts, meters)))
                else:
                    with h.celery_worker(lrs.env, worker_log) as worker:
                        wait_drained(lrs)  # what the "off" phases left
                        meter = h.CpuMeter(lambda: [worker.pid, *h.children(worker.pid)])
                        phase = Phase(True, h.post_all(client, posts, [*meters, meter]))
                        phase.catch_up = wait_drained(lrs)
                        phase.engine_cpu = meter.seconds()
                    phases.append(phase)
                h.say(phases[-1].line())
        h.say("Draining what is left (not measured) ...")
        with h.celery_worker(lrs.env, worker_log):
            wait_drained(lrs)
    recomputes = worker_log.read_text().count("progress: recomputing learner")
    h.say(f"{recomputes} learners recomputed by the drain (a statement stored behind one applied)")
    return phases


def engine_cost(lrs: h.Project, learners: int, rounds: int, requests: int) -> list[h.Target]:
    began = datetime.now(tz=UTC)
    h.say(f"Ingest, batches of {BATCH} from {CLIENTS} clients, {requests} batches each per phase")
    phases = ingest_phases(lrs, learners, rounds, requests)
    costs = []
    for n in range(0, len(phases) - 1, 2):  # each round's (off - on) / off, back to back
        off, on_ = sorted(phases[n : n + 2], key=lambda p: p.engine)
        costs.append(100 * (off.rate - on_.rate) / off.rate)
    on = [p for p in phases if p.engine]
    credited, credits = h.query_row(
        lrs.database_url,
        "SELECT coalesce(sum(seconds), 0), count(*) FROM tracking_creditentry"
        " WHERE credited_at >= %s",
        [began],
    )
    (pending,) = h.query_row(lrs.database_url, "SELECT count(*) FROM tracking_progressoutbox")
    h.say(
        f"Cost per round (off and on back to back): {', '.join(f'{c:.1f} %' for c in costs)}; "
        f"median {h.median(costs):.1f} %"
    )
    h.say(
        f"Median rates: off {h.median([p.rate for p in phases if not p.engine]):,.0f}, on "
        f"{h.median([p.rate for p in on]):,.0f} statements/s; the engine applied "
        f"{h.median([p.drain_rate for p in on]):,.0f} statements/s until it caught up, with "
        f"{h.median([p.ms(p.engine_cpu) for p in on]):.3f} ms of CPU per statement; {credits:,} "
        f"credits of {credited / 60:,.1f} min from the ingested statements; {pending} pending"
    )
    if credited <= 0:
        raise h.BenchError("The ingested statements earned no credit: the engine did nothing")
    errors, differs = sum(p.posted.errors for p in phases), ledger_differs(lrs)
    return [
        # The engine's own CPU per statement is the figure to hold: the throughput ratio above
        # swings between rounds on a shared machine (14 to 29 % on the same code).
        h.Target(
            "engine CPU per ingested statement",
            h.median([p.ms(p.engine_cpu) for p in on]),
            "ms",
            "<=",
            0.15,
        ),
        h.zero("statements left pending after the drain", pending, "statements"),
        h.zero("learners whose ledger differs from their clock after ingest", differs, "learners"),
        h.zero("ingest errors", errors, "non-2xx answers"),
    ]


def overview(lrs: h.Project, learners: int) -> list[h.Target]:
    """The city (bench/_store.py city), then its coordinator's GETs of the overview, 40 in a
    row after 3 unmeasured; every answer must be the city's, with all its learners."""
    h.say(f"Building a city of {learners:,} learners, each with a recomputed learner's progress")
    city = h.build("city", str(learners), env=lrs.env, workdir=lrs.workdir)
    rows = ", ".join(f"{count:,} {table}" for table, count in city["copied"].items())
    h.say(f"City: {learners:,} learners in {city['organisations']} organisations ({rows})")
    with lrs.gunicorn("progress-overview"):
        connection = http.client.HTTPConnection("127.0.0.1", lrs.port, timeout=120)
        headers = {"Authorization": f"Token {city['token']}", "Accept": "application/json"}

        def get() -> tuple[int, bytes, float]:
            began = time.perf_counter()
            connection.request("GET", "/api/v1/progress/overview/", headers=headers)
            response = connection.getresponse()
            return response.status, response.read(), (time.perf_counter() - began) * 1000

        answers = [get() for _ in range(43)][3:]  # the first 3 warm both workers
    latencies = [ms for status, _body, ms in answers if status == 200]
    wrong = [f"HTTP {status}: {body[:300]!r}" for status, body, _ms in answers if status != 200]
    if not wrong:
        document = json.loads(answers[-1][1])
        if document["learners"] != learners:
            wrong.append(f"{document['learners']:,} learners, not {learners:,}")
        if [c["key"] for c in document["by_city"]] != [city["city"]]:
            wrong.append(f"cities: {[c['label'] for c in document['by_city']]}")
        if sum(d["learners"] for d in document["hours_distribution"]) != learners:
            wrong.append("the hours distribution does not add up to the learners")
    h.say(
        f"Overview: {len(latencies)} GETs, p50 {h.median(latencies):.0f} ms, p95 "
        f"{h.percentile(latencies, 95):.0f} ms, {len(answers[-1][1]) / 1024:.0f} KiB per answer"
    )
    for problem in wrong[:1]:
        h.say(f"  wrong answer: {problem}")
    p95 = h.percentile(latencies or [float("inf")], 95) / 1000
    return [
        h.Target(f"coordinator overview p95, a city of {learners:,} learners", p95, "s", "<=", 1),
        h.zero("coordinator overview answers that are wrong", len(wrong), "answers"),
    ]


def build_store(lrs: h.Project, statements: int, learners: int) -> dict[str, Any]:
    h.say(f"Building {learners:,} learners, the lessons and {statements:,} statements")
    store = h.build(
        "progress", str(statements), str(learners), lrs.key, env=lrs.env, workdir=lrs.workdir
    )
    steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in store["timings"].items())
    h.say(
        f"Store: {store['count']:,} statements of {store['learners_with_statements']:,} "
        f"learners, {store['lessons']} lessons ({steps})"
    )
    if store["count"] != statements:
        raise h.BenchError(f"The store holds {store['count']:,} statements, not {statements:,}")
    return store


def measure(options: argparse.Namespace) -> list[h.Target]:
    with h.project("progress") as lrs:
        store = build_store(lrs, options.statements, options.learners)
        h.say()
        learners, rate = recompute(lrs, store["count"])
        if learners != store["learners_with_statements"]:
            raise h.BenchError(f"{learners:,} learners recomputed, not all who have statements")
        differing = ledger_differs(lrs)
        sampled, changed = recompute_again(lrs)
        h.say()
        ingest = engine_cost(lrs, options.learners, options.rounds, options.requests)
        h.say()
        shown = overview(lrs, options.city)
    size, unit = f"{store['count']:,} video statements of {learners:,} learners", "learners"
    return [
        h.Target(f"full recompute, {size}", rate, "statements/s", ">=", 5000),
        h.zero(
            "learners whose ledger differs from their clock after the recompute", differing, unit
        ),
        h.zero(f"learners whose totals differ when recomputed again (of {sampled})", changed, unit),
        *ingest,
        *shown,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    number = partial(parser.add_argument, type=int)
    number("--statements", default=1_000_000, help="statements recomputed (1,000,000)")
    number("--learners", default=2000, help="their learners (2,000)")
    number("--rounds", default=5, help="ingest rounds, each one phase off and one on (5)")
    number("--requests", default=100, help="batches of 100 per client and phase (100)")
    number("--city", default=5000, help="learners of the overview's city (5,000)")
    options = parser.parse_args(argv)
    return h.run("progress", lambda: measure(options))


if __name__ == "__main__":
    sys.exit(main())
