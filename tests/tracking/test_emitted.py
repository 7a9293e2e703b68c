"""Statements the platform emits: shape, validity, and emitting twice stores once."""

import uuid
from datetime import UTC, datetime

import pytest
from django.conf import settings

from courses.services import enrollment_create, enrollment_withdraw
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tracking.lrs.services.principals import platform_authority
from tracking.lrs.xapi import validate_statement
from tracking.models import Statement
from tracking.progress.services.emitted import (
    COMPLETED,
    EARNED,
    REGISTERED,
    completed_statement,
    earned_statement,
    enrollment_registered_emit,
    registered_statement,
    statement_emit,
    statement_id_for,
)

pytestmark = pytest.mark.django_db

MOMENT = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)


def _account(user):
    return {"homePage": settings.SITE_URL, "name": str(user.pk)}


def test_registered_statement_names_the_learner_by_account_and_the_course_by_iri():
    enrollment = EnrollmentFactory(learner__email="maria.rossi@example.it")

    statement = registered_statement(enrollment=enrollment)

    validate_statement(statement)
    assert statement["id"] == str(statement_id_for(subject_id=enrollment.pk, verb=REGISTERED))
    assert statement["actor"] == {"objectType": "Agent", "account": _account(enrollment.learner)}
    assert "maria.rossi" not in str(statement)  # pseudonymous: never the e-mail address
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/registered"
    assert statement["object"]["id"] == (
        f"{settings.SITE_URL}/xapi/activities/course/{enrollment.course.pk}"
    )
    assert statement["object"]["definition"]["name"] == {"it-IT": enrollment.course.title}
    assert statement["context"]["registration"] == str(enrollment.pk)
    assert statement["context"]["platform"] == "Metropoli LMS"
    assert "version" not in statement  # the LRS sets it


def test_emitting_registered_twice_stores_one_statement_with_the_platform_authority():
    enrollment = EnrollmentFactory()

    first = enrollment_registered_emit(enrollment_id=str(enrollment.pk))
    second = enrollment_registered_emit(enrollment_id=str(enrollment.pk))

    assert first == second
    stored = Statement.objects.get()
    assert stored.id == first
    assert stored.payload["authority"] == platform_authority()
    assert stored.client is None
    assert stored.registration == enrollment.pk
    assert stored.verb_id == REGISTERED


def test_emitting_for_an_enrolment_that_is_gone_does_nothing():
    assert enrollment_registered_emit(enrollment_id=str(uuid.uuid4())) is None
    assert not Statement.objects.exists()


def test_enrolling_emits_registered_after_commit(learner, django_capture_on_commit_callbacks):
    course = CourseFactory(published=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrollment, created = enrollment_create(actor=learner, course=course)
    assert created
    assert not Statement.objects.exists()  # nothing before commit

    for callback in callbacks:
        callback()  # the commit: signal → handler → task (in-process in tests)

    stored = Statement.objects.get()
    assert stored.registration == enrollment.pk
    assert stored.object_activity_id.endswith(f"/xapi/activities/course/{course.pk}")


def test_re_enrolling_announces_again_but_stores_still_one_statement(
    learner, django_capture_on_commit_callbacks
):
    course = CourseFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment, _ = enrollment_create(actor=learner, course=course)
    enrollment_withdraw(actor=learner, enrollment=enrollment)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, reactivated = enrollment_create(actor=learner, course=course)
    with django_capture_on_commit_callbacks(execute=True) as idle:
        enrollment_create(actor=learner, course=course)  # already active: no news

    assert reactivated
    assert again.pk == enrollment.pk
    assert len(callbacks) == 1
    assert len(idle) == 0
    assert Statement.objects.count() == 1


def test_completed_lesson_has_module_parent_and_course_grouping():
    lesson = LessonFactory()
    module = lesson.module
    enrollment = EnrollmentFactory(course=module.course)

    statement = completed_statement(
        enrollment=enrollment, subject=lesson, completed_at=MOMENT, credited_seconds=1710
    )

    validate_statement(statement)
    assert statement["verb"]["id"] == COMPLETED
    assert statement["object"]["id"] == f"{settings.SITE_URL}/xapi/activities/lesson/{lesson.pk}"
    assert statement["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/lesson"
    )
    activities = statement["context"]["contextActivities"]
    assert [a["id"] for a in activities["parent"]] == [
        f"{settings.SITE_URL}/xapi/activities/module/{module.pk}"
    ]
    assert [a["id"] for a in activities["grouping"]] == [
        f"{settings.SITE_URL}/xapi/activities/course/{module.course.pk}"
    ]
    assert statement["result"]["completion"] is True
    assert statement["result"]["duration"] in ("PT28M30S", "PT00H28M30S")
    assert statement["timestamp"].startswith("2025-03-04T10:30:00")
    assert statement["context"]["registration"] == str(enrollment.pk)


def test_completed_module_and_course():
    module = ModuleFactory(course=CourseFactory(published=True))
    enrollment = EnrollmentFactory(course=module.course)

    for_module = completed_statement(enrollment=enrollment, subject=module, completed_at=MOMENT)
    for_course = completed_statement(
        enrollment=enrollment, subject=module.course, completed_at=MOMENT
    )

    for statement in (for_module, for_course):
        validate_statement(statement)
        assert "duration" not in statement["result"]
    assert [a["id"] for a in for_module["context"]["contextActivities"]["parent"]] == [
        f"{settings.SITE_URL}/xapi/activities/course/{module.course.pk}"
    ]
    assert "contextActivities" not in for_course["context"]
    assert for_module["id"] != for_course["id"]
    # deterministic: the same completion has the same id
    again = completed_statement(enrollment=enrollment, subject=module, completed_at=MOMENT)
    assert again["id"] == for_module["id"]


def test_completed_refuses_a_subject_of_another_course():
    enrollment = EnrollmentFactory()
    with pytest.raises(ValueError, match="not in the enrolment's course"):
        completed_statement(enrollment=enrollment, subject=ModuleFactory(), completed_at=MOMENT)


def test_earned_certificate_of_a_module():
    module = ModuleFactory(course=CourseFactory(published=True))
    enrollment = EnrollmentFactory(course=module.course)
    certificate_id = uuid.uuid4()

    statement = earned_statement(
        enrollment=enrollment,
        certificate_id=certificate_id,
        title="Attestato — Modulo 1",
        issued_at=MOMENT,
        module=module,
        verification_url=f"{settings.SITE_URL}/verify/ABCD-1234",
    )

    validate_statement(statement)
    assert statement["verb"]["id"] == EARNED
    assert statement["object"]["id"] == (
        f"{settings.SITE_URL}/xapi/activities/certificate/{certificate_id}"
    )
    assert statement["object"]["definition"]["moreInfo"] == (
        f"{settings.SITE_URL}/verify/ABCD-1234"
    )
    assert statement["object"]["definition"]["name"] == {"it-IT": "Attestato — Modulo 1"}
    activities = statement["context"]["contextActivities"]
    assert activities["parent"][0]["id"].endswith(f"/module/{module.pk}")
    assert activities["grouping"][0]["id"].endswith(f"/course/{module.course.pk}")


def test_built_statements_store_once_each():
    lesson = LessonFactory()
    enrollment = EnrollmentFactory(course=lesson.module.course)
    statements = [
        registered_statement(enrollment=enrollment),
        completed_statement(enrollment=enrollment, subject=lesson, completed_at=MOMENT),
        completed_statement(enrollment=enrollment, subject=lesson.module, completed_at=MOMENT),
        earned_statement(
            enrollment=enrollment, certificate_id=uuid.uuid4(), title="Attestato", issued_at=MOMENT
        ),
    ]

    ids = [statement_emit(statement=s) for s in statements]
    again = [statement_emit(statement=s) for s in statements]

    assert ids == again
    assert Statement.objects.count() == 4
    earned = Statement.objects.get(verb_id=EARNED)
    assert earned.payload["context"]["contextActivities"]["parent"][0]["id"].endswith(
        f"/course/{enrollment.course.pk}"
    )
