"""The certificates API: a learner's own, a coordinator's people (one by one, as a ZIP),
staff's issue, revocation and re-issue, the public verification, the issuer profile and the
status list at their stable URLs."""

import csv
import io
import zipfile

import pytest
from django.core.cache import cache
from django.urls import reverse

from certificates.selectors import certificate_file_name
from certificates.services import finishing, issuing
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def issued(staff, person, **kwargs):
    certificate = issuing.certificate_issue(
        actor=staff, learner=person, kind="programme", reason="Recorded on paper", **kwargs
    )
    finishing.certificate_finish(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def test_verify_says_valid_with_what_the_certificate_shows_and_nothing_more(
    client_for, staff, learner
):
    learner.tax_code = "RSSMRA80A01F205X"
    learner.save()
    certificate = issued(staff, learner)

    response = client_for(None).get(f"/api/v1/certificates/verify/{certificate.code.lower()}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["code"] == certificate.code
    shown = body["certificate"]
    assert shown["learner_name"] == certificate.learner_name
    assert shown["learner_tax_code"] == "RSSMRA••••••••••"
    assert shown["organisation_name"] == "Comune di Rho"
    assert shown["city_name"] == "Milano"
    assert set(shown["hours"]) == {"distance", "in_person", "webinar", "total"}
    assert "id" not in shown
    assert "learner_id" not in shown
    assert "email" not in str(body)


def test_verify_says_revoked_with_date_and_reason(client_for, staff, learner):
    certificate = issued(staff, learner)
    issuing.certificate_revoke(actor=staff, certificate=certificate, reason="Issued by mistake")

    body = client_for(None).get(f"/api/v1/certificates/verify/{certificate.code}").json()

    assert body["status"] == "revoked"
    assert body["revoked_reason"] == "Issued by mistake"
    assert body["revoked_at"]
    assert body["replaced"] is False


def test_an_unknown_code_and_a_malformed_one_get_the_same_answer(client_for, staff, learner):
    issued(staff, learner)
    anonymous = client_for(None)

    unknown = anonymous.get("/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD")
    malformed = anonymous.get("/api/v1/certificates/verify/not-a-code")

    assert unknown.status_code == malformed.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != "code"}  # noqa: E731
    assert (
        strip(unknown.json())
        == strip(malformed.json())
        == {
            "status": "unknown",
            "revoked_at": None,
            "revoked_reason": None,
            "replaced": False,
            "certificate": None,
        }
    )


def test_verification_is_rate_limited_per_address(client_for, settings):
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 3
    anonymous = client_for(None)

    answers = [
        anonymous.get("/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD").status_code
        for _ in range(4)
    ]
    other = client_for(None).get(
        "/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD", REMOTE_ADDR="10.0.0.9"
    )

    assert answers == [404, 404, 404, 429]
    assert other.status_code == 404
    refused = anonymous.get("/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD").json()
    assert refused["code"] == "verification_rate_limited"


def test_a_learner_lists_and_downloads_their_own_only(client_for, staff, learner, napoli_learner):
    mine = issued(staff, learner)
    theirs = issued(staff, napoli_learner)
    client = client_for(learner)

    listed = client.get("/api/v1/certificates/mine/").json()["results"]
    pdf = client.get(f"/api/v1/certificates/{mine.pk}/pdf")
    credential = client.get(f"/api/v1/certificates/{mine.pk}/credential")

    assert [c["id"] for c in listed] == [str(mine.pk)]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert credential.json()["id"] == f"urn:uuid:{mine.pk}"
    assert client.get(f"/api/v1/certificates/{theirs.pk}/pdf").status_code == 404
    assert client.get(f"/api/v1/certificates/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/certificates/").status_code == 403


def test_an_english_copy_is_written_on_request(client_for, staff, learner):
    certificate = issued(staff, learner)

    response = client_for(learner).get(f"/api/v1/certificates/{certificate.pk}/pdf?language=en")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-en.pdf"')
    assert response.content.startswith(b"%PDF-")


def test_coordinators_see_and_zip_their_city_only(
    client_for, staff, learner, napoli_learner, milano_coordinator
):
    mine = issued(staff, learner)
    issued(staff, napoli_learner)
    client = client_for(milano_coordinator)

    listed = client.get("/api/v1/certificates/").json()["results"]
    response = client.get("/api/v1/certificates/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    assert [c["id"] for c in listed] == [str(mine.pk)]
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 1
    assert mine.code in pdfs[0]
    assert archive.read(pdfs[0]) == mine.pdf.open("rb").read()
    rows = list(
        csv.reader(io.StringIO(archive.read("elenco.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert [row[5] for row in rows[1:]] == [mine.code]
    assert client.get(f"/api/v1/certificates/{mine.pk}/pdf").status_code == 200


def test_the_zip_follows_the_filter(client_for, staff, learner, national_coordinator):
    revoked = issued(staff, learner)
    issuing.certificate_revoke(actor=staff, certificate=revoked, reason="Issued by mistake")
    valid = issued(staff, learner)

    response = client_for(national_coordinator).get("/api/v1/certificates/export.zip?status=valid")
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()

    assert [n for n in names if n.endswith(".pdf")] == [certificate_file_name(valid)]
    assert revoked.code not in " ".join(names)


def test_staff_issue_revoke_and_reissue_through_the_api(client_for, staff, learner):
    client = client_for(staff)

    created = client.post(
        "/api/v1/certificates/",
        {"learner_id": str(learner.pk), "kind": "programme", "reason": "Recorded on paper"},
    )
    again = client.post(
        "/api/v1/certificates/",
        {"learner_id": str(learner.pk), "kind": "programme", "reason": "Recorded twice over"},
    )
    certificate_id = created.json()["id"]
    short = client.post(f"/api/v1/certificates/{certificate_id}/revoke/", {"reason": "no"})
    reissued = client.post(
        f"/api/v1/certificates/{certificate_id}/reissue/", {"reason": "Name corrected"}
    )

    assert created.status_code == 201
    assert created.json()["history"][0]["action"] == "issued"
    assert again.status_code == 409
    assert again.json()["code"] == "certificate_already_issued"
    assert short.status_code == 400
    assert short.json()["code"] == "certificate_needs_reason"
    assert reissued.status_code == 201
    assert reissued.json()["replaces_id"] == certificate_id
    old = client.get(f"/api/v1/certificates/{certificate_id}/").json()
    assert old["status"] == "revoked"
    assert old["replaced_by"] == reissued.json()["id"]


def test_learners_and_coordinators_cannot_issue_or_revoke(
    client_for, staff, learner, milano_coordinator
):
    certificate = issued(staff, learner)

    for person in (learner, milano_coordinator):
        client = client_for(person)
        revoke = client.post(
            f"/api/v1/certificates/{certificate.pk}/revoke/", {"reason": "I do not like it"}
        )
        issue = client.post(
            "/api/v1/certificates/",
            {"learner_id": str(learner.pk), "kind": "programme", "reason": "Recorded on paper"},
        )
        assert revoke.status_code == 403
        assert issue.status_code == 403


def test_the_issuer_profile_and_the_status_list_are_public_at_stable_urls(
    client_for, staff, learner
):
    certificate = issued(staff, learner)
    anonymous = client_for(None)

    profile = anonymous.get("/certificates/issuer")
    status_list = anonymous.get(f"/certificates/status/{certificate.status_list}")
    missing = anonymous.get("/certificates/status/999")
    absurd = anonymous.get(f"/certificates/status/{10**30}")

    assert profile.status_code == 200
    assert profile["Access-Control-Allow-Origin"] == "*"
    assert profile.json()["id"] == certificate.credential["issuer"]["id"]
    assert (
        status_list.json()["id"]
        == certificate.credential["credentialStatus"]["statusListCredential"]
    )
    assert missing.status_code == absurd.status_code == 404
    assert reverse("certificate-issuer") == "/certificates/issuer"


def test_a_client_cannot_escape_the_rate_limit_by_naming_another_address(client_for, settings):
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 2
    anonymous = client_for(None)
    url = "/api/v1/certificates/verify/AAAA-BBBB-CCCC-DDDD"

    spoofed = [anonymous.get(url, HTTP_X_REAL_IP=f"10.1.1.{n}").status_code for n in range(3)]
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"  # behind our nginx, which sets it itself
    proxied = [anonymous.get(url, HTTP_X_REAL_IP="10.2.2.2").status_code for _ in range(3)]

    assert spoofed == [404, 404, 429]
    assert proxied == [404, 404, 429]


def test_a_list_of_certificates_costs_the_same_queries_however_long(
    client_for, staff, national_coordinator, django_assert_max_num_queries
):
    for person in UserFactory.create_batch(5):
        issuing.certificate_issue(
            actor=staff, learner=person, kind="programme", reason="Recorded on paper"
        )

    with django_assert_max_num_queries(6):
        response = client_for(national_coordinator).get("/api/v1/certificates/")

    assert response.json()["count"] == 5
