import threading
from http import HTTPStatus

import pytest
from django.db import connection

from courses.exceptions import CourseNotOpen, SelfEnrollmentClosed
from courses.models import Course, Enrollment
from courses.services import enrollment_create, enrollment_withdraw
from lms.accounts.exceptions import PersonNotFound
from tests.accounts.factories import UserFactory
from tests.courses.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_self_enrolment_creates_an_active_enrolment(client_for, learner):
    course = CourseFactory(published=True)

    response = client_for(learner).post("/api/v1/enrollments/", {"course_id": str(course.pk)})

    assert response.status_code == HTTPStatus.CREATED
    enrollment = Enrollment.objects.get(learner=learner, course=course)
    assert response.json()["id"] == str(enrollment.pk)
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.source == Enrollment.Source.SELF
    assert enrollment.enrolled_by == learner


def test_self_enrolment_is_idempotent(client_for, learner):
    course = CourseFactory(published=True)
    client = client_for(learner)

    first = client.post("/api/v1/enrollments/", {"course_id": str(course.pk)})
    second = client.post("/api/v1/enrollments/", {"course_id": str(course.pk)})

    assert first.status_code == HTTPStatus.CREATED
    assert second.status_code == HTTPStatus.OK
    assert first.json()["id"] == second.json()["id"]
    assert Enrollment.objects.count() == 1


def test_self_enrolment_is_refused_when_coordinators_manage_the_course(client_for, learner):
    course = CourseFactory(published=True, self_enrollment_open=False)

    response = client_for(learner).post("/api/v1/enrollments/", {"course_id": str(course.pk)})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "code": "self_enrollment_closed",
        "message": "Enrolment in this course is managed by the coordinators.",
        "extra": {},
    }
    assert not Enrollment.objects.exists()


def test_enrolling_in_an_invisible_draft_says_not_found(client_for, learner):
    course = CourseFactory()

    response = client_for(learner).post("/api/v1/enrollments/", {"course_id": str(course.pk)})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "course_not_found"


def test_nobody_enrols_in_a_draft_not_even_its_trainer(trainer):
    course = CourseFactory(trainers=[trainer], self_enrollment_open=True)

    with pytest.raises(CourseNotOpen):
        enrollment_create(actor=trainer, course=course)


def test_coordinator_enrols_a_person_of_their_city(client_for, milano_coordinator, learner):
    course = CourseFactory(published=True, self_enrollment_open=False)

    response = client_for(milano_coordinator).post(
        "/api/v1/enrollments/", {"course_id": str(course.pk), "learner_id": str(learner.pk)}
    )

    assert response.status_code == HTTPStatus.CREATED
    enrollment = Enrollment.objects.get()
    assert enrollment.learner == learner
    assert enrollment.source == Enrollment.Source.COORDINATOR
    assert enrollment.enrolled_by == milano_coordinator


def test_coordinator_of_milano_cannot_enrol_people_of_napoli(milano_coordinator, napoli_learner):
    course = CourseFactory(published=True)

    with pytest.raises(PersonNotFound):
        enrollment_create(actor=milano_coordinator, course=course, learner=napoli_learner)

    assert not Enrollment.objects.exists()


def test_withdrawing_keeps_the_enrolment_and_re_enrolling_reactivates_it(client_for, learner):
    course = CourseFactory(published=True)
    client = client_for(learner)
    enrollment_id = client.post("/api/v1/enrollments/", {"course_id": str(course.pk)}).json()["id"]

    withdrawn = client.delete(f"/api/v1/enrollments/{enrollment_id}/")
    again = client.post("/api/v1/enrollments/", {"course_id": str(course.pk)})

    assert withdrawn.status_code == HTTPStatus.OK
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_at"] is not None
    assert again.status_code == HTTPStatus.CREATED
    assert again.json()["id"] == enrollment_id  # the same xAPI registration goes on
    assert again.json()["status"] == "active"
    assert again.json()["withdrawn_at"] is None


def test_withdrawing_twice_is_harmless(learner):
    enrollment = EnrollmentFactory(learner=learner)

    enrollment_withdraw(actor=learner, enrollment=enrollment)
    withdrawn_at = Enrollment.objects.get().withdrawn_at
    enrollment_withdraw(actor=learner, enrollment=enrollment)

    assert Enrollment.objects.get().withdrawn_at == withdrawn_at


def test_completed_enrolment_cannot_be_withdrawn(client_for, learner):
    enrollment = EnrollmentFactory(learner=learner, status=Enrollment.Status.COMPLETED)

    response = client_for(learner).delete(f"/api/v1/enrollments/{enrollment.pk}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "enrollment_completed"
    assert Enrollment.objects.get().status == Enrollment.Status.COMPLETED


def test_self_enrolment_rule_does_not_stop_a_coordinator(milano_coordinator, learner):
    course = CourseFactory(published=True, self_enrollment_open=False)

    with pytest.raises(SelfEnrollmentClosed):
        enrollment_create(actor=learner, course=course)
    enrollment, created = enrollment_create(
        actor=milano_coordinator, course=course, learner=learner
    )

    assert created
    assert enrollment.learner == learner


def test_enrolment_list_is_filtered_by_course_and_status(client_for, national_coordinator):
    first, second = CourseFactory(published=True), CourseFactory(published=True)
    kept = EnrollmentFactory(course=first)
    EnrollmentFactory(course=first, status=Enrollment.Status.WITHDRAWN)
    EnrollmentFactory(course=second)

    response = client_for(national_coordinator).get(
        f"/api/v1/enrollments/?course={first.pk}&status=active"
    )

    assert [e["id"] for e in response.json()["results"]] == [str(kept.pk)]


def test_enrolment_list_query_count_does_not_grow(
    client_for, national_coordinator, django_assert_num_queries
):
    for _ in range(8):
        EnrollmentFactory()

    # count, page (course, learner, organisation and city joined)
    with django_assert_num_queries(2):
        response = client_for(national_coordinator).get("/api/v1/enrollments/")

    assert response.json()["count"] == 8
    assert response.json()["results"][0]["learner"]["city"] == "Milano"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
# serialized_rollback: the flush after a transactional test must not take away the cities
# and thematic areas that the data migrations created for every other test
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_enrolments_of_the_same_person_make_one_row():
    course = CourseFactory(published=True)
    learner = UserFactory()
    barrier = threading.Barrier(4)
    results = []

    def enrol():
        try:
            barrier.wait()
            results.append(enrollment_create(actor=learner, course=course))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Enrollment.objects.filter(course=course).count() == 1
    assert len({enrollment.pk for enrollment, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_course_status_is_checked_before_enrolment_for_archived_courses(learner):
    course = CourseFactory(status=Course.Status.ARCHIVED)

    with pytest.raises(CourseNotOpen):
        enrollment_create(actor=learner, course=course)
