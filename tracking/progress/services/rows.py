"""The rows the progress engine reads and writes by the thousand, as plain objects: a drain
touches a few hundred learners' programmes and lesson progress and writes hundreds of ledger
entries, and a Django model instance per row (made, then each value prepared by its field)
cost more than everything else it does with them. ``lms.db.rows_copy`` and ``rows_upsert``
write them; their attributes are the models' field attributes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID, uuid4

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from tracking.progress.models import LessonProgress, ProgrammeProgress


@dataclass(slots=True)
class ProgressRow:
    """A ``LessonProgress``: one learner in one lesson."""

    id: UUID
    learner_id: str
    lesson_id: str
    covered: list[list[float]]
    covered_seconds: float
    earned: list[list[float]]
    earned_seconds: float
    credited_seconds: float
    completed_at: datetime | None
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def new(cls, learner_id: str, lesson_id: str, now: datetime) -> ProgressRow:
        return cls(uuid4(), learner_id, lesson_id, [], 0.0, [], 0.0, 0.0, None, None, now, now)


@dataclass(slots=True)
class ProgrammeRow:
    """A ``ProgrammeProgress``: what the engine remembers of one learner."""

    learner_id: str
    state: dict[str, Any]
    last_stored: datetime | None
    last_sequence: int | None
    last_statement_id: UUID | None
    credited_seconds: float
    updated_at: datetime


class LedgerRow(NamedTuple):
    """A ``CreditEntry``."""

    learner_id: str
    lesson_id: str
    statement_id: UUID
    seconds: float
    new_seconds: float
    media: list[list[float]]
    window: list[list[float]]
    reason: str
    credited_at: datetime


PROGRESS_COLUMNS = tuple(f.name for f in fields(ProgressRow))
PROGRAMME_COLUMNS = tuple(f.name for f in fields(ProgrammeRow))


def lesson_progress_rows(pairs: dict[str, set[str]]) -> dict[str, dict[str, ProgressRow]]:
    """learner -> lesson -> progress row, for exactly these learners' lessons, in one query."""
    found: dict[str, dict[str, ProgressRow]] = {learner: {} for learner in pairs}
    wanted = [(learner, lesson) for learner, lessons in pairs.items() for lesson in lessons]
    if not wanted:
        return found
    db = connections["default"]
    for values in _progress_values(db, wanted):
        row = ProgressRow(*values)
        row.learner_id, row.lesson_id = str(row.learner_id), str(row.lesson_id)
        found[row.learner_id][row.lesson_id] = row
    return found


def _progress_values(db: BaseDatabaseWrapper, wanted: list[tuple[str, str]]) -> Iterable[tuple]:
    table = db.ops.quote_name(LessonProgress._meta.db_table)
    if db.vendor == "postgresql":
        # One index lookup per pair (the LIMIT keeps the LATERAL subquery from being merged
        # into a join): given the pairs as a list, the planner reads the whole table instead
        # once it is large, and a drain asks twice for a thousand pairs.
        columns = ", ".join(f"p.{db.ops.quote_name(name)}" for name in PROGRESS_COLUMNS)
        query = (
            f"SELECT {columns} FROM unnest(%s::uuid[], %s::uuid[]) AS w(learner_id, lesson_id) "  # noqa: S608 - names from the model
            f"CROSS JOIN LATERAL (SELECT * FROM {table} p WHERE p.learner_id = w.learner_id "
            "AND p.lesson_id = w.lesson_id LIMIT 1) p"
        )
        with db.cursor() as cursor:
            cursor.execute(query, [[a for a, _ in wanted], [b for _, b in wanted]])
            rows = cursor.fetchall()
        json_columns = [PROGRESS_COLUMNS.index("covered"), PROGRESS_COLUMNS.index("earned")]
        for row in rows:  # (Django has psycopg hand JSON over as text)
            values = list(row)
            for index in json_columns:
                if isinstance(values[index], str):
                    values[index] = json.loads(values[index])
            yield tuple(values)
        return
    uuid_field = LessonProgress._meta.pk
    params = [uuid_field.get_db_prep_value(UUID(i), db) for pair in wanted for i in pair]
    in_pairs = RawSQL(  # noqa: S611 - the values are parameters
        f"({table}.learner_id, {table}.lesson_id) IN "  # noqa: S608
        f"(VALUES {', '.join(['(%s, %s)'] * len(wanted))})",
        params,
        output_field=BooleanField(),
    )
    yield from (
        LessonProgress.objects.alias(wanted=in_pairs)
        .filter(wanted=True)
        .values_list(*PROGRESS_COLUMNS)
    )


def programme_rows(queryset: QuerySet[ProgrammeProgress]) -> dict[str, ProgrammeRow]:
    """learner -> programme, of these programmes (locked by the queryset, in its order)."""
    found = {}
    for values in queryset.values_list(*PROGRAMME_COLUMNS):
        row = ProgrammeRow(*values)
        row.learner_id = str(row.learner_id)
        found[row.learner_id] = row
    return found
