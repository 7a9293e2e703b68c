"""The progress engine's writes: stored statements → credits in the ledger, lesson coverage and
completion. Statements are applied per learner in (stored, id) order under the learner's row
lock; a statement that arrives behind one already applied (or a voiding) makes the engine
recompute that learner from their stored statements, which gives the same numbers.

Who may credit (the trust boundary, docs/architecture.md): a statement counts only when its
writer may speak for the learner (their own session: the platform's player; or an LRS client
staff allowed to credit) and is about a lesson of a course in which the learner held an active
enrolment when it was stored (its registration, if any, being that enrolment). Any other is
kept, as the LRS must, and written in the ledger as not credited, with its reason.

A drain takes a batch of pending statements of many learners and does its reads and writes
for all of them at once (a handful of queries per batch, none per statement or learner): the
engine runs beside the LRS's ingest on the same database and must cost it little."""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import connections, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import Enrollment, Lesson
from lms.accounts.models import User
from lms.db import rows_copy, rows_upsert
from lms.wakeups import wake_later
from tracking.lrs.models import Statement, StatementOutbox
from tracking.lrs.outbox import FACT_PATHS
from tracking.lrs.services.principals import emitted_by_engine_extension
from tracking.progress import tasks
from tracking.progress.models import CreditEntry, LessonProgress, ProgrammeProgress, RecomputeMark
from tracking.progress.policy import (
    COMPLETED,
    Credit,
    LearnerState,
    Policy,
    apply,
    event_from_statement,
)
from tracking.progress.segments import IntervalSet
from tracking.progress.services.completions import CompletionCheck, completions_record
from tracking.progress.services.rows import (
    LedgerRow,
    ProgrammeRow,
    ProgressRow,
    lesson_progress_rows,
    programme_rows,
)

logger = logging.getLogger(__name__)

# Statements applied in one transaction: what a second of busy ingest brings (each drain pays
# a dozen queries whatever its size; its locks hold up only a recompute of the same learners).
DRAIN_BATCH = 5000
RECOMPUTE_BATCH_LEARNERS = 20  # learners recomputed in one transaction by progress_recompute_all

# What a drain changes of the rows it merges.
PROGRESS_FIELDS = [
    "covered",
    "covered_seconds",
    "earned",
    "earned_seconds",
    "credited_seconds",
    "completed_at",
    "last_activity_at",
    "updated_at",
]
PROGRAMME_FIELDS = [
    "state",
    "credited_seconds",
    "last_stored",
    "last_sequence",
    "last_statement_id",
    "updated_at",
]
Reason = CreditEntry.Reason


# --- what the engine reads ---------------------------------------------------------------------


def _policy() -> Policy:
    return Policy(
        tolerance_seconds=settings.PROGRESS_TOLERANCE_SECONDS,
        max_playback_rate=settings.PROGRESS_MAX_PLAYBACK_RATE,
    )


@dataclass(frozen=True)
class LessonFacts:
    id: str
    course_id: str
    is_video: bool
    attendance_only: bool  # in person or live: completed from the registers, never a statement
    length: float | None  # a video's length; another lesson's declared duration (its ceiling)
    module_has_min_hours: bool  # credit in this lesson may complete its module


ATTENDANCE_KINDS = {Lesson.Kind.IN_PERSON, Lesson.Kind.LIVE_WEBINAR}


class EnrolmentSpan(NamedTuple):
    """A learner's enrolment in a course, as the engine checks a statement against it."""

    id: UUID
    enrolled_at: datetime
    withdrawn_at: datetime | None  # (status withdrawn)

    def active_at(self, moment: datetime) -> bool:
        return self.enrolled_at <= moment and (
            self.withdrawn_at is None or moment < self.withdrawn_at
        )


def _enrolments(learner_ids: Iterable[str]) -> dict[str, dict[str, EnrolmentSpan]]:
    """learner -> course -> enrolment, in one query."""
    found: dict[str, dict[str, EnrolmentSpan]] = defaultdict(dict)
    rows = Enrollment.objects.filter(learner_id__in=list(learner_ids)).values_list(
        "learner_id", "course_id", "pk", "enrolled_at", "status", "withdrawn_at"
    )
    for learner_id, course_id, pk, enrolled_at, status, withdrawn_at in rows:
        withdrawn = (withdrawn_at or enrolled_at) if status == Enrollment.Status.WITHDRAWN else None
        found[str(learner_id)][str(course_id)] = EnrolmentSpan(pk, enrolled_at, withdrawn)
    return found


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


def _lesson_id(activity_id: str, site: str) -> str | None:
    if not activity_id.startswith(site):
        return None
    match = _LESSON_IRI.search(activity_id)
    return match.group(1).lower() if match else None


class _Catalogue:
    """The lessons statements are about, each looked up once per drain or recompute."""

    def __init__(self) -> None:
        self.site = settings.SITE_URL.rstrip("/") + "/"
        self.lesson_ids: dict[str, str | None] = {}  # activity IRI -> lesson id
        self.facts: dict[str, LessonFacts | None] = {}

    def _lesson_id(self, activity_id: str) -> str | None:
        if activity_id not in self.lesson_ids:
            self.lesson_ids[activity_id] = _lesson_id(activity_id, self.site)
        return self.lesson_ids[activity_id]

    def load(self, activity_ids: Iterable[str]) -> None:
        wanted = {i for i in map(self._lesson_id, set(activity_ids)) if i} - set(self.facts)
        if not wanted:
            return
        for pk, course_id, kind, duration, asset_duration, min_hours in Lesson.objects.filter(
            pk__in=wanted
        ).values_list(
            "id", "module__course_id", "kind", "duration_seconds",
            "video_asset__duration_seconds", "module__completion_min_hours",
        ):  # fmt: skip
            length = asset_duration or duration  # the transcoded video's, once known
            self.facts[str(pk)] = LessonFacts(
                id=str(pk),
                course_id=str(course_id),
                is_video=kind == Lesson.Kind.VIDEO,
                attendance_only=kind in ATTENDANCE_KINDS,
                length=float(length) if length else None,
                module_has_min_hours=bool(min_hours),
            )
        for missing in wanted - set(self.facts):
            self.facts[missing] = None  # not a lesson (any more): its statements count nothing

    def lesson(self, activity_id: str) -> LessonFacts | None:
        lesson_id = self._lesson_id(activity_id)
        return self.facts.get(lesson_id) if lesson_id else None


class StatementRow(NamedTuple):
    """What the engine reads of a stored statement: a few columns, and the few values of its
    JSON that matter (``tracking.progress.policy.FACT_PATHS``; a statement is ~1.5 KB of JSON)."""

    id: UUID
    stored: datetime
    sequence: int  # its place in the batch that stored it
    verb_id: str
    object_activity_id: str
    registration: UUID | None  # (a column of its own)
    writer_may_credit: bool  # the learner's session, or a client allowed to credit
    video_session: str | None
    cmi5_session: str | None
    segments: str | None
    duration: str | None
    emitted_by_engine: bool  # the engine's own statements, read back


class PendingRow(NamedTuple):
    """A statement taken from the outbox: what the engine reads, and whom it is about."""

    id: UUID
    stored: datetime
    sequence: int
    verb_id: str
    object_activity_id: str
    registration: UUID | None
    writer_may_credit: bool
    video_session: str | None
    cmi5_session: str | None
    segments: str | None
    duration: str | None
    emitted_by_engine: bool
    actor_ifi: str
    is_voiding: bool
    object_statement_id: UUID | None
    voided: bool


def _statement_rows(statements: QuerySet[Statement], fields: Sequence[str]) -> QuerySet:
    """``statements`` as tuples of ``fields``, their JSON facts read by the database (the
    paths ``statement_facts`` reads when a statement is stored)."""
    facts: dict[str, Any] = {
        name: KT("__".join(("payload", *path))) for name, path in FACT_PATHS.items()
    }
    marker = Q(payload__context__extensions__has_key=emitted_by_engine_extension())
    facts["emitted_by_engine"] = Coalesce(  # (no context at all: NULL, not false)
        ExpressionWrapper(marker, output_field=BooleanField()), Value(False)
    )
    facts["writer_may_credit"] = _writer_may_credit()
    return statements.annotate(**facts).values_list(*fields)


def _writer_may_credit() -> ExpressionWrapper:
    """Whether a statement's writer may credit: the learner's session (no client), or a client
    staff allowed to (``LrsClient.can_credit``). The drain's SQL says the same in its own words."""
    return ExpressionWrapper(
        Q(client__isnull=True) | Q(client__can_credit=True), output_field=BooleanField()
    )


ROW_FIELDS = StatementRow._fields
PENDING_FIELDS = PendingRow._fields


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


# --- one learner's statements ------------------------------------------------------------------


class _Learner:
    """Statements of one learner applied in order, with the rows they change kept in memory
    (written for many learners at once by ``_save``)."""

    def __init__(
        self,
        learner_id: str,
        programme: ProgrammeRow,
        progress: dict[str, ProgressRow],
        *,
        enrolments: dict[str, EnrolmentSpan],
        now: datetime,
        fresh: bool = False,
    ):
        self.learner_id = learner_id
        self.programme = programme
        self.enrolments = enrolments  # course id -> the learner's enrolment
        self.now = now  # the rows' updated_at
        self.fresh = fresh  # a recompute: the learner has no other progress rows
        self.progress = progress  # lesson id -> row (the rows the statements may touch)
        self.state = LearnerState.from_json(
            programme.state or {},
            {
                lesson: IntervalSet((start, end) for start, end in row.covered)
                for lesson, row in progress.items()
            },
            {
                lesson: IntervalSet((start, end) for start, end in row.earned)
                for lesson, row in progress.items()
            },
        )
        self.policy = _policy()
        self.coverage_ratio = settings.PROGRESS_LESSON_COVERAGE_PERCENT / 100
        self.target = settings.PROGRAMME_TARGET_HOURS * 3600
        self.entries: list[LedgerRow] = []
        self.total = programme.credited_seconds
        self.touched: set[str] = set()
        # What may complete something: lessons newly completed or credited in a module with
        # a minimum of hours, and the statement whose credit reached the programme's target.
        self.completion_lessons: set[str] = set()
        self.target_reached: tuple[datetime, float] | None = None
        self.last: StatementRow | PendingRow | None = None

    def _row(self, lesson_id: str) -> ProgressRow:
        row = self.progress.get(lesson_id)
        if row is None:
            row = self.progress[lesson_id] = ProgressRow.new(self.learner_id, lesson_id, self.now)
        return row

    def statement(self, statement: StatementRow | PendingRow, catalogue: _Catalogue) -> None:
        if statement.emitted_by_engine:
            return  # the engine's own completion, read back from the LRS: not the learner's
        self.last = statement
        facts = catalogue.lesson(statement.object_activity_id)
        if facts is None:
            return
        lesson_id = facts.id
        event = event_from_statement(
            statement_id=str(statement.id),
            stored=_epoch(statement.stored),
            lesson=lesson_id,
            is_video=facts.is_video,
            length=facts.length,
            verb=statement.verb_id,
            video_session=statement.video_session,
            cmi5_session=statement.cmi5_session,
            registration=str(statement.registration) if statement.registration else None,
            segments=statement.segments,
            duration=statement.duration,
        )
        refusal = self._refusal(statement, facts)
        if refusal:
            if event is not None:  # (the ledger says why what it meant counts for nothing)
                self.entries.append(self._entry(statement, lesson_id, 0.0, 0.0, [], [], refusal))
            return
        row = self._row(lesson_id)
        self.touched.add(lesson_id)
        if event is not None:
            for credit in apply(self.state, event, self.policy):
                self._record(credit, statement, row, facts)
        row.last_activity_at = statement.stored
        covered = self.state.coverage.get(lesson_id)
        if covered is not None:
            row.covered_seconds = covered.measure
        earned = self.state.earned.get(lesson_id)
        if earned is not None:
            row.earned_seconds = earned.measure
        if row.completed_at is None and self._completes(facts, earned, statement):
            row.completed_at = statement.stored
            self.completion_lessons.add(lesson_id)

    def _refusal(self, statement: StatementRow | PendingRow, facts: LessonFacts) -> str:
        """Why the statement may credit nothing ("" when it may)."""
        if not statement.writer_may_credit:
            return Reason.WRITER_MAY_NOT_CREDIT
        if facts.attendance_only:
            return Reason.ATTENDANCE_ONLY
        enrolment = self.enrolments.get(facts.course_id)
        if enrolment is None or not enrolment.active_at(statement.stored):
            return Reason.NOT_ENROLLED
        if statement.registration is not None and statement.registration != enrolment.id:
            return Reason.OTHER_REGISTRATION
        return ""

    def _completes(
        self,
        facts: LessonFacts,
        earned: IntervalSet | None,
        statement: StatementRow | PendingRow,
    ) -> bool:
        if facts.is_video:  # what was played in real time, not what was claimed
            return (
                bool(facts.length)
                and earned is not None
                and earned.measure >= self.coverage_ratio * (facts.length or 0) - 1e-6
            )
        return statement.verb_id in COMPLETED

    def _entry(
        self,
        statement: StatementRow | PendingRow,
        lesson_id: str,
        seconds: float,
        new_seconds: float,
        media: list[list[float]],
        window: list[list[float]],
        reason: str,
    ) -> LedgerRow:
        return LedgerRow(
            learner_id=self.learner_id,
            lesson_id=lesson_id,
            statement_id=statement.id,
            seconds=seconds,
            new_seconds=new_seconds,
            media=media,
            window=window,
            reason=reason,
            credited_at=statement.stored,
        )

    def _record(
        self,
        credit: Credit,
        statement: StatementRow | PendingRow,
        row: ProgressRow,
        facts: LessonFacts,
    ) -> None:
        if credit.lesson != facts.id:  # (a statement only ever credits its own lesson)
            row = self._row(credit.lesson)
        if not facts.is_video:  # a document's or an activity's declared duration is its ceiling
            room = max(0.0, (facts.length or 0.0) - row.credited_seconds)
            if credit.seconds > room:
                credit = credit._replace(seconds=room, reason=Reason.DECLARED_DURATION_REACHED)
        row.credited_seconds += credit.seconds
        before, self.total = self.total, self.total + credit.seconds
        if before < self.target <= self.total and self.target_reached is None:
            self.target_reached = (statement.stored, self.total)
        if credit.seconds > 0 and facts.module_has_min_hours:
            self.completion_lessons.add(credit.lesson)
        self.entries.append(
            self._entry(
                statement,
                credit.lesson,
                credit.seconds,
                credit.new_seconds,
                [list(pair) for pair in credit.media],
                [list(pair) for pair in credit.window],
                credit.reason,
            )
        )

    def finish(self) -> list[ProgressRow]:
        """The programme and the touched rows brought up to date (not saved); the touched rows."""
        rows = []
        for lesson_id in self.touched:
            row = self.progress[lesson_id]
            covered = self.state.coverage.get(lesson_id)
            row.covered = covered.to_list() if covered is not None else []
            earned = self.state.earned.get(lesson_id)
            row.earned = earned.to_list() if earned is not None else []
            row.updated_at = self.now
            rows.append(row)
        self.programme.state = self.state.to_json()
        self.programme.credited_seconds = self.total
        self.programme.updated_at = self.now
        if self.last is not None:
            self.programme.last_stored = self.last.stored
            self.programme.last_sequence = self.last.sequence
            self.programme.last_statement_id = self.last.id
        return rows

    def completion_check(self) -> CompletionCheck | None:
        """What the statements may have completed (a recompute: everything that holds)."""
        if not (self.completion_lessons or self.target_reached or self.fresh):
            return None
        last = self.last.stored if self.last is not None else timezone.now()
        # The programme is dated, and its hours counted, by the statement that reached the
        # target: a recompute gives the same row as the drain that first saw it.
        at, total = self.target_reached or (last, self.total)
        return CompletionCheck(
            learner_id=UUID(self.learner_id),
            lesson_ids=list(self.progress) if self.fresh else sorted(self.completion_lessons),
            progress=self.progress,
            credited_total_seconds=total,
            at=at,
            progress_is_all=self.fresh,
        )


def _save(learners: Sequence[_Learner], *, fresh: bool) -> None:
    """Write what the learners' statements changed: progress rows, ledger, programmes, then the
    completions."""
    rows = [row for learner in learners for row in learner.finish()]
    if fresh:  # a recompute deleted the learners' rows first
        rows_copy(LessonProgress, rows)
    else:
        rows_upsert(
            LessonProgress,
            rows,
            unique_fields=["learner_id", "lesson_id"],
            update_fields=PROGRESS_FIELDS,
        )
    rows_copy(CreditEntry, [entry for learner in learners for entry in learner.entries])
    # (each programme exists and is locked: an upsert is the cheapest UPDATE of many rows)
    rows_upsert(
        ProgrammeProgress,
        [learner.programme for learner in learners],
        unique_fields=["learner_id"],
        update_fields=PROGRAMME_FIELDS,
    )
    completions_record([c for learner in learners if (c := learner.completion_check())])


def _programmes_locked(learner_ids: Sequence[str]) -> dict[str, ProgrammeRow]:
    """The programmes of those learners who are people of ours, locked in one order (no deadlocks
    between drains); made for a person's first statement."""

    def locked(ids: Iterable[str]) -> dict[str, ProgrammeRow]:
        query = ProgrammeProgress.objects.select_for_update().filter(learner_id__in=list(ids))
        return programme_rows(query.order_by("learner_id"))

    programmes = locked(learner_ids)
    missing = set(learner_ids) - set(programmes)
    if missing:  # new learners, or accounts nobody has (any more): those get no programme
        people = sorted(
            str(pk) for pk in User.objects.filter(pk__in=missing).values_list("pk", flat=True)
        )
        ProgrammeProgress.objects.bulk_create(
            [ProgrammeProgress(learner_id=i) for i in people], ignore_conflicts=True
        )
        programmes.update(locked(people))
    return programmes


# --- the drain: statements as they arrive ------------------------------------------------------


def _behind(statement: PendingRow, programme: ProgrammeRow) -> bool:
    """Whether the statement sorts at or before the last one applied: stored late, or
    already applied by a recompute that ran while it waited in a drain's claim."""
    if programme.last_stored is None or programme.last_statement_id is None:
        return False
    return (statement.stored, statement.sequence, statement.id) <= (
        programme.last_stored,
        programme.last_sequence or 0,
        programme.last_statement_id,
    )


def _voided_learners(voiding: list[PendingRow]) -> set[str]:
    targets = [s.object_statement_id for s in voiding if s.object_statement_id]
    learners = set()
    for actor in Statement.objects.filter(pk__in=targets).values_list("actor_ifi", flat=True):
        if learner := _learner_of(actor):
            learners.add(learner)
    return learners


# One round trip: the outbox rows taken out (with the facts read when their statements were
# stored) and the columns of their statements. ``stored`` comes as microseconds since the
# epoch: Django has psycopg parse a timestamp's text in Python (~5 µs), once per statement.
_CLAIM = """
    WITH taken AS (
        DELETE FROM tracking_progressoutbox WHERE statement_id IN (
            SELECT statement_id FROM tracking_progressoutbox
            ORDER BY stored, sequence, statement_id LIMIT %s FOR UPDATE SKIP LOCKED
        ) RETURNING *
    )
    SELECT s.id, round(extract(epoch FROM s.stored) * 1000000)::bigint, s.sequence, s.verb_id,
           s.object_activity_id, s.registration, (s.client_id IS NULL OR c.can_credit),
           taken.video_session, taken.cmi5_session, taken.segments, taken.duration,
           taken.emitted_by_engine, s.actor_ifi, s.is_voiding, s.object_statement_id, s.voided
    FROM tracking_statement s JOIN taken ON s.id = taken.statement_id
    LEFT JOIN tracking_lrsclient c ON c.id = s.client_id
    ORDER BY s.stored, s.sequence, s.id
"""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OUTBOX_FACTS = ("video_session", "cmi5_session", "segments", "duration", "emitted_by_engine")


def _claim(limit: int) -> list[PendingRow]:
    """Up to ``limit`` statements from the outbox, oldest first, in (stored, sequence, id)
    order; taken out of it (other drains skip the rows while this transaction holds them)."""
    db = transaction.get_connection()
    if db.vendor == "postgresql":  # the hot path
        with db.cursor() as cursor:
            cursor.execute(_CLAIM, [limit])
            return [
                PendingRow(id, _EPOCH + timedelta(microseconds=stored), *rest)
                for id, stored, *rest in cursor.fetchall()
            ]
    outbox = {
        row[0]: row[1:]
        for row in StatementOutbox.objects.order_by("stored", "sequence", "statement_id")
        .select_for_update(skip_locked=True)
        .values_list("statement_id", *_OUTBOX_FACTS)[:limit]
    }
    StatementOutbox.objects.filter(statement_id__in=list(outbox)).delete()
    columns = (
        Statement.objects.filter(pk__in=list(outbox))
        .order_by("stored", "sequence", "id")
        .annotate(writer_may_credit=_writer_may_credit())
    )
    return [
        PendingRow(id, stored, sequence, verb, activity, registration, may, *outbox[id], *rest)
        for id, stored, sequence, verb, activity, registration, may, *rest in columns.values_list(
            "id",
            "stored",
            "sequence",
            "verb_id",
            "object_activity_id",
            "registration",
            "writer_may_credit",
            "actor_ifi",
            "is_voiding",
            "object_statement_id",
            "voided",
        )
    ]


def progress_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Apply up to ``limit`` statements of the outbox, oldest first; how many were taken.
    Safe to run in parallel: outbox rows are claimed with skip_locked, learners locked."""
    with transaction.atomic():
        pending = _claim(limit)
        if pending:
            _apply_pending(pending)
    progress_recompute_marked()  # those just marked, and any a failed run left behind
    return len(pending)


def _apply_pending(pending: list[PendingRow]) -> None:
    """Apply claimed statements (in the drain's transaction); mark who needs a recompute."""
    by_learner: dict[str, list[PendingRow]] = defaultdict(list)
    recompute: set[str] = _voided_learners([s for s in pending if s.is_voiding])
    learner_of: dict[str, str | None] = {}
    for statement in pending:
        actor = statement.actor_ifi
        if actor not in learner_of:
            learner_of[actor] = _learner_of(actor)
        learner = learner_of[actor]
        skip = statement.is_voiding or statement.voided or statement.emitted_by_engine
        if learner is not None and not skip:
            by_learner[learner].append(statement)
    # Those recomputed below are left alone here (the recompute skips unknown accounts).
    programmes = _programmes_locked(sorted(i for i in by_learner if i not in recompute))
    learner_ids = sorted(programmes)  # an account nobody has (any more) has none
    for learner_id in learner_ids:
        if any(_behind(s, programmes[learner_id]) for s in by_learner[learner_id]):
            recompute.add(learner_id)  # one arrived behind one applied: redo in order
    learner_ids = [i for i in learner_ids if i not in recompute]
    catalogue = _Catalogue()
    catalogue.load(s.object_activity_id for i in learner_ids for s in by_learner[i])
    wanted = {
        i: {f.id for s in by_learner[i] if (f := catalogue.lesson(s.object_activity_id))}
        for i in learner_ids
    }
    progress = lesson_progress_rows(wanted)
    enrolments = _enrolments(learner_ids)
    runs = []
    now = timezone.now()
    for learner_id in learner_ids:
        run = _Learner(
            learner_id,
            programmes[learner_id],
            progress[learner_id],
            enrolments=enrolments[learner_id],
            now=now,
        )
        for statement in by_learner[learner_id]:
            run.statement(statement, catalogue)
        runs.append(run)
    _save(runs, fresh=False)
    _mark_for_recompute(recompute, now=now)


def _mark_for_recompute(learner_ids: Iterable[str], *, now: datetime) -> None:
    """Remember, in the caller's transaction, who needs a recompute: the outbox rows that
    showed it are deleted in that transaction, so nothing else would ever show it again."""
    people = User.objects.filter(pk__in=sorted(learner_ids)).values_list("pk", flat=True)
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(learner_id=pk, marked_at=now) for pk in people], ignore_conflicts=True
    )


def progress_recompute_later(*, learner_ids: Iterable[str | UUID]) -> None:
    """Mark these learners for a recompute in the caller's transaction and wake the drain after
    its commit (the beat's drain is the backstop): what attendance calls when a learner's
    attended hours change."""
    _mark_for_recompute([str(i) for i in learner_ids], now=timezone.now())
    transaction.on_commit(
        lambda: wake_later(tasks.progress_drain_task, delay=settings.PROGRESS_DRAIN_DELAY_SECONDS),
        robust=True,
    )


def progress_recompute_marked(*, limit: int = 100) -> int:
    """Recompute the learners marked for it, oldest mark first, each in its own transaction
    (which deletes the mark): a failure leaves the mark for the next drain. How many."""
    done = 0
    for learner_id in RecomputeMark.objects.order_by("marked_at", "learner_id").values_list(
        "learner_id", flat=True
    )[:limit]:
        logger.info("progress: recomputing learner %s", learner_id)
        progress_recompute_learners(learner_ids=[learner_id])
        done += 1
    return done


# --- recomputing: every statement again --------------------------------------------------------


@transaction.atomic
def progress_recompute_learners(*, learner_ids: Sequence[str | UUID]) -> float:
    """Forget these learners' progress and apply all their stored statements again, in order;
    their credited seconds in all. The ledger, coverage and completions come out as the
    incremental path made them (voided statements left out)."""
    ids = sorted({str(i) for i in learner_ids})
    ids = [str(pk) for pk in User.objects.filter(pk__in=ids).values_list("pk", flat=True)]
    programmes = _programmes_locked(sorted(ids))
    RecomputeMark.objects.filter(learner_id__in=ids).delete()  # (kept if this rolls back)
    CreditEntry.objects.filter(learner_id__in=ids).delete()
    LessonProgress.objects.filter(learner_id__in=ids).delete()
    learners = {}
    now = timezone.now()
    enrolments = _enrolments(ids)
    for learner_id in ids:
        programme = programmes[learner_id]
        programme.state, programme.credited_seconds = {}, 0.0
        programme.last_stored = programme.last_statement_id = programme.last_sequence = None
        learners[learner_id] = _Learner(
            learner_id, programme, {}, enrolments=enrolments[learner_id], now=now, fresh=True
        )
    prefix = _account_prefix()
    actors = [prefix + i for i in ids]
    statements = _statement_rows(
        Statement.objects.filter(actor_ifi__in=actors, voided=False, is_voiding=False).order_by(
            "actor_ifi", "stored", "sequence", "id"
        ),
        ["actor_ifi", *ROW_FIELDS],
    )
    catalogue = _Catalogue()
    batch: list[tuple[str, StatementRow]] = []

    def apply_batch() -> None:
        catalogue.load(row.object_activity_id for _actor, row in batch)
        for actor, row in batch:
            learners[actor[len(prefix) :]].statement(row, catalogue)
        batch.clear()

    read: set[UUID] = set()
    for actor, *fields in statements.iterator(chunk_size=2000):
        row = StatementRow(*fields)
        read.add(row.id)
        batch.append((actor, row))
        if len(batch) == 2000:
            apply_batch()
    apply_batch()
    _save(list(learners.values()), fresh=True)
    # Out of the outbox: what was read here, and voided statements (never applied). Not a
    # statement committed since the read (a drain applies it), nor a voiding statement (its
    # drain recomputes whoever it voids), nor what a running drain has claimed (waiting for
    # its lock could deadlock: it waits for the programmes held here; it will find them applied).
    waiting = (
        StatementOutbox.objects.filter(statement__actor_ifi__in=actors)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("statement_id", "statement__voided")
    )
    applied = [i for i, voided in waiting if i in read or voided]
    StatementOutbox.objects.filter(statement_id__in=applied).delete()
    return sum(learner.total for learner in learners.values())


def progress_recompute_learner(*, learner_id: str | UUID) -> float:
    """One learner recomputed (``progress_recompute_learners``); their credited seconds."""
    return progress_recompute_learners(learner_ids=[learner_id])


def progress_recompute_all(*, batch: int = RECOMPUTE_BATCH_LEARNERS, jobs: int = 1) -> int:
    """Recompute every learner who has statements, ``batch`` learners per transaction, in
    ``jobs`` processes (learners are independent); how many learners."""
    prefix = _account_prefix()
    actors = (
        Statement.objects.filter(actor_ifi__startswith=prefix)
        .values_list("actor_ifi", flat=True)
        .distinct()
        .order_by("actor_ifi")
    )
    learners = [learner for actor in actors.iterator() if (learner := _learner_of(actor))]
    chunks = [learners[start : start + batch] for start in range(0, len(learners), batch)]
    if jobs <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            progress_recompute_learners(learner_ids=chunk)
        return len(learners)
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for _credited in pool.map(_recompute_chunk, chunks):
            pass  # (an error in a process is raised here)
    return len(learners)


def _recompute_chunk(learner_ids: list[str]) -> float:
    return progress_recompute_learners(learner_ids=learner_ids)
