"""Completions: lessons, modules, courses and the programme, decided after the engine applied
a learner's statements, and announced after commit (the server's xAPI statements and the
``completion_recorded`` signal), repaired by a beat sweep when an announcement was lost."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from courses.models import Course, Enrollment, Lesson, Module
from tracking.models import Completion, LessonProgress
from tracking.services.emitted import (
    engine_completed_statement,
    programme_completed_statement,
    satisfied_statement,
    statement_emit,
)
from tracking.signals import completion_recorded

logger = logging.getLogger(__name__)


def _new(completion: Completion, created: list[Completion]) -> None:
    completion.save()
    created.append(completion)


def completions_record(
    *,
    learner_id: UUID,
    lesson_ids: Iterable[str],
    credited_total_seconds: float,
    at: datetime,
    known: dict[str, LessonProgress] | None = None,
    known_is_all: bool = False,
) -> list[Completion]:
    """Write the completions that now hold for the learner, given the lessons whose progress
    just changed: the lessons completed, their modules when the module's rule holds (every
    required lesson completed, and its minimum credited hours), their courses when every
    module is, and the programme at PROGRAMME_TARGET_HOURS of credited distance learning.
    Each at most once (unique constraints); announced after commit. ``at`` is when the last
    statement applied was stored (the programme's completion time). ``known``: progress rows
    the caller holds (``known_is_all``: the learner has no others, as in a recompute)."""
    created: list[Completion] = []
    lesson_ids = list(lesson_ids)
    progress = dict(known or {})
    if not known_is_all:
        progress.update(
            (str(p.lesson_id), p)
            for p in LessonProgress.objects.filter(
                learner_id=learner_id, lesson__module__lessons__in=lesson_ids
            )
            .exclude(lesson_id__in=list(progress))
            .distinct()
        )
    done = {
        (c.kind, str(c.lesson_id or c.module_id or c.course_id or ""))
        for c in Completion.objects.filter(learner_id=learner_id)
    }
    modules = (
        Module.objects.filter(lessons__in=lesson_ids)
        .distinct()
        .prefetch_related("lessons")
        .select_related("course")
    )
    courses: dict[UUID, Course] = {}
    for module in modules:
        module_done_at: list[datetime] = []
        complete = True
        credited = 0.0
        for lesson in module.lessons.all():
            row = progress.get(str(lesson.pk))
            credited += row.credited_seconds if row else 0.0
            if row is not None and row.completed_at is not None:
                if (Completion.Kind.LESSON, str(lesson.pk)) not in done:
                    _new(
                        Completion(
                            learner_id=learner_id,
                            kind=Completion.Kind.LESSON,
                            lesson=lesson,
                            completed_at=row.completed_at,
                            credited_seconds=row.credited_seconds,
                        ),
                        created,
                    )
                    done.add((Completion.Kind.LESSON, str(lesson.pk)))
                module_done_at.append(row.completed_at)
            elif lesson.is_required:
                complete = False
        if module.completion_min_hours and credited < float(module.completion_min_hours) * 3600:
            complete = False
        if module.completion_min_attendance_percent:
            # In-person attendance comes from the attendance registers (not built yet): such a
            # module cannot be completed from distance learning alone.
            complete = False
        if complete and module_done_at and (Completion.Kind.MODULE, str(module.pk)) not in done:
            _new(
                Completion(
                    learner_id=learner_id,
                    kind=Completion.Kind.MODULE,
                    module=module,
                    completed_at=max(module_done_at),
                    credited_seconds=credited,
                ),
                created,
            )
            done.add((Completion.Kind.MODULE, str(module.pk)))
            courses[module.course_id] = module.course
    for course in courses.values():
        module_ids = {str(pk) for pk in course.modules.values_list("pk", flat=True)}
        if (
            all((Completion.Kind.MODULE, pk) in done for pk in module_ids)
            and (
                Completion.Kind.COURSE,
                str(course.pk),
            )
            not in done
        ):
            finished = [c for c in created if c.kind == Completion.Kind.MODULE]
            completed_at = max(
                [c.completed_at for c in finished]
                or [
                    Completion.objects.filter(learner_id=learner_id, module__course=course)
                    .latest("completed_at")
                    .completed_at
                ]
            )
            _new(
                Completion(
                    learner_id=learner_id,
                    kind=Completion.Kind.COURSE,
                    course=course,
                    completed_at=completed_at,
                ),
                created,
            )
    target = settings.PROGRAMME_TARGET_HOURS * 3600
    if credited_total_seconds >= target and (Completion.Kind.PROGRAMME, "") not in done:
        _new(
            Completion(
                learner_id=learner_id,
                kind=Completion.Kind.PROGRAMME,
                completed_at=at,
                credited_seconds=credited_total_seconds,
            ),
            created,
        )
    for completion in created:
        transaction.on_commit(partial(_announce_later, completion.pk))
    return created


def _announce_later(completion_id: UUID) -> None:
    from tracking.tasks import completion_announce_task

    completion_announce_task.delay(completion_id=str(completion_id))


def _enrollment(completion: Completion, course_id: UUID) -> Enrollment | None:
    return (
        Enrollment.objects.select_related("learner", "course")
        .filter(learner_id=completion.learner_id, course_id=course_id)
        .first()
    )


def completion_announce(*, completion_id: UUID | str) -> bool:
    """Emit the server's xAPI statement(s) of a completion (``completed``; and ``satisfied``
    for a module) and send ``completion_recorded``; then mark it announced. Idempotent: the
    statements have deterministic ids and the signal's receivers must be. False when there is
    nothing to do (gone, or already announced)."""
    completion = (
        Completion.objects.select_related("learner", "lesson__module", "module", "course")
        .filter(pk=completion_id, announced_at__isnull=True)
        .first()
    )
    if completion is None:
        return False
    seconds = int(completion.credited_seconds)
    subject: Lesson | Module | Course | None = (
        completion.lesson or completion.module or completion.course
    )
    if completion.kind == Completion.Kind.PROGRAMME:
        statement_emit(
            statement=programme_completed_statement(
                learner=completion.learner,
                completed_at=completion.completed_at,
                credited_seconds=seconds,
            )
        )
    elif subject is not None:
        course_id = (
            subject.module.course_id
            if isinstance(subject, Lesson)
            else subject.course_id
            if isinstance(subject, Module)
            else subject.pk
        )
        enrollment = _enrollment(completion, course_id)
        if enrollment is not None:
            statement_emit(
                statement=engine_completed_statement(
                    enrollment=enrollment,
                    subject=subject,
                    completed_at=completion.completed_at,
                    credited_seconds=seconds,
                )
            )
            if isinstance(subject, Module):
                statement_emit(
                    statement=satisfied_statement(
                        enrollment=enrollment, module=subject, satisfied_at=completion.completed_at
                    )
                )
        else:  # watched without (or after leaving) an enrolment: no registration to state
            logger.info("completion %s: no enrolment, no xAPI statement", completion.pk)
    completion_recorded.send(sender=Completion, completion=completion)
    Completion.objects.filter(pk=completion.pk).update(announced_at=timezone.now())
    return True


def completions_announce_pending(*, older_than_seconds: int = 60) -> int:
    """Announce every completion whose after-commit announcement was lost; how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    count = 0
    for pk in Completion.objects.filter(
        announced_at__isnull=True, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        count += completion_announce(completion_id=pk)
    return count
