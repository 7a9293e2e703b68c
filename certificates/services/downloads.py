"""Certificates downloaded: one PDF (the stored one, or the other language written on the
spot), or a ZIP of every certificate a coordinator's filter selects, streamed as it is
written (one PDF in memory at a time) with a list of what it holds."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.exceptions import CertificatePdfNotReady
from certificates.models import Certificate
from certificates.selectors import certificate_file_name, template_active, verification_url
from certificates.services.finishing import certificate_pdf_bytes
from tracking.attendance.exports import spreadsheet_safe

ZIP_PEOPLE_CHUNK = 200


def certificate_pdf_open(*, certificate: Certificate) -> IO[bytes]:
    """The stored PDF, opened; CertificatePdfNotReady while the task has not written it."""
    if not certificate.pdf:
        raise CertificatePdfNotReady()
    return certificate.pdf.open("rb")


def certificate_pdf_in(*, certificate: Certificate, language: str) -> bytes:
    """The certificate written in another language than its own (same code, same facts)."""
    if certificate.credential is None:
        raise CertificatePdfNotReady()
    _template, html, css = template_active()
    return certificate_pdf_bytes(certificate=certificate, html=html, css=css, language=language)


class _Pipe(io.RawIOBase):
    """What the ZIP writer writes, kept until the response takes it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def certificates_zip(*, certificates: QuerySet[Certificate]) -> Iterator[bytes]:
    """A ZIP of the certificates' PDFs (stored, not compressed again: they are compressed
    already) and ``elenco.csv`` listing each one, its code, status and file, including those
    whose PDF is not written yet. Written as it is read."""
    pipe = _Pipe()
    listing = io.StringIO()
    rows = csv.writer(listing, delimiter=";")
    rows.writerow(
        [
            _("Learner"),
            _("Organisation"),
            _("Metropolitan City"),
            _("Certificate"),
            _("Status"),
            _("Code"),
            _("Verification"),
            _("Issued on"),
            _("File"),
        ]
    )
    used: set[str] = set()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=ZIP_PEOPLE_CHUNK):
            name = certificate_file_name(certificate)
            if name in used:  # the same person, the same code: never, but never overwrite
                name = f"{certificate.pk}.pdf"
            status = _("revoked") if certificate.is_revoked else _("valid")
            file_name = ""
            if certificate.pdf:
                used.add(name)
                file_name = name
                with certificate.pdf.open("rb") as pdf:
                    archive.writestr(name, pdf.read())
            rows.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        certificate.learner_name,
                        certificate.organisation_name,
                        certificate.city_name,
                        certificate.title,
                        status,
                        certificate.code,
                        verification_url(certificate.code),
                        timezone.localdate(certificate.issued_at).isoformat(),
                        file_name or _("PDF not written yet"),
                    )
                ]
            )
            yield pipe.take()
        archive.writestr("elenco.csv", "\ufeff" + listing.getvalue())
    yield pipe.take()
