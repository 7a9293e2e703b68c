"""Output shapes of certificates: the holder's and coordinators' view, and the public
verification (only what the certificate itself prints, the tax code masked)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from certificates.models import Certificate, CertificateEvent
from certificates.selectors import Verification, certificate_hours, verification_url


class HoursOutput(serializers.Serializer):
    """Hours as the certificate states them: tenths, rounded down; the total is the sum."""

    distance = serializers.FloatField(help_text="Distance learning (hours).")
    in_person = serializers.FloatField(help_text="In person (hours).")
    webinar = serializers.FloatField(help_text="Live webinar (hours).")
    total = serializers.FloatField()


class CertificateOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(
        help_text="The PDF; null while it is being written."
    )
    credential_url = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "kind",
            "status",
            "code",
            "verification_url",
            "learner_id",
            "learner_name",
            "learner_tax_code",
            "organisation_name",
            "city_name",
            "module_id",
            "course_id",
            "title",
            "course_title",
            "hours",
            "started_on",
            "completed_at",
            "issued_at",
            "issuer_name",
            "issue_reason",
            "revoked_at",
            "revoked_reason",
            "replaces_id",
            "replaced_by",
            "language",
            "pdf_url",
            "credential_url",
            "render_error",
        ]
        read_only_fields = fields

    def get_status(self, certificate: Certificate) -> str:
        return "revoked" if certificate.is_revoked else "valid"

    @staticmethod
    def get_hours(certificate: Certificate) -> HoursOutput:
        return certificate_hours(certificate)  # type: ignore[return-value]

    def get_verification_url(self, certificate: Certificate) -> str:
        return verification_url(certificate.code)

    def get_pdf_url(self, certificate: Certificate) -> str | None:
        if not certificate.pdf:
            return None
        return reverse("api-certificate-pdf", args=[certificate.pk])

    def get_credential_url(self, certificate: Certificate) -> str | None:
        if certificate.credential is None:
            return None
        return reverse("api-certificate-credential", args=[certificate.pk])

    def get_replaced_by(self, certificate: Certificate) -> str | None:
        replacement = getattr(certificate, "replaced_by", None)
        return str(replacement.pk) if replacement is not None else None


class CertificateEventOutput(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CertificateEvent
        fields = ["action", "at", "actor_id", "actor_name", "reason", "detail"]
        read_only_fields = fields

    def get_actor_name(self, event: CertificateEvent) -> str | None:
        return event.actor.get_full_name() if event.actor is not None else None


class CertificateDetailOutput(CertificateOutput):
    history = serializers.SerializerMethodField()

    class Meta(CertificateOutput.Meta):
        fields = [*CertificateOutput.Meta.fields, "history"]
        read_only_fields = fields

    def get_history(self, certificate: Certificate) -> list[dict[str, Any]]:
        events = certificate.events.select_related("actor").order_by("at", "id")
        return CertificateEventOutput(events, many=True).data  # type: ignore[return-value]


def masked_tax_code(tax_code: str) -> str:
    """Enough of a tax code to match it with the person in front of you, not to learn it:
    the six letters of the names, the rest hidden."""
    return f"{tax_code[:6]}{'•' * (len(tax_code) - 6)}" if len(tax_code) > 6 else ""


class VerifiedCertificateOutput(serializers.Serializer):
    kind = serializers.CharField()
    learner_name = serializers.CharField()
    learner_tax_code = serializers.CharField(help_text="Masked: the first six characters.")
    organisation_name = serializers.CharField()
    city_name = serializers.CharField()
    title = serializers.CharField()
    course_title = serializers.CharField()
    hours = HoursOutput()
    started_on = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField()
    issued_at = serializers.DateTimeField()
    issuer_name = serializers.CharField()


class VerificationOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["valid", "revoked", "unknown"])
    code = serializers.CharField(help_text="The code as asked.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField(allow_null=True)
    replaced = serializers.BooleanField(
        help_text="A revoked certificate that was re-issued: its holder has a new code."
    )
    certificate = VerifiedCertificateOutput(allow_null=True)


def verification_data(verification: Verification, *, code: str) -> dict[str, Any]:
    """The public answer: for an unknown code nothing but the status."""
    certificate = verification.certificate
    if certificate is None:
        return {
            "status": "unknown",
            "code": code,
            "revoked_at": None,
            "revoked_reason": None,
            "replaced": False,
            "certificate": None,
        }
    return {
        "status": verification.status,
        "code": certificate.code,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason or None,
        "replaced": getattr(certificate, "replaced_by", None) is not None,
        "certificate": {
            "kind": certificate.kind,
            "learner_name": certificate.learner_name,
            "learner_tax_code": masked_tax_code(certificate.learner_tax_code),
            "organisation_name": certificate.organisation_name,
            "city_name": certificate.city_name,
            "title": certificate.title,
            "course_title": certificate.course_title,
            "hours": certificate_hours(certificate),
            "started_on": certificate.started_on,
            "completed_at": certificate.completed_at,
            "issued_at": certificate.issued_at,
            "issuer_name": certificate.issuer_name,
        },
    }
