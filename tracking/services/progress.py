"""The progress engine's writes: stored statements → credits in the ledger, lesson coverage and
completion. Statements are applied per learner in (stored, id) order under the learner's row
lock; a statement that arrives behind one already applied (or a voiding) makes the engine
recompute that learner from their stored statements, which gives the same numbers."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import Lesson
from lms.accounts.models import User
from tracking.credit import (
    COMPLETED,
    Credit,
    LearnerState,
    Policy,
    apply,
    event_from_statement,
)
from tracking.models import CreditEntry, LearnerClock, LessonProgress, Statement
from tracking.segments import IntervalSet
from tracking.services.completions import completions_record
from tracking.services.emitted import emitted_by_engine_extension

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500


def _policy() -> Policy:
    return Policy(tolerance_seconds=settings.PROGRESS_TOLERANCE_SECONDS)


@dataclass(frozen=True)
class LessonFacts:
    id: str
    is_video: bool
    length: float | None


def _account_prefix() -> str:
    return f"account:{settings.SITE_URL} "


def _learner_of(actor_ifi: str) -> str | None:
    prefix = _account_prefix()
    if not actor_ifi.startswith(prefix):
        return None  # not one of our people (another system's actor): nothing to credit
    name = actor_ifi[len(prefix) :]
    try:
        return str(UUID(name))
    except ValueError:
        return None


_LESSON_IRI = re.compile(r"/xapi/activities/lesson/([0-9a-fA-F-]{36})$")


def _lesson_id(activity_id: str) -> str | None:
    if not activity_id.startswith(settings.SITE_URL.rstrip("/") + "/"):
        return None
    match = _LESSON_IRI.search(activity_id)
    return match.group(1).lower() if match else None


def _lessons(ids: Iterable[str]) -> dict[str, LessonFacts]:
    found = {}
    for lesson in Lesson.objects.filter(pk__in=set(ids)).select_related("video_asset"):
        length = lesson.duration_seconds
        if lesson.video_asset is not None and lesson.video_asset.duration_seconds:
            length = lesson.video_asset.duration_seconds
        found[str(lesson.pk)] = LessonFacts(
            id=str(lesson.pk),
            is_video=lesson.kind == Lesson.Kind.VIDEO,
            length=float(length) if length else None,
        )
    return found


class StatementRow(NamedTuple):
    """What the engine reads of a stored statement (a recompute reads rows, not models)."""

    id: UUID
    payload: Any
    stored: datetime
    verb_id: str
    object_activity_id: str


ROW_FIELDS = ("id", "payload", "stored", "verb_id", "object_activity_id")


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class _Apply:
    """Statements of one learner applied in order, with the rows they change kept in memory
    and written once at the end."""

    def __init__(self, learner_id: str, clock: LearnerClock, *, fresh: bool = False):
        self.learner_id = learner_id
        self.clock = clock
        self.fresh = fresh  # a recompute: no progress row exists, none is looked up
        self.progress: dict[str, LessonProgress] = {}
        self.state = LearnerState.from_json(clock.state or {}, {})
        self.entries: list[CreditEntry] = []
        self.credited = 0.0

    def load(self, lesson_ids: Iterable[str]) -> None:
        """The progress rows of these lessons, in one query (none in a recompute)."""
        wanted = {i for i in lesson_ids if i not in self.progress}
        if not wanted:
            return
        rows = (
            []
            if self.fresh
            else LessonProgress.objects.filter(
                learner_id=UUID(self.learner_id), lesson_id__in=wanted
            )
        )
        for row in rows:
            self._keep(str(row.lesson_id), row)
        for lesson_id in wanted - set(self.progress):
            self._keep(lesson_id, LessonProgress(learner_id=self.learner_id, lesson_id=lesson_id))

    def _keep(self, lesson_id: str, row: LessonProgress) -> None:
        self.progress[lesson_id] = row
        self.state.coverage[lesson_id] = IntervalSet(tuple(pair) for pair in row.covered)

    def _row(self, lesson_id: str) -> LessonProgress:
        if lesson_id not in self.progress:
            self.load([lesson_id])
        return self.progress[lesson_id]

    def statement(
        self, statement: Statement | StatementRow, lessons: dict[str, LessonFacts]
    ) -> None:
        lesson_id = _lesson_id(statement.object_activity_id)
        facts = lessons.get(lesson_id or "")
        if facts is None:
            return
        extensions = (statement.payload.get("context") or {}).get("extensions") or {}
        if emitted_by_engine_extension() in extensions:
            return  # the engine's own completion, read back from the LRS
        row = self._row(facts.id)
        stored = _epoch(statement.stored)
        event = event_from_statement(
            statement.payload,
            statement_id=str(statement.id),
            stored=stored,
            lesson=facts.id,
            is_video=facts.is_video,
            length=facts.length,
        )
        if event is not None:
            for credit in apply(self.state, event, _policy()):
                self._record(credit, statement)
        row.last_activity_at = statement.stored
        covered = self.state.coverage.get(facts.id, IntervalSet())
        row.covered = covered.to_list()
        row.covered_seconds = covered.measure
        if row.completed_at is None and self._completes(facts, covered, statement):
            row.completed_at = statement.stored

    def _completes(
        self, facts: LessonFacts, covered: IntervalSet, statement: Statement | StatementRow
    ) -> bool:
        if facts.is_video:
            threshold = settings.PROGRESS_LESSON_COVERAGE_PERCENT / 100
            return bool(facts.length) and covered.measure >= threshold * (facts.length or 0)
        return statement.verb_id in COMPLETED

    def _record(self, credit: Credit, statement: Statement | StatementRow) -> None:
        row = self._row(credit.lesson)
        row.credited_seconds += credit.seconds
        self.credited += credit.seconds
        self.entries.append(
            CreditEntry(
                learner_id=self.learner_id,
                lesson_id=credit.lesson,
                statement_id=statement.id,
                seconds=credit.seconds,
                new_seconds=credit.new_seconds,
                media=[list(pair) for pair in credit.media],
                window=[list(pair) for pair in credit.window],
                reason=credit.reason,
                credited_at=statement.stored,
            )
        )

    def save(self, last: Statement | StatementRow | None) -> None:
        rows = [row for row in self.progress.values() if row.last_activity_at is not None]
        now = timezone.now()
        for row in rows:
            row.updated_at = now
        new = [row for row in rows if row._state.adding]
        changed = [row for row in rows if not row._state.adding]
        LessonProgress.objects.bulk_create(new)  # (which marks them saved: split before)
        LessonProgress.objects.bulk_update(
            changed,
            [
                "covered",
                "covered_seconds",
                "credited_seconds",
                "completed_at",
                "last_activity_at",
                "updated_at",
            ],
        )
        CreditEntry.objects.bulk_create(self.entries, batch_size=1000)
        self.clock.state = self.state.to_json()
        self.clock.credited_seconds += self.credited
        if last is not None:
            self.clock.last_stored, self.clock.last_statement_id = last.stored, last.id
        self.clock.save()
        if self.progress:
            completions_record(
                learner_id=UUID(self.learner_id),
                lesson_ids=list(self.progress),
                credited_total_seconds=self.clock.credited_seconds,
                at=last.stored if last is not None else timezone.now(),
                known=self.progress,
                known_is_all=self.fresh,
            )


def _learner_statements(learner_id: str) -> Any:
    return Statement.objects.filter(
        actor_ifi=_account_prefix() + learner_id, voided=False, is_voiding=False
    ).order_by("stored", "id")


@transaction.atomic
def progress_recompute_learner(*, learner_id: str | UUID) -> float:
    """Forget a learner's progress and apply all their stored statements again, in order;
    their credited seconds. The ledger, coverage and completions come out as the incremental
    path made them (voided statements left out)."""
    learner_id = str(learner_id)
    clock, _created = LearnerClock.objects.select_for_update().get_or_create(learner_id=learner_id)
    CreditEntry.objects.filter(learner_id=UUID(learner_id)).delete()
    LessonProgress.objects.filter(learner_id=UUID(learner_id)).delete()
    clock.state, clock.credited_seconds = {}, 0.0
    clock.last_stored = clock.last_statement_id = None
    run = _Apply(learner_id, clock, fresh=True)
    last = None
    rows = _learner_statements(learner_id).values_list(*ROW_FIELDS)
    batch: list[Statement | StatementRow] = []
    for row in rows.iterator(chunk_size=2000):
        statement = StatementRow(*row)
        batch.append(statement)
        if len(batch) == 2000:
            _apply_batch(run, batch)
            batch = []
        last = statement
    _apply_batch(run, batch)
    run.save(last)
    Statement.objects.filter(
        Q(actor_ifi=_account_prefix() + learner_id), progress_pending=True
    ).update(progress_pending=False)
    return clock.credited_seconds


def _apply_batch(run: _Apply, statements: Sequence[Statement | StatementRow]) -> None:
    ids = [_lesson_id(s.object_activity_id) for s in statements]
    lessons = _lessons(i for i in ids if i)
    run.load(lessons)
    for statement in statements:
        run.statement(statement, lessons)


def _behind(statement: Statement, clock: LearnerClock) -> bool:
    if clock.last_stored is None or clock.last_statement_id is None:
        return False
    return (statement.stored, str(statement.id)) < (
        clock.last_stored,
        str(clock.last_statement_id),
    )


def _voided_learners(voiding: list[Statement]) -> set[str]:
    targets = [s.object_statement_id for s in voiding if s.object_statement_id]
    learners = set()
    for actor in Statement.objects.filter(pk__in=targets).values_list("actor_ifi", flat=True):
        if learner := _learner_of(actor):
            learners.add(learner)
    return learners


def progress_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Apply up to ``limit`` pending statements (the outbox), oldest first; how many were
    taken. Safe to run in parallel: rows are claimed with skip_locked, learners locked."""
    with transaction.atomic():
        pending = list(
            Statement.objects.filter(progress_pending=True)
            .order_by("stored", "id")
            .select_for_update(skip_locked=True)
            .only(
                "id",
                "payload",
                "stored",
                "verb_id",
                "object_activity_id",
                "actor_ifi",
                "is_voiding",
                "object_statement_id",
            )[:limit]
        )
        if not pending:
            return 0
        by_learner: dict[str, list[Statement]] = defaultdict(list)
        recompute: set[str] = _voided_learners([s for s in pending if s.is_voiding])
        for statement in pending:
            learner = _learner_of(statement.actor_ifi)
            if learner is not None and not statement.is_voiding:
                by_learner[learner].append(statement)
        known = User.objects.filter(pk__in=[*by_learner, *recompute]).values_list("pk", flat=True)
        people = {str(pk) for pk in known}
        recompute &= people
        for learner_id, statements in sorted(by_learner.items()):
            if learner_id in recompute or learner_id not in people:
                continue  # recomputed below, or an account nobody has (any more)
            clock, _created = LearnerClock.objects.select_for_update().get_or_create(
                learner_id=learner_id
            )
            if any(_behind(s, clock) for s in statements):
                recompute.add(learner_id)  # one arrived behind one applied: redo in order
                continue
            run = _Apply(learner_id, clock)
            _apply_batch(run, statements)
            run.save(statements[-1])
        Statement.objects.filter(pk__in=[s.pk for s in pending]).update(progress_pending=False)
    for learner_id in sorted(recompute):
        logger.info("progress: recomputing learner %s", learner_id)
        progress_recompute_learner(learner_id=learner_id)
    return len(pending)


def progress_recompute_all() -> int:
    """Recompute every learner who has statements; how many learners."""
    prefix = _account_prefix()
    actors = (
        Statement.objects.filter(actor_ifi__startswith=prefix)
        .values_list("actor_ifi", flat=True)
        .distinct()
    )
    count = 0
    for actor in actors.iterator():
        if learner := _learner_of(actor):
            progress_recompute_learner(learner_id=learner)
            count += 1
    return count
