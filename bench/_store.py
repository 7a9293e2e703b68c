"""The benchmarks' one module inside Django (not a benchmark): it builds their stores fast and
runs the project's transcode; every import of the apps' models and services is here.

    python bench/_store.py lrs SIZE CLIENT_KEY OUTPUT.json
    python bench/_store.py progress STATEMENTS LEARNERS CLIENT_KEY OUTPUT.json
    python bench/_store.py city LEARNERS OUTPUT.json
    python bench/_store.py pages OUTPUT.json            (after progress and city)
    python bench/_store.py transcode SOURCE OUTPUT.json     (environment: the server's)

Statements: viewing sessions (``_video``) of random learners and lessons spread over the past
months, each row made by the LRS's own code (``prepare_statement``, ``statement_rows``) with
the server's stored time a little after the player sent it, built in 2 processes and loaded with
COPY while the tables' secondary indexes and constraints are dropped; those are rebuilt from
their definitions and the tables vacuumed and analysed. Nothing waits for the progress engine.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import resource
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _harness as h
import django
import psycopg

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
django.setup()

# The apps' imports (models, the LRS's row building), all of them.
from django.contrib.auth import (  # noqa: E402 - after django.setup()
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from courses.models import Course, Enrollment, Lesson, Module, ThematicArea  # noqa: E402
from lms.accounts.models import MetropolitanCity, Organisation, Position, User  # noqa: E402
from media.models import VideoAsset  # noqa: E402
from tracking.lrs.services.statements import (  # noqa: E402
    prepare_statement,
    statement_rows,
    xapi_timestamp,
)
from tracking.models import (  # noqa: E402
    Completion,
    CreditEntry,
    LessonProgress,
    LrsClient,
    ProgrammeProgress,
    Statement,
    StatementActivity,
    StatementAgent,
)

CHUNK = 20_000  # statements per unit of work
TABLES: tuple[type[models.Model], ...] = (Statement, StatementActivity, StatementAgent)
UNUSABLE = make_password(None)  # nobody logs in
TARGETS = 50  # learners (agent + verb, registration) the LRS benchmark queries
SINCE_DAYS = (1, 7)
CITY = "milano"  # the coordinator overview's city: none of the store's learners live there
Known = tuple[str, int, int, int, int]  # id, stored (µs), learner, verb, course
COLUMNS = {m: [f for f in m._meta.concrete_fields if f is not m._meta.auto_field] for m in TABLES}
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def say(message: str) -> None:
    print(f"  [store] {message}", flush=True)  # noqa: T201 - progress of a long step


def _tail(iri: str) -> uuid.UUID:
    return uuid.UUID(iri.rsplit("/", 1)[1])


def _text(value: Any) -> str:
    """A value as COPY text."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return (value.isoformat() if isinstance(value, datetime) else str(value)).translate(ESCAPES)


@dataclass(frozen=True)
class Plan:
    size: int
    learners: int
    lessons: list[h.Lesson]
    client: LrsClient
    now: datetime
    history: timedelta
    targets: frozenset[int] = frozenset()  # learners whose statements are kept in ``known``
    recent: datetime | None = None  # and every statement stored after this


PLAN: list[Plan] = []  # set before the workers are forked


def build_chunk(number: int) -> tuple[dict[type[models.Model], str], int, list[Known]]:
    """COPY text of one chunk's rows by table, their count, and what the queries must know."""
    plan, rng = PLAN[0], random.Random(number)  # noqa: S311 - test data, not secrets
    wanted, count = min(CHUNK, plan.size - number * CHUNK), 0
    lines: dict[type[models.Model], list[str]] = {model: [] for model in TABLES}
    known: list[Known] = []
    window = (plan.history - timedelta(hours=3)).total_seconds()
    while count < wanted:
        learner, lesson = rng.randrange(plan.learners), rng.choice(plan.lessons)
        start = plan.now - plan.history + timedelta(seconds=rng.uniform(0, window))
        session = h.session_statements(
            rng, lesson=lesson, learner=learner, home_page=os.environ["SITE_URL"], start=start
        )
        for sent, raw in session[: wanted - count]:
            stored = sent + timedelta(microseconds=rng.randrange(20_000, 900_000))
            authority, at = plan.client.authority, xapi_timestamp(stored)
            prepared = prepare_statement(
                raw, path="", version="1.0.3", authority=authority, stored=at
            )
            rows = statement_rows(prepared=[prepared], stored=stored, client=plan.client)
            for row in (*rows.statements, *rows.activities, *rows.agents):
                values = (_text(getattr(row, f.attname)) for f in COLUMNS[type(row)])
                lines[type(row)].append("\t".join(values) + "\n")
            if learner in plan.targets or (plan.recent and stored > plan.recent):
                verb = h.VERBS.index(raw["verb"]["display"]["en-US"])
                micros = int(stored.timestamp() * 1_000_000)
                known.append((str(prepared.id), micros, learner, verb, lesson.course))
            count += 1
    return {model: "".join(lines[model]) for model in TABLES}, count, known


def bulk_load(plan: Plan) -> tuple[int, int, list[Known], dict[str, float]]:
    """The statement tables emptied, their secondary indexes and constraints dropped, the
    chunks COPYed in, the indexes and constraints rebuilt from their definitions, the tables
    vacuumed and analysed; (statements, learners with statements, the known rows, timings)."""
    tables = [model._meta.db_table for model in TABLES]
    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    connection.close()  # the workers are forked: they must not share Django's connection
    admin = psycopg.connect(url, autocommit=True)
    constraints = admin.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')"
        " ORDER BY contype DESC, conname",  # foreign keys last
        [tables],
    ).fetchall()
    indexes = admin.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname"
        " NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [tables],
    ).fetchall()
    for table, name, _definition in reversed(constraints):  # foreign keys first
        admin.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        admin.execute(f'DROP INDEX "{name}"')
    quoted = ", ".join(f'"{table}"' for table in tables)
    admin.execute(f"TRUNCATE {quoted} CASCADE")  # CASCADE: the engine's ledger refers to them
    say(f"dropped {len(constraints)} constraints and {len(indexes)} indexes; tables emptied")
    timings, known, done, started = {}, [], 0, time.monotonic()
    PLAN[:] = [plan]
    with (
        multiprocessing.get_context("fork").Pool(2) as pool,
        contextlib.ExitStack() as stack,
    ):
        copies = {}
        for model in TABLES:  # one stream per table, committed when the block ends
            cursor = stack.enter_context(stack.enter_context(psycopg.connect(url)).cursor())
            columns = ", ".join(f'"{f.column}"' for f in COLUMNS[model])
            sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
            copies[model] = stack.enter_context(cursor.copy(sql))
        for texts, count, rows in pool.imap_unordered(build_chunk, range(-(-plan.size // CHUNK))):
            for model, text in texts.items():
                copies[model].write(text)
            known += rows
            before, done = done, done + count
            if done // 200_000 > before // 200_000:
                rate = done / (time.monotonic() - started)
                say(f"{done:,} statements built and copied ({rate:,.0f}/s)")
    timings["rows and COPY"], started = time.monotonic() - started, time.monotonic()
    admin.execute("SET maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        admin.execute(definition)
    for table, name, definition in constraints:
        admin.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    timings["indexes and constraints rebuilt"], started = (
        time.monotonic() - started,
        time.monotonic(),
    )
    for table in tables:
        admin.execute(f'VACUUM (ANALYZE) "{table}"')
    timings["VACUUM ANALYZE"] = time.monotonic() - started
    sql = f'SELECT count(*), count(DISTINCT actor_ifi) FROM "{tables[0]}"'  # noqa: S608 - ours
    count, actors = admin.execute(sql).fetchone() or (0, 0)
    admin.close()
    return int(count), int(actors), known, timings


def _write(output: str, facts: dict[str, Any]) -> int:
    Path(output).write_text(json.dumps(facts))
    return 0


def _newest_first(rows: list[Known]) -> list[str]:
    return [r[0] for r in sorted(rows, key=lambda r: (r[1], uuid.UUID(r[0]).int), reverse=True)]


def expectations(plan: Plan, known: list[Known]) -> dict[str, list[dict[str, Any]]]:
    """Per kind of query, its parameters and the ids it must return, newest first."""
    agent_verb, registrations, since = [], [], []
    for position, learner in enumerate(sorted(plan.targets)):
        rows, verb = [r for r in known if r[2] == learner], position % len(h.VERBS)
        agent = h.actor(home_page=os.environ["SITE_URL"], learner=learner)
        ids = _newest_first([r for r in rows if r[3] == verb])
        agent_verb.append(
            {"agent": json.dumps(agent), "verb": h.VERB_IDS[h.VERBS[verb]], "ids": ids}
        )
        courses: dict[int, list[Known]] = defaultdict(list)
        for row in rows:
            courses[row[4]].append(row)
        if courses:
            course, course_rows = max(courses.items(), key=lambda item: len(item[1]))
            registration = str(h.registration_uuid(learner, course))
            registrations.append({"registration": registration, "ids": _newest_first(course_rows)})
    for days in SINCE_DAYS:
        moment = plan.now - timedelta(days=days)
        micros = int(moment.timestamp() * 1_000_000)
        for verb, name in enumerate(h.VERBS):
            ids = _newest_first([r for r in known if r[3] == verb and r[1] > micros])
            since.append({"verb": h.VERB_IDS[name], "since": moment.isoformat(), "ids": ids})
    return {"agent_verb": agent_verb, "registration": registrations, "verb_since": since}


def lrs_store(size: int, key: str, output: str) -> int:
    now, learners = datetime.now(tz=UTC).replace(microsecond=0), max(TARGETS, size // 200)
    plan = Plan(
        size=size,
        learners=learners,
        lessons=h.catalogue(),
        client=LrsClient.objects.get(key=key),
        now=now,
        history=timedelta(days=180),
        targets=frozenset(i * learners // TARGETS for i in range(TARGETS)),
        recent=now - timedelta(days=max(SINCE_DAYS)),
    )
    count, _actors, known, timings = bulk_load(plan)
    facts = {"count": count, "learners": learners, "timings": timings}
    return _write(output, {**facts, "expected": expectations(plan, known)})


def _person(name: str, n: int, organisation: Organisation, joined: datetime) -> User:
    return User(
        id=h.stable_uuid(name, n),  # "learner": h.learner_uuid(n), the statements' account
        username=f"{name}-{n:05d}",
        password=UNUSABLE,
        first_name="Learner" if name == "learner" else "Discente",
        last_name=f"{n:05d}",
        organisation=organisation,
        position=list(Position)[n % len(Position)],
        role=User.Role.LEARNER,
        date_joined=joined,
    )


def make_people_and_lessons(learners: int, lessons: list[h.Lesson], since: datetime) -> None:
    """The learners (in every city but the overview's), the catalogue as courses whose ids are
    the activity IRIs', and every learner enrolled in every course (the registrations)."""
    places = list(Organisation.objects.exclude(city__slug=CITY).order_by("city__name", "name"))
    people = [_person("learner", n, places[n % len(places)], since) for n in range(learners)]
    User.objects.bulk_create(people, batch_size=1000)
    area, published = ThematicArea.objects.order_by("position")[0], Course.Status.PUBLISHED
    courses: dict[int, Course] = {}
    modules: dict[str, Module] = {}
    for lesson in lessons:  # titled "Modulo M, lezione N"
        module, number = lesson.title.split(", ")[0], lesson.course + 1
        course = courses.setdefault(
            lesson.course,
            Course(id=_tail(lesson.course_iri), title=f"Corso {number}", slug=f"corso-{number}"),
        )
        course.area, course.status, course.published_at = area, published, since
        position = int(module.split()[1])
        modules[lesson.module_iri] = Module(
            id=_tail(lesson.module_iri), course=course, position=position, title=module
        )
    Course.objects.bulk_create(courses.values())
    Module.objects.bulk_create(modules.values())
    Lesson.objects.bulk_create(
        Lesson(
            id=_tail(lesson.iri),
            module=modules[lesson.module_iri],
            position=int(lesson.title.rsplit(" ", 1)[1]),
            title=lesson.title,
            kind=Lesson.Kind.VIDEO,
            duration_seconds=int(lesson.length),
        )
        for lesson in lessons
    )
    imported = {"source": Enrollment.Source.IMPORT, "enrolled_at": since}
    enrolments = [
        Enrollment(id=h.registration_uuid(n, number), learner=person, course=course, **imported)
        for n, person in enumerate(people)
        for number, course in courses.items()
    ]
    Enrollment.objects.bulk_create(enrolments, batch_size=2000)


def progress_store(size: int, learners: int, key: str, output: str) -> int:
    now, history = (
        datetime.now(tz=UTC).replace(microsecond=0) - timedelta(minutes=5),
        timedelta(days=365),
    )
    lessons, started = h.catalogue(os.environ["SITE_URL"]), time.monotonic()
    make_people_and_lessons(learners, lessons, now - history)
    took = time.monotonic() - started
    say(f"{learners:,} learners and {len(lessons)} video lessons created")
    client = LrsClient.objects.get(key=key)
    plan = Plan(size, learners, lessons, client, now, history)
    count, actors, _known, timings = bulk_load(plan)
    facts = {"count": count, "learners_with_statements": actors, "lessons": len(lessons)}
    return _write(output, {**facts, "timings": {"people and lessons": took, **timings}})


def city(count: int, output: str) -> int:
    """``count`` learners in the city ``CITY`` (its metropolitan body and 40 municipalities),
    each with a copy of one recomputed learner's clock, lesson progress, completions and
    enrolments; and the city's coordinator with an API token."""
    town = MetropolitanCity.objects.get(slug=CITY)
    kind = Organisation.Kind.MUNICIPALITY
    places = [
        *Organisation.objects.filter(city=town),
        *Organisation.objects.bulk_create(
            Organisation(city=town, name=f"Comune {n + 1} di {town.name}", kind=kind)
            for n in range(40)
        ),
    ]
    templates = list(ProgrammeProgress.objects.order_by("pk").values_list("pk", flat=True))
    if not templates:
        raise SystemExit("No learner has progress: the city needs the recompute's rows")
    joined = datetime.now(tz=UTC) - timedelta(days=365)
    people = [_person("city-learner", n, places[n % len(places)], joined) for n in range(count)]
    User.objects.bulk_create(people, batch_size=1000)
    copied = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_city (learner_id uuid, template_id uuid)")
        with cursor.cursor.copy("COPY bench_city FROM STDIN") as copy:
            for n, person in enumerate(people):
                copy.write_row((person.id, templates[n % len(templates)]))
        for model in (ProgrammeProgress, LessonProgress, Completion, Enrollment):
            # each city learner gets a copy of their template learner's rows
            table, columns = model._meta.db_table, [f.column for f in model._meta.concrete_fields]
            made = {"learner_id": "m.learner_id", "id": "gen_random_uuid()"}
            values = ", ".join(made.get(c, f't."{c}"') for c in columns)
            quoted = ", ".join(f'"{c}"' for c in columns)
            cursor.execute(
                f'INSERT INTO "{table}" ({quoted}) SELECT {values} FROM bench_city m '  # noqa: S608
                f'JOIN "{table}" t ON t.learner_id = m.template_id'
            )
            copied[table] = cursor.rowcount
        cursor.execute("DROP TABLE bench_city")
        cursor.execute("ANALYZE")  # as autovacuum would have, long since
    coordinator = User.objects.create(
        id=h.stable_uuid("city-coordinator"),
        username="city-coordinator",
        password=UNUSABLE,
        role=User.Role.COORDINATOR,
        coordinated_city=town,
        organisation=places[0],
    )
    token = Token.objects.create(user=coordinator)
    facts = {"token": token.key, "city": str(town.pk), "organisations": len(places)}
    return _write(output, {**facts, "learners": count, "copied": copied})


def _session(user: User) -> str:
    """A signed-in session of ``user`` in the database, as the login page would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def pages(output: str) -> int:
    """What the pages benchmark opens: the store's busiest learner (the most ledger rows) with
    a session, one of their courses whose first lesson gets a ready video (its ladder is never
    read: the page only signs links to it), and the city's coordinator with a session."""
    busiest = (
        CreditEntry.objects.values("learner_id")
        .annotate(rows=models.Count("id"))
        .order_by("-rows")
        .first()
    )
    if busiest is None:
        raise SystemExit("No learner has a ledger: run the progress store and its recompute")
    learner = User.objects.get(pk=busiest["learner_id"])
    enrolment = Enrollment.objects.filter(learner=learner).select_related("course").first()
    if enrolment is None:
        raise SystemExit(f"{learner.username} is enrolled in nothing")
    course = enrolment.course
    lessons = Lesson.objects.filter(module__course=course)
    lesson = lessons.order_by("module__position", "position")[0]
    video = VideoAsset.objects.create(
        course=course,
        title=lesson.title,
        source="videos/bench/source.mp4",
        status=VideoAsset.Status.READY,
        progress_percent=100,
        duration_seconds=lesson.duration_seconds or 600,
        hls_prefix=f"hls/bench/{lesson.pk}/",
        width=1280,
        height=720,
        renditions=[{"height": 720}, {"height": 360}],
        thumbnails={"sheets": 1, "interval_seconds": 10},
        ready_at=datetime.now(tz=UTC),
    )
    Lesson.objects.filter(pk=lesson.pk).update(video_asset=video)
    coordinator = User.objects.get(username="city-coordinator")
    facts = {
        "learner": learner.username,
        "ledger_rows": busiest["rows"],
        "course_slug": course.slug,
        "lesson": str(lesson.pk),
        "learner_session": _session(learner),
        "coordinator_session": _session(coordinator),
    }
    return _write(output, facts)


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its waited-for children (ffprobe, ffmpeg)."""
    own, kids = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def transcode(source: str, output: str) -> int:
    """A VideoAsset whose source is ``source`` in local storage, then ``video_asset_transcode``
    measured: wall time, CPU of this process, its children and its PostgreSQL backend, and the
    wall time and CPU of its ffmpeg run (media.ffmpeg.run_with_progress)."""
    from django.conf import settings

    from media import ffmpeg
    from media.models import VideoAsset, video_source_path
    from media.services import video_asset_transcode

    area = ThematicArea.objects.order_by("position")[0]
    course = Course.objects.create(title="Benchmark", slug=f"bench-{uuid.uuid4().hex}", area=area)
    asset = VideoAsset(course=course, title="Lezione (benchmark)")
    stored = Path(settings.MEDIA_ROOT) / video_source_path(asset, "lezione.mp4")
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.symlink_to(source)  # the bytes in storage, as after an upload; no copy measured
    asset.source.name = str(stored.relative_to(settings.MEDIA_ROOT))
    asset.source_size_bytes = stored.stat().st_size
    asset.save()
    run_with_progress, ffmpeg_run = ffmpeg.run_with_progress, {"wall": 0.0, "cpu": 0.0}

    def timed(*args: Any, **kwargs: Any) -> None:
        wall, cpu = time.perf_counter(), sum(_cpu())
        try:
            run_with_progress(*args, **kwargs)
        finally:
            ffmpeg_run["wall"] += time.perf_counter() - wall
            ffmpeg_run["cpu"] += sum(_cpu()) - cpu

    ffmpeg.run_with_progress = timed
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def backend_cpu() -> float:  # PostgreSQL on this machine: its backend's utime + stime
        fields = backend.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    (own, kids), database, started = _cpu(), backend_cpu(), time.perf_counter()
    done = video_asset_transcode(asset_id=asset.pk)
    wall, (own_after, kids_after) = time.perf_counter() - started, _cpu()
    facts = {
        "status": done.status if done else "superseded",
        "reason": done.failure_message if done else "",
        "ladder": str(Path(settings.MEDIA_ROOT) / done.hls_prefix) if done else "",
        "videos": str(Path(settings.MEDIA_ROOT) / "videos"),
        "wall": wall,
        "self_cpu": own_after - own,
        "children_cpu": kids_after - kids,
        "database_cpu": backend_cpu() - database,
        "ffmpeg": ffmpeg_run,
    }
    return _write(output, facts)


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "lrs":
        return lrs_store(int(args[0]), args[1], args[2])
    if command == "progress":
        return progress_store(int(args[0]), int(args[1]), args[2], args[3])
    if command == "city":
        return city(int(args[0]), args[1])
    if command == "pages":
        return pages(args[0])
    return transcode(args[0], args[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
