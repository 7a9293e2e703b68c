"""The issue's "done when", end to end: completing the last lesson of a module yields one
certificate; its PDF's QR code opens a verification page saying valid; once the completion is
withdrawn the same page says revoked; the Open Badges credential verifies with an
implementation that is not ours (digitalbazaar's, under Node), fed the issuer profile and the
status list as our public URLs serve them, and its status says revoked after revocation."""

import io
import json
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from pypdf import PdfReader

from certificates.models import Certificate
from tests.certificates.test_credentials import _node_verify

pytestmark = pytest.mark.django_db


def qr_url(pdf: bytes) -> str:
    """What the QR code on the PDF's first page says, read from the rendered page."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    [barcode] = zxingcpp.read_barcodes(image)
    return barcode.text


def published_documents(client: Client, certificate: Certificate) -> dict:
    """What a verifier fetches: the issuer profile and the status list, from our URLs."""
    issuer = certificate.credential["issuer"]["id"]
    status_list = certificate.credential["credentialStatus"]["statusListCredential"]
    return {
        url: json.loads(client.get(urlsplit(url).path).content) for url in (issuer, status_list)
    }


def test_a_completed_module_gives_a_certificate_valid_until_its_completion_is_withdrawn(
    learner, complete_module, withdraw_first_lesson
):
    cache.clear()
    anyone = Client()
    certificate = complete_module()

    assert Certificate.objects.filter(learner=learner, module=certificate.module).count() == 1
    pdf = certificate.pdf.open("rb").read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert certificate.learner_name in text
    assert certificate.code in text
    url = qr_url(pdf)
    assert url == f"{settings.SITE_URL}/verify/{certificate.code}"
    page = anyone.get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Valid certificate" in page.content.decode()
    verdict = _node_verify(certificate.credential, published_documents(anyone, certificate))
    assert verdict["verified"] is True
    assert verdict["revoked"] is False

    withdraw_first_lesson()

    certificate.refresh_from_db()
    page = anyone.get(urlsplit(url).path)
    assert "Revoked certificate" in page.content.decode()
    assert certificate.revoked_reason in page.content.decode()
    verdict = _node_verify(certificate.credential, published_documents(anyone, certificate))
    assert verdict["revoked"] is True
