"""Enrolments: learners enrolling themselves, coordinators enrolling the people of their city."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.exceptions import (
    CourseNotOpen,
    EnrollmentCompleted,
    EnrollmentWithdrawForbidden,
    SelfEnrollmentClosed,
)
from courses.models import Course, Enrollment
from courses.signals import enrollment_created
from lms.accounts.exceptions import PersonNotFound
from lms.accounts.models import User
from lms.accounts.selectors import person_in_scope


def enrollment_create(
    *,
    actor: User,
    course: Course,
    learner: User | None = None,
    source: str | None = None,
) -> tuple[Enrollment, bool]:
    """Enrol ``learner`` (default: the actor) in a published course; returns (enrolment, created).

    Idempotent: an active or completed enrolment is returned as it is; a withdrawn one is
    re-activated, keeping its uuid (the learner's xAPI registration). Self-enrolment needs the
    course to be open to it (SelfEnrollmentClosed); enrolling someone else needs the actor to
    coordinate them (PersonNotFound otherwise). Raises CourseNotOpen for unpublished courses.
    """
    learner = learner or actor
    is_self = learner.pk == actor.pk
    if not is_self and not person_in_scope(actor=actor, person=learner):
        raise PersonNotFound()
    if course.status != Course.Status.PUBLISHED:
        raise CourseNotOpen()
    if is_self and not course.self_enrollment_open:
        raise SelfEnrollmentClosed()

    if existing := Enrollment.objects.filter(learner=learner, course=course).first():
        enrollment, reactivated = _reactivate(existing, actor=actor)
        if reactivated:
            _announce(enrollment)
        return enrollment, reactivated
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                learner=learner,
                course=course,
                enrolled_at=now,
                enrolled_by=actor,
                source=source
                or (Enrollment.Source.SELF if is_self else Enrollment.Source.COORDINATOR),
            )
    except IntegrityError:  # a concurrent request enrolled the same person first
        return Enrollment.objects.get(learner=learner, course=course), False
    _announce(enrollment)
    return enrollment, True


def _announce(enrollment: Enrollment) -> None:
    """Tell whoever listens (tracking emits the xAPI ``registered`` statement), after commit."""
    enrollment_id = str(enrollment.pk)
    transaction.on_commit(
        lambda: enrollment_created.send(sender=Enrollment, enrollment_id=enrollment_id)
    )


def _reactivate(enrollment: Enrollment, *, actor: User) -> tuple[Enrollment, bool]:
    if enrollment.status != Enrollment.Status.WITHDRAWN:
        return enrollment, False
    reactivated = Enrollment.objects.filter(
        pk=enrollment.pk, status=Enrollment.Status.WITHDRAWN
    ).update(
        status=Enrollment.Status.ACTIVE,
        withdrawn_at=None,
        enrolled_by=actor,
        updated_at=timezone.now(),
    )
    enrollment.refresh_from_db()
    return enrollment, bool(reactivated)


def enrollment_withdraw(*, actor: User, enrollment: Enrollment) -> Enrollment:
    """Withdraw an enrolment (the learner themselves, or a coordinator of theirs). The row stays,
    so that a later re-enrolment continues the same registration. Idempotent; a completed
    enrolment raises EnrollmentCompleted."""
    if enrollment.learner_id != actor.pk and not person_in_scope(
        actor=actor, person=enrollment.learner
    ):
        raise EnrollmentWithdrawForbidden()
    if enrollment.status == Enrollment.Status.COMPLETED:
        raise EnrollmentCompleted()
    Enrollment.objects.filter(pk=enrollment.pk, status=Enrollment.Status.ACTIVE).update(
        status=Enrollment.Status.WITHDRAWN, withdrawn_at=timezone.now(), updated_at=timezone.now()
    )
    enrollment.refresh_from_db()
    return enrollment
