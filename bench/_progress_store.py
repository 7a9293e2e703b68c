"""Build what ``bench/progress.py`` recomputes: people, video lessons and a year of their Video
Profile statements, fast; not a benchmark itself.

    python bench/_progress_store.py STATEMENTS LEARNERS CLIENT_KEY OUTPUT.json
    python bench/_progress_store.py city LEARNERS OUTPUT.json
        (environment: the server's; the database freshly migrated, or recomputed for ``city``)

- ``LEARNERS`` people (``accounts.User``, learners of the seeded organisations) whose ids are
  ``_video.learner_uuid(n)``: the xAPI account names the statements carry.
- The catalogue of ``_video.catalogue()`` (4 courses x 5 modules x 6 video lessons, 5 to 30
  minutes long) as ``courses`` rows whose ids are the ones in the activity IRIs, which are
  under this server's ``SITE_URL``: every statement is about a lesson the engine knows.
- ``STATEMENTS`` statements: viewing sessions (``_video.session_statements``) of random
  learners and lessons starting anywhere in the past year, so that each learner's statements
  are spread over the year and the table, interleaved with everyone else's. Every row comes
  from the LRS's own code (``prepare_statement``, ``statement_rows``), with the server's
  stored time a little after the player sent it, and nothing in the progress engine's outbox
  (its rows are not loaded): nothing is waiting for the engine. Loaded with COPY while the
  tables' secondary indexes and constraints are dropped, then those are rebuilt and the tables
  vacuumed and analysed (``bench/_lrs_store.py``'s helpers).

Writes OUTPUT.json: statements and learners with statements, and the time of each step.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import _video
from _lrs_store import TABLES, _connect, _line, bulk_load
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from progress import site_catalogue
from rest_framework.authtoken.models import Token

from courses.models import Course, Enrollment, Lesson, Module, ThematicArea
from lms.accounts.models import MetropolitanCity, Organisation, Position, User
from tracking.models import (
    Completion,
    LearnerClock,
    LessonProgress,
    LrsClient,
    Statement,
    StatementActivity,
    StatementAgent,
)
from tracking.services.statements import prepare_statement, statement_rows, xapi_timestamp

CHUNK = 20_000  # statements per unit of work
UNUSABLE = make_password(None)
HISTORY = timedelta(days=365)
CITY = "milano"  # the coordinator overview's city: none of the store's learners live there
MUNICIPALITIES = 40  # organisations of the city besides its metropolitan body


def say(message: str) -> None:
    print(f"  [store] {message}", flush=True)  # noqa: T201 - progress of a long step


def _tail(iri: str) -> uuid.UUID:
    return uuid.UUID(iri.rsplit("/", 1)[1])


# --- people and lessons -----------------------------------------------------------------------


def make_people(count: int, now: datetime) -> None:
    """The store's learners, in the organisations of every city but the overview's."""
    organisations = list(
        Organisation.objects.exclude(city__slug=CITY).order_by("city__name", "name")
    )
    positions = list(Position)
    User.objects.bulk_create(
        [
            User(
                id=_video.learner_uuid(n),
                username=f"learner-{n:05d}",
                password=UNUSABLE,  # nobody logs in
                first_name="Learner",
                last_name=f"{n:05d}",
                organisation=organisations[n % len(organisations)],
                position=positions[n % len(positions)],
                role=User.Role.LEARNER,
                date_joined=now - HISTORY,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )


def make_enrolments(learners: int, lessons: list[_video.Lesson], now: datetime) -> None:
    """Every learner in every course, each enrolment's id the statements' registration."""
    courses = {lesson.course: _tail(lesson.course_iri) for lesson in lessons}
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                id=_video.registration_uuid(n, course),
                learner_id=_video.learner_uuid(n),
                course_id=course_id,
                source=Enrollment.Source.IMPORT,
                enrolled_at=now - HISTORY,
            )
            for n in range(learners)
            for course, course_id in courses.items()
        ],
        batch_size=2000,
    )


def make_catalogue(lessons: list[_video.Lesson], now: datetime) -> None:
    area = ThematicArea.objects.order_by("position").first()
    if area is None:
        raise SystemExit("No thematic area: the database is not migrated")
    courses: dict[str, Course] = {}
    modules: dict[str, Module] = {}
    for lesson in lessons:
        course = courses.get(lesson.course_iri)
        if course is None:
            course = courses[lesson.course_iri] = Course.objects.create(
                id=_tail(lesson.course_iri),
                title=f"Corso {lesson.course + 1}",
                slug=f"corso-{lesson.course + 1}",
                area=area,
                status=Course.Status.PUBLISHED,
                published_at=now - HISTORY,
            )
        module = modules.get(lesson.module_iri)
        if module is None:
            module = modules[lesson.module_iri] = Module.objects.create(
                id=_tail(lesson.module_iri),
                course=course,
                position=sum(1 for m in modules.values() if m.course_id == course.id) + 1,
                title=lesson.title.split(",")[0],
            )
        Lesson.objects.create(
            id=_tail(lesson.iri),
            module=module,
            position=int(lesson.title.rsplit(" ", 1)[1]),
            title=lesson.title,
            kind=Lesson.Kind.VIDEO,
            duration_seconds=int(lesson.length),
        )


# --- statements (in worker processes) ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    chunks: int
    size: int
    learners: int
    lessons: list[_video.Lesson]
    client: LrsClient
    home_page: str
    now: datetime


PLAN: Plan | None = None


def _set_plan(plan: Plan) -> None:
    global PLAN  # noqa: PLW0603 - the worker's read-only configuration
    PLAN = plan


def build_chunk(number: int) -> tuple[str, str, str, int, None]:
    """COPY text of one chunk's statements, activity links and agent links."""
    plan = PLAN
    assert plan is not None  # noqa: S101 - set by the parent before forking
    rng = random.Random(number)  # noqa: S311 - test data, not secrets
    wanted = min(CHUNK, plan.size - number * CHUNK)
    lines: dict[type, list[str]] = {model: [] for model in TABLES}
    window = (HISTORY - timedelta(hours=3)).total_seconds()
    count = 0
    while count < wanted:
        learner = rng.randrange(plan.learners)
        lesson = rng.choice(plan.lessons)
        start = plan.now - HISTORY + timedelta(seconds=rng.uniform(0, window))
        session = _video.session_statements(
            rng, lesson=lesson, learner=learner, home_page=plan.home_page, start=start
        )
        for sent, raw in session[: wanted - count]:
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
            count += 1
    return (
        "".join(lines[Statement]),
        "".join(lines[StatementActivity]),
        "".join(lines[StatementAgent]),
        count,
        None,
    )


def load(plan: Plan) -> tuple[tuple[int, int], dict[str, float]]:
    _extras, timings = bulk_load(
        plan.chunks, build_chunk, initializer=_set_plan, initargs=(plan,), empty_first=False
    )
    with _connect() as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT actor_ifi) FROM "  # noqa: S608 - our table
            f'"{Statement._meta.db_table}"'  # noqa: SLF001
        ).fetchone()
    return ((int(row[0]), int(row[1])) if row else (0, 0)), timings


# --- the overview's city (after the recompute) ------------------------------------------------


def _copy_rows(cursor: Any, model: type[models.Model]) -> int:
    """Each city learner gets a copy of their template learner's rows of ``model``."""
    table = model._meta.db_table  # noqa: SLF001 - Django's documented field API
    columns = [f.column for f in model._meta.concrete_fields]  # noqa: SLF001
    values = [
        "m.learner_id"
        if column == "learner_id"
        else "gen_random_uuid()"
        if column == "id"
        else f't."{column}"'
        for column in columns
    ]
    quoted = ", ".join(f'"{column}"' for column in columns)
    cursor.execute(
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} '  # noqa: S608
        "FROM bench_city m "
        f'JOIN "{table}" t ON t.learner_id = m.template_id'
    )
    return int(cursor.rowcount)


def make_city(count: int, output: str) -> int:
    """``count`` learners in the organisations of the city ``CITY`` (its metropolitan body and
    ``MUNICIPALITIES`` municipalities), each with the progress the engine computed for one of
    the store's learners, copied (clock, lesson progress, completions, enrolments); and a
    coordinator of the city with an API token."""
    now = datetime.now(tz=UTC)
    city = MetropolitanCity.objects.get(slug=CITY)
    organisations = [
        *Organisation.objects.filter(city=city),
        *Organisation.objects.bulk_create(
            Organisation(
                city=city,
                name=f"Comune {n + 1} di {city.name}",
                kind=Organisation.Kind.MUNICIPALITY,
            )
            for n in range(MUNICIPALITIES)
        ),
    ]
    templates = list(LearnerClock.objects.order_by("pk").values_list("pk", flat=True))
    if not templates:
        raise SystemExit("No learner has progress: the city needs the recompute's rows")
    positions = list(Position)
    people = [
        User(
            id=_video.stable_uuid("city-learner", n),
            username=f"city-learner-{n:05d}",
            password=UNUSABLE,
            first_name="Discente",
            last_name=f"{n:05d}",
            organisation=organisations[n % len(organisations)],
            position=positions[n % len(positions)],
            role=User.Role.LEARNER,
            date_joined=now - HISTORY,
        )
        for n in range(count)
    ]
    User.objects.bulk_create(people, batch_size=1000)
    copied = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_city (learner_id uuid, template_id uuid)")
        with cursor.cursor.copy("COPY bench_city FROM STDIN") as copy:
            for n, person in enumerate(people):
                copy.write_row((person.id, templates[n % len(templates)]))
        for model in (LearnerClock, LessonProgress, Completion, Enrollment):
            copied[model._meta.db_table] = _copy_rows(cursor, model)  # noqa: SLF001
        cursor.execute("DROP TABLE bench_city")
    coordinator = User.objects.create(
        id=_video.stable_uuid("city-coordinator"),
        username="city-coordinator",
        password=UNUSABLE,
        role=User.Role.COORDINATOR,
        coordinated_city=city,
        organisation=organisations[0],
    )
    token = Token.objects.create(user=coordinator)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have, long since
    with open(output, "w") as file:
        json.dump(
            {
                "token": token.key,
                "city": str(city.pk),
                "learners": count,
                "organisations": len(organisations),
                "templates": len(templates),
                "copied": copied,
            },
            file,
        )
    return 0


def main() -> int:
    if sys.argv[1] == "city":
        return make_city(int(sys.argv[2]), sys.argv[3])
    size, learners, key, output = (
        int(sys.argv[1]),
        int(sys.argv[2]),
        sys.argv[3],
        sys.argv[4],
    )
    timings: dict[str, float] = {}
    now = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(minutes=5)
    home_page = os.environ["SITE_URL"]
    lessons = site_catalogue(home_page)
    started = time.monotonic()
    make_people(learners, now)
    make_catalogue(lessons, now)
    make_enrolments(learners, lessons, now)
    timings["people and lessons"] = time.monotonic() - started
    say(f"{learners:,} learners and {len(lessons)} video lessons created")
    client = LrsClient.objects.get(key=key)
    plan = Plan(
        chunks=math.ceil(size / CHUNK),
        size=size,
        learners=learners,
        lessons=lessons,
        client=client,
        home_page=home_page,
        now=now,
    )
    connection.close()  # the workers are forked: they must not share this connection
    (count, actors), load_timings = load(plan)
    timings.update(load_timings)
    with open(output, "w") as file:
        json.dump(
            {
                "count": count,
                "learners": learners,
                "learners_with_statements": actors,
                "lessons": len(lessons),
                "timings": timings,
            },
            file,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
