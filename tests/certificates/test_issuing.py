"""Certificates issued from the engine's completions exactly once, revoked when the
completion is withdrawn, issued, revoked and re-issued by staff with a reason; what follows
(the signed credential, the PDF, the xAPI statements, the status list)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from certificates.credentials.keys import verification_public_keys
from certificates.credentials.signing import credential_verify
from certificates.credentials.status_list import bitstring_is_set
from certificates.exceptions import (
    CertificateAlreadyIssued,
    CertificateAlreadyRevoked,
    CertificateNeedsReason,
    CertificateSubjectInvalid,
    NotAllowedToIssue,
)
from certificates.models import Certificate, CertificateEvent
from certificates.services import finishing, issuing
from tests.accounts.factories import UserFactory
from tests.courses.factories import CourseFactory, EnrollmentFactory, ModuleFactory
from tracking.lrs.models import Statement
from tracking.lrs.services.principals import emitted_by_engine_extension
from tracking.progress.models import Completion
from tracking.progress.services.emitted import EARNED, VOIDED, statement_id_for

pytestmark = pytest.mark.django_db


def test_completing_the_last_lesson_of_a_module_issues_one_certificate(learner, complete_module):
    certificate = complete_module()

    assert Certificate.objects.filter(learner=learner).count() == 2  # the module and the course
    assert certificate.completion.kind == Completion.Kind.MODULE
    assert certificate.learner_name == learner.get_full_name()
    assert certificate.organisation_name == "Comune di Rho"
    assert certificate.city_name == "Milano"
    assert certificate.distance_seconds == 1200  # two lessons of 600 s, each watched in full
    assert (certificate.in_person_seconds, certificate.webinar_seconds) == (0, 0)
    assert certificate.title == certificate.module.title
    assert certificate.course_title == certificate.module.course.title
    assert len(certificate.code) == 19
    assert certificate.code.count("-") == 3
    assert list(certificate.events.values_list("action", flat=True)) == [
        CertificateEvent.Action.ISSUED,
        CertificateEvent.Action.RENDERED,
    ]


def test_announcing_again_or_calling_again_never_makes_a_second(learner, complete_module):
    certificate = complete_module()
    completion = certificate.completion

    again = issuing.certificate_issue_for_completion(completion_id=completion.pk)
    Completion.objects.filter(pk=completion.pk).update(announced_at=None)  # a retried announce
    from tracking.progress.services.completions import completions_announce_pending

    completions_announce_pending()

    assert again == certificate
    assert Certificate.objects.filter(completion=completion).count() == 1


def test_lesson_completions_issue_nothing(learner, lessons):
    completion = Completion.objects.create(
        learner=learner,
        kind=Completion.Kind.LESSON,
        lesson=lessons[0],
        completed_at=lessons[0].created_at,
    )

    assert issuing.certificate_issue_for_completion(completion_id=completion.pk) is None
    assert not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_triggers_on_postgresql_issue_exactly_one(learner, lessons):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    module = lessons[0].module
    completion = Completion.objects.create(
        learner=learner, kind=Completion.Kind.MODULE, module=module, completed_at=module.created_at
    )
    barrier = threading.Barrier(8)
    results, failures = [], []

    def trigger():
        try:
            barrier.wait()
            results.append(issuing.certificate_issue_for_completion(completion_id=completion.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=trigger) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert Certificate.objects.filter(completion=completion).count() == 1
    assert {result.pk for result in results} == {Certificate.objects.get().pk}
    assert CertificateEvent.objects.filter(action=CertificateEvent.Action.ISSUED).count() == 1


def test_the_finished_certificate_has_a_signed_credential_a_pdf_and_an_earned_statement(
    learner, complete_module
):
    certificate = complete_module()

    credential = certificate.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential_verify(credential, public_keys=verification_public_keys())
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    assert certificate.pdf
    assert len(certificate.pdf_sha256) == 64
    earned = Statement.objects.get(pk=statement_id_for(subject_id=certificate.pk, verb=EARNED))
    assert earned.payload["object"]["definition"]["moreInfo"].endswith(
        f"/verify/{certificate.code}"
    )
    assert emitted_by_engine_extension() in earned.payload["context"]["extensions"]
    assert earned.payload["context"]["registration"] == str(
        certificate.learner.enrollments.get(course=certificate.course).pk
    )


def test_a_withdrawn_completion_revokes_its_certificate_and_says_why(
    learner, complete_module, withdraw_first_lesson
):
    certificate = complete_module()

    withdraw_first_lesson()

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert "withdrawn" in certificate.revoked_reason
    assert certificate.revoked_by is None
    assert [e.action for e in certificate.events.all()][-1] == CertificateEvent.Action.REVOKED
    # the status list published again with its bit set, the earned statement voided
    status_list = finishing.status_list_current(number=certificate.status_list)
    assert bitstring_is_set(
        status_list["credentialSubject"]["encodedList"], certificate.status_index
    )
    earned = Statement.objects.get(pk=statement_id_for(subject_id=certificate.pk, verb=EARNED))
    assert earned.voided
    voiding = Statement.objects.get(verb_id=VOIDED, object_statement_id=earned.pk)
    assert voiding.payload["object"]["id"] == str(earned.pk)
    assert not Certificate.objects.filter(learner=learner, revoked_at__isnull=True).exists()


def test_staff_issue_by_hand_with_a_reason_and_never_beside_a_valid_one(staff, learner):
    module = ModuleFactory(course=CourseFactory(published=True))
    EnrollmentFactory(learner=learner, course=module.course)

    with pytest.raises(CertificateNeedsReason):
        issuing.certificate_issue(
            actor=staff, learner=learner, kind="module", module=module, reason="x"
        )
    with pytest.raises(NotAllowedToIssue):
        issuing.certificate_issue(
            actor=learner,
            learner=learner,
            kind="module",
            module=module,
            reason="I deserve it, truly",
        )
    with pytest.raises(CertificateSubjectInvalid):
        issuing.certificate_issue(
            actor=staff, learner=learner, kind="course", module=module, reason="Recorded on paper"
        )
    certificate = issuing.certificate_issue(
        actor=staff, learner=learner, kind="module", module=module, reason="Recorded on paper"
    )
    with pytest.raises(CertificateAlreadyIssued):
        issuing.certificate_issue(
            actor=staff, learner=learner, kind="module", module=module, reason="Recorded twice"
        )

    assert certificate.issued_by == staff
    assert certificate.issue_reason == "Recorded on paper"
    assert certificate.course == module.course
    assert certificate.completion is None
    event = certificate.events.get()
    assert (event.action, event.actor, event.reason) == ("issued", staff, "Recorded on paper")


def test_staff_reissue_revokes_the_old_one_and_issue_a_new_code(staff, learner):
    learner.first_name = "Mario"
    learner.save()
    old = issuing.certificate_issue(
        actor=staff, learner=learner, kind="programme", reason="Recorded on paper"
    )
    learner.first_name = "Marco"  # the name was wrong
    learner.save()

    new = issuing.certificate_reissue(actor=staff, certificate=old, reason="Name corrected")

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revoked_reason == "Name corrected"
    assert new.replaces == old
    assert new.code != old.code
    assert new.learner_name.startswith("Marco")
    assert old.learner_name.startswith("Mario")
    assert new.events.get().action == CertificateEvent.Action.REISSUED
    with pytest.raises(CertificateAlreadyRevoked):
        issuing.certificate_reissue(actor=staff, certificate=old, reason="Name corrected again")
    with pytest.raises(CertificateAlreadyRevoked):
        issuing.certificate_revoke(actor=staff, certificate=old, reason="Revoked once more")


def test_staff_revoke_is_kept_in_the_history_with_who_and_why(staff, learner):
    certificate = issuing.certificate_issue(
        actor=staff, learner=learner, kind="programme", reason="Recorded on paper"
    )
    finishing.certificate_finish(certificate_id=certificate.pk)

    issuing.certificate_revoke(actor=staff, certificate=certificate, reason="Issued by mistake")
    finishing.certificate_revocation_announce(certificate_id=certificate.pk)

    certificate.refresh_from_db()
    actions = [(e.action, e.actor, e.reason) for e in certificate.events.all()]
    assert actions[0][0] == "issued"
    assert actions[-1] == ("revoked", staff, "Issued by mistake")
    assert certificate.revocation_announced_at is not None
    # the programme's earned statement has no registration and the programme as parent
    earned = Statement.objects.get(pk=statement_id_for(subject_id=certificate.pk, verb=EARNED))
    assert "registration" not in earned.payload["context"]
    assert earned.payload["context"]["contextActivities"]["parent"][0]["id"].endswith(
        "/programme/fad"
    )
    assert earned.voided


def test_status_bits_are_drawn_at_random_and_never_shared(staff):
    people = UserFactory.create_batch(30)
    certificates = [
        issuing.certificate_issue(
            actor=staff, learner=p, kind="programme", reason="Recorded on paper"
        )
        for p in people
    ]

    bits = {(c.status_list, c.status_index) for c in certificates}
    assert len(bits) == 30
    ordered = [c.status_index for c in sorted(certificates, key=lambda c: c.issued_at)]
    assert ordered != sorted(ordered)  # not a counter: a bit tells nothing of the order


def test_the_sweep_finishes_what_a_lost_task_left_undone(staff, learner):
    certificate = issuing.certificate_issue(  # its task queued on commit: never run here
        actor=staff, learner=learner, kind="programme", reason="Recorded on paper"
    )
    assert certificate.credential is None
    assert not certificate.pdf

    finishing.certificates_finish_pending()

    certificate.refresh_from_db()
    assert certificate.credential is not None
    assert certificate.pdf
    assert certificate.earned_announced_at is not None
    assert (
        certificate.issued_at
        <= certificate.earned_announced_at
        <= certificate.issued_at + timedelta(minutes=5)
    )
