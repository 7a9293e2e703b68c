"""Reads of certificates: a learner's own, the certificates of the people a coordinator
coordinates (``person_list``), and the public verification of a code, which says only what
the certificate itself shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates import rendering
from certificates.codes import code_normalised
from certificates.exceptions import CertificateNotFound
from certificates.hours import certified_hours
from certificates.models import Certificate, CertificateEvent, CertificateTemplate
from lms.accounts.models import User
from lms.accounts.selectors import person_in_scope, person_list
from tracking.attendance.selectors import programme_identity

DEFAULT_TEMPLATE_DIR = Path(__file__).parent / "templates" / "certificates"


def verification_url(code: str) -> str:
    """The public page a certificate's QR code opens."""
    return f"{settings.SITE_URL}/verify/{code}"


def status_list_url(number: int) -> str:
    """The stable URL of a Bitstring Status List credential."""
    return f"{settings.SITE_URL}/certificates/status/{number}"


def template_default() -> tuple[str, str]:
    """The built-in template (HTML, CSS): used while staff have made none active."""
    return (
        (DEFAULT_TEMPLATE_DIR / "default.html").read_text(encoding="utf-8"),
        (DEFAULT_TEMPLATE_DIR / "default.css").read_text(encoding="utf-8"),
    )


def template_active() -> tuple[CertificateTemplate | None, str, str]:
    """The template new PDFs are written with: the active one, or the built-in one (None)."""
    template = CertificateTemplate.objects.filter(is_active=True).first()
    if template is None:
        html, css = template_default()
        return None, html, css
    return template, template.html, template.css


def certificate_rendering_facts(
    certificate: Certificate, *, language: str | None = None
) -> rendering.CertificateFacts:
    """What a certificate's PDF shows: its own frozen fields and the programme's heading."""
    identity = programme_identity()
    return rendering.CertificateFacts(
        plan_title=identity.plan_title,
        project_title=identity.project_title,
        funding_programme=identity.funding_programme,
        funding_codes=[
            f"{code.get('label', '')} {code.get('code', '')}".strip()
            for code in identity.funding_codes or []
            if isinstance(code, dict)
        ],
        issuer_name=certificate.issuer_name,
        issuer_url=settings.CERTIFICATES_ISSUER_URL,
        code=certificate.code,
        verification_url=verification_url(certificate.code),
        issued_on=timezone.localdate(certificate.issued_at),
        kind=certificate.kind,
        is_revoked=certificate.is_revoked,
        learner_name=certificate.learner_name,
        learner_tax_code=certificate.learner_tax_code,
        learner_organisation=certificate.organisation_name,
        learner_city=certificate.city_name,
        achievement_title=certificate.title,
        course_title=certificate.course_title,
        distance_seconds=certificate.distance_seconds,
        in_person_seconds=certificate.in_person_seconds,
        webinar_seconds=certificate.webinar_seconds,
        started_on=certificate.started_on,
        completed_on=timezone.localdate(certificate.completed_at),
        language=language or certificate.language,
    )


def certificate_hours(certificate: Certificate) -> dict[str, float]:
    """The hours a certificate states (``certificates.hours``), by mode and in total: the
    same figures its PDF, its credential and its verification page show."""
    hours = certified_hours(
        distance_seconds=certificate.distance_seconds,
        in_person_seconds=certificate.in_person_seconds,
        webinar_seconds=certificate.webinar_seconds,
    )
    return {part: float(value) for part, value in hours.items()}


# --- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFilter:
    """Which certificates of the actor's people: every field narrows."""

    city_id: UUID | None = None
    organisation_id: UUID | None = None
    learner_id: UUID | None = None
    course_id: UUID | None = None
    module_id: UUID | None = None
    kind: str | None = None
    status: str | None = None  # "valid" or "revoked"
    issued_from: date | None = None
    issued_to: date | None = None
    search: str = ""  # part of the holder's name, or a code


def _with_related(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    # replaced_by: every listed certificate says whether it was re-issued (one join, not a
    # query per row)
    return certificates.select_related("learner", "module", "course", "replaced_by")


def certificate_list_own(*, actor: User) -> QuerySet[Certificate]:
    """The actor's own certificates, newest first (revoked ones too: they say so)."""
    return _with_related(Certificate.objects.filter(learner=actor)).order_by("-issued_at", "pk")


def certificate_list_for_people(
    *, actor: User, where: CertificateFilter | None = None
) -> QuerySet[Certificate]:
    """The certificates of the people the actor coordinates (CoordinatorsOnly for anyone
    else), narrowed by ``where``; by name, then newest first."""
    where = where or CertificateFilter()
    people = person_list(actor=actor)
    if where.city_id is not None:
        people = people.filter(organisation__city_id=where.city_id)
    if where.organisation_id is not None:
        people = people.filter(organisation_id=where.organisation_id)
    if where.learner_id is not None:
        people = people.filter(pk=where.learner_id)
    certificates = Certificate.objects.filter(learner__in=people.values("pk"))
    if where.course_id is not None:
        certificates = certificates.filter(course_id=where.course_id)
    if where.module_id is not None:
        certificates = certificates.filter(module_id=where.module_id)
    if where.kind:
        certificates = certificates.filter(kind=where.kind)
    if where.status == "valid":
        certificates = certificates.filter(revoked_at__isnull=True)
    elif where.status == "revoked":
        certificates = certificates.filter(revoked_at__isnull=False)
    if text := where.search.strip():
        matches = Q(learner_name__icontains=text)
        if code := code_normalised(text):
            matches |= Q(code=code)
        certificates = certificates.filter(matches)
    tz = timezone.get_current_timezone()
    if where.issued_from is not None:
        start = datetime.combine(where.issued_from, datetime.min.time(), tzinfo=tz)
        certificates = certificates.filter(issued_at__gte=start)
    if where.issued_to is not None:
        end = datetime.combine(where.issued_to, datetime.max.time(), tzinfo=tz)
        certificates = certificates.filter(issued_at__lte=end)
    return _with_related(certificates).order_by("learner_name", "-issued_at", "pk")


def certificate_get(*, actor: User, certificate_id: UUID) -> Certificate:
    """One certificate the actor may read: their own, or one of a person they coordinate;
    CertificateNotFound otherwise (existence is not leaked)."""
    certificate = (
        _with_related(Certificate.objects.filter(pk=certificate_id))
        .select_related("learner__organisation")
        .first()
    )
    if certificate is None:
        raise CertificateNotFound()
    if certificate.learner_id == actor.pk:
        return certificate
    if (actor.is_coordinator or actor.sees_every_city) and person_in_scope(
        actor=actor, person=certificate.learner
    ):
        return certificate
    raise CertificateNotFound()


def certificate_history(*, certificate: Certificate) -> QuerySet[CertificateEvent]:
    return certificate.events.select_related("actor").order_by("at", "id")


def certificate_file_name(certificate: Certificate, *, language: str | None = None) -> str:
    """The download's name: who and what, readable in a folder of many."""
    who = "".join(c if c.isalnum() else "-" for c in certificate.learner_name).strip("-")
    suffix = f"-{language}" if language and language != certificate.language else ""
    return f"attestato-{who}-{certificate.code}{suffix}.pdf"


# --- public verification --------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The answer to a verification: ``valid``, ``revoked`` or ``unknown``; for a known code,
    what the certificate shows (never its tax code or anything it does not print)."""

    status: str
    certificate: Certificate | None = None

    @property
    def is_known(self) -> bool:
        return self.certificate is not None


def certificate_verify(*, code: str) -> Verification:
    """What a code says. A malformed code and an unknown one get the same answer, in one
    indexed lookup either way, so the answer teaches nothing about the codes that exist."""
    normalised = code_normalised(code) or ""
    certificate = (
        Certificate.objects.select_related("replaced_by").filter(code=normalised).first()
        if normalised
        else None
    )
    if certificate is None:
        return Verification(status="unknown")
    return Verification(
        status="revoked" if certificate.is_revoked else "valid", certificate=certificate
    )


def certificate_replacement(certificate: Certificate) -> Certificate | None:
    """The certificate that replaced a revoked one, if any."""
    return Certificate.objects.filter(replaces=certificate).first()
