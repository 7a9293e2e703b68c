"""Who may void a statement (issue 12): its writer (the same LRS client, or the same learner's
session for what that session sent) or staff; never a learner what the platform emitted."""

import uuid
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.courses.factories import EnrollmentFactory, LessonFactory
from tests.tracking.test_statements import Lrs, _session_post
from tracking.models import Statement
from tracking.progress.services.emitted import (
    engine_completed_statement,
    registered_statement,
    statement_emit,
)

pytestmark = pytest.mark.django_db

PLAYED = "https://w3id.org/xapi/video/verbs/played"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _agent(person):
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(person.pk)},
    }


def _played(actor):
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": PLAYED},
        "object": {"objectType": "Activity", "id": f"{settings.SITE_URL}/xapi/activities/lesson/1"},
    }


def _voiding(actor, target):
    return {
        "actor": actor,
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": str(target)},
    }


def _session(person):
    http = Client(enforce_csrf_checks=True)
    http.force_login(person)
    return http


def _voided(statement_id):
    return Statement.objects.get(pk=statement_id).voided


def _assert_refused(response, target):
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "code": "voiding_forbidden",
        "message": "Only whoever sent a statement, or staff, can void it.",
        "extra": {"statement_id": str(target)},
    }
    assert not _voided(target)
    assert not Statement.objects.filter(is_voiding=True).exists()


@pytest.fixture
def learner_statement(learner):
    """A statement the learner's own session sent (the player)."""
    [statement_id] = _session_post(_session(learner), _played(_agent(learner))).json()
    return statement_id


def test_a_trainer_cannot_void_a_learners_statement(trainer, learner_statement):
    response = _session_post(_session(trainer), _voiding(_agent(trainer), learner_statement))

    _assert_refused(response, learner_statement)


def test_a_client_cannot_void_another_clients_statement(learner):
    writer, other = Lrs(), Lrs()
    [target] = writer.post(_played(_agent(learner))).json()

    response = other.post(_voiding(_agent(learner), target))

    _assert_refused(response, target)


def test_a_client_voids_its_own_statement(learner):
    lrs = Lrs()
    first, second = lrs.post([_played(_agent(learner)), _played(_agent(learner))]).json()

    by_post = lrs.post(_voiding(_agent(learner), first))
    by_put = lrs.put(_voiding(_agent(learner), second), statementId=str(uuid.uuid4()))

    assert (by_post.status_code, by_put.status_code) == (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    assert (_voided(first), _voided(second)) == (True, True)


def test_a_learner_voids_what_their_session_sent(learner, learner_statement):
    response = _session_post(_session(learner), _voiding(_agent(learner), learner_statement))

    assert response.status_code == HTTPStatus.OK
    assert _voided(learner_statement)


def test_a_learner_cannot_void_a_clients_statement_about_them(learner):
    [target] = Lrs().post(_played(_agent(learner))).json()

    response = _session_post(_session(learner), _voiding(_agent(learner), target))

    _assert_refused(response, target)


@pytest.fixture
def emitted(learner):
    """The platform's own statements about the learner: the engine's completion of a lesson
    (marked as the engine's) and the enrolment's ``registered`` (not marked)."""
    lesson = LessonFactory()
    enrollment = EnrollmentFactory(learner=learner, course=lesson.module.course)
    completed = engine_completed_statement(
        enrollment=enrollment, subject=lesson, completed_at=timezone.now(), credited_seconds=600
    )
    return {
        "completed": statement_emit(statement=completed),
        "registered": statement_emit(statement=registered_statement(enrollment=enrollment)),
    }


@pytest.mark.parametrize("which", ["completed", "registered"])
def test_a_learner_cannot_void_what_the_platform_emitted_about_them(learner, emitted, which):
    target = emitted[which]

    response = _session_post(_session(learner), _voiding(_agent(learner), target))

    _assert_refused(response, target)


def test_a_client_cannot_void_what_the_platform_emitted(learner, emitted):
    response = Lrs().post(_voiding(_agent(learner), emitted["completed"]))

    _assert_refused(response, emitted["completed"])


def test_staff_void_anything(staff, learner, learner_statement, emitted):
    [by_client] = Lrs().post(_played(_agent(learner))).json()
    targets = [learner_statement, by_client, emitted["completed"], emitted["registered"]]

    response = _session_post(_session(staff), [_voiding(_agent(staff), t) for t in targets])

    assert response.status_code == HTTPStatus.OK
    assert all(_voided(t) for t in targets)


def test_one_forbidden_voiding_refuses_the_whole_batch(trainer, learner_statement):
    own = _played(_agent(trainer))
    batch = [
        own,
        _voiding(_agent(trainer), own["id"]),  # its own, in the same batch: allowed
        _voiding(_agent(trainer), learner_statement),
    ]

    response = _session_post(_session(trainer), batch)

    _assert_refused(response, learner_statement)
    assert not Statement.objects.filter(pk=own["id"]).exists()


def test_a_writer_voids_its_statement_sent_in_the_same_batch(learner):
    own = _played(_agent(learner))

    response = _session_post(_session(learner), [own, _voiding(_agent(learner), own["id"])])

    assert response.status_code == HTTPStatus.OK
    assert _voided(own["id"])


def test_voiding_an_unknown_statement_is_stored_and_voids_nothing(trainer):
    unknown = uuid.uuid4()

    response = _session_post(_session(trainer), _voiding(_agent(trainer), unknown))

    assert response.status_code == HTTPStatus.OK
    assert Statement.objects.filter(is_voiding=True, object_statement_id=unknown).exists()


def test_the_refusal_is_in_the_requests_language(trainer, learner_statement):
    http = _session(trainer)
    http.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"

    response = _session_post(http, _voiding(_agent(trainer), learner_statement))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == (
        "Solo chi ha inviato uno statement, o lo staff, può annullarlo."
    )
