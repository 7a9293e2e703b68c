"""Build a large statement store fast, for ``bench/lrs_ingest.py``; not a benchmark itself.

    python bench/_lrs_store.py SIZE CLIENT_KEY OUTPUT.json   (environment: the server's)

Every row comes from the LRS's own code: ``prepare_statement`` validates and normalises each
Video Profile statement as a POST would, and ``statement_rows`` builds the statement with its
query columns and its activity and agent links. Two processes build rows; the rows go to
PostgreSQL with COPY, one stream per table, while the tables' secondary indexes and constraints
are dropped; those are then rebuilt from their own definitions (as the migrations made them)
and the tables vacuumed and analysed. The store replaces whatever the tables held.

Writes OUTPUT.json: what each benchmark query must return (ids, newest first) and the plan
PostgreSQL chooses for each kind of query (EXPLAIN ANALYZE of the SQL the service runs).
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import _video
import django
import psycopg

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
django.setup()

from django.db import connection, models  # noqa: E402 - after django.setup()

from tracking.models import LrsClient, Statement, StatementActivity, StatementAgent  # noqa: E402
from tracking.services.principals import LrsPrincipal  # noqa: E402
from tracking.services.statements import (  # noqa: E402
    prepare_statement,
    statement_rows,
    statements_query,
    xapi_timestamp,
)

CHUNK = 20_000  # statements per unit of work
STATEMENTS_PER_LEARNER = 200
HISTORY = timedelta(days=180)
SINCE_DAYS = (1, 7)
TARGETS = 50  # learners (agent + verb) and registrations queried
TABLES = (Statement, StatementActivity, StatementAgent)
PLAN_INDEX = re.compile(
    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)"
)
PLAN_SEQ = re.compile(r"Seq Scan on (\w+)")


def say(message: str) -> None:
    print(f"  [store] {message}", flush=True)  # noqa: T201 - progress of a long step


# --- rows as COPY text ----------------------------------------------------------------------


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields  # noqa: SLF001 - Django's documented field API
        if not isinstance(f, models.AutoField | models.BigAutoField)
    ]


COLUMNS = {model: _columns(model) for model in TABLES}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, datetime):
        value = value.isoformat()
    return str(value).translate(_ESCAPES)


def _line(row: models.Model) -> str:
    return "\t".join(_text(getattr(row, f.attname)) for f in COLUMNS[type(row)]) + "\n"


# --- building rows (in worker processes) ----------------------------------------------------


class Plan:
    """What every worker needs to build its chunks: the same for all, set before forking."""

    def __init__(self, *, size: int, client: LrsClient, home_page: str, now: datetime) -> None:
        self.chunks = math.ceil(size / CHUNK)
        self.learners = max(TARGETS, size // STATEMENTS_PER_LEARNER)
        self.targets = {i * self.learners // TARGETS for i in range(TARGETS)}
        self.client = client
        self.home_page = home_page
        self.now = now
        self.recent = now - timedelta(days=max(SINCE_DAYS))
        self.lessons = _video.catalogue()


PLAN: Plan | None = None


def build_chunk(
    number: int,
) -> tuple[str, str, str, int, list[tuple[str, int, int, int, int]]]:
    """COPY text for the three tables, and what the queries need to know of the chunk's rows
    (id, stored in µs, learner, verb, course) for target learners and recent statements."""
    plan = PLAN
    assert plan is not None  # noqa: S101 - set by the parent before forking
    rng = random.Random(number)  # noqa: S311 - test data, not secrets
    lines: dict[type[models.Model], list[str]] = {model: [] for model in TABLES}
    known = []
    count = 0
    window = (HISTORY - timedelta(hours=2)).total_seconds()
    while count < CHUNK:
        learner = rng.randrange(plan.learners)
        lesson = rng.choice(plan.lessons)
        start = plan.now - HISTORY + timedelta(seconds=rng.uniform(0, window))
        session = _video.session_statements(
            rng, lesson=lesson, learner=learner, home_page=plan.home_page, start=start
        )
        for sent, raw in session[: CHUNK - count]:
            stored = sent + timedelta(microseconds=rng.randrange(20_000, 900_000))
            prepared = prepare_statement(
                raw,
                path="",
                version="1.0.3",
                authority=plan.client.authority,
                stored=xapi_timestamp(stored),
            )
            rows = statement_rows(prepared=[prepared], stored=stored, client=plan.client)
            for row in (*rows.statements, *rows.activities, *rows.agents):
                lines[type(row)].append(_line(row))
            if learner in plan.targets or stored > plan.recent:
                verb = _video.VERBS.index(raw["verb"]["display"]["en-US"])
                micros = int(stored.timestamp() * 1_000_000)
                known.append((str(prepared.id), micros, learner, verb, lesson.course))
            count += 1
    return (
        "".join(lines[Statement]),
        "".join(lines[StatementActivity]),
        "".join(lines[StatementAgent]),
        count,
        known,
    )


def _set_plan(plan: Plan) -> None:
    global PLAN  # noqa: PLW0603 - the worker's read-only configuration
    PLAN = plan


# --- loading ----------------------------------------------------------------------------------


def _connect() -> psycopg.Connection:
    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url)


def _secondary_structures(cursor: psycopg.Cursor) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Constraints other than primary keys (table, name, definition), foreign keys last, and
    the CREATE INDEX statements of the indexes no constraint owns."""
    tables = [model._meta.db_table for model in TABLES]  # noqa: SLF001
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')
        ORDER BY contype DESC, conname
        """,
        [tables],
    )
    constraints = [(t, n, d) for t, n, d in cursor.fetchall()]
    cursor.execute(
        """
        SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN
            (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
        ORDER BY indexname
        """,
        [tables],
    )
    return constraints, [row[0] for row in cursor.fetchall()]


def bulk_load(
    chunks: int,
    build: Callable[[int], tuple[str, str, str, int, Any]],
    *,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    empty_first: bool,
) -> tuple[list[Any], dict[str, float]]:
    """The statement tables loaded fast: their secondary indexes and constraints dropped (and
    the tables emptied with ``empty_first``), ``chunks`` chunks of COPY text made by ``build``
    in 2 worker processes (started with ``initializer(*initargs)``) and streamed into them,
    then the indexes and constraints rebuilt and the tables vacuumed and analysed. ``build``
    returns a chunk's statements, activity links, agent links, how many statements, and
    anything else the caller wants back. Returns those last values and the time of each step."""
    timings: dict[str, float] = {}
    tables = {model: model._meta.db_table for model in TABLES}  # noqa: SLF001
    admin = _connect()
    admin.autocommit = True
    with admin.cursor() as cursor:
        constraints, indexes = _secondary_structures(cursor)
        for table, name, _definition in reversed(constraints):  # foreign keys first
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for definition in indexes:
            name = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
            cursor.execute(f"DROP INDEX {name}")
        emptied = ""
        if empty_first:
            # CASCADE: the progress engine's ledger refers to statements
            names = ", ".join(f'"{t}"' for t in tables.values())
            cursor.execute(f"TRUNCATE {names} CASCADE")
            emptied = "; tables emptied"
    say(f"dropped {len(constraints)} constraints and {len(indexes)} indexes{emptied}")

    started = time.monotonic()
    streams = {model: _connect() for model in TABLES}
    extras: list[Any] = []
    done = 0
    with (
        multiprocessing.get_context("fork").Pool(
            2, initializer=initializer, initargs=initargs
        ) as pool,
        contextlib.ExitStack() as stack,
    ):
        copies = {}
        for model in TABLES:
            columns = ", ".join(f'"{f.column}"' for f in COLUMNS[model])
            cursor = stack.enter_context(streams[model].cursor())
            copies[model] = stack.enter_context(
                cursor.copy(f'COPY "{tables[model]}" ({columns}) FROM STDIN')
            )
        for statements, activities, agents, count, extra in pool.imap_unordered(
            build, range(chunks)
        ):
            copies[Statement].write(statements)
            copies[StatementActivity].write(activities)
            copies[StatementAgent].write(agents)
            extras.append(extra)
            before, done = done, done + count
            if done // 200_000 > before // 200_000:
                rate = done / (time.monotonic() - started)
                say(f"{done:,} statements built and copied ({rate:,.0f}/s)")
    for stream in streams.values():
        stream.commit()
        stream.close()
    timings["rows and COPY"] = time.monotonic() - started

    started = time.monotonic()
    with admin.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    timings["indexes and constraints rebuilt"] = time.monotonic() - started
    started = time.monotonic()
    with admin.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    timings["VACUUM ANALYZE"] = time.monotonic() - started
    admin.close()
    return extras, timings


def load(plan: Plan) -> tuple[int, list[tuple[str, int, int, int, int]], dict[str, float]]:
    extras, timings = bulk_load(
        plan.chunks, build_chunk, initializer=_set_plan, initargs=(plan,), empty_first=True
    )
    with _connect() as connection:
        row = connection.execute(
            f'SELECT count(*) FROM "{Statement._meta.db_table}"'  # noqa: S608, SLF001
        ).fetchone()
    return int(row[0]) if row else 0, [row for known in extras for row in known], timings


# --- what the queries must return ------------------------------------------------------------


def _newest_first(rows: list[tuple[str, int, int, int, int]]) -> list[str]:
    rows = sorted(rows, key=lambda r: (r[1], uuid.UUID(r[0]).int), reverse=True)
    return [r[0] for r in rows]


def expectations(plan: Plan, known: list[tuple[str, int, int, int, int]]) -> dict[str, list[dict]]:
    by_learner: dict[int, list] = defaultdict(list)
    for row in known:
        if row[2] in plan.targets:
            by_learner[row[2]].append(row)
    agent_verb, registrations = [], []
    for position, learner in enumerate(sorted(plan.targets)):
        verb = position % len(_video.VERBS)
        rows = by_learner[learner]
        agent_verb.append(
            {
                "agent": _video.actor(home_page=plan.home_page, learner=learner),
                "verb": _video.VERB_IDS[_video.VERBS[verb]],
                "ids": _newest_first([r for r in rows if r[3] == verb]),
            }
        )
        courses = defaultdict(list)
        for row in rows:
            courses[row[4]].append(row)
        if courses:
            course, course_rows = max(courses.items(), key=lambda item: len(item[1]))
            registrations.append(
                {
                    "registration": str(_video.registration_uuid(learner, course)),
                    "ids": _newest_first(course_rows),
                }
            )
    since = []
    for days in SINCE_DAYS:
        moment = plan.now - timedelta(days=days)
        micros = int(moment.timestamp() * 1_000_000)
        for verb, name in enumerate(_video.VERBS):
            rows = [r for r in known if r[3] == verb and r[1] > micros]
            since.append(
                {
                    "verb": _video.VERB_IDS[name],
                    "since": moment.isoformat(),
                    "ids": _newest_first(rows),
                }
            )
    return {"agent_verb": agent_verb, "registration": registrations, "verb_since": since}


def explain(client: LrsClient, params: dict[str, str]) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the page query ``statements_query`` runs for ``params``."""
    captured: list[tuple[str, Any]] = []

    def capture(execute, sql, sql_params, many, context):  # noqa: ANN001, ANN202 - Django's hook
        captured.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(capture):
        statements_query(principal=LrsPrincipal.for_client(client), params=params)
    sql, sql_params = next((s, p) for s, p in captured if "ORDER BY" in s)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "indexes": sorted(set(PLAN_INDEX.findall(plan))),
        "seq_scans": sorted(set(PLAN_SEQ.findall(plan))),
        "plan": plan,
    }


def main() -> int:
    size, key, output = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    client = LrsClient.objects.get(key=key)
    now = datetime.now(tz=UTC).replace(microsecond=0)
    plan = Plan(size=size, client=client, home_page=os.environ["SITE_URL"], now=now)
    connection.close()  # the workers are forked: they must not share this connection
    count, known, timings = load(plan)
    expected = expectations(plan, known)
    plans = {
        "agent_verb": explain(
            client,
            {
                "agent": json.dumps(expected["agent_verb"][1]["agent"]),
                "verb": expected["agent_verb"][1]["verb"],
            },
        ),
        "registration": explain(
            client, {"registration": expected["registration"][0]["registration"]}
        ),
        "verb_since": explain(
            client,
            {
                "verb": expected["verb_since"][1]["verb"],
                "since": expected["verb_since"][1]["since"],
            },
        ),
    }
    with open(output, "w") as file:
        json.dump(
            {
                "count": count,
                "learners": plan.learners,
                "timings": timings,
                "expected": expected,
                "plans": plans,
            },
            file,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
