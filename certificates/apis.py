"""The certificates API: a learner's own certificates, the certificates of a coordinator's
people (one by one or as a ZIP), staff's issue, revocation and re-issue, the public
verification of a code, and the Open Badges issuer profile and status lists at stable URLs.
Thin views over the certificates' services and selectors."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.credentials.documents import issuer_profile
from certificates.exceptions import CertificateNotFound
from certificates.models import Certificate
from certificates.selectors import (
    CertificateFilter,
    certificate_file_name,
    certificate_get,
    certificate_list_for_people,
    certificate_list_own,
    certificate_verify,
)
from certificates.serializers import (
    CertificateDetailOutput,
    CertificateOutput,
    VerificationOutput,
    verification_data,
)
from certificates.services.downloads import (
    certificate_pdf_in,
    certificate_pdf_open,
    certificates_zip,
)
from certificates.services.finishing import status_list_current
from certificates.services.issuing import (
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
)
from certificates.services.verification import verification_count
from courses.models import Course, Module
from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.api import AuthenticatedRequest, FileNegotiation, ListApi, errors

JSON_LD = "application/ld+json"
VC_MEDIA_TYPE = "application/vc+ld+json"


def _json_ld(document: dict[str, Any], *, content_type: str = JSON_LD) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"  # any verifier, from any page, may read it
    return response


# --- the holder's and coordinators' -----------------------------------------------------------


class CertificateFilterInput(serializers.Serializer):
    city_id = serializers.PrimaryKeyRelatedField(
        queryset=MetropolitanCity.objects.all(), source="city", required=False
    )
    organisation_id = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), source="organisation", required=False
    )
    learner_id = serializers.UUIDField(required=False)
    course_id = serializers.UUIDField(required=False)
    module_id = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=Certificate.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=["valid", "revoked"], required=False)
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)
    search = serializers.CharField(
        required=False, max_length=200, help_text="Part of the holder's name, or a code."
    )

    def filter(self) -> CertificateFilter:
        data = self.validated_data
        return CertificateFilter(
            city_id=data["city"].pk if data.get("city") else None,
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            learner_id=data.get("learner_id"),
            course_id=data.get("course_id"),
            module_id=data.get("module_id"),
            kind=data.get("kind"),
            status=data.get("status"),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            search=data.get("search", ""),
        )


class MyCertificateListApi(ListApi):
    output_serializer = CertificateOutput

    def selector_queryset(self) -> QuerySet[Certificate]:
        return certificate_list_own(actor=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="My certificates",
        description="The actor's own certificates, newest first; revoked ones say so.",
        responses={200: CertificateOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


class IssueInput(serializers.Serializer):
    learner_id = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), source="learner", help_text="The person certified."
    )
    kind = serializers.ChoiceField(choices=Certificate.Kind.choices)
    module_id = serializers.PrimaryKeyRelatedField(
        queryset=Module.objects.select_related("course"),
        source="module",
        required=False,
        allow_null=True,
        help_text="A module certificate: the module.",
    )
    course_id = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(),
        source="course",
        required=False,
        allow_null=True,
        help_text="A course certificate: the course.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why, kept in the history.")
    language = serializers.ChoiceField(
        choices=Certificate.Language.choices, default=Certificate.Language.ITALIAN
    )


class CertificateCollectionApi(ListApi):
    output_serializer = CertificateOutput

    def selector_queryset(self) -> QuerySet[Certificate]:
        where = CertificateFilterInput(data=self.request.query_params)
        where.is_valid(raise_exception=True)
        return certificate_list_for_people(
            actor=self.request.user,  # type: ignore[arg-type]
            where=where.filter(),
        )

    @extend_schema(
        summary="Certificates of my people",
        description="Coordinators: the certificates of the people of their city (national "
        "coordinators and staff: everyone's), by name, filtered.",
        parameters=[CertificateFilterInput],
        responses={200: CertificateOutput(many=True), **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        summary="Issue a certificate by hand",
        description="Staff issue a certificate without a completion on the platform, with a "
        "reason. Refused (409) beside a valid certificate for the same thing.",
        request=IssueInput,
        responses={201: CertificateDetailOutput, **errors(400, 403, 409)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = certificate_issue(actor=request.user, **data.validated_data)
        return Response(CertificateDetailOutput(certificate).data, status=HTTPStatus.CREATED)


class CertificateDetailApi(APIView):
    @extend_schema(
        summary="A certificate",
        description="One certificate with its history: the holder's own, or one of a "
        "person the coordinator coordinates.",
        responses={200: CertificateDetailOutput, **errors(404)},
    )
    def get(self, request: AuthenticatedRequest, certificate_id: UUID) -> Response:
        certificate = certificate_get(actor=request.user, certificate_id=certificate_id)
        return Response(CertificateDetailOutput(certificate).data)


class LanguageInput(serializers.Serializer):
    language = serializers.ChoiceField(choices=Certificate.Language.choices, required=False)


class CertificatePdfApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="Download a certificate's PDF",
        description="The PDF/A-3b written at issue, with the Open Badges credential attached; "
        "`language` other than the certificate's writes a copy in that language. 409 while "
        "the PDF is being written.",
        parameters=[LanguageInput],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(400, 404, 409),
        },
    )
    def get(self, request: AuthenticatedRequest, certificate_id: UUID) -> HttpResponseBase:
        certificate = certificate_get(actor=request.user, certificate_id=certificate_id)
        asked = LanguageInput(data=request.query_params)
        asked.is_valid(raise_exception=True)
        language = asked.validated_data.get("language") or certificate.language
        name = certificate_file_name(certificate, language=language)
        if language != certificate.language:
            response = HttpResponse(
                certificate_pdf_in(certificate=certificate, language=language),
                content_type="application/pdf",
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return FileResponse(
            certificate_pdf_open(certificate=certificate),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )


class CertificateCredentialApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="A certificate's Open Badges credential",
        description="The signed OpenBadgeCredential (W3C Verifiable Credential, "
        "eddsa-rdfc-2022), to hand to a wallet or a verifier.",
        responses={(200, VC_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.OBJECT), **errors(404, 409)},
    )
    def get(self, request: AuthenticatedRequest, certificate_id: UUID) -> HttpResponseBase:
        certificate = certificate_get(actor=request.user, certificate_id=certificate_id)
        if certificate.credential is None:
            raise CertificateNotFound()
        response = _json_ld(certificate.credential, content_type=VC_MEDIA_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{certificate_file_name(certificate)[:-4]}.json"'
        )
        return response


class CertificateZipApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="Download certificates as a ZIP",
        description="Coordinators: every certificate the filter selects among their people, "
        "as one ZIP streamed as it is written, with `elenco.csv` listing them.",
        parameters=[CertificateFilterInput],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(400, 403),
        },
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponseBase:
        where = CertificateFilterInput(data=request.query_params)
        where.is_valid(raise_exception=True)
        certificates = certificate_list_for_people(actor=request.user, where=where.filter())
        response = StreamingHttpResponse(
            certificates_zip(certificates=certificates), content_type="application/zip"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="attestati-{stamp}.zip"'
        return response


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why, kept in the history.")


class CertificateRevokeApi(APIView):
    @extend_schema(
        summary="Revoke a certificate",
        description="Staff revoke a certificate with a reason: its verification page and its "
        "status list say revoked, and its `earned` statement is voided.",
        request=ReasonInput,
        responses={200: CertificateDetailOutput, **errors(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, certificate_id: UUID) -> Response:
        certificate = certificate_get(actor=request.user, certificate_id=certificate_id)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        revoked = certificate_revoke(
            actor=request.user, certificate=certificate, reason=data.validated_data["reason"]
        )
        return Response(CertificateDetailOutput(revoked).data)


class CertificateReissueApi(APIView):
    @extend_schema(
        summary="Re-issue a certificate",
        description="Staff revoke a certificate and issue its replacement (new code, what it "
        "shows as it stands now), with a reason.",
        request=ReasonInput,
        responses={201: CertificateDetailOutput, **errors(400, 403, 404, 409)},
    )
    def post(self, request: AuthenticatedRequest, certificate_id: UUID) -> Response:
        certificate = certificate_get(actor=request.user, certificate_id=certificate_id)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        replacement = certificate_reissue(
            actor=request.user, certificate=certificate, reason=data.validated_data["reason"]
        )
        return Response(CertificateDetailOutput(replacement).data, status=HTTPStatus.CREATED)


# --- public -----------------------------------------------------------------------------------


def client_address(request: Any) -> str:
    """Who asks, for the rate limit: the peer's address, or behind our nginx the address it
    saw (``CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``: nginx overwrites what a client sent,
    so it is only trusted when the setting names it)."""
    header = settings.CLIENT_IP_HEADER
    return (request.META.get(header) if header else None) or request.META.get("REMOTE_ADDR", "")


class CertificateVerifyApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Verify a certificate",
        description="Anyone, without signing in: `valid`, `revoked` (with when and why) or "
        "`unknown` (200, 200, 404). A malformed code is unknown like any other. At most "
        "`CERTIFICATES_VERIFY_PER_MINUTE` checks a minute from one address (429).",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)],
        responses={
            200: VerificationOutput,
            404: VerificationOutput,
            **errors(429),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        verification_count(client=client_address(request))
        verification = certificate_verify(code=code)
        status = HTTPStatus.OK if verification.is_known else HTTPStatus.NOT_FOUND
        return Response(verification_data(verification, code=code[:64]), status=status)


class IssuerProfileApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="The issuer's profile",
        description="The Open Badges Profile of the platform, also the controller document "
        "of its signing keys (current and previous), at a stable URL.",
        responses={(200, JSON_LD): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request: Request) -> HttpResponse:
        profile = issuer_profile(
            name=settings.CERTIFICATES_ISSUER_NAME, url=settings.CERTIFICATES_ISSUER_URL
        )
        return _json_ld(profile)


class StatusListApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="A revocation status list",
        description="The signed BitstringStatusListCredential a certificate's "
        "`credentialStatus` points at: its bit set means revoked.",
        responses={(200, VC_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.OBJECT), **errors(404)},
    )
    def get(self, request: Request, number: int) -> HttpResponse:
        return _json_ld(status_list_current(number=number), content_type=VC_MEDIA_TYPE)
