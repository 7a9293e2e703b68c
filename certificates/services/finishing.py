"""What follows an issue or a revocation, done by a task after commit and each step once:
the Open Badges 3.0 credential signed with the platform's key, the PDF written from the active
template with that credential attached, the ``earned`` xAPI statement; on revocation, the
status list signed again and the ``earned`` statement voided. A beat sweep finishes what a
lost task left undone."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from certificates import rendering
from certificates.credentials.documents import CredentialFacts, open_badge_credential
from certificates.credentials.keys import signing_key_load
from certificates.credentials.signing import credential_sign
from certificates.credentials.status_list import bitstring_encode, status_list_credential
from certificates.exceptions import StatusListNotFound
from certificates.models import Certificate, CertificateEvent, StatusListPublication
from certificates.selectors import (
    certificate_rendering_facts,
    status_list_url,
    template_active,
    verification_url,
)
from courses.models import Enrollment
from tracking.progress.services.emitted import (
    EARNED,
    activity_iri,
    earned_statement,
    programme_earned_statement,
    statement_emit,
    statement_id_for,
    voiding_statement,
)

logger = logging.getLogger(__name__)

CREDENTIAL_FILE_NAME = "open-badge-credential.json"
SWEEP_BATCH = 200


def _achievement_iri(certificate: Certificate) -> str:
    if certificate.kind == Certificate.Kind.MODULE:
        return activity_iri("module", certificate.module_id)  # type: ignore[arg-type]
    if certificate.kind == Certificate.Kind.COURSE:
        return activity_iri("course", certificate.course_id)  # type: ignore[arg-type]
    return activity_iri("programme", "fad")


def credential_facts(certificate: Certificate) -> CredentialFacts:
    """What the credential states: exactly what the certificate shows."""
    with translation.override(certificate.language):
        kind_label = str(Certificate.Kind(certificate.kind).label)
    return CredentialFacts(
        certificate_id=certificate.pk,
        verification_url=verification_url(certificate.code),
        issued_at=certificate.issued_at,
        learner_name=certificate.learner_name,
        learner_tax_code=certificate.learner_tax_code,
        learner_organisation=certificate.organisation_name,
        learner_city=certificate.city_name,
        achievement_id=_achievement_iri(certificate),
        achievement_kind=certificate.kind,
        achievement_name=certificate.title,
        achievement_description=f"{kind_label}: {certificate.title}",
        criteria_narrative=settings.CERTIFICATES_CRITERIA[certificate.kind],
        course_title=certificate.course_title,
        distance_seconds=certificate.distance_seconds,
        in_person_seconds=certificate.in_person_seconds,
        webinar_seconds=certificate.webinar_seconds,
        completed_at=certificate.completed_at,
        status_list_url=status_list_url(certificate.status_list),
        status_list_index=certificate.status_index,
        issuer_name=certificate.issuer_name,
        issuer_url=settings.CERTIFICATES_ISSUER_URL,
        language=certificate.language,
    )


def _sign(certificate: Certificate) -> None:
    credential = open_badge_credential(credential_facts(certificate))
    certificate.credential = credential_sign(
        credential, key=signing_key_load(), created=certificate.issued_at
    )
    certificate.save(update_fields=["credential", "updated_at"])


def certificate_pdf_bytes(
    *,
    certificate: Certificate,
    html: str,
    css: str,
    language: str | None = None,
) -> bytes:
    """The certificate rendered with this template, its credential attached."""
    language = language or certificate.language
    credential = json.dumps(certificate.credential, ensure_ascii=False, indent=2).encode()
    with translation.override(language):
        context = rendering.render_context(
            facts=certificate_rendering_facts(certificate, language=language)
        )
        return rendering.certificate_pdf(
            html=html,
            css=css,
            context=context,
            attachments=[(CREDENTIAL_FILE_NAME, credential, "Open Badges 3.0 credential")],
            language=language,
        )


def _render(certificate: Certificate, *, now: datetime) -> None:
    template, html, css = template_active()
    try:
        pdf = certificate_pdf_bytes(certificate=certificate, html=html, css=css)
    except Exception as error:  # noqa: BLE001 - a staff template can fail in many ways
        logger.exception("certificate %s: the PDF failed", certificate.pk)
        certificate.render_error = str(error)[:2000] or type(error).__name__
        certificate.save(update_fields=["render_error", "updated_at"])
        CertificateEvent.objects.create(
            certificate=certificate,
            action=CertificateEvent.Action.RENDER_FAILED,
            at=now,
            reason=certificate.render_error,
            detail={"template": str(template.pk) if template else "built-in"},
        )
        return
    digest = hashlib.sha256(pdf).hexdigest()
    certificate.pdf.save(f"{certificate.pk}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_sha256 = digest
    certificate.template = template
    certificate.render_error = ""
    certificate.save(update_fields=["pdf", "pdf_sha256", "template", "render_error", "updated_at"])
    CertificateEvent.objects.create(
        certificate=certificate,
        action=CertificateEvent.Action.RENDERED,
        at=now,
        detail={
            "sha256": digest,
            "bytes": len(pdf),
            "template": str(template.pk) if template else "built-in",
        },
    )


def _earned_statement(certificate: Certificate) -> dict[str, Any] | None:
    url = verification_url(certificate.code)
    title = f"{Certificate.Kind(certificate.kind).label}: {certificate.title}"
    if certificate.kind == Certificate.Kind.PROGRAMME:
        return programme_earned_statement(
            learner=certificate.learner,
            certificate_id=certificate.pk,
            title=title,
            issued_at=certificate.issued_at,
            verification_url=url,
        )
    enrollment = (
        Enrollment.objects.select_related("learner", "course")
        .filter(learner_id=certificate.learner_id, course=certificate.course)
        .first()
    )
    if enrollment is None:  # issued by hand to someone never enrolled: no registration to name
        return None
    return earned_statement(
        enrollment=enrollment,
        certificate_id=certificate.pk,
        title=title,
        issued_at=certificate.issued_at,
        module=certificate.module if certificate.kind == Certificate.Kind.MODULE else None,
        verification_url=url,
    )


def certificate_finish(*, certificate_id: UUID | str, now: datetime | None = None) -> bool:
    """Do what a new certificate still lacks, each step once (the row is locked): sign its
    credential, write its PDF, emit ``earned`` (not for one revoked meanwhile). False when
    there is no such certificate."""
    now = now or timezone.now()
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("learner", "module", "course")
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None:
            return False
        if certificate.credential is None:
            _sign(certificate)
        if not certificate.pdf and not certificate.render_error:
            _render(certificate, now=now)
        if certificate.earned_announced_at is None and certificate.revoked_at is None:
            statement = _earned_statement(certificate)
            if statement is not None:
                statement_emit(statement=statement)
            certificate.earned_announced_at = now
            certificate.save(update_fields=["earned_announced_at", "updated_at"])
    return True


def certificate_render_again(*, certificate: Certificate, now: datetime | None = None) -> None:
    """Write the PDF again from the active template (after staff fixed a failing one)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.credential is None:
            _sign(locked)
        _render(locked, now=now)


def status_list_publish(*, number: int, now: datetime | None = None) -> dict[str, Any]:
    """Sign the status list ``number`` as the certificates stand, store it, and return it."""
    now = now or timezone.now()
    with transaction.atomic():
        publication, _created = StatusListPublication.objects.select_for_update().get_or_create(
            number=number
        )
        revoked = Certificate.objects.filter(
            status_list=number, revoked_at__isnull=False
        ).values_list("status_index", flat=True)
        unsigned = status_list_credential(
            list_url=status_list_url(number),
            encoded=bitstring_encode(revoked),
            valid_from=now,
            issuer_name=settings.CERTIFICATES_ISSUER_NAME,
            issuer_url=settings.CERTIFICATES_ISSUER_URL,
        )
        publication.credential = credential_sign(unsigned, key=signing_key_load(), created=now)
        publication.signed_at = now
        publication.stale = False
        publication.save()
        return publication.credential


def status_list_current(*, number: int) -> dict[str, Any]:
    """The status list ``number`` as published, signed again first when a revocation made it
    stale (the task usually did it already); StatusListNotFound for a list no certificate
    uses."""
    if not 0 < number < 2**31:  # beyond any list, and beyond what the column can hold
        raise StatusListNotFound()
    publication = StatusListPublication.objects.filter(number=number).first()
    if publication is not None and not publication.stale and publication.credential:
        return publication.credential
    if publication is None and not Certificate.objects.filter(status_list=number).exists():
        raise StatusListNotFound()
    return status_list_publish(number=number)


def certificate_revocation_announce(
    *, certificate_id: UUID | str, now: datetime | None = None
) -> bool:
    """Publish a revocation: the certificate's status list signed again, and its ``earned``
    statement voided (once). False when there is nothing to announce."""
    now = now or timezone.now()
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None or certificate.revoked_at is None:
            return False
        status_list_publish(number=certificate.status_list, now=now)
        if certificate.revocation_announced_at is None:
            if certificate.earned_announced_at is not None:
                earned_id = statement_id_for(subject_id=certificate.pk, verb=EARNED)
                statement_emit(
                    statement=voiding_statement(
                        target_id=earned_id, voided_at=certificate.revoked_at
                    )
                )
            certificate.revocation_announced_at = now
            certificate.save(update_fields=["revocation_announced_at", "updated_at"])
    return True


def certificates_finish_pending(*, batch: int = SWEEP_BATCH) -> int:
    """Finish the certificates a lost task left undone, announce the revocations not yet
    announced, sign the stale status lists; how many certificates it touched."""
    unfinished = (
        Certificate.objects.filter(credential__isnull=True)
        | Certificate.objects.filter(pdf="", render_error="")
        | Certificate.objects.filter(earned_announced_at__isnull=True, revoked_at__isnull=True)
    )
    touched = 0
    for pk in unfinished.values_list("pk", flat=True)[:batch]:
        touched += certificate_finish(certificate_id=pk)
    for pk in Certificate.objects.filter(
        revoked_at__isnull=False, revocation_announced_at__isnull=True
    ).values_list("pk", flat=True)[:batch]:
        touched += certificate_revocation_announce(certificate_id=pk)
    for number in StatusListPublication.objects.filter(stale=True).values_list("number", flat=True):
        status_list_publish(number=number)
    return touched
