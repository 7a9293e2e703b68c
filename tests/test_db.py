"""The bulk writers of lms/db.py (COPY on PostgreSQL in CI, bulk_create on SQLite)."""

import uuid
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
from django.db import transaction

from lms.db import rows_copy, rows_insert, rows_upsert
from tests.accounts.factories import UserFactory
from tests.courses.factories import LessonFactory
from tracking.models import CreditEntry, ProgrammeProgress, Statement
from tracking.progress.services.rows import ProgrammeRow, lesson_progress_rows

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Entry(NamedTuple):  # CreditEntry's fields, in another order than the model's
    credited_at: datetime
    learner_id: uuid.UUID
    lesson_id: str
    statement_id: uuid.UUID
    seconds: float
    new_seconds: float
    media: list
    window: list
    reason: str


def _statement(learner):
    return Statement.objects.create(
        id=uuid.uuid4(),
        payload={"actor": {"name": "x"}},
        actor_ifi=f"account:x {learner.pk}",
        verb_id="https://w3id.org/xapi/video/verbs/paused",
        object_activity_id="https://example.org/lesson",
        timestamp=AT,
        stored=AT,
    )


def test_rows_given_as_named_tuples_are_stored_field_by_field(learner):
    lesson = LessonFactory()
    statement = _statement(learner)
    rows = [
        Entry(AT, learner.pk, str(lesson.pk), statement.pk, 12.5, 20.0, [[0.0, 20.0]],
              [[100.0, 112.5]], "faster_than_real_time"),
        Entry(AT, learner.pk, str(lesson.pk), statement.pk, 0.0, 3.0, [[20.0, 23.0]], [],
              "not_playing"),
    ]  # fmt: skip

    rows_copy(CreditEntry, rows)

    stored = list(CreditEntry.objects.order_by("seconds"))
    assert [e.pk is not None for e in stored] == [True, True]  # numbered by the database
    assert [(e.seconds, e.new_seconds, e.media, e.window, e.reason) for e in stored] == [
        (0.0, 3.0, [[20.0, 23.0]], [], "not_playing"),
        (12.5, 20.0, [[0.0, 20.0]], [[100.0, 112.5]], "faster_than_real_time"),
    ]
    assert {(e.learner_id, e.lesson_id, e.statement_id, e.credited_at) for e in stored} == {
        (learner.pk, lesson.pk, statement.pk, AT)
    }


def test_rows_missing_a_field_are_refused_before_anything_is_written(learner):
    class Partial(NamedTuple):
        learner_id: uuid.UUID
        seconds: float

    with pytest.raises(ValueError, match="CreditEntry rows need exactly"):
        rows_copy(CreditEntry, [Partial(learner.pk, 1.0)])
    assert not CreditEntry.objects.exists()


def test_rows_are_inserted_then_merged_twice_in_one_transaction():
    people = UserFactory.create_batch(3)

    def clock(person, state, seconds):
        return ProgrammeRow(str(person.pk), state, None, None, None, seconds, AT)

    with transaction.atomic():
        rows_insert([ProgrammeProgress(learner=people[0], state={"a": [1, 2]}, credited_seconds=5)])
        rows_upsert(
            ProgrammeProgress,
            [clock(people[0], {"b": "x"}, 7.0), clock(people[1], {}, 1.0)],
            unique_fields=["learner_id"],
            update_fields=["state", "credited_seconds"],
        )
        rows_upsert(  # (the staging table of the first merge is empty again)
            ProgrammeProgress,
            [clock(people[2], {}, 2.0)],
            unique_fields=["learner_id"],
            update_fields=["state", "credited_seconds"],
        )

    clocks = {c.learner_id: (c.state, c.credited_seconds) for c in ProgrammeProgress.objects.all()}
    assert clocks == {
        people[0].pk: ({"b": "x"}, 7.0),
        people[1].pk: ({}, 1.0),
        people[2].pk: ({}, 2.0),
    }


def test_lesson_progress_is_read_for_exactly_the_pairs_asked(learner):
    from tracking.models import LessonProgress

    lessons = [LessonFactory() for _ in range(3)]
    other = UserFactory()
    for person in (learner, other):
        for lesson in lessons:
            LessonProgress.objects.create(
                learner=person, lesson=lesson, covered=[[0.0, 5.0]], covered_seconds=5.0
            )

    found = lesson_progress_rows(
        {str(learner.pk): {str(lessons[0].pk), str(lessons[2].pk)}, str(other.pk): set()}
    )

    assert {person: sorted(rows) for person, rows in found.items()} == {
        str(learner.pk): sorted([str(lessons[0].pk), str(lessons[2].pk)]),
        str(other.pk): [],
    }
    row = found[str(learner.pk)][str(lessons[0].pk)]
    assert (row.learner_id, row.lesson_id, row.covered, row.covered_seconds) == (
        str(learner.pk),
        str(lessons[0].pk),
        [[0.0, 5.0]],
        5.0,
    )
