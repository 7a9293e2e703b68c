"""The certificates pages through the test client: the public verification of a code (valid,
revoked, re-issued, unknown, malformed, the rate limit), a learner's own certificates and their
downloads, and the coordinator's list and ZIP, always within the people they coordinate; and
the queries each page costs."""

import csv
import hashlib
import io
import json
import re
import time
import zipfile
from datetime import timedelta
from http import HTTPStatus

import pypdf
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import formats, timezone, translation

from certificates.models import Certificate
from certificates.selectors import verification_url
from certificates.services.issuing import certificate_reissue, certificate_revoke
from tests.accounts.factories import UserFactory
from tests.courses.factories import ModuleFactory
from tests.pages.certificates.conftest import REASON
from tests.tracking.test_progress import drain, watch
from tracking.progress.services.completions import completions_announce_pending

pytestmark = pytest.mark.django_db

REVOKED_BECAUSE = "Il nome era scritto male sul registro"


def client_as(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def visible_text(html: str) -> str:
    """The page as read: no tags, no attributes (ids and URLs are not what a person sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def main_text(response) -> str:
    html = response.content.decode()
    return visible_text(html[html.index("<main") : html.index("</main>")])


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def day(moment) -> str:
    """A moment's day as the English pages write it (Europe/Rome)."""
    with translation.override("en"):
        return formats.date_format(timezone.localdate(moment), "DATE_FORMAT")


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


# --- the public verification ------------------------------------------------------------------


def test_a_valid_code_shows_valid_in_words_and_what_the_certificate_shows(
    issue, milano_person, module, django_assert_max_num_queries
):
    certificate = issue(milano_person, module=module)

    with django_assert_max_num_queries(2):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/verify/{certificate.code}")

    html = response.content.decode()
    text = main_text(response)
    assert response.status_code == HTTPStatus.OK
    assert '<meta name="robots" content="noindex">' in html
    assert 'data-status="valid"' in html
    assert "Valid certificate" in text
    assert "Revoked" not in text
    assert "Ambrogio Brambilla" in text
    tax_code = milano_person.tax_code
    assert f"{tax_code[:6]}{'•' * 10}" in text
    assert tax_code not in html  # never the whole tax code
    assert "Comune di Rho" in text
    assert "Milano" in text
    assert "Module “Procedimenti digitali” of the course “Semplificazione amministrativa”" in text
    hours = "Distance learning 12.5 h In person 4.0 h Live webinars 1.5 h Total 18.0 h"
    assert hours in text
    assert "Started on March 2, 2026" in text
    assert f"Issued on {day(certificate.issued_at)}" in text
    assert "Metropoli LMS" in text  # the issuer
    assert certificate.code in text
    # Nothing the certificate does not print: no e-mail, no reason for the issue, no files.
    assert milano_person.email not in html
    assert REASON not in html
    assert str(certificate.pk) not in html
    assert "Cache-Control" in response.headers
    assert "no-cache" in response["Cache-Control"]


def test_a_code_typed_loosely_is_the_same_certificate(issue, milano_person, module):
    certificate = issue(milano_person, module=module)
    loose = certificate.code.replace("-", "").lower().replace("0", "o").replace("1", "l")

    response = client_as().get(f"/verify/{loose}")

    assert response.status_code == HTTPStatus.OK
    assert "Valid certificate" in main_text(response)
    assert certificate.code in main_text(response)


def test_a_revoked_certificate_says_so_in_red_with_the_date_and_the_reason(
    issue, staff, milano_person, module
):
    certificate = issue(milano_person, module=module)
    certificate_revoke(actor=staff, certificate=certificate, reason=REVOKED_BECAUSE)
    certificate.refresh_from_db()

    response = client_as().get(f"/verify/{certificate.code}")

    text = main_text(response)
    assert response.status_code == HTTPStatus.OK
    assert 'data-status="revoked"' in response.content.decode()
    assert "verification-revoked" in response.content.decode()
    assert "Revoked certificate" in text
    assert "Valid certificate" not in text
    assert f"This certificate was revoked on {day(certificate.revoked_at)}" in text
    assert f"Reason: {REVOKED_BECAUSE}" in text
    assert "A new certificate was issued" not in text


def test_a_reissued_certificate_says_a_new_one_exists_without_giving_its_code(
    issue, staff, milano_person, module
):
    old = issue(milano_person, module=module)
    new = certificate_reissue(actor=staff, certificate=old, reason=REVOKED_BECAUSE)

    response = client_as().get(f"/verify/{old.code}")

    html = response.content.decode()
    assert "Revoked certificate" in main_text(response)
    assert "A new certificate was issued to its holder in its place" in main_text(response)
    assert new.code not in html
    assert str(new.pk) not in html
    assert "Valid certificate" in main_text(client_as().get(f"/verify/{new.code}"))


def test_an_unknown_and_a_malformed_code_get_the_same_404_page(issue, milano_person, module):
    issue(milano_person, module=module)
    unknown, malformed = "ABCD-EFGH-JKMN-PQRS", "not-a-code"

    answers = {code: client_as().get(f"/verify/{code}") for code in (unknown, malformed)}

    def main_html(code: str) -> str:
        html = answers[code].content.decode()
        return html[html.index("<main") : html.index("</main>")].replace(code, "CODE")

    assert [answer.status_code for answer in answers.values()] == [HTTPStatus.NOT_FOUND] * 2
    assert main_html(unknown) == main_html(malformed)
    assert 'value="CODE"' in main_html(unknown)  # what was typed, to correct it
    text = main_text(answers[unknown])
    assert "No certificate has this code" in text
    assert "16 letters and digits in four groups of four" in text
    assert "Ambrogio" not in text
    assert '<meta name="robots" content="noindex">' in answers[unknown].content.decode()


def test_the_form_takes_a_typed_code_or_a_pasted_link_to_the_code_s_page(
    issue, milano_person, module
):
    certificate = issue(milano_person, module=module)
    client = client_as()

    empty = client.get("/verify/")
    typed = client.get("/verify/", {"code": f"  {certificate.code.lower()}  "})
    pasted = client.get("/verify/", {"code": verification_url(certificate.code) + "?utm=mail"})
    nothing = client.get("/verify/", {"code": ""})
    nonsense = client.get("/verify/", {"code": "https://example.com/other/page"})

    assert empty.status_code == HTTPStatus.OK
    assert 'name="code"' in empty.content.decode()
    for response in (typed, pasted):
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == f"/verify/{certificate.code}"
    assert nothing.status_code == HTTPStatus.BAD_REQUEST
    assert "This field is required." in main_text(nothing)
    assert nonsense.status_code == HTTPStatus.NOT_FOUND
    assert "No certificate has this code" in main_text(nonsense)


def test_too_many_verifications_from_one_address_get_a_429_page(
    issue, milano_person, module, settings
):
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 2
    settings.CLIENT_IP_HEADER = ""  # no proxy in front: a header a client sends is not trusted
    certificate = issue(milano_person, module=module)
    client = client_as()
    for _attempt in range(2):  # the limit counts per minute: start again if one ended meanwhile
        cache.clear()
        minute = int(time.time() // 60)
        answers = [
            client.get(f"/verify/{certificate.code}"),
            client.get("/verify/ABCD-EFGH-JKMN-PQRS"),  # an unknown code counts as well
            client.get(f"/verify/{certificate.code}"),
            client.get(f"/verify/{certificate.code}", HTTP_X_REAL_IP="192.0.2.8"),  # forged
        ]
        elsewhere = client.get(f"/verify/{certificate.code}", REMOTE_ADDR="192.0.2.7")
        if int(time.time() // 60) == minute:
            break

    limited = answers[2]
    assert [a.status_code for a in answers] == [200, 404, 429, HTTPStatus.TOO_MANY_REQUESTS]
    assert "Too many verifications from here: try again in a minute." in main_text(limited)
    assert "Ambrogio" not in main_text(limited)
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert elsewhere.status_code == HTTPStatus.OK  # counted per address


def test_behind_the_proxy_the_limit_counts_the_address_it_saw(
    issue, milano_person, module, settings
):
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    certificate = issue(milano_person, module=module)
    client = client_as()
    for _attempt in range(2):
        cache.clear()
        minute = int(time.time() // 60)
        first = client.get(f"/verify/{certificate.code}", HTTP_X_REAL_IP="192.0.2.1")
        again = client.get(f"/verify/{certificate.code}", HTTP_X_REAL_IP="192.0.2.1")
        other = client.get(f"/verify/{certificate.code}", HTTP_X_REAL_IP="192.0.2.2")
        if int(time.time() // 60) == minute:
            break

    assert [first.status_code, again.status_code, other.status_code] == [200, 429, 200]


# --- a learner's certificates -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(issue, milano_person, module):
    certificate = issue(milano_person, module=module)
    for url in [
        "/i-miei-attestati/",
        f"/i-miei-attestati/{certificate.pk}/pdf",
        f"/i-miei-attestati/{certificate.pk}/credential.json",
        "/coordinamento/attestati/",
        "/coordinamento/attestati/attestati.zip",
    ]:
        response = Client().get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith("/accedi/"), url


def test_my_certificates_lists_mine_with_status_hours_code_and_downloads(
    issue, staff, milano_person, learner, course, module, django_assert_max_num_queries
):
    valid = issue(milano_person, module=module)
    revoked = issue(milano_person, kind=Certificate.Kind.COURSE, course=course, hours=(20, 0, 0))
    certificate_revoke(actor=staff, certificate=revoked, reason=REVOKED_BECAUSE)
    someone_elses = issue(learner, module=module)
    client = client_as(milano_person)

    with django_assert_max_num_queries(3):  # the session, the person, their certificates
        response = client.get("/i-miei-attestati/")

    html = response.content.decode()
    text = main_text(response)
    assert response.status_code == HTTPStatus.OK
    assert text.count("Valid") == 1
    assert "Revoked on" in text
    assert f"Reason: {REVOKED_BECAUSE}" in text
    assert "Procedimenti digitali" in text
    assert "Course “Semplificazione amministrativa”" in text  # the module's course
    assert "18.0 h" in text
    assert "20.0 h" in text
    assert valid.code in text
    assert revoked.code in text
    assert someone_elses.code not in html
    assert f'href="{verification_url(valid.code)}"' in html
    assert f'href="/i-miei-attestati/{valid.pk}/pdf"' in html
    assert f'href="/i-miei-attestati/{valid.pk}/pdf?lang=en"' in html
    assert f'href="/i-miei-attestati/{valid.pk}/credential.json"' in html
    assert "Download the PDF" in text
    assert "English version" in text
    assert "Open Badges credential (JSON)" in text
    assert "My certificates" in visible_text(html[: html.index("<main")])  # in the menu


def test_the_list_costs_the_same_queries_however_many_certificates(
    issue, milano_person, course, django_assert_max_num_queries
):
    for n in range(4):
        issue(milano_person, module=ModuleFactory(course=course, title=f"Modulo {n}"))

    client = client_as(milano_person)

    with django_assert_max_num_queries(3):
        response = client.get("/i-miei-attestati/")

    assert response.content.decode().count('data-testid="certificate"') == 4


def test_with_no_certificate_the_page_says_when_they_are_issued(learner):
    response = client_as(learner).get("/i-miei-attestati/")

    text = main_text(response)
    assert response.status_code == HTTPStatus.OK
    assert "You have no certificates yet." in text
    assert "when you complete a module or a course" in text
    assert "the programme's 300 hours of distance learning" in text


def test_a_certificate_whose_pdf_is_not_written_says_so_and_its_download_is_a_message(
    issue, milano_person, module
):
    certificate = issue(milano_person, module=module)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="")
    client = client_as(milano_person)

    page = client.get("/i-miei-attestati/")
    download = client.get(f"/i-miei-attestati/{certificate.pk}/pdf", follow=True)

    assert "The PDF is being written" in main_text(page)
    assert f"/i-miei-attestati/{certificate.pk}/pdf" not in page.content.decode()
    assert download.redirect_chain == [("/i-miei-attestati/", HTTPStatus.FOUND)]
    assert "The PDF of this certificate is being written: try again in a moment." in main_text(
        download
    )


def test_the_learner_downloads_the_pdf_the_english_version_and_the_credential(
    issue, milano_person, module
):
    certificate = issue(milano_person, module=module)
    client = client_as(milano_person)

    pdf = client.get(f"/i-miei-attestati/{certificate.pk}/pdf")
    english = client.get(f"/i-miei-attestati/{certificate.pk}/pdf", {"lang": "en"})
    credential = client.get(f"/i-miei-attestati/{certificate.pk}/credential.json")
    wrong = client.get(f"/i-miei-attestati/{certificate.pk}/pdf", {"lang": "fr"}, follow=True)

    stored = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="attestato-Ambrogio')
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    assert english["Content-Type"] == "application/pdf"
    assert english["Content-Disposition"].endswith('-en.pdf"')
    assert english.content.startswith(b"%PDF")
    assert english.content != stored
    assert certificate.code in pdf_text(english.content)
    assert pdf_text(english.content) != pdf_text(stored)
    assert credential["Content-Disposition"].endswith('.json"')
    document = json.loads(credential.content)
    assert document == certificate.credential
    assert "OpenBadgeCredential" in document["type"]
    assert wrong.redirect_chain == [("/i-miei-attestati/", HTTPStatus.FOUND)]
    assert "The certificate is written in Italian or in English." in main_text(wrong)


def test_nobody_else_downloads_a_learner_s_certificate(
    issue, milano_person, learner, trainer, bologna_coordinator, module
):
    certificate = issue(milano_person, module=module)
    for user in (learner, trainer, bologna_coordinator):
        client = client_as(user)
        for url in (
            f"/i-miei-attestati/{certificate.pk}/pdf",
            f"/i-miei-attestati/{certificate.pk}/pdf?lang=en",
            f"/i-miei-attestati/{certificate.pk}/credential.json",
        ):
            assert client.get(url).status_code == HTTPStatus.NOT_FOUND, (user, url)


def test_a_module_completed_through_the_engine_appears_with_its_verified_hours(
    learner, lessons, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        watch(learner, lessons[0], 0)
        watch(learner, lessons[1], 1000)
        drain()
        completions_announce_pending()
    certificate = Certificate.objects.get(learner=learner, kind=Certificate.Kind.MODULE)

    response = client_as(learner).get("/i-miei-attestati/")

    text = main_text(response)
    assert certificate.code in text
    assert lessons[0].module.title in text
    assert "0.3 h" in text  # two lessons of 10 minutes: 0.33 h, stated in tenths rounded down
    assert f'href="/i-miei-attestati/{certificate.pk}/pdf"' in response.content.decode()


# --- the coordinator's certificates -----------------------------------------------------------


def test_learners_and_trainers_cannot_reach_the_coordinator_s_certificates(learner, trainer):
    for user in (learner, trainer):
        client = client_as(user)
        assert client.get("/coordinamento/attestati/").status_code == HTTPStatus.FORBIDDEN
        assert (
            client.get("/coordinamento/attestati/attestati.zip").status_code == HTTPStatus.FORBIDDEN
        )


def test_a_milano_coordinator_sees_downloads_and_zips_only_milano_s_people(
    issue, milano_coordinator, milano_person, bologna_person, bologna_org, module
):
    mine = issue(milano_person, module=module)
    theirs = issue(bologna_person, module=module)
    client = client_as(milano_coordinator)

    listed = client.get("/coordinamento/attestati/")
    own_pdf = client.get(f"/i-miei-attestati/{mine.pk}/pdf")
    other_pdf = client.get(f"/i-miei-attestati/{theirs.pk}/pdf")
    other_english = client.get(f"/i-miei-attestati/{theirs.pk}/pdf?lang=en")
    other_credential = client.get(f"/i-miei-attestati/{theirs.pk}/credential.json")
    asked_for_bologna = client.get(
        "/coordinamento/attestati/attestati.zip", {"organisation": str(bologna_org.pk)}
    )
    archive = zipfile.ZipFile(
        io.BytesIO(streamed(client.get("/coordinamento/attestati/attestati.zip")))
    )

    html = listed.content.decode()
    assert listed.status_code == HTTPStatus.OK
    assert mine.code in html
    assert "Ambrogio Brambilla" in html
    assert theirs.code not in html
    assert "Bolognesi" not in html
    assert 'name="city"' not in html  # a city coordinator does not choose the city
    assert own_pdf.status_code == HTTPStatus.OK
    assert [other_pdf.status_code, other_english.status_code, other_credential.status_code] == [
        HTTPStatus.NOT_FOUND
    ] * 3
    assert asked_for_bologna.status_code == HTTPStatus.BAD_REQUEST  # not one of their choices
    names = archive.namelist()
    assert sorted(names) == sorted([f"attestato-Ambrogio-Brambilla-{mine.code}.pdf", "elenco.csv"])
    listing = archive.read("elenco.csv").decode("utf-8-sig")
    assert mine.code in listing
    assert theirs.code not in listing
    assert "Bolognesi" not in listing


def test_a_national_coordinator_sees_every_city_and_filters_by_one(
    issue, national_coordinator, milano_person, bologna_person, module
):
    mine = issue(milano_person, module=module)
    theirs = issue(bologna_person, module=module)
    client = client_as(national_coordinator)
    bologna = bologna_person.organisation.city

    everyone = client.get("/coordinamento/attestati/").content.decode()
    only_bologna = client.get("/coordinamento/attestati/", {"city": str(bologna.pk)})

    assert mine.code in everyone
    assert theirs.code in everyone
    assert 'name="city"' in everyone
    assert theirs.code in only_bologna.content.decode()
    assert mine.code not in only_bologna.content.decode()
    assert "1 certificate" in main_text(only_bologna)


def test_the_filter_narrows_by_course_kind_status_dates_and_name(
    issue, staff, milano_coordinator, milano_person, milano_org, course, module
):
    other_person = UserFactory(organisation=milano_org, first_name="Carla", last_name="Colombo")
    module_certificate = issue(milano_person, module=module)
    course_certificate = issue(milano_person, kind=Certificate.Kind.COURSE, course=course)
    other = issue(other_person, kind=Certificate.Kind.PROGRAMME)
    certificate_revoke(actor=staff, certificate=other, reason=REVOKED_BECAUSE)
    today = timezone.localdate()
    client = client_as(milano_coordinator)

    def codes(**query) -> set[str]:
        response = client.get("/coordinamento/attestati/", query)
        assert response.status_code == HTTPStatus.OK, response.content.decode()
        return set(
            re.findall(r'data-testid="certificate" data-code="([^"]+)"', response.content.decode())
        )

    assert codes() == {module_certificate.code, course_certificate.code, other.code}
    assert codes(course=str(course.pk)) == {module_certificate.code, course_certificate.code}
    assert codes(kind="course") == {course_certificate.code}
    assert codes(status="revoked") == {other.code}
    assert codes(status="valid") == {module_certificate.code, course_certificate.code}
    assert codes(q="colombo") == {other.code}
    assert codes(q=module_certificate.code.lower().replace("-", "")) == {module_certificate.code}
    assert codes(issued_from=today.isoformat(), issued_to=today.isoformat()) == {
        module_certificate.code,
        course_certificate.code,
        other.code,
    }
    assert codes(issued_from=(today + timedelta(days=1)).isoformat()) == set()
    backwards = client.get(
        "/coordinamento/attestati/",
        {"issued_from": today.isoformat(), "issued_to": (today - timedelta(days=1)).isoformat()},
    )
    assert backwards.status_code == HTTPStatus.BAD_REQUEST
    assert "The end of the period comes before its start." in main_text(backwards)


def test_the_list_is_paginated_by_50_and_keeps_the_filter(
    issue,
    staff,
    milano_coordinator,
    milano_org,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    from certificates.services.issuing import certificate_issue

    for n in range(51):  # PDFs left unwritten: only the rows matter here
        person = UserFactory(organisation=milano_org, last_name=f"Persona {n:02d}")
        certificate_issue(actor=staff, learner=person, kind="programme", reason=REASON)
    client = client_as(milano_coordinator)

    with django_assert_max_num_queries(10):
        first = client.get("/coordinamento/attestati/", {"status": "valid"})
    second = client.get("/coordinamento/attestati/", {"status": "valid", "pagina": "2"})

    assert first.content.decode().count('data-testid="certificate"') == 50
    assert "51 certificates" in main_text(first)
    assert "Page 1 of 2" in main_text(first)
    assert 'href="?status=valid&amp;pagina=2"' in first.content.decode()
    assert second.content.decode().count('data-testid="certificate"') == 1
    assert "PDF being written" in main_text(second)


def test_the_zip_holds_every_pdf_the_filter_selects_and_lists_them_in_elenco_csv(
    issue, staff, milano_coordinator, milano_person, milano_org, course, module
):
    other_person = UserFactory(organisation=milano_org, first_name="Carla", last_name="Colombo")
    written = issue(milano_person, module=module)
    pending = issue(milano_person, kind=Certificate.Kind.COURSE, course=course)
    Certificate.objects.filter(pk=pending.pk).update(pdf="")
    revoked = issue(other_person, module=module)
    certificate_revoke(actor=staff, certificate=revoked, reason=REVOKED_BECAUSE)
    client = client_as(milano_coordinator)

    response = client.get("/coordinamento/attestati/attestati.zip")
    only_revoked = client.get("/coordinamento/attestati/attestati.zip", {"status": "revoked"})

    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="attestati-\d{8}-\d{4}\.zip"', response["Content-Disposition"]
    )
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    assert archive.testzip() is None
    pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
    assert pdfs == sorted(
        [
            f"attestato-Ambrogio-Brambilla-{written.code}.pdf",
            f"attestato-Carla-Colombo-{revoked.code}.pdf",
        ]
    )
    stored = archive.read(f"attestato-Ambrogio-Brambilla-{written.code}.pdf")
    assert hashlib.sha256(stored).hexdigest() == written.pdf_sha256
    rows = list(
        csv.reader(io.StringIO(archive.read("elenco.csv").decode("utf-8-sig")), delimiter=";")
    )
    by_code = {row[5]: row for row in rows[1:]}
    assert set(by_code) == {written.code, pending.code, revoked.code}
    assert by_code[written.code][0] == "Ambrogio Brambilla"
    assert by_code[written.code][4] == "valid"
    assert by_code[revoked.code][4] == "revoked"
    assert by_code[pending.code][8] == "PDF not written yet"
    assert by_code[written.code][6] == verification_url(written.code)
    revoked_archive = zipfile.ZipFile(io.BytesIO(streamed(only_revoked)))
    assert [n for n in revoked_archive.namelist() if n.endswith(".pdf")] == [
        f"attestato-Carla-Colombo-{revoked.code}.pdf"
    ]


def test_the_coordinator_s_menu_links_to_the_certificates(milano_coordinator):
    html = client_as(milano_coordinator).get("/coordinamento/attestati/").content.decode()
    header = html[: html.index("<main")]
    assert 'href="/coordinamento/attestati/"' in header
    assert 'aria-current="page"><span>Certificates</span>' in header
