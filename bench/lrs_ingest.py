"""How fast the LRS stores and finds xAPI Video Profile statements.

    python bench/lrs_ingest.py [--store-size N] [--workers N]     (or: make bench)

gunicorn with production settings on a fresh database, and a broker with no worker: the progress
engine's work is queued, not measured (bench/progress.py measures it). 1. Ingest: single
statements, then batches of 100, from 1 and 4 keep-alive clients; the rows stored are counted
against the statements acknowledged. 2. A store of 1,000,000 statements (bench/_store.py), then
the typical queries, each answer compared with the ids stored. 3. A worker's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import _harness as h

PAGE_SIZE = 100  # the server's
PHASE_SECONDS = 20  # a phase stops early when it has sent this long
QUERY_ROUNDS = 300  # requests per kind of query
QUERIES = {"agent_verb": "learner + verb", "registration": "registration"}
QUERIES["verb_since"] = "verb since a date"
PHASES = (  # name, clients, statements per request, requests per client
    ("single statements, 1 client", 1, 1, 4000),
    ("single statements, 4 clients", 4, 1, 2000),
    ("batches of 100, 1 client", 1, 100, 200),
    ("batches of 100, 4 clients", 4, 100, 80),
)


@dataclass
class Phase:
    name: str
    per_request: int
    posted: h.Posted

    @property
    def statements(self) -> int:
        return (len(self.posted.answers) - self.posted.errors) * self.per_request

    def rate(self, unit: int = 1) -> float:
        return self.statements / unit / self.posted.seconds


def ingest(lrs: h.Project, server: h.Server) -> dict[str, Phase]:
    statements = h.live_statements(
        random.Random(2024),  # noqa: S311 - test data
        lessons=h.catalogue(),
        learners=2000,
        home_page=server.base,
    )
    client = partial(h.LrsClient, server.base, lrs.key, lrs.secret)
    meters = [h.CpuMeter(server.worker_pids), h.CpuMeter(h.database_backends(lrs.database_url))]
    warm = h.post_all(
        client, h.request_bodies(statements, clients=2, requests=20, per_request=1), meters
    )
    if warm.errors:
        raise h.BenchError(f"The warm-up POSTs failed: {warm.first_error()}")
    h.say(
        f"{'phase':<32} {'req/s':>8} {'stmt/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'worker CPU ms/stmt':>19} {'PG CPU ms/stmt':>15} {'non-2xx':>8}"
    )
    phases = {}
    for name, clients, per_request, requests in PHASES:
        bodies = h.request_bodies(
            statements, clients=clients, requests=requests, per_request=per_request
        )
        phase = Phase(name, per_request, h.post_all(client, bodies, meters, seconds=PHASE_SECONDS))
        phases[name] = phase
        latencies, ms = phase.posted.latencies_ms(), 1000 / max(1, phase.statements)
        worker_cpu, database_cpu = phase.posted.cpu
        h.say(
            f"{name:<32} {phase.rate(per_request):>8,.0f} {phase.rate():>8,.0f} "
            f"{h.median(latencies):>7.1f} {h.percentile(latencies, 95):>7.1f} "
            f"{worker_cpu * ms:>19.3f} {database_cpu * ms:>15.3f} {phase.posted.errors:>8}"
        )
        if phase.posted.errors:
            h.say(f"  first error: {phase.posted.first_error()}")
    acknowledged = len(warm.answers) + sum(phase.statements for phase in phases.values())
    (stored,) = h.query_row(lrs.database_url, "SELECT count(*) FROM tracking_statement")
    h.say(f"Rows stored: {stored:,}; statements acknowledged: {acknowledged:,}")
    if stored != acknowledged:
        raise h.BenchError(f"{acknowledged:,} statements acknowledged but {stored:,} rows stored")
    return phases


def page_problem(answer: h.Answer, ids: list[str]) -> str:
    """Why the answer is not the first page of ``ids`` ("" when it is)."""
    if answer.status != 200:
        return f"HTTP {answer.status}: {answer.body[:200]!r}"
    document = json.loads(answer.body)
    if [s["id"] for s in document["statements"]] != ids[:PAGE_SIZE]:
        return f"not the {min(len(ids), PAGE_SIZE)} statements stored (or in another order)"
    if bool(document["more"]) != (len(ids) > PAGE_SIZE):
        return "the more link is wrong"
    return ""


def all_ids(client: h.LrsClient, params: dict[str, str]) -> list[str] | None:
    """Every id a query returns, following its more links (None on any error)."""
    answer, ids = client.statements(params), []
    while answer.status == 200:
        document = json.loads(answer.body)
        ids += [s["id"] for s in document["statements"]]
        if not document["more"]:
            return ids
        answer = client.send("GET", document["more"])
    return None


def queries(client: h.LrsClient, store: dict[str, Any]) -> list[h.Target]:
    """Each kind of query QUERY_ROUNDS times over its targets; p95 and wrong answers."""
    h.say(
        f"{'query':<20} {'targets':>7} {'rows each':>10} {'requests':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'wrong':>6}"
    )
    targets, wrong = [], 0
    for kind, label in QUERIES.items():
        expected = store["expected"][kind]
        if not any(t["ids"] for t in expected):
            raise h.BenchError(
                f"No {label} query has anything to find: the store is not what was asked"
            )
        params = [{k: v for k, v in t.items() if k != "ids"} for t in expected]
        for p in params[:3]:  # warm the workers; not measured
            client.statements(p)
        latencies, problems = [], []
        for number in range(QUERY_ROUNDS):
            answer = client.statements(params[number % len(params)])
            latencies.append(answer.seconds * 1000)
            if problem := page_problem(answer, expected[number % len(params)]["ids"]):
                problems.append(f"{params[number % len(params)]}: {problem}")
        for index in range(min(5, len(params))):  # complete results, through the more links
            if all_ids(client, params[index]) != expected[index]["ids"]:
                problems.append(f"{params[index]}: the pages do not add up to what was stored")
        sizes = [len(t["ids"]) for t in expected]
        h.say(
            f"{label:<20} {len(params):>7} {f'{min(sizes)}-{max(sizes)}':>10} {QUERY_ROUNDS:>8} "
            f"{h.median(latencies):>7.1f} {h.percentile(latencies, 95):>7.1f} {len(problems):>6}"
        )
        if problems:
            h.say(f"  first wrong answer: {problems[0]}")
        wrong += len(problems)
        targets.append(h.Target(f"query p95, {label}", h.percentile(latencies, 95), "ms", "<=", 50))
    return [*targets, h.zero("query answers that differ from the store", wrong, "answers")]


def memory(server: h.Server, client: h.LrsClient) -> str:
    """Peak RSS of the workers answering 50 pages of 10 and then 50 of the server's size, for a
    query matching a sixth of the store."""
    pids, lines = server.worker_pids(), []
    for limit, wanted in (("10", 10), ("0", PAGE_SIZE)):
        for pid in pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # Linux: VmHWM := current RSS
        params = {"verb": h.VERB_IDS["played"], "limit": limit}
        answers = [client.statements(params) for _ in range(50)]
        if any(a.status != 200 for a in answers):
            raise h.BenchError(f"GET with limit={limit} failed: HTTP {answers[0].status}")
        document = json.loads(answers[-1].body)
        if len(document["statements"]) != wanted or not document["more"]:
            raise h.BenchError(f"limit={limit} returned {len(document['statements'])} statements")
        peak = max(
            int(line.split()[1]) / 1024
            for pid in pids
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmHWM:")
        )
        size = len(answers[-1].body) / 1024
        lines.append(f"limit={limit}: {wanted} statements ({size:.0f} KiB), peak RSS {peak:.1f} MB")
    return "; ".join(lines)


def measure(store_size: int, workers: int) -> list[h.Target]:
    with h.project("lrs") as lrs, lrs.gunicorn("lrs_ingest", workers) as server:
        h.say()
        phases = ingest(lrs, server)
        h.say()
        h.say(
            f"Building a store of {store_size:,} statements (bench/_store.py; replaces the above)"
        )
        store = h.build("lrs", str(store_size), lrs.key, env=lrs.env, workdir=lrs.workdir)
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in store["timings"].items())
        h.say(f"Store: {store['count']:,} statements of {store['learners']:,} learners ({steps})")
        if store["count"] != store_size:
            raise h.BenchError(f"The store holds {store['count']:,} statements, not {store_size:,}")
        h.say()
        client = h.LrsClient(server.base, lrs.key, lrs.secret)
        query_targets = queries(client, store)
        h.say()
        h.say(f"Memory: {memory(server, client)}")
    batched, single = phases["batches of 100, 4 clients"], phases["single statements, 4 clients"]
    errors = batched.posted.errors + single.posted.errors
    return [
        h.Target("batched ingest, 4 clients", batched.rate(), "statements/s", ">=", 3000),
        h.Target("single-statement POST, 4 clients", single.rate(), "requests/s", ">=", 300),
        *query_targets[:-1],
        h.zero("errors under 4 concurrent clients", errors, "non-2xx answers"),
        query_targets[-1],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store-size", type=int, default=1_000_000, help="store (1,000,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    options = parser.parse_args(argv)
    return h.run("lrs_ingest", lambda: measure(options.store_size, options.workers))


if __name__ == "__main__":
    sys.exit(main())
