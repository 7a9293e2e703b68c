"""Completions: lessons, modules, courses and the programme, decided after the engine applied
a learner's statements, and announced a moment after commit, many at a time (the server's xAPI
statements and the ``completion_recorded`` signal); a beat run announces what a lost wake-up
left waiting."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import Course, Enrollment, Lesson, Module
from lms.wakeups import wake_later
from tracking.progress import tasks
from tracking.progress.models import AttendanceCredit, Completion
from tracking.progress.services.emitted import (
    engine_completed_statement,
    programme_completed_statement,
    satisfied_statement,
    statements_emit,
    voiding_statement,
)
from tracking.progress.services.rows import ProgressRow, lesson_progress_rows
from tracking.progress.signals import completion_recorded, completion_withdrawn

logger = logging.getLogger(__name__)

ATTENDED_KINDS = {Lesson.Kind.IN_PERSON, Lesson.Kind.LIVE_WEBINAR}

ANNOUNCE_BATCH = 200  # completions announced in one transaction
NO_LONGER_EARNED = "Its statements no longer earn it (voided, or the progress recomputed)."
# Errors that are the database's, not a completion's: the run stops and is retried.
DATABASE_GONE = (OperationalError, InterfaceError)


@dataclass
class CompletionCheck:
    """One learner whose progress just changed: what may now be complete."""

    learner_id: UUID
    lesson_ids: list[str]  # lessons whose progress changed (their modules are checked)
    progress: dict[str, ProgressRow]  # lesson id -> row, the rows the caller holds
    credited_total_seconds: float
    at: datetime  # when the statement that reached the programme's target was stored
    progress_is_all: bool = False  # the learner has no other rows (a recompute)


@dataclass(frozen=True)
class _LessonRule:
    id: str
    is_required: bool
    attended: bool = False  # in person or live: completed from the registers
    planned_seconds: float = 0.0


@dataclass(frozen=True)
class _ModuleRule:
    id: str
    course_id: str
    lessons: tuple[_LessonRule, ...]
    min_hours: float
    min_attendance_percent: float  # 0: the module asks for no share of attendance


def completions_record(checks: Sequence[CompletionCheck]) -> list[Completion]:
    """Write the completions that now hold for these learners: the lessons completed, their
    modules when the module's rule holds (every required lesson completed, and its minimum
    credited hours), their courses when every module is, and the programme at
    PROGRAMME_TARGET_HOURS of credited distance learning. Each at most once (unique
    constraints; the caller holds the learners' clocks); announced after commit. A few
    queries for all the learners together, none per learner."""
    checks = [
        c for c in checks if c.lesson_ids or c.credited_total_seconds > 0 or c.progress_is_all
    ]
    if not checks:
        return []
    checks = _with_attendance(checks)
    modules = _module_rules({i for c in checks for i in c.lesson_ids})
    module_of = {lesson.id: module for module in modules.values() for lesson in module.lessons}
    course_modules: dict[str, set[str]] = defaultdict(set)
    course_ids = {m.course_id for m in modules.values()}
    for course_id, module_id in Module.objects.filter(course_id__in=course_ids).values_list(
        "course_id", "pk"
    ):
        course_modules[str(course_id)].add(str(module_id))
    learners = [c.learner_id for c in checks]
    # What the learners have completed of these lessons, modules (all of their courses'), courses
    # and the programme.
    relevant = (
        Q(lesson_id__in=list(module_of))
        | Q(module_id__in={m for ids in course_modules.values() for m in ids})
        | Q(course_id__in=course_ids)
        | Q(kind=Completion.Kind.PROGRAMME)
    )
    done: dict[str, dict[tuple[str, str], datetime]] = defaultdict(dict)
    ids: dict[tuple[str, tuple[str, str]], UUID] = {}
    for pk, learner_id, kind, *subject, completed_at in Completion.objects.filter(
        relevant, learner_id__in=learners, withdrawn_at__isnull=True
    ).values_list(
        "pk", "learner_id", "kind", "lesson_id", "module_id", "course_id", "completed_at"
    ):
        key = str(next((s for s in subject if s is not None), ""))
        done[str(learner_id)][(kind, key)] = completed_at
        ids[(str(learner_id), (kind, key))] = pk
    target = settings.PROGRAMME_TARGET_HOURS * 3600
    withdrawn = _withdraw_unearned(
        [c for c in checks if c.progress_is_all], done, ids, modules, module_of, course_modules
    )
    others = _other_progress(checks, module_of)
    created: list[Completion] = []
    for check in checks:
        learner = str(check.learner_id)
        progress = {**others.get(learner, {}), **check.progress}
        created += _check(check, progress, done[learner], modules, module_of, course_modules)
        if (
            check.credited_total_seconds >= target
            and (Completion.Kind.PROGRAMME, "") not in done[learner]
        ):
            created.append(
                Completion(
                    learner_id=check.learner_id,
                    kind=Completion.Kind.PROGRAMME,
                    completed_at=check.at,
                    credited_seconds=check.credited_total_seconds,
                )
            )
    Completion.objects.bulk_create(created)
    if created or withdrawn:
        transaction.on_commit(_announce_soon, robust=True)  # (a lost one: the beat repairs it)
    return created


def _withdraw_unearned(
    checks: Sequence[CompletionCheck],
    done: dict[str, dict[tuple[str, str], datetime]],
    ids: dict[tuple[str, tuple[str, str]], UUID],
    modules: dict[str, _ModuleRule],
    module_of: dict[str, _ModuleRule],
    course_modules: dict[str, set[str]],
) -> int:
    """Withdraw what recomputed learners hold and their statements no longer earn (a voided
    statement, a rule now applied): the rows stay, with when and why. Out of ``done``."""
    now = timezone.now()
    target = settings.PROGRAMME_TARGET_HOURS * 3600
    stale: list[UUID] = []
    for check in checks:
        learner = str(check.learner_id)
        holding = _holding(check, modules, module_of, course_modules, target)
        for key in [k for k in done[learner] if k not in holding]:
            del done[learner][key]
            stale.append(ids[(learner, key)])
    mine = Completion.objects.filter(learner_id__in=[c.learner_id for c in checks])
    stale += (
        mine.filter(withdrawn_at__isnull=True)
        .exclude(pk__in=set(ids.values()))
        .exclude(kind=Completion.Kind.PROGRAMME)
        .values_list("pk", flat=True)
    )  # (about lessons nobody has progress in any more)
    if stale:
        Completion.objects.filter(pk__in=stale).update(
            withdrawn_at=now, withdrawn_reason=NO_LONGER_EARNED, updated_at=now
        )
    return len(stale)


def _holding(
    check: CompletionCheck,
    modules: dict[str, _ModuleRule],
    module_of: dict[str, _ModuleRule],
    course_modules: dict[str, set[str]],
    target: float,
) -> set[tuple[str, str]]:
    """What a recomputed learner's progress (all of it) earns now."""
    holding: set[tuple[str, str]] = set()
    for lesson_id, row in check.progress.items():
        if row.completed_at is not None:
            holding.add((Completion.Kind.LESSON, lesson_id))
    for module_id in {module_of[i].id for i in check.progress if i in module_of}:
        if _module_holds(modules[module_id], check.progress)[0]:
            holding.add((Completion.Kind.MODULE, module_id))
    for course_id, module_ids in course_modules.items():
        if module_ids and all((Completion.Kind.MODULE, m) in holding for m in module_ids):
            holding.add((Completion.Kind.COURSE, course_id))
    if check.credited_total_seconds >= target:
        holding.add((Completion.Kind.PROGRAMME, ""))
    return holding


def _module_rules(lesson_ids: set[str]) -> dict[str, _ModuleRule]:
    """The modules of these lessons, with all their lessons."""
    modules: dict[str, list[_LessonRule]] = defaultdict(list)
    facts: dict[str, tuple[str, float, float]] = {}
    query = Lesson.objects.filter(module__lessons__in=lesson_ids).distinct()
    for (
        lesson_id,
        module_id,
        required,
        kind,
        planned,
        course_id,
        min_hours,
        attendance,
    ) in query.values_list(
        "pk",
        "module_id",
        "is_required",
        "kind",
        "duration_seconds",
        "module__course_id",
        "module__completion_min_hours",
        "module__completion_min_attendance_percent",
    ).order_by("module_id", "position", "pk"):
        modules[str(module_id)].append(
            _LessonRule(str(lesson_id), required, kind in ATTENDED_KINDS, float(planned or 0))
        )
        facts[str(module_id)] = (str(course_id), float(min_hours or 0), float(attendance or 0))
    return {
        module_id: _ModuleRule(
            module_id, facts[module_id][0], tuple(lessons), *facts[module_id][1:]
        )
        for module_id, lessons in modules.items()
    }


def _other_progress(
    checks: Sequence[CompletionCheck], module_of: dict[str, _ModuleRule]
) -> dict[str, dict[str, ProgressRow]]:
    """learner -> lesson -> progress, of the lessons of the checked modules that the callers
    do not hold (one query)."""
    return lesson_progress_rows(
        {
            str(c.learner_id): {
                lesson.id
                for i in c.lesson_ids
                if i in module_of
                for lesson in module_of[i].lessons
                if lesson.id not in c.progress
            }
            for c in checks
            if not c.progress_is_all
        }
    )


def _check(
    check: CompletionCheck,
    progress: dict[str, Any],
    done: dict[tuple[str, str], datetime],
    modules: dict[str, _ModuleRule],
    module_of: dict[str, _ModuleRule],
    course_modules: dict[str, set[str]],
) -> list[Completion]:
    """The lesson, module and course completions one learner now has and had not."""
    created: list[Completion] = []

    def new(kind: str, key: str, completed_at: datetime, **fields: Any) -> None:
        created.append(
            Completion(learner_id=check.learner_id, kind=kind, completed_at=completed_at, **fields)
        )
        done[(kind, key)] = completed_at

    checked = {module_of[i].id for i in check.lesson_ids if i in module_of}
    courses = set()
    for module_id in sorted(checked):
        module = modules[module_id]
        for lesson in module.lessons:
            row = progress.get(lesson.id)
            if row is None or row.completed_at is None:
                continue
            if (Completion.Kind.LESSON, lesson.id) not in done:
                new(
                    Completion.Kind.LESSON,
                    lesson.id,
                    row.completed_at,
                    lesson_id=lesson.id,
                    credited_seconds=row.credited_seconds,
                )
        holds, credited, module_done_at = _module_holds(module, progress)
        if holds and (Completion.Kind.MODULE, module_id) not in done:
            new(
                Completion.Kind.MODULE,
                module_id,
                max(module_done_at),
                module_id=module_id,
                credited_seconds=credited,
            )
            courses.add(module.course_id)
    for course_id in sorted(courses):
        dates = [done.get((Completion.Kind.MODULE, m)) for m in course_modules[course_id]]
        if all(dates) and (Completion.Kind.COURSE, course_id) not in done:
            new(Completion.Kind.COURSE, course_id, max(d for d in dates if d), course_id=course_id)
    return created


def _module_holds(
    module: _ModuleRule, progress: dict[str, Any]
) -> tuple[bool, float, list[datetime]]:
    """Whether the module's rule holds on this progress (every required lesson completed, one
    at least, its minimum of credited distance hours, and its share of attendance: the hours
    the registers give its in-person and live lessons over their planned length), its
    credited distance seconds and the completion dates of its lessons."""
    rows = [row for lesson in module.lessons if (row := progress.get(lesson.id)) is not None]
    done_at = [row.completed_at for row in rows if row.completed_at is not None]
    credited = sum(
        row.credited_seconds
        for lesson in module.lessons
        if not lesson.attended and (row := progress.get(lesson.id)) is not None
    )
    required_done = all(
        (row := progress.get(lesson.id)) is not None and row.completed_at is not None
        for lesson in module.lessons
        if lesson.is_required
    )
    holds = (
        required_done
        and bool(done_at)
        and not (module.min_hours and credited < module.min_hours * 3600)
        and _attendance_share_holds(module, progress)
    )
    return holds, credited, done_at


def _attendance_share_holds(module: _ModuleRule, progress: dict[str, Any]) -> bool:
    if not module.min_attendance_percent:
        return True
    attended_lessons = [lesson for lesson in module.lessons if lesson.attended]
    planned = sum(lesson.planned_seconds for lesson in attended_lessons)
    if planned <= 0:
        return False  # asks for attendance and plans none: nothing can satisfy it
    attended = sum(
        row.credited_seconds
        for lesson in attended_lessons
        if (row := progress.get(lesson.id)) is not None
    )
    return attended >= module.min_attendance_percent / 100 * planned


def _with_attendance(checks: Sequence[CompletionCheck]) -> list[CompletionCheck]:
    """The checks with the learners' attended lessons in their progress, as the registers
    give them (``AttendanceCredit``): a lesson in person or live holds the hours attended and
    is completed once they reach its share of its planned length (the module's minimum
    attendance, or ATTENDANCE_MIN_PERCENT), dated by the end of the attendance that reached
    it. A recompute checks them all; one query for every learner."""
    attended: dict[str, dict[str, ProgressRow]] = defaultdict(dict)
    credits = (
        AttendanceCredit.objects.filter(learner_id__in=[c.learner_id for c in checks])
        .order_by("learner_id", "lesson_id", "attended_until", "id")
        .values_list(
            "learner_id",
            "lesson_id",
            "seconds",
            "attended_until",
            "lesson__duration_seconds",
            "lesson__module__completion_min_attendance_percent",
        )
    )
    now = timezone.now()
    for learner_id, lesson_id, seconds, until, planned, module_percent in credits:
        learner, lesson = str(learner_id), str(lesson_id)
        row = attended[learner].get(lesson)
        if row is None:
            row = attended[learner][lesson] = ProgressRow.new(learner, lesson, now)
        row.credited_seconds += seconds
        percent = module_percent or settings.ATTENDANCE_MIN_PERCENT
        if row.completed_at is None and row.credited_seconds >= percent / 100 * (planned or 0):
            row.completed_at = until
        row.last_activity_at = until
    if not attended:
        return list(checks)
    return [
        replace(
            check,
            progress={**check.progress, **attended[str(check.learner_id)]},
            lesson_ids=(
                sorted({*check.lesson_ids, *attended[str(check.learner_id)]})
                if check.progress_is_all
                else check.lesson_ids
            ),
        )
        if str(check.learner_id) in attended
        else check
        for check in checks
    ]


def _announce_soon() -> None:
    # As long as the drain waits: the completions of the drains meanwhile are announced in
    # one run (a run's queries and the store of its statements cost more than a completion).
    wake_later(tasks.completions_announce_pending_task, delay=settings.PROGRESS_DRAIN_DELAY_SECONDS)


def _course_id(subject: Lesson | Module | Course) -> UUID:
    if isinstance(subject, Lesson):
        return subject.module.course_id
    if isinstance(subject, Module):
        return subject.course_id
    return subject.pk


def _statements(
    completion: Completion, enrollments: dict[tuple[UUID, UUID], Enrollment]
) -> list[dict[str, Any]]:
    """The server's xAPI statements of a completion: ``completed`` (and ``satisfied`` for a
    module); none for a lesson, module or course watched without an enrolment (no
    registration to state)."""
    seconds = int(completion.credited_seconds)
    if completion.kind == Completion.Kind.PROGRAMME:
        return [
            programme_completed_statement(
                learner=completion.learner,
                completed_at=completion.completed_at,
                credited_seconds=seconds,
            )
        ]
    subject = completion.lesson or completion.module or completion.course
    if subject is None:
        return []
    enrollment = enrollments.get((completion.learner_id, _course_id(subject)))
    if enrollment is None:
        logger.info("completion %s: no enrolment, no xAPI statement", completion.pk)
        return []
    statements = [
        engine_completed_statement(
            enrollment=enrollment,
            subject=subject,
            completed_at=completion.completed_at,
            credited_seconds=seconds,
        )
    ]
    if isinstance(subject, Module):
        statements.append(
            satisfied_statement(
                enrollment=enrollment, module=subject, satisfied_at=completion.completed_at
            )
        )
    return statements


def completions_announce_pending(*, batch: int = ANNOUNCE_BATCH) -> int:
    """Announce every completion not announced yet, oldest first, ``batch`` per transaction:
    emit their xAPI statements (stored together), send ``completion_recorded`` for each, mark
    them announced; how many. The rows are locked while this happens (another run skips
    them), so each is announced once, or again after a failure rolled it back: the statements
    have deterministic ids and the signal's receivers must be idempotent. A completion whose
    announcement fails (a receiver's error) is logged and left for the next run; it does not
    hold back the others."""
    announced = 0
    failed: list[UUID] = []
    while True:
        with transaction.atomic():
            # The rows locked first, on their own (the waiting ones' index, in order), then
            # read with what they are about: locking the join made PostgreSQL plan it for the
            # whole table of people.
            locked = list(
                Completion.objects.filter(announced_at__isnull=True, withdrawn_at__isnull=True)
                .exclude(pk__in=failed)
                .order_by("completed_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            try:
                with transaction.atomic():
                    _announce(locked)
                announced += len(locked)
            except DATABASE_GONE:
                raise  # (the task retries)
            except Exception:  # noqa: BLE001 - one of them: find it, announce the others
                for pk in locked:
                    try:
                        with transaction.atomic():
                            _announce([pk])
                        announced += 1
                    except DATABASE_GONE:
                        raise
                    except Exception:
                        logger.exception("completion %s: announcing it failed; next run", pk)
                        failed.append(pk)
        if len(locked) < batch:
            return announced + _announce_withdrawals(batch=batch)


def _announce_withdrawals(*, batch: int) -> int:
    """Void the platform's statements of every withdrawn completion and send
    ``completion_withdrawn``, ``batch`` per transaction; how many. A completion withdrawn
    before it was announced had said nothing: nothing to take back."""
    withdrawn = 0
    while True:
        with transaction.atomic():
            locked = list(
                Completion.objects.filter(
                    withdrawn_at__isnull=False, withdrawal_announced_at__isnull=True
                )
                .order_by("withdrawn_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            completions = list(
                Completion.objects.select_related("learner", "lesson__module", "module", "course")
                .filter(pk__in=locked)
                .order_by("withdrawn_at", "pk")
            )
            said = [c for c in completions if c.announced_at is not None]
            enrollments = _enrollments_of(said)
            voiding = [
                voiding_statement(target_id=s["id"], voided_at=c.withdrawn_at or timezone.now())
                for c in said
                for s in _statements(c, enrollments)
            ]
            if voiding:
                statements_emit(statements=voiding)
            for completion in said:
                completion_withdrawn.send(sender=Completion, completion=completion)
            Completion.objects.filter(pk__in=locked).update(withdrawal_announced_at=timezone.now())
            withdrawn += len(locked)
        if len(locked) < batch:
            return withdrawn


def _announce(completion_ids: list[UUID]) -> None:
    """Announce these completions (locked by the caller)."""
    if not completion_ids:
        return
    completions = list(
        Completion.objects.select_related("learner", "lesson__module", "module", "course")
        .filter(pk__in=completion_ids)
        .order_by("completed_at", "pk")
    )
    enrollments = _enrollments_of(completions)
    statements = [s for c in completions for s in _statements(c, enrollments)]
    if statements:
        statements_emit(statements=statements)
    for completion in completions:
        completion_recorded.send(sender=Completion, completion=completion)
    Completion.objects.filter(pk__in=[c.pk for c in completions]).update(
        announced_at=timezone.now()
    )


def _enrollments_of(completions: Sequence[Completion]) -> dict[tuple[UUID, UUID], Enrollment]:
    """The enrolments the completions are in (learner, course), in two queries."""
    pairs = {
        (c.learner_id, _course_id(subject))
        for c in completions
        if (subject := c.lesson or c.module or c.course) is not None
    }
    # The pairs' enrolments picked out of the learners' enrolments in those courses (an OR of
    # one condition per pair costs Django more to compile than the query costs PostgreSQL).
    candidates = Enrollment.objects.filter(
        learner_id__in={learner for learner, _course in pairs},
        course_id__in={course for _learner, course in pairs},
    ).values_list("pk", "learner_id", "course_id")
    wanted = [pk for pk, *pair in candidates if tuple(pair) in pairs]
    return {
        (e.learner_id, e.course_id): e
        for e in Enrollment.objects.select_related("learner", "course").filter(pk__in=wanted)
    }
