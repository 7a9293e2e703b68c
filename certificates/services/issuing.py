"""Issuing and revoking certificates. A completion of a module, a course or the programme
issues one exactly once, whatever runs at the same time or again (a row lock on the
completion, and partial unique indexes behind it); its withdrawal revokes it. Staff issue,
revoke and re-issue by hand, always with a reason. Every change is a ``CertificateEvent``;
what follows a change (the credential, the PDF, the xAPI statements, the status list) is done
by a task after commit (``certificates.services.finishing``)."""

from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import tasks
from certificates.codes import code_new
from certificates.credentials.status_list import STATUS_LIST_SIZE
from certificates.exceptions import (
    CertificateAlreadyIssued,
    CertificateAlreadyRevoked,
    CertificateCompletionWithdrawn,
    CertificateNeedsReason,
    CertificateSubjectInvalid,
    NotAllowedToIssue,
)
from certificates.models import Certificate, CertificateEvent, StatusListPublication
from courses.models import Course, Module
from lms.accounts.models import User
from tracking.attendance.selectors import programme_identity
from tracking.progress.models import Completion
from tracking.progress.selectors import credited_hours

REASON_MIN_LENGTH = 10
CERTIFIED_KINDS = {
    Completion.Kind.MODULE: Certificate.Kind.MODULE,
    Completion.Kind.COURSE: Certificate.Kind.COURSE,
    Completion.Kind.PROGRAMME: Certificate.Kind.PROGRAMME,
}
# Random bits of the status list are drawn until a free one comes up; a list is left for
# the next one when it is half full, so that a draw rarely fails twice.
_STATUS_DRAWS = 20


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise CertificateNeedsReason()
    return reason


def _check_staff(actor: User) -> None:
    if not actor.is_staff:
        raise NotAllowedToIssue()


def _status_bit() -> tuple[int, int]:
    """A free (list, index) drawn at random: the W3C status list advises random indexes, so
    that a bit tells nothing about when or to whom a certificate was issued."""
    issued = Certificate.objects.count()
    number = issued // (STATUS_LIST_SIZE // 2) + 1
    taken = Certificate.objects.filter(status_list=number)
    for _draw in range(_STATUS_DRAWS):
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if not taken.filter(status_index=index).exists():
            return number, index
    return number + 1, secrets.randbelow(STATUS_LIST_SIZE)


def _subject_title(kind: str, module: Module | None, course: Course | None) -> tuple[str, str]:
    if kind == Certificate.Kind.MODULE and module is not None:
        return module.title, module.course.title
    if kind == Certificate.Kind.COURSE and course is not None:
        return course.title, course.title
    identity = programme_identity()
    return identity.plan_title or _("Distance-learning programme"), ""


def _new_certificate(
    *,
    learner: User,
    kind: str,
    module: Module | None,
    course: Course | None,
    completion: Completion | None,
    completed_at: datetime,
    now: datetime,
    issued_by: User | None = None,
    issue_reason: str = "",
    language: str = Certificate.Language.ITALIAN,
    replaces: Certificate | None = None,
) -> Certificate:
    """Write a certificate with what it shows as it stands now, and its first event; raise
    IntegrityError (in its own savepoint) when a valid one already exists."""
    title, course_title = _subject_title(kind, module, course)
    hours = credited_hours(
        learner_id=learner.pk,
        module_id=module.pk if module is not None else None,
        course_id=course.pk if course is not None and module is None else None,
    )
    organisation = learner.organisation
    number, index = _status_bit()
    certificate = Certificate(
        learner=learner,
        kind=kind,
        module=module,
        course=course,
        completion=completion,
        replaces=replaces,
        code=code_new(),
        status_list=number,
        status_index=index,
        language=language,
        learner_name=learner.get_full_name() or learner.username,
        learner_tax_code=learner.tax_code or "",
        organisation_name=organisation.name if organisation is not None else "",
        city_name=organisation.city.name if organisation is not None else "",
        title=title,
        course_title=course_title if kind == Certificate.Kind.MODULE else "",
        distance_seconds=hours.distance,
        in_person_seconds=hours.in_person,
        webinar_seconds=hours.webinar,
        started_on=hours.started_on,
        completed_at=completed_at,
        issued_at=now,
        issuer_name=settings.CERTIFICATES_ISSUER_NAME,
        issued_by=issued_by,
        issue_reason=issue_reason,
    )
    with transaction.atomic():
        certificate.save(force_insert=True)
    CertificateEvent.objects.create(
        certificate=certificate,
        action=CertificateEvent.Action.REISSUED if replaces else CertificateEvent.Action.ISSUED,
        at=now,
        actor=issued_by,
        reason=issue_reason,
        detail={
            "completion": str(completion.pk) if completion is not None else None,
            "replaces": str(replaces.pk) if replaces is not None else None,
            "hours": {
                "distance": hours.distance,
                "in_person": hours.in_person,
                "webinar": hours.webinar,
            },
        },
    )
    tasks.certificate_finish_task.delay_on_commit(certificate_id=str(certificate.pk))
    return certificate


def certificate_issue_for_completion(
    *, completion_id: UUID | str, now: datetime | None = None
) -> Certificate | None:
    """The certificate of a completed module, course or programme: issued the first time,
    the same one every time after (None for a lesson, or a completion since withdrawn).
    The completion's row is locked, so concurrent calls wait for each other; the unique
    indexes hold even against a path that forgot the lock."""
    now = now or timezone.now()
    with transaction.atomic():
        completion = (
            Completion.objects.select_for_update(of=("self",))
            .select_related("learner__organisation__city", "module__course", "course")
            .filter(pk=completion_id)
            .first()
        )
        if completion is None or completion.kind not in CERTIFIED_KINDS:
            return None
        if completion.withdrawn_at is not None:
            return None
        existing = Certificate.objects.filter(completion=completion).order_by("-issued_at").first()
        if existing is not None:
            return existing  # issued once: a revoked one is re-issued by staff, not by a retry
        module = completion.module
        course = module.course if module is not None else completion.course
        try:
            return _new_certificate(
                learner=completion.learner,
                kind=CERTIFIED_KINDS[Completion.Kind(completion.kind)],
                module=module,
                course=course,
                completion=completion,
                completed_at=completion.completed_at,
                now=now,
            )
        except IntegrityError:
            # Staff issued one by hand for the same thing meanwhile: that one stands.
            return _valid_for(
                learner=completion.learner,
                kind=CERTIFIED_KINDS[Completion.Kind(completion.kind)],
                module=module,
                course=course,
            )


def _valid_for(
    *, learner: User, kind: str, module: Module | None, course: Course | None
) -> Certificate | None:
    certificates = Certificate.objects.filter(learner=learner, kind=kind, revoked_at__isnull=True)
    if kind == Certificate.Kind.MODULE:
        certificates = certificates.filter(module=module)
    elif kind == Certificate.Kind.COURSE:
        certificates = certificates.filter(course=course)
    return certificates.first()


def certificate_issue(
    *,
    actor: User,
    learner: User,
    kind: str,
    module: Module | None = None,
    course: Course | None = None,
    reason: str,
    language: str = Certificate.Language.ITALIAN,
    now: datetime | None = None,
) -> Certificate:
    """Staff issue a certificate by hand (a completion recorded outside the platform, say):
    with a reason, and never beside a valid one for the same thing."""
    _check_staff(actor)
    reason = _reason(reason)
    now = now or timezone.now()
    if kind == Certificate.Kind.MODULE and module is not None:
        course = module.course
    elif not (
        (kind == Certificate.Kind.COURSE and course is not None and module is None)
        or (kind == Certificate.Kind.PROGRAMME and course is None and module is None)
    ):
        raise CertificateSubjectInvalid()
    with transaction.atomic():
        try:
            return _new_certificate(
                learner=learner,
                kind=kind,
                module=module,
                course=course,
                completion=None,
                completed_at=now,
                now=now,
                issued_by=actor,
                issue_reason=reason,
                language=language,
            )
        except IntegrityError as error:
            raise CertificateAlreadyIssued() from error


def _revoke(
    certificate: Certificate, *, actor: User | None, reason: str, now: datetime
) -> Certificate:
    certificate.revoked_at = now
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by", "updated_at"])
    CertificateEvent.objects.create(
        certificate=certificate,
        action=CertificateEvent.Action.REVOKED,
        at=now,
        actor=actor,
        reason=reason,
    )
    StatusListPublication.objects.update_or_create(
        number=certificate.status_list, defaults={"stale": True}
    )
    tasks.certificate_revocation_announce_task.delay_on_commit(certificate_id=str(certificate.pk))
    return certificate


def _locked(certificate_id: UUID | str) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate_id)


def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    """Staff revoke a certificate, with a reason (kept in its history and shown on the
    verification page)."""
    _check_staff(actor)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _locked(certificate.pk)
        if locked.revoked_at is not None:
            raise CertificateAlreadyRevoked()
        return _revoke(locked, actor=actor, reason=reason, now=now or timezone.now())


def certificate_reissue(
    *, actor: User, certificate: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    """Staff revoke a certificate and issue its replacement (a name corrected, say): the new
    one has a new code and what it shows as it stands now; the old one's page says revoked,
    with the reason. A certificate whose completion was withdrawn cannot be re-issued."""
    _check_staff(actor)
    reason = _reason(reason)
    now = now or timezone.now()
    with transaction.atomic():
        old = _locked(certificate.pk)
        completion = old.completion
        if completion is not None and completion.withdrawn_at is not None:
            raise CertificateCompletionWithdrawn()
        if old.revoked_at is None:
            _revoke(old, actor=actor, reason=reason, now=now)
        elif hasattr(old, "replaced_by"):
            raise CertificateAlreadyRevoked()
        learner = User.objects.select_related("organisation__city").get(pk=old.learner_id)
        try:
            return _new_certificate(
                learner=learner,
                kind=old.kind,
                module=old.module,
                course=old.course,
                completion=completion,
                completed_at=old.completed_at,
                now=now,
                issued_by=actor,
                issue_reason=reason,
                language=old.language,
                replaces=old,
            )
        except IntegrityError as error:
            raise CertificateAlreadyIssued() from error


def certificates_revoke_for_completion(
    *, completion_id: UUID | str, now: datetime | None = None
) -> int:
    """Revoke the valid certificates of a withdrawn completion, with its reason; how many.
    Idempotent: a revoked certificate is left as it is."""
    now = now or timezone.now()
    revoked = 0
    with transaction.atomic():
        completion = Completion.objects.filter(pk=completion_id).first()
        if completion is None:
            return 0
        why = _("The completion was withdrawn: %(reason)s") % {
            "reason": completion.withdrawn_reason or _("no reason recorded")
        }
        for certificate in Certificate.objects.select_for_update().filter(
            completion=completion, revoked_at__isnull=True
        ):
            _revoke(certificate, actor=None, reason=why, now=now)
            revoked += 1
    return revoked
