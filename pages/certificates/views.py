"""The certificates pages: the public verification of a code (the page a certificate's QR code
opens), a learner's own certificates with their downloads, and the coordinator's list of their
people's certificates with a ZIP of all of them.

Thin views over ``certificates``' selectors and services (the same the API calls). A
certificate outside the reader's scope is the 404 page; an ``ApplicationError`` (a PDF not
written yet) becomes a message, never a 500. The verification page says only what the
certificate itself shows.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certificates.apis import VC_MEDIA_TYPE, client_address
from certificates.exceptions import CertificateNotFound, VerificationRateLimited
from certificates.models import Certificate
from certificates.selectors import (
    certificate_file_name,
    certificate_get,
    certificate_hours,
    certificate_list_for_people,
    certificate_list_own,
    certificate_replacement,
    certificate_verify,
    verification_url,
)
from certificates.serializers import masked_tax_code
from certificates.services.downloads import (
    certificate_pdf_in,
    certificate_pdf_open,
    certificates_zip,
)
from certificates.services.verification import verification_count
from lms.exceptions import ApplicationError
from pages.attendance.views import coordinators_only, person_of
from pages.certificates.forms import CertificateFilterForm, DownloadForm, VerifyForm
from tracking.attendance.selectors import register_filter_choices

PAGE_SIZE = 50


def _shown(certificate: Certificate) -> dict[str, Any]:
    """A certificate as a list shows it: itself, its hours and its links."""
    download = reverse("pages:certificates:pdf", args=[certificate.pk])
    other = (
        Certificate.Language.ENGLISH
        if certificate.language == Certificate.Language.ITALIAN
        else Certificate.Language.ITALIAN
    )
    return {
        "certificate": certificate,
        "hours": certificate_hours(certificate),
        "verification_url": verification_url(certificate.code),
        "pdf_url": download if certificate.pdf else None,
        "other_language": other,
        "other_language_url": f"{download}?{urlencode({'lang': other})}",
        "credential_url": (
            reverse("pages:certificates:credential", args=[certificate.pk])
            if certificate.credential is not None
            else None
        ),
    }


# --- the public verification ------------------------------------------------------------------


def _verification_page(request: HttpRequest, code: str) -> HttpResponse:
    """Count the check against the address's limit, then say what the code is: valid (200),
    revoked (200) or unknown (404, the same page whether the code is malformed or not)."""
    try:
        verification_count(client=client_address(request))
    except VerificationRateLimited as error:
        response = render(
            request,
            "pages/certificates/verify_limited.html",
            {"message": error.message},
            status=error.status_code,
        )
        response["Retry-After"] = str(error.extra.get("retry_after", 60))
        return response
    verification = certificate_verify(code=code)
    certificate = verification.certificate
    if certificate is None:
        form = VerifyForm(initial={"code": code[:64]})
        return render(request, "pages/certificates/verify_unknown.html", {"form": form}, status=404)
    replaced = certificate.is_revoked and certificate_replacement(certificate) is not None
    return render(
        request,
        "pages/certificates/verify.html",
        {
            "status": verification.status,
            "certificate": certificate,
            "tax_code": masked_tax_code(certificate.learner_tax_code),
            "hours": certificate_hours(certificate),
            "replaced": replaced,
        },
    )


@never_cache  # a revocation must show at once, and a check is counted each time
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    return _verification_page(request, code)


@never_cache
@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """``/verify/``: type a code; ``?code=`` a code that can be one goes to its page (the URL
    the QR code opens), anything else gets the unknown code's answer here."""
    if "code" not in request.GET:
        return render(request, "pages/certificates/verify_form.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return render(request, "pages/certificates/verify_form.html", {"form": form}, status=400)
    canonical = form.canonical_code()
    if canonical is not None:
        return redirect("pages:certificates:verify", code=canonical)
    return _verification_page(request, form.cleaned_data["code"])


# --- a learner's certificates -----------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    listed = [_shown(c) for c in certificate_list_own(actor=person_of(request))]
    return render(
        request,
        "pages/certificates/mine.html",
        {"listed": listed, "target_hours": settings.PROGRAMME_TARGET_HOURS},
    )


def _readable(request: HttpRequest, certificate_id: UUID) -> Certificate:
    try:
        return certificate_get(actor=person_of(request), certificate_id=certificate_id)
    except CertificateNotFound as error:
        raise Http404(str(error.message)) from error


def _back(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """Where a download that could not be served sends its reader, with the reason."""
    if certificate.learner_id == person_of(request).pk:
        return redirect("pages:certificates:mine")
    return redirect("pages:certificates:coordinator")


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, certificate_id: UUID) -> HttpResponseBase:
    """The stored PDF, or (``?lang=``) the certificate written now in the other language."""
    certificate = _readable(request, certificate_id)
    asked = DownloadForm(request.GET)
    if not asked.is_valid():
        messages.error(request, _("The certificate is written in Italian or in English."))
        return _back(request, certificate)
    language = asked.language(certificate)
    name = certificate_file_name(certificate, language=language)
    try:
        if language != certificate.language:
            written = certificate_pdf_in(certificate=certificate, language=language)
            response: HttpResponseBase = HttpResponse(written, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return FileResponse(
            certificate_pdf_open(certificate=certificate),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return _back(request, certificate)


@login_required
@require_GET
def certificate_credential(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """The signed Open Badges credential, to hand to a wallet or a verifier."""
    certificate = _readable(request, certificate_id)
    if certificate.credential is None:
        messages.error(
            request,
            _(
                "The Open Badges credential of this certificate is being signed: try again in a "
                "moment."
            ),
        )
        return _back(request, certificate)
    response = HttpResponse(
        json.dumps(certificate.credential, ensure_ascii=False, indent=2),
        content_type=VC_MEDIA_TYPE,
    )
    stem = certificate_file_name(certificate).removesuffix(".pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    return response


# --- the coordinator's certificates -----------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[CertificateFilterForm, QuerySet[Certificate] | None]:
    """The filter as asked, and the certificates it selects among the reader's people (None
    when the filter is not valid)."""
    actor = person_of(request)
    form = CertificateFilterForm(request.GET, choices=register_filter_choices(actor=actor))
    if not form.is_valid():
        return form, None
    certificates = certificate_list_for_people(actor=actor, where=form.where())
    return form, certificates


@coordinators_only
@require_GET
def coordinator_certificates(request: HttpRequest) -> HttpResponse:
    form, certificates = _filtered(request)
    if certificates is None:
        context: dict[str, Any] = {"form": form, "page": None, "listed": [], "query": ""}
        return render(request, "pages/certificates/coordinator.html", context, status=400)
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "pages/certificates/coordinator.html",
        {
            "form": form,
            "page": page,
            "listed": [_shown(c) for c in page.object_list],
            "query": query.urlencode(),
        },
    )


@coordinators_only
@require_GET
def coordinator_zip(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every certificate the same filter selects, as one ZIP written while it is sent."""
    form, certificates = _filtered(request)
    if certificates is None:
        context: dict[str, Any] = {"form": form, "page": None, "listed": [], "query": ""}
        return render(request, "pages/certificates/coordinator.html", context, status=400)
    response = StreamingHttpResponse(
        certificates_zip(certificates=certificates), content_type="application/zip"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="attestati-{stamp}.zip"'
    return response
