"""The permission matrix: every endpoint × every actor, with the status (and error code) each one
gets, and for lists who appears in the results.

The world: a published course taught by ``trainer`` with a module and a lesson, in which a Milano
learner (``enrolled_learner``) is enrolled; a draft course taught by ``trainer`` with a module and a
lesson and nobody enrolled; a Milano person nobody acts as (``milano_person``), whom coordinators
enrol and edit; ``napoli_learner``. The actor ``learner`` is another Milano learner, not enrolled.

Each table maps an actor to what they get: a status, or ``(status, error code)``. ``table()``
gives every signed-in actor its first argument except the actors named after it. Anonymous
visitors have their own column (``test_anonymous_is_unauthenticated``) except on public endpoints.
On the progress endpoints ``enrolled_learner`` and ``napoli_learner`` act too; on the LRS's
(``/xapi/``) every actor speaks through its session, and LRS clients (HTTP Basic, named after
their options: ``reads_mine``, ``cannot_write``...) are actors of their own.
"""

import base64
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from courses.models import Course, Enrollment, Lesson, Module
from lms.accounts.models import Organisation, User
from tests.accounts.factories import UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tracking.attendance import codes
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.services.presence import presence_check_in
from tracking.lrs.models import Document, Statement
from tracking.lrs.services.clients import lrs_client_create

pytestmark = pytest.mark.django_db

SIGNED_IN = (
    "learner",
    "trainer",
    "other_trainer",
    "milano_coordinator",
    "napoli_coordinator",
    "national_coordinator",
    "staff",
)
EVERY_CITY = frozenset(
    {
        "bari",
        "bologna",
        "cagliari",
        "catania",
        "firenze",
        "genova",
        "messina",
        "milano",
        "napoli",
        "palermo",
        "reggio-calabria",
        "roma-capitale",
        "torino",
        "venezia",
    }
)

OK = HTTPStatus.OK
CREATED = HTTPStatus.CREATED
NO_CONTENT = HTTPStatus.NO_CONTENT
Expected = HTTPStatus | tuple[HTTPStatus, str]


def forbidden(code: str) -> Expected:
    return (HTTPStatus.FORBIDDEN, code)


def not_found(code: str) -> Expected:
    return (HTTPStatus.NOT_FOUND, code)


def conflict(code: str) -> Expected:
    return (HTTPStatus.CONFLICT, code)


COORDINATORS_ONLY = forbidden("coordinators_only")
NOT_COURSE_TRAINER = forbidden("not_course_trainer")


def table(default: object, **cells: object) -> dict[str, object]:
    """Every signed-in actor gets ``default``, except the actors named in ``cells``."""
    return {actor: default for actor in SIGNED_IN} | cells


def matrix(label: str, cells: dict[str, object]) -> list:
    """Parametrise ``(actor, expected)`` with ids such as ``learner-PATCH-course``."""
    return [
        pytest.param(actor, expected, id=f"{actor}-{label}") for actor, expected in cells.items()
    ]


def assert_outcome(response, expected: Expected) -> None:
    status, code = expected if isinstance(expected, tuple) else (expected, None)
    assert response.status_code == status, response.content
    if code is not None:
        assert response.json()["code"] == code


def result_ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


@dataclass
class World:
    course: Course
    module: Module
    lesson: Lesson
    draft: Course
    draft_module: Module
    draft_lesson: Lesson
    enrollment: Enrollment
    milano_person: User
    napoli_learner: User
    milano_org: Organisation
    napoli_org: Organisation


@pytest.fixture
def enrolled_learner(milano_org):
    return UserFactory(organisation=milano_org)


@pytest.fixture
def world(trainer, enrolled_learner, napoli_learner, milano_org, napoli_org) -> World:
    course = CourseFactory(published=True, trainers=[trainer])
    module = ModuleFactory(course=course)
    draft = CourseFactory(trainers=[trainer])
    draft_module = ModuleFactory(course=draft)
    return World(
        course=course,
        module=module,
        lesson=LessonFactory(module=module),
        draft=draft,
        draft_module=draft_module,
        draft_lesson=LessonFactory(module=draft_module),
        enrollment=EnrollmentFactory(course=course, learner=enrolled_learner),
        milano_person=UserFactory(organisation=milano_org),
        napoli_learner=napoli_learner,
        milano_org=milano_org,
        napoli_org=napoli_org,
    )


@pytest.fixture
def client_as(request, client_for):
    """``client_as("milano_coordinator")``: an API client for the actor fixture of that name."""

    def make(actor: str):
        return client_for(None if actor == "anonymous" else request.getfixturevalue(actor))

    return make


# --- anonymous visitors -------------------------------------------------------------------

AUTHENTICATED_ENDPOINTS = [
    ("GET", "/api/v1/me/"),
    ("POST", "/api/v1/courses/"),
    ("PATCH", "/api/v1/courses/{w.course.pk}/"),
    ("DELETE", "/api/v1/courses/{w.draft.pk}/"),
    ("POST", "/api/v1/courses/{w.course.pk}/modules/"),
    ("PATCH", "/api/v1/modules/{w.module.pk}/"),
    ("DELETE", "/api/v1/modules/{w.draft_module.pk}/"),
    ("POST", "/api/v1/modules/{w.module.pk}/lessons/"),
    ("PATCH", "/api/v1/lessons/{w.lesson.pk}/"),
    ("DELETE", "/api/v1/lessons/{w.draft_lesson.pk}/"),
    ("GET", "/api/v1/enrollments/"),
    ("POST", "/api/v1/enrollments/"),
    ("GET", "/api/v1/enrollments/{w.enrollment.pk}/"),
    ("DELETE", "/api/v1/enrollments/{w.enrollment.pk}/"),
    ("POST", "/api/v1/enrollment-imports/"),
    ("GET", "/api/v1/people/"),
    ("POST", "/api/v1/people/"),
    ("GET", "/api/v1/people/{w.napoli_learner.pk}/"),
    ("PATCH", "/api/v1/people/{w.milano_person.pk}/"),
    ("GET", "/api/v1/organisations/"),
    ("POST", "/api/v1/organisations/"),
    ("GET", "/api/v1/organisations/{w.napoli_org.pk}/"),
    ("PATCH", "/api/v1/organisations/{w.napoli_org.pk}/"),
    ("POST", "/api/v1/uploads/"),
    ("GET", "/api/v1/videos/"),
    ("GET", "/api/v1/videos/{w.course.pk}/playback/"),
    ("POST", "/api/v1/videos/{w.course.pk}/transcode/"),
    ("GET", "/api/v1/documents/?course={w.course.pk}"),
    ("POST", "/api/v1/documents/"),
    ("GET", "/api/v1/progress/me/"),
    ("GET", "/api/v1/progress/people/{w.napoli_learner.pk}/"),
    ("GET", "/api/v1/progress/lessons/{w.lesson.pk}/ledger/"),
    ("GET", "/api/v1/progress/overview/"),
    ("GET", "/api/v1/progress/courses/{w.course.pk}/"),
    ("GET", "/api/v1/sessions/"),
    ("POST", "/api/v1/sessions/"),
    ("GET", "/api/v1/sessions/{w.course.pk}/"),
    ("PATCH", "/api/v1/sessions/{w.course.pk}/"),
    ("POST", "/api/v1/sessions/{w.course.pk}/cancel/"),
    ("GET", "/api/v1/sessions/{w.course.pk}/calendar.ics"),
    ("POST", "/api/v1/sessions/{w.course.pk}/registrations/"),
    ("POST", "/api/v1/sessions/{w.course.pk}/check-in/"),
    ("POST", "/api/v1/sessions/{w.course.pk}/check-out/"),
    ("GET", "/api/v1/sessions/{w.course.pk}/code/"),
    ("GET", "/api/v1/sessions/{w.course.pk}/roster/"),
    ("PUT", "/api/v1/sessions/{w.course.pk}/roster/{w.milano_person.pk}/"),
    ("DELETE", "/api/v1/registrations/{w.course.pk}/"),
    ("GET", "/api/v1/registrations/mine/"),
    ("GET", "/api/v1/presences/{w.course.pk}/"),
    ("POST", "/api/v1/presences/{w.course.pk}/corrections/"),
    ("POST", "/api/v1/registers/"),
    ("GET", "/api/v1/registers/exports/"),
    ("GET", "/api/v1/registers/exports/{w.course.pk}/"),
    ("GET", "/api/v1/registers/exports/{w.course.pk}/download/"),
    ("GET", "/api/v1/programme/"),
    ("PUT", "/api/v1/programme/"),
    ("GET", "/api/v1/certificates/"),
    ("POST", "/api/v1/certificates/"),
    ("GET", "/api/v1/certificates/mine/"),
    ("GET", "/api/v1/certificates/export.zip"),
    ("GET", "/api/v1/certificates/{w.course.pk}/"),
    ("GET", "/api/v1/certificates/{w.course.pk}/pdf"),
    ("GET", "/api/v1/certificates/{w.course.pk}/credential"),
    ("POST", "/api/v1/certificates/{w.course.pk}/revoke/"),
    ("POST", "/api/v1/certificates/{w.course.pk}/reissue/"),
]


@pytest.mark.parametrize(
    ("method", "url"),
    [pytest.param(m, u, id=f"anonymous-{m}-{u}") for m, u in AUTHENTICATED_ENDPOINTS],
)
def test_anonymous_is_unauthenticated(world, client_for, method, url):
    response = client_for(None).generic(method, url.format(w=world))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "not_authenticated"


# --- public reference data and the profile ------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/cities/", "/api/v1/areas/", "/api/schema/", "/xapi/about"]
)
@pytest.mark.parametrize("actor", ["anonymous", *SIGNED_IN])
def test_public_endpoints_answer_everyone(world, client_as, actor, url):
    response = client_as(actor).get(url)

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_me_returns_the_actors_own_record(world, client_as, request, actor):
    response = client_as(actor).get("/api/v1/me/")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["id"] == str(request.getfixturevalue(actor).pk)


# --- courses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "visible"),
    matrix(
        "GET-courses",
        table(
            {"course"}, anonymous={"course"}, trainer={"course", "draft"}, staff={"course", "draft"}
        ),
    ),
)
def test_list_courses_shows_drafts_to_their_trainers_and_staff_only(
    world, client_as, actor, visible
):
    response = client_as(actor).get("/api/v1/courses/")

    assert response.status_code == HTTPStatus.OK
    assert result_ids(response) == {str(getattr(world, name).pk) for name in visible}


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-courses",
        table(forbidden("trainers_only"), trainer=CREATED, other_trainer=CREATED, staff=CREATED),
    ),
)
def test_create_course(world, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/courses/", {"title": "Nuovo corso", "area": "pianificazione-strategica"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-course", table(OK, anonymous=OK)))
def test_get_published_course(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/courses/{world.course.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-draft",
        table(
            not_found("course_not_found"),
            anonymous=not_found("course_not_found"),
            trainer=OK,
            staff=OK,
        ),
    ),
)
def test_get_draft_course(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/courses/{world.draft.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("PATCH-course", table(NOT_COURSE_TRAINER, trainer=OK, staff=OK))
)
def test_update_course(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/courses/{world.course.pk}/", {"summary": "Un sommario nuovo."}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-draft",
        table(not_found("course_not_found"), trainer=NO_CONTENT, staff=NO_CONTENT),
    ),
)
def test_delete_draft_course(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/courses/{world.draft.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-course",
        table(
            NOT_COURSE_TRAINER,
            trainer=conflict("course_has_enrollments"),
            staff=conflict("course_has_enrollments"),
        ),
    ),
)
def test_delete_course_with_enrolments(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/courses/{world.course.pk}/")

    assert_outcome(response, expected)


# --- modules and lessons ------------------------------------------------------------------


def of_published_course(success: Expected) -> dict[str, object]:
    """Content of the published course: everyone sees it, its trainer and staff change it."""
    return table(NOT_COURSE_TRAINER, trainer=success, staff=success)


def of_draft(success: Expected, not_found_code: str) -> dict[str, object]:
    """Content of the draft: only its trainer and staff know it exists."""
    return table(not_found(not_found_code), trainer=success, staff=success)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("POST-modules", of_published_course(CREATED))
)
def test_create_module(world, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/courses/{world.course.pk}/modules/", {"title": "Modulo nuovo"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("POST-draft-modules", of_draft(CREATED, "course_not_found"))
)
def test_create_module_in_draft(world, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/courses/{world.draft.pk}/modules/", {"title": "Modulo nuovo"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("PATCH-module", of_published_course(OK)))
def test_update_module(world, client_as, actor, expected):
    response = client_as(actor).patch(f"/api/v1/modules/{world.module.pk}/", {"title": "Nuovo"})

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("PATCH-draft-module", of_draft(OK, "module_not_found"))
)
def test_update_module_of_draft(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/modules/{world.draft_module.pk}/", {"title": "Nuovo"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-module",
        table(
            NOT_COURSE_TRAINER,
            trainer=conflict("course_has_enrollments"),
            staff=conflict("course_has_enrollments"),
        ),
    ),
)
def test_delete_module_of_course_with_enrolments(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/modules/{world.module.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("DELETE-draft-module", of_draft(NO_CONTENT, "module_not_found"))
)
def test_delete_module_of_draft(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/modules/{world.draft_module.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("POST-lessons", of_published_course(CREATED))
)
def test_create_lesson(world, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/modules/{world.module.pk}/lessons/", {"title": "Lezione nuova", "kind": "video"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("POST-draft-lessons", of_draft(CREATED, "module_not_found"))
)
def test_create_lesson_in_draft(world, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/modules/{world.draft_module.pk}/lessons/",
        {"title": "Lezione nuova", "kind": "video"},
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("PATCH-lesson", of_published_course(OK)))
def test_update_lesson(world, client_as, actor, expected):
    response = client_as(actor).patch(f"/api/v1/lessons/{world.lesson.pk}/", {"title": "Nuova"})

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("PATCH-draft-lesson", of_draft(OK, "lesson_not_found"))
)
def test_update_lesson_of_draft(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/lessons/{world.draft_lesson.pk}/", {"title": "Nuova"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-lesson",
        table(
            NOT_COURSE_TRAINER,
            trainer=conflict("course_has_enrollments"),
            staff=conflict("course_has_enrollments"),
        ),
    ),
)
def test_delete_lesson_of_course_with_enrolments(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/lessons/{world.lesson.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("DELETE-draft-lesson", of_draft(NO_CONTENT, "lesson_not_found"))
)
def test_delete_lesson_of_draft(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/lessons/{world.draft_lesson.pk}/")

    assert_outcome(response, expected)


# --- enrolments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "sees_enrollment"),
    matrix(
        "GET-enrollments",
        table(
            True,
            learner=False,
            other_trainer=False,
            napoli_coordinator=False,
            enrolled_learner=True,
        ),
    ),
)
def test_list_enrollments_is_scoped(world, client_as, actor, sees_enrollment):
    response = client_as(actor).get("/api/v1/enrollments/")

    assert response.status_code == HTTPStatus.OK
    assert result_ids(response) == ({str(world.enrollment.pk)} if sees_enrollment else set())


OUT_OF_ENROLLMENT_SCOPE = {
    "learner": not_found("enrollment_not_found"),
    "other_trainer": not_found("enrollment_not_found"),
    "napoli_coordinator": not_found("enrollment_not_found"),
}


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("GET-enrollment", table(OK, enrolled_learner=OK, **OUT_OF_ENROLLMENT_SCOPE)),
)
def test_get_enrollment(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/enrollments/{world.enrollment.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-enrollment",
        table(
            OK,
            enrolled_learner=OK,
            trainer=forbidden("enrollment_withdraw_forbidden"),
            **OUT_OF_ENROLLMENT_SCOPE,
        ),
    ),
)
def test_withdraw_enrollment(world, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/enrollments/{world.enrollment.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-enrollment-for-someone",
        table(
            COORDINATORS_ONLY,
            enrolled_learner=COORDINATORS_ONLY,
            milano_coordinator=CREATED,
            napoli_coordinator=not_found("person_not_found"),
            national_coordinator=CREATED,
            staff=CREATED,
        ),
    ),
)
def test_enrol_someone_else(world, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/enrollments/",
        {"course_id": str(world.course.pk), "learner_id": str(world.milano_person.pk)},
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    # Enrolling again is idempotent: the enrolled learner gets their enrolment back with 200.
    matrix("POST-enrollment-self", table(CREATED, enrolled_learner=OK)),
)
def test_enrol_oneself(world, client_as, actor, expected):
    response = client_as(actor).post("/api/v1/enrollments/", {"course_id": str(world.course.pk)})

    assert_outcome(response, expected)


NON_COORDINATORS = {
    "learner": COORDINATORS_ONLY,
    "trainer": COORDINATORS_ONLY,
    "other_trainer": COORDINATORS_ONLY,
}


def enrolment_file(world: World) -> SimpleUploadedFile:
    content = f"course,email\n{world.course.slug},{world.milano_person.email}\n"
    return SimpleUploadedFile("iscrizioni.csv", content.encode(), content_type="text/csv")


@pytest.mark.parametrize(("actor", "expected"), matrix("POST-enrollment-imports", NON_COORDINATORS))
def test_import_enrolments_is_for_coordinators_only(world, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/enrollment-imports/", {"file": enrolment_file(world)}, format="multipart"
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "summary"),
    matrix(
        "POST-enrollment-imports",
        {
            "milano_coordinator": {"created": 1, "already_enrolled": 0, "rejected": 0},
            "napoli_coordinator": {"created": 0, "already_enrolled": 0, "rejected": 1},
            "national_coordinator": {"created": 1, "already_enrolled": 0, "rejected": 0},
            "staff": {"created": 1, "already_enrolled": 0, "rejected": 0},
        },
    ),
)
def test_import_enrolments_enrols_only_people_in_scope(world, client_as, actor, summary):
    response = client_as(actor).post(
        "/api/v1/enrollment-imports/", {"file": enrolment_file(world)}, format="multipart"
    )

    assert response.status_code == HTTPStatus.OK
    assert response.json()["summary"] == summary


# --- people -------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-people", NON_COORDINATORS))
def test_list_people_is_for_coordinators_only(world, client_as, actor, expected):
    response = client_as(actor).get("/api/v1/people/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "cities"),
    matrix(
        "GET-people",
        {
            "milano_coordinator": {"milano"},
            "napoli_coordinator": {"napoli"},
            "national_coordinator": {"milano", "napoli"},
            "staff": {"milano", "napoli"},
        },
    ),
)
def test_list_people_is_scoped_to_the_coordinated_city(world, client_as, actor, cities):
    response = client_as(actor).get("/api/v1/people/?page_size=100")

    assert response.status_code == HTTPStatus.OK
    people = response.json()["results"]
    assert {p["organisation"]["city"]["slug"] for p in people if p["organisation"]} == cities
    assert (str(world.napoli_learner.pk) in result_ids(response)) is ("napoli" in cities)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-napoli-person",
        table(
            OK,
            **NON_COORDINATORS,
            milano_coordinator=not_found("person_not_found"),
        ),
    ),
)
def test_get_person(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/people/{world.napoli_learner.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-people",
        table(
            CREATED,
            **NON_COORDINATORS,
            napoli_coordinator=forbidden("organisation_out_of_scope"),
        ),
    ),
)
def test_create_person_in_a_milano_organisation(world, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/people/",
        {
            "first_name": "Giulia",
            "last_name": "Bianchi",
            "email": "giulia.bianchi@example.it",
            "organisation_id": str(world.milano_org.pk),
        },
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "PATCH-milano-person-position",
        table(
            OK,
            **NON_COORDINATORS,
            napoli_coordinator=not_found("person_not_found"),
        ),
    ),
)
def test_update_person_position(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/people/{world.milano_person.pk}/", {"position": "dirigente"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "PATCH-milano-person-role",
        table(
            forbidden("staff_only"),
            **NON_COORDINATORS,
            napoli_coordinator=not_found("person_not_found"),
            staff=OK,
        ),
    ),
)
def test_update_person_role_is_for_staff_only(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/people/{world.milano_person.pk}/", {"role": "trainer"}
    )

    assert_outcome(response, expected)


# --- organisations ------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-organisations", NON_COORDINATORS))
def test_list_organisations_is_for_coordinators_only(world, client_as, actor, expected):
    response = client_as(actor).get("/api/v1/organisations/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "cities"),
    matrix(
        "GET-organisations",
        {
            "milano_coordinator": {"milano"},
            "napoli_coordinator": {"napoli"},
            "national_coordinator": EVERY_CITY,
            "staff": EVERY_CITY,
        },
    ),
)
def test_list_organisations_is_scoped_to_the_coordinated_city(world, client_as, actor, cities):
    response = client_as(actor).get("/api/v1/organisations/?page_size=100")

    assert response.status_code == HTTPStatus.OK
    assert {o["city"]["slug"] for o in response.json()["results"]} == cities
    assert (str(world.napoli_org.pk) in result_ids(response)) is ("napoli" in cities)


ORGANISATION_CREATED_IN = {
    "milano": table(CREATED, **NON_COORDINATORS, napoli_coordinator=forbidden("city_out_of_scope")),
    "napoli": table(CREATED, **NON_COORDINATORS, milano_coordinator=forbidden("city_out_of_scope")),
}


@pytest.mark.parametrize(
    ("city_slug", "actor", "expected"),
    [
        pytest.param(slug, actor, expected, id=f"{actor}-POST-organisations-{slug}")
        for slug, cells in ORGANISATION_CREATED_IN.items()
        for actor, expected in cells.items()
    ],
)
def test_create_organisation(world, client_as, city_slug, actor, expected):
    response = client_as(actor).post(
        "/api/v1/organisations/",
        {"city_id": str(city(city_slug).pk), "name": "Unione dei Comuni", "kind": "other"},
    )

    assert_outcome(response, expected)


NAPOLI_ORGANISATION = table(
    OK, **NON_COORDINATORS, milano_coordinator=not_found("organisation_not_found")
)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-napoli-org", NAPOLI_ORGANISATION))
def test_get_organisation(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/organisations/{world.napoli_org.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("PATCH-napoli-org", NAPOLI_ORGANISATION))
def test_update_organisation(world, client_as, actor, expected):
    response = client_as(actor).patch(
        f"/api/v1/organisations/{world.napoli_org.pk}/", {"name": "Comune di Pozzuoli (NA)"}
    )

    assert_outcome(response, expected)


# --- progress -----------------------------------------------------------------------------
#
# The scope rules (tracking/progress/selectors.py, lms/accounts/selectors.py): a learner sees
# themselves; coordinators the people of their city, national coordinators and staff everyone
# (a person out of scope is not found); trainers the learners of the courses they teach (the
# course view, and the ledger with ``?learner=``). The person view and the overview are for
# coordinators: anyone else is refused by role (``coordinators_only``), whatever the id.
# ``enrolled_learner`` (Milano, enrolled in the course) and ``napoli_learner`` also act here.

ENROLLED = "enrolled_learner"


def person(world: World, name: str) -> User:
    """A person of the world by name (``enrolled_learner`` is the enrolment's learner)."""
    return world.enrollment.learner if name == ENROLLED else getattr(world, name)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("GET-progress-me", table(OK, enrolled_learner=OK, napoli_learner=OK)),
)
def test_my_progress_is_the_actors_own(world, client_as, request, actor, expected):
    response = client_as(actor).get("/api/v1/progress/me/")

    assert_outcome(response, expected)
    assert response.json()["learner_id"] == str(request.getfixturevalue(actor).pk)


PERSON_PROGRESS = {
    ENROLLED: table(
        COORDINATORS_ONLY,
        milano_coordinator=OK,
        napoli_coordinator=not_found("person_not_found"),
        national_coordinator=OK,
        staff=OK,
        enrolled_learner=OK,  # themselves
        napoli_learner=COORDINATORS_ONLY,
    ),
    "napoli_learner": table(
        COORDINATORS_ONLY,
        milano_coordinator=not_found("person_not_found"),
        napoli_coordinator=OK,
        national_coordinator=OK,
        staff=OK,
        napoli_learner=OK,  # themselves
        enrolled_learner=COORDINATORS_ONLY,
    ),
}


@pytest.mark.parametrize(
    ("whose", "actor", "expected"),
    [
        pytest.param(whose, actor, expected, id=f"{actor}-GET-progress-of-{whose}")
        for whose, cells in PERSON_PROGRESS.items()
        for actor, expected in cells.items()
    ],
)
def test_person_progress(world, client_as, whose, actor, expected):
    learner = person(world, whose)

    response = client_as(actor).get(f"/api/v1/progress/people/{learner.pk}/")

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert response.json()["learner_id"] == str(learner.pk)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("GET-own-ledger", table(OK, enrolled_learner=OK, napoli_learner=OK)),
)
def test_own_ledger_of_a_published_lesson(world, client_as, request, actor, expected):
    response = client_as(actor).get(f"/api/v1/progress/lessons/{world.lesson.pk}/ledger/")

    assert_outcome(response, expected)
    assert response.json()["learner_id"] == str(request.getfixturevalue(actor).pk)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-draft-ledger",
        table(
            not_found("lesson_not_found"),
            trainer=OK,
            staff=OK,
            enrolled_learner=not_found("lesson_not_found"),
        ),
    ),
)
def test_own_ledger_of_a_draft_lesson(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/progress/lessons/{world.draft_lesson.pk}/ledger/")

    assert_outcome(response, expected)


# ``?learner=`` is for coordinators (people in scope), staff and the lesson's trainers (learners
# of the course); a learner or a trainer of another course is refused whatever the id.
LEDGER_OF = {
    ENROLLED: table(
        forbidden("permission_denied"),
        trainer=OK,
        milano_coordinator=OK,
        napoli_coordinator=not_found("person_not_found"),
        national_coordinator=OK,
        staff=OK,
        enrolled_learner=OK,  # themselves
        napoli_learner=forbidden("permission_denied"),
    ),
    "napoli_learner": table(
        forbidden("permission_denied"),
        trainer=not_found("lesson_not_found"),  # not a learner of the course
        milano_coordinator=not_found("person_not_found"),
        napoli_coordinator=OK,
        national_coordinator=OK,
        staff=OK,
        napoli_learner=OK,  # themselves
        enrolled_learner=forbidden("permission_denied"),
    ),
}


@pytest.mark.parametrize(
    ("whose", "actor", "expected"),
    [
        pytest.param(whose, actor, expected, id=f"{actor}-GET-ledger-of-{whose}")
        for whose, cells in LEDGER_OF.items()
        for actor, expected in cells.items()
    ],
)
def test_ledger_of_a_learner(world, client_as, whose, actor, expected):
    learner = person(world, whose)

    response = client_as(actor).get(
        f"/api/v1/progress/lessons/{world.lesson.pk}/ledger/?learner={learner.pk}"
    )

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert response.json()["learner_id"] == str(learner.pk)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-draft-ledger-of-enrolled_learner",
        table(
            # 404 either way; the code names the course (course_get) rather than the lesson
            HTTPStatus.NOT_FOUND,
            trainer=not_found("lesson_not_found"),  # not a learner of the draft
            milano_coordinator=not_found("lesson_not_found"),
            napoli_coordinator=not_found("lesson_not_found"),
            national_coordinator=not_found("lesson_not_found"),
            staff=OK,
        ),
    ),
)
def test_ledger_of_a_learner_in_a_draft_lesson(world, client_as, actor, expected):
    response = client_as(actor).get(
        f"/api/v1/progress/lessons/{world.draft_lesson.pk}/ledger/"
        f"?learner={world.enrollment.learner.pk}"
    )

    assert_outcome(response, expected)


NON_COORDINATING_LEARNERS = {**NON_COORDINATORS, ENROLLED: COORDINATORS_ONLY}


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("GET-progress-overview", NON_COORDINATING_LEARNERS)
)
@pytest.mark.parametrize("query", ["", "?city={napoli}"], ids=["all", "napoli"])
def test_progress_overview_is_for_coordinators_only(world, client_as, actor, expected, query):
    response = client_as(actor).get(
        "/api/v1/progress/overview/" + query.format(napoli=city("napoli").pk)
    )

    assert_outcome(response, expected)


WORLD_LEARNERS = (ENROLLED, "milano_person", "napoli_learner")


@pytest.mark.parametrize(
    ("query", "actor", "visible"),
    [
        pytest.param(query, actor, visible, id=f"{actor}-GET-progress-overview-{label}")
        for label, query, cells in (
            (
                "all",
                "",
                {
                    "milano_coordinator": {ENROLLED, "milano_person"},
                    "napoli_coordinator": {"napoli_learner"},
                    "national_coordinator": set(WORLD_LEARNERS),
                    "staff": set(WORLD_LEARNERS),
                },
            ),
            (
                # A filter narrows the actor's scope and never widens it: Napoli's people stay
                # out of the Milano coordinator's overview (cities are public, so no 404).
                "napoli",
                "?city={napoli}",
                {
                    "milano_coordinator": set(),
                    "napoli_coordinator": {"napoli_learner"},
                    "national_coordinator": {"napoli_learner"},
                    "staff": {"napoli_learner"},
                },
            ),
        )
        for actor, visible in cells.items()
    ],
)
def test_progress_overview_is_scoped_to_the_coordinated_city(
    world, client_as, query, actor, visible
):
    response = client_as(actor).get(
        "/api/v1/progress/overview/" + query.format(napoli=city("napoli").pk)
    )

    assert response.status_code == HTTPStatus.OK
    overview = response.json()
    behind = {row["id"] for row in overview["behind"]}  # nobody has any hours yet: everyone
    assert behind & {str(person(world, name).pk) for name in WORLD_LEARNERS} == {
        str(person(world, name).pk) for name in visible
    }
    cities = {group["key"] for group in overview["by_city"]}
    assert (str(city("napoli").pk) in cities) is ("napoli_learner" in visible)
    courses = {group["key"] for group in overview["by_course"]}
    assert (str(world.course.pk) in courses) is (ENROLLED in visible)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-course-progress",
        table(NOT_COURSE_TRAINER, trainer=OK, staff=OK, enrolled_learner=NOT_COURSE_TRAINER),
    ),
)
def test_course_progress_is_for_its_trainers_and_staff(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/progress/courses/{world.course.pk}/")

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        learners = {row["learner_id"] for row in response.json()}
        assert learners == {str(world.enrollment.learner.pk)}


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-draft-progress",
        table(
            not_found("course_not_found"),
            trainer=OK,
            staff=OK,
            enrolled_learner=not_found("course_not_found"),
        ),
    ),
)
def test_course_progress_of_a_draft(world, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/progress/courses/{world.draft.pk}/")

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert response.json() == []


# --- attendance -----------------------------------------------------------------------------
#
# An in-person session of the published course, running now (so that check-in is open), taught
# by ``trainer``; ``enrolled_learner`` has a place and has checked in; ``milano_person`` is
# enrolled too but has no place; ``milano_coordinator`` has a register export with its file.
# Sessions are seen by the learners of their course, their trainers, coordinators and staff
# (anyone else: not found); their trainers and staff manage them. Presence records and their
# corrections are for coordinators in scope; registers for coordinators and staff; each export
# for whoever asked for it; the programme's identity is read by all, changed by staff.


@dataclass
class Attendance:
    lesson: Lesson
    session: AttendanceSession
    registration: SessionRegistration  # enrolled_learner's
    presence: Presence  # enrolled_learner's, from their check-in
    export: RegisterExport  # milano_coordinator's, with its file


def room_code(session: AttendanceSession) -> str:
    return codes.code_for(session.code_secret, str(session.pk), codes.step_of(timezone.now()))


@pytest.fixture
def attendance(world, trainer, milano_coordinator) -> Attendance:
    lesson = LessonFactory(module=world.module, kind=Lesson.Kind.IN_PERSON)
    now = timezone.now()
    # Written directly: the service refuses a session across midnight, and this one runs now.
    session = AttendanceSession.objects.create(
        lesson=lesson,
        kind=AttendanceSession.Kind.TRAINING_DAY,
        title="Giornata in aula",
        starts_at=now - timedelta(minutes=20),
        ends_at=now + timedelta(hours=3),
        capacity=30,
        place="Sala del Consiglio",
    )
    session.trainers.set([trainer])
    EnrollmentFactory(course=world.course, learner=world.milano_person)
    learner = world.enrollment.learner
    registration = SessionRegistration.objects.create(
        session=session,
        learner=learner,
        status=SessionRegistration.Status.REGISTERED,
        queued_at=now - timedelta(days=1),
    )
    presence = presence_check_in(learner=learner, session=session, code=room_code(session))
    export = RegisterExport.objects.create(
        requested_by=milano_coordinator,
        register=RegisterExport.Register.SESSION,
        format=RegisterExport.Format.CSV,
        status=RegisterExport.Status.READY,
        rows=1,
        rows_expected=1,
    )
    export.file.save(f"{export.pk}.csv", ContentFile(b"\xef\xbb\xbfCognome\r\n"))
    return Attendance(lesson, session, registration, presence, export)


def session_url(attendance: Attendance, tail: str = "") -> str:
    return f"/api/v1/sessions/{attendance.session.pk}/{tail}"


NOT_A_SESSION_TRAINER = forbidden("not_a_trainer_of_session")
SESSION_NOT_FOUND = not_found("session_not_found")
# Who does not see the session at all: a learner of another course, a trainer of another.
NO_SESSION = {"learner": SESSION_NOT_FOUND, "other_trainer": SESSION_NOT_FOUND}


def sees_session(success: Expected) -> dict[str, object]:
    return table(success, enrolled_learner=success, **NO_SESSION)


def manages_session(success: Expected) -> dict[str, object]:
    """Its trainers and staff; whoever else sees it is refused; the others do not see it."""
    return table(
        NOT_A_SESSION_TRAINER,
        trainer=success,
        staff=success,
        enrolled_learner=NOT_A_SESSION_TRAINER,
        **NO_SESSION,
    )


@pytest.mark.parametrize(
    ("actor", "sees"),
    matrix("GET-sessions", table(True, enrolled_learner=True, learner=False, other_trainer=False)),
)
def test_list_sessions_is_scoped(attendance, client_as, actor, sees):
    response = client_as(actor).get("/api/v1/sessions/")

    assert response.status_code == HTTPStatus.OK
    assert result_ids(response) == ({str(attendance.session.pk)} if sees else set())


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-session", sees_session(OK)))
def test_get_session(attendance, client_as, actor, expected):
    assert_outcome(client_as(actor).get(session_url(attendance)), expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-sessions",
        table(
            NOT_COURSE_TRAINER, trainer=CREATED, staff=CREATED, enrolled_learner=NOT_COURSE_TRAINER
        ),
    ),
)
def test_plan_session(attendance, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/sessions/",
        {
            "lesson_id": str(attendance.lesson.pk),
            "kind": "training_day",
            "starts_at": "2027-03-10T09:00:00",
            "ends_at": "2027-03-10T13:00:00",
            "capacity": 20,
            "place": "Sala rossa",
        },
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("PATCH-session", manages_session(OK)))
def test_update_session(attendance, client_as, actor, expected):
    response = client_as(actor).patch(session_url(attendance), {"capacity": 40})

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("POST-session-cancel", manages_session(OK)))
def test_cancel_session(attendance, client_as, actor, expected):
    response = client_as(actor).post(session_url(attendance, "cancel/"))

    assert_outcome(response, expected)
    attendance.session.refresh_from_db()
    assert attendance.session.is_cancelled is (response.status_code == HTTPStatus.OK)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-session-calendar", sees_session(OK)))
def test_session_calendar(attendance, client_as, actor, expected):
    response = client_as(actor).get(session_url(attendance, "calendar.ics"))

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert response.content.startswith(b"BEGIN:VCALENDAR")


NOT_ENROLLED_IN_COURSE = forbidden("not_enrolled_in_course")


@pytest.mark.parametrize(
    ("actor", "expected"),
    # Asking again is idempotent: the enrolled learner gets their place back with 200.
    matrix("POST-registration-self", sees_session(NOT_ENROLLED_IN_COURSE) | {ENROLLED: OK}),
)
def test_take_a_place(attendance, client_as, actor, expected):
    response = client_as(actor).post(session_url(attendance, "registrations/"), {})

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-registration-for-someone",
        sees_session(COORDINATORS_ONLY)
        | {
            "milano_coordinator": CREATED,
            "napoli_coordinator": not_found("person_not_found"),
            "national_coordinator": CREATED,
            "staff": CREATED,
        },
    ),
)
def test_take_a_place_for_someone(attendance, world, client_as, actor, expected):
    response = client_as(actor).post(
        session_url(attendance, "registrations/"), {"learner_id": str(world.milano_person.pk)}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "DELETE-registration",
        table(
            OK,
            enrolled_learner=OK,
            learner=not_found("registration_not_found"),
            trainer=not_found("registration_not_found"),
            other_trainer=not_found("registration_not_found"),
            napoli_coordinator=not_found("registration_not_found"),
        ),
    ),
)
def test_give_a_place_up(attendance, client_as, actor, expected):
    response = client_as(actor).delete(f"/api/v1/registrations/{attendance.registration.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "sees"), matrix("GET-registrations-mine", table(False, enrolled_learner=True))
)
def test_my_registrations_are_the_actors_own(attendance, client_as, actor, sees):
    response = client_as(actor).get("/api/v1/registrations/mine/")

    assert response.status_code == HTTPStatus.OK
    assert result_ids(response) == ({str(attendance.registration.pk)} if sees else set())


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("POST-check-in", sees_session(forbidden("not_registered")) | {ENROLLED: OK}),
)
def test_check_in(attendance, client_as, actor, expected):
    response = client_as(actor).post(
        session_url(attendance, "check-in/"), {"code": room_code(attendance.session)}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    # Nobody else has checked in: there is nothing of theirs to check out of.
    matrix(
        "POST-check-out",
        sees_session((HTTPStatus.BAD_REQUEST, "not_checked_in")) | {ENROLLED: OK},
    ),
)
def test_check_out(attendance, client_as, actor, expected):
    response = client_as(actor).post(
        session_url(attendance, "check-out/"), {"code": room_code(attendance.session)}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-session-code", manages_session(OK)))
def test_room_code_is_for_the_sessions_trainers_and_staff(attendance, client_as, actor, expected):
    response = client_as(actor).get(session_url(attendance, "code/"))

    assert_outcome(response, expected)
    assert ("seconds_left" in response.json()) is (response.status_code == HTTPStatus.OK)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-roster", manages_session(OK)))
def test_roster(attendance, client_as, actor, expected):
    response = client_as(actor).get(session_url(attendance, "roster/"))

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert [line["registration_id"] for line in response.json()] == [
            str(attendance.registration.pk)
        ]


@pytest.mark.parametrize(("actor", "expected"), matrix("PUT-roster-line", manages_session(OK)))
def test_mark_on_the_roster(attendance, world, client_as, actor, expected):
    starts = attendance.session.starts_at.isoformat()
    response = client_as(actor).put(
        session_url(attendance, f"roster/{world.enrollment.learner.pk}/"),
        {"status": "present", "entered_at": starts, "left_at": starts},
    )

    assert_outcome(response, expected)


PRESENCE_OF_MILANO = table(
    COORDINATORS_ONLY,
    milano_coordinator=OK,
    napoli_coordinator=not_found("presence_not_found"),
    national_coordinator=OK,
    staff=OK,
    enrolled_learner=COORDINATORS_ONLY,
)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-presence", PRESENCE_OF_MILANO))
def test_get_presence(attendance, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/presences/{attendance.presence.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("POST-presence-correction", PRESENCE_OF_MILANO)
)
def test_correct_presence(attendance, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/presences/{attendance.presence.pk}/corrections/",
        {"status": "justified", "reason": "Certificato medico consegnato."},
    )

    assert_outcome(response, expected)
    changes = attendance.presence.changes.count()
    assert changes == (2 if response.status_code == HTTPStatus.OK else 1)


SEES_MILANO = {"milano_coordinator", "national_coordinator", "staff"}


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "POST-registers",
        table(COORDINATORS_ONLY, milano_coordinator=OK, napoli_coordinator=OK)
        | {"national_coordinator": OK, "staff": OK, ENROLLED: COORDINATORS_ONLY},
    ),
)
def test_registers_are_for_coordinators_and_staff_and_scoped(
    attendance, world, client_as, actor, expected
):
    response = client_as(actor).post(
        "/api/v1/registers/",
        {"register": "session", "format": "csv", "session_id": str(attendance.session.pk)},
    )

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        assert (world.enrollment.learner.tax_code in content) is (actor in SEES_MILANO)


@pytest.mark.parametrize(
    ("actor", "sees"),
    matrix("GET-register-exports", table(False, milano_coordinator=True, enrolled_learner=False)),
)
def test_register_exports_are_the_actors_own(attendance, client_as, actor, sees):
    response = client_as(actor).get("/api/v1/registers/exports/")

    assert response.status_code == HTTPStatus.OK
    assert result_ids(response) == ({str(attendance.export.pk)} if sees else set())


EXPORT_OF_MILANO_COORDINATOR = table(
    not_found("register_export_not_found"),
    milano_coordinator=OK,
    enrolled_learner=not_found("register_export_not_found"),
)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("GET-register-export", EXPORT_OF_MILANO_COORDINATOR)
)
def test_get_register_export(attendance, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/registers/exports/{attendance.export.pk}/")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("GET-register-export-download", EXPORT_OF_MILANO_COORDINATOR)
)
def test_download_register_export(attendance, client_as, actor, expected):
    response = client_as(actor).get(f"/api/v1/registers/exports/{attendance.export.pk}/download/")

    assert_outcome(response, expected)
    if response.status_code == HTTPStatus.OK:
        assert b"".join(response.streaming_content) == b"\xef\xbb\xbfCognome\r\n"


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("GET-programme", table(OK, enrolled_learner=OK))
)
def test_read_programme_identity(attendance, client_as, actor, expected):
    assert_outcome(client_as(actor).get("/api/v1/programme/"), expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "PUT-programme",
        table(forbidden("staff_only"), staff=OK, enrolled_learner=forbidden("staff_only")),
    ),
)
def test_change_programme_identity(attendance, client_as, actor, expected):
    response = client_as(actor).put(
        "/api/v1/programme/",
        {"plan_title": "Piano", "project_title": "Progetto", "funding_programme": "PN"},
    )

    assert_outcome(response, expected)


# --- the LRS (xAPI) -----------------------------------------------------------------------
#
# Two kinds of caller (tracking/lrs/services/principals.py). A person signed in to the platform
# (session, whatever their role) writes and reads only statements whose actor is themselves and
# only their own documents (State and Agent Profile under their own agent; Activity Profiles are
# nobody's own). An LRS client (HTTP Basic) reads per its ``read_scope`` (``all``, ``mine``: what
# it stored, ``none``) and writes if ``can_write``; documents are not scoped by client. Refusals
# are 403 ``lrs_forbidden`` in the LRS's error shape, with the version header; a statement out of
# the reader's scope is not found (404). The "other learner" here is ``enrolled_learner``.

XAPI_VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
LRS_FORBIDDEN = forbidden("lrs_forbidden")
STATE_ID = "bookmark"


def agent_of(user: User) -> dict:
    return {"objectType": "Agent", "account": {"homePage": settings.SITE_URL, "name": str(user.pk)}}


def lesson_activity(world: World) -> str:
    return f"{settings.SITE_URL}/xapi/activities/lesson/{world.lesson.pk}"


def statement_about(user: User, world: World) -> dict:
    return {
        "actor": agent_of(user),
        "verb": {"id": "https://w3id.org/xapi/video/verbs/played", "display": {"en-US": "played"}},
        "object": {"objectType": "Activity", "id": lesson_activity(world)},
    }


def xapi(http: Client, method: str, resource: str, params: dict | None = None, body=None):
    """An xAPI request: parameters in the query string (for every method), JSON body."""
    query = f"?{urlencode(params)}" if params else ""
    content = b"" if body is None else json.dumps(body).encode()
    return http.generic(
        method, f"/xapi/{resource}{query}", content, content_type="application/json"
    )


def assert_lrs_outcome(response, expected: Expected) -> None:
    """``assert_outcome``, and every refusal in the LRS's own shape with its version header."""
    assert_outcome(response, expected)
    assert response["X-Experience-API-Version"] == "1.0.3"
    if response.status_code >= HTTPStatus.BAD_REQUEST:
        assert set(response.json()) == {"code", "message", "extra"}


@pytest.fixture
def session_as(request):
    """``session_as("learner")``: a browser signed in as the actor, speaking xAPI 1.0.3."""

    def make(actor: str) -> Client:
        http = Client(**XAPI_VERSION)
        if actor != "anonymous":
            http.force_login(request.getfixturevalue(actor))
        return http

    return make


@pytest.fixture
def enrolled_statement(world) -> str:
    """A statement about ``enrolled_learner``, sent from their own session; its id."""
    http = Client(**XAPI_VERSION)
    http.force_login(world.enrollment.learner)
    response = xapi(
        http, "POST", "statements", body=statement_about(world.enrollment.learner, world)
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()[0]


@pytest.fixture
def enrolled_state(world) -> bytes:
    """``enrolled_learner``'s State document for the lesson, written from their session."""
    http = Client(**XAPI_VERSION)
    http.force_login(world.enrollment.learner)
    content = {"position": 12.5}
    response = xapi(
        http, "PUT", "activities/state", state_params(world, stateId=STATE_ID), body=content
    )
    assert response.status_code == HTTPStatus.NO_CONTENT, response.content
    return json.dumps(content).encode()


def state_params(world: World, **extra: str) -> dict:
    return {
        "activityId": lesson_activity(world),
        "agent": json.dumps(agent_of(world.enrollment.learner)),
        **extra,
    }


XAPI_ENDPOINTS = [
    ("GET", "statements"),
    ("POST", "statements"),
    ("PUT", "statements"),
    ("GET", "activities/state"),
    ("PUT", "activities/state"),
    ("POST", "activities/state"),
    ("DELETE", "activities/state"),
    ("GET", "activities/profile"),
    ("PUT", "activities/profile"),
    ("GET", "agents/profile"),
    ("PUT", "agents/profile"),
    ("GET", "activities"),
    ("GET", "agents"),
]


@pytest.mark.parametrize(
    ("method", "resource"),
    [pytest.param(m, r, id=f"anonymous-{m}-xapi-{r}") for m, r in XAPI_ENDPOINTS],
)
def test_anonymous_xapi_is_unauthorized(world, session_as, method, resource):
    response = xapi(session_as("anonymous"), method, resource)

    assert_lrs_outcome(response, (HTTPStatus.UNAUTHORIZED, "lrs_unauthorized"))
    assert response["WWW-Authenticate"] == 'Basic realm="xapi"'


SESSION_ACTORS = table(False, enrolled_learner=True)


@pytest.mark.parametrize(
    ("actor", "sees_it"), matrix("GET-xapi-statements-of-other", SESSION_ACTORS)
)
@pytest.mark.parametrize("filtered", [True, False], ids=["agent", "all"])
def test_session_reads_only_its_own_statements(
    world, session_as, enrolled_statement, actor, sees_it, filtered
):
    params = {"agent": json.dumps(agent_of(world.enrollment.learner))} if filtered else None

    response = xapi(session_as(actor), "GET", "statements", params)

    assert_lrs_outcome(response, OK)
    ids = {statement["id"] for statement in response.json()["statements"]}
    assert ids == ({enrolled_statement} if sees_it else set())


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("GET-xapi-statement-of-other", table(not_found("not_found"), enrolled_learner=OK)),
)
def test_session_gets_another_learners_statement_by_id(
    world, session_as, enrolled_statement, actor, expected
):
    response = xapi(session_as(actor), "GET", "statements", {"statementId": enrolled_statement})

    assert_lrs_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("POST-xapi-statement-as-other", table(LRS_FORBIDDEN, enrolled_learner=OK)),
)
def test_session_writes_only_statements_about_itself(world, session_as, actor, expected):
    response = xapi(
        session_as(actor),
        "POST",
        "statements",
        body=statement_about(world.enrollment.learner, world),
    )

    assert_lrs_outcome(response, expected)
    assert Statement.objects.exists() is (response.status_code == HTTPStatus.OK)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("PUT-xapi-statement-as-other", table(LRS_FORBIDDEN, enrolled_learner=NO_CONTENT)),
)
def test_session_puts_only_statements_about_itself(world, session_as, actor, expected):
    response = xapi(
        session_as(actor),
        "PUT",
        "statements",
        {"statementId": str(uuid.uuid4())},
        body=statement_about(world.enrollment.learner, world),
    )

    assert_lrs_outcome(response, expected)
    assert Statement.objects.exists() is (response.status_code == HTTPStatus.NO_CONTENT)


STATE_OF_OTHER = {
    # method, with stateId: what the enrolled learner (the document's agent) gets
    ("GET", True): OK,
    ("GET", False): OK,  # the ids of their documents
    ("PUT", True): NO_CONTENT,
    ("POST", True): NO_CONTENT,
    ("DELETE", True): NO_CONTENT,
    ("DELETE", False): NO_CONTENT,  # every State document under their agent and the activity
}


@pytest.mark.parametrize(
    ("method", "with_id", "actor", "expected"),
    [
        pytest.param(
            method,
            with_id,
            actor,
            expected,
            id=f"{actor}-{method}-xapi-state-of-other{'' if with_id else '-ids'}",
        )
        for (method, with_id), own in STATE_OF_OTHER.items()
        for actor, expected in table(LRS_FORBIDDEN, enrolled_learner=own).items()
    ],
)
def test_session_uses_only_its_own_state(
    world, session_as, enrolled_state, method, with_id, actor, expected
):
    params = state_params(world, stateId=STATE_ID) if with_id else state_params(world)
    body = {"position": 99} if method in ("PUT", "POST") else None

    response = xapi(session_as(actor), method, "activities/state", params, body)

    assert_lrs_outcome(response, expected)
    if expected == LRS_FORBIDDEN:
        assert bytes(Document.objects.get(document_id=STATE_ID).content) == enrolled_state


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("xapi-agent-profile-of-other", table(LRS_FORBIDDEN, enrolled_learner=NO_CONTENT)),
)
@pytest.mark.parametrize("method", ["PUT", "GET"])
def test_session_uses_only_its_own_agent_profile(world, session_as, actor, expected, method):
    params = {"agent": json.dumps(agent_of(world.enrollment.learner)), "profileId": "prefs"}
    body = {"subtitles": "it"} if method == "PUT" else None
    if method == "GET" and expected != LRS_FORBIDDEN:
        expected = not_found("not_found")  # theirs to read, and there is none

    response = xapi(session_as(actor), method, "agents/profile", params, body)

    assert_lrs_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("xapi-activity-profile", table(LRS_FORBIDDEN, enrolled_learner=LRS_FORBIDDEN)),
)
@pytest.mark.parametrize("method", ["PUT", "GET"])
def test_session_uses_no_activity_profile(world, session_as, actor, expected, method):
    params = {"activityId": lesson_activity(world), "profileId": "glossary"}
    body = {"terms": []} if method == "PUT" else None

    response = xapi(session_as(actor), method, "activities/profile", params, body)

    assert_lrs_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"), matrix("GET-xapi-agents-activities", table(OK, enrolled_learner=OK))
)
def test_session_reads_agents_and_activities(world, session_as, actor, expected):
    http = session_as(actor)
    other = agent_of(world.enrollment.learner)

    agents = xapi(http, "GET", "agents", {"agent": json.dumps(other)})
    activity = xapi(http, "GET", "activities", {"activityId": lesson_activity(world)})

    assert_lrs_outcome(agents, expected)
    assert agents.json() == {"objectType": "Person", "account": [other["account"]]}  # an echo
    assert_lrs_outcome(activity, expected)


# LRS clients (HTTP Basic) as actors: their options, and what another client ("player", which
# reads everything) stored about enrolled_learner.
LRS_CLIENTS = {
    "reads_all": {"read_scope": "all"},
    "reads_mine": {"read_scope": "mine"},
    "reads_none": {"read_scope": "none"},
    "cannot_write": {"can_write": False},  # reads what it stored (the default)
}


def lrs_http(**options) -> Client:
    client, secret = lrs_client_create(name=f"client-{uuid.uuid4().hex[:8]}", **options)
    token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {token}", **XAPI_VERSION)


@pytest.fixture
def lrs_as():
    """``lrs_as("reads_mine")``: an HTTP client with a new LRS client's credentials."""
    return lambda name: lrs_http(**LRS_CLIENTS[name])


@pytest.fixture
def player_statement(world) -> str:
    """A statement about enrolled_learner stored by another LRS client; its id."""
    response = xapi(
        lrs_http(read_scope="all"),
        "POST",
        "statements",
        body=statement_about(world.enrollment.learner, world),
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()[0]


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-xapi-statements-of-another-client",
        {
            "reads_all": True,
            "reads_mine": False,
            "reads_none": LRS_FORBIDDEN,
            "cannot_write": False,
        },
    ),
)
@pytest.mark.parametrize("filtered", [True, False], ids=["agent", "all"])
def test_client_reads_per_its_read_scope(
    world, lrs_as, player_statement, actor, expected, filtered
):
    params = {"agent": json.dumps(agent_of(world.enrollment.learner))} if filtered else None

    response = xapi(lrs_as(actor), "GET", "statements", params)

    if isinstance(expected, bool):
        assert_lrs_outcome(response, OK)
        ids = {statement["id"] for statement in response.json()["statements"]}
        assert ids == ({player_statement} if expected else set())
    else:
        assert_lrs_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-xapi-statement-of-another-client",
        {
            "reads_all": OK,
            "reads_mine": not_found("not_found"),
            "reads_none": LRS_FORBIDDEN,
            "cannot_write": not_found("not_found"),
        },
    ),
)
def test_client_gets_another_clients_statement_by_id(
    world, lrs_as, player_statement, actor, expected
):
    response = xapi(lrs_as(actor), "GET", "statements", {"statementId": player_statement})

    assert_lrs_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix(
        "GET-xapi-own-statements",
        {"reads_all": True, "reads_mine": True, "reads_none": LRS_FORBIDDEN},
    ),
)
def test_client_reads_what_it_stored(world, lrs_as, actor, expected):
    http = lrs_as(actor)
    [own] = xapi(
        http, "POST", "statements", body=statement_about(world.napoli_learner, world)
    ).json()

    response = xapi(http, "GET", "statements")

    if isinstance(expected, bool):
        assert_lrs_outcome(response, OK)
        assert [statement["id"] for statement in response.json()["statements"]] == [own]
    else:
        assert_lrs_outcome(response, expected)


WRITES = {"reads_all": True, "reads_mine": True, "reads_none": True, "cannot_write": False}


@pytest.mark.parametrize(("actor", "writes"), matrix("xapi-write", WRITES))
@pytest.mark.parametrize(
    ("method", "resource", "success"),
    [
        ("POST", "statements", OK),
        ("PUT", "statements", NO_CONTENT),
        ("PUT", "activities/state", NO_CONTENT),
        ("PUT", "agents/profile", NO_CONTENT),
        ("PUT", "activities/profile", NO_CONTENT),
    ],
    ids=["POST-statements", "PUT-statements", "PUT-state", "PUT-agent-profile", "PUT-profile"],
)
def test_client_writes_only_with_can_write(world, lrs_as, actor, writes, method, resource, success):
    params = {
        "statements": {},
        "activities/state": state_params(world, stateId=STATE_ID),
        "agents/profile": {"agent": state_params(world)["agent"], "profileId": "prefs"},
        "activities/profile": {"activityId": lesson_activity(world), "profileId": "glossary"},
    }[resource]
    if (method, resource) == ("PUT", "statements"):
        params = {"statementId": str(uuid.uuid4())}
    body = statement_about(world.enrollment.learner, world) if "statements" in resource else {}

    response = xapi(lrs_as(actor), method, resource, params, body)

    assert_lrs_outcome(response, success if writes else LRS_FORBIDDEN)
    stored = Statement.objects.exists() or Document.objects.exists()
    assert stored is writes


READS = {"reads_all": OK, "reads_mine": OK, "reads_none": LRS_FORBIDDEN, "cannot_write": OK}


@pytest.mark.parametrize(("actor", "expected"), matrix("xapi-read", READS))
@pytest.mark.parametrize(
    "resource", ["activities/state", "activities", "agents"], ids=["state", "activity", "agent"]
)
def test_client_reads_documents_activities_and_agents_unless_read_scope_none(
    world, lrs_as, enrolled_state, actor, expected, resource
):
    params = {
        "activities/state": state_params(world, stateId=STATE_ID),
        "activities": {"activityId": lesson_activity(world)},
        "agents": {"agent": state_params(world)["agent"]},
    }[resource]

    response = xapi(lrs_as(actor), "GET", resource, params)

    assert_lrs_outcome(response, expected)
    if resource == "activities/state" and expected == OK:
        assert response.content == enrolled_state


# --- certificates -----------------------------------------------------------------------------
#
# ``enrolled_learner`` holds a certificate of the published course's module (issued by staff,
# its PDF written). A certificate is read by its holder and the coordinators of the holder's
# city (national coordinators and staff: everyone's); anyone else does not find it. Lists of
# other people's certificates and their ZIP are for coordinators; issuing, revoking and
# re-issuing for staff. The verification of a code, the issuer's profile and the status lists
# are public.


@pytest.fixture
def certificate(world, staff):
    from certificates.services import finishing, issuing

    issued = issuing.certificate_issue(
        actor=staff,
        learner=world.enrollment.learner,
        kind="module",
        module=world.module,
        reason="Recorded on paper",
    )
    finishing.certificate_finish(certificate_id=issued.pk)
    issued.refresh_from_db()
    return issued


CERTIFICATE_NOT_FOUND = not_found("certificate_not_found")
NOT_ALLOWED_TO_ISSUE = forbidden("not_allowed_to_issue")
# Who reads the certificate: its holder, the Milano and national coordinators, staff.
READS_CERTIFICATE = table(
    CERTIFICATE_NOT_FOUND,
    enrolled_learner=OK,
    milano_coordinator=OK,
    national_coordinator=OK,
    staff=OK,
)


@pytest.mark.parametrize(("actor", "expected"), matrix("GET-certificate", READS_CERTIFICATE))
@pytest.mark.parametrize("tail", ["", "pdf", "credential"])
def test_read_a_certificate(certificate, client_as, actor, expected, tail):
    response = client_as(actor).get(f"/api/v1/certificates/{certificate.pk}/{tail}")

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "sees"),
    matrix(
        "GET-certificates",
        table(
            COORDINATORS_ONLY,
            enrolled_learner=COORDINATORS_ONLY,
            milano_coordinator=True,
            napoli_coordinator=False,
            national_coordinator=True,
            staff=True,
        ),
    ),
)
@pytest.mark.parametrize("url", ["/api/v1/certificates/", "/api/v1/certificates/export.zip"])
def test_certificates_of_people_are_for_their_coordinators(
    certificate, client_as, actor, sees, url
):
    response = client_as(actor).get(url)

    if sees is COORDINATORS_ONLY:
        assert_outcome(response, COORDINATORS_ONLY)
    elif url.endswith(".zip"):
        names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
        assert any(certificate.code in name for name in names) is sees
    else:
        assert result_ids(response) == ({str(certificate.pk)} if sees else set())


@pytest.mark.parametrize(
    ("actor", "sees"),
    matrix("GET-certificates-mine", table(False, enrolled_learner=True)),
)
def test_my_certificates_are_the_actors_own(certificate, client_as, actor, sees):
    response = client_as(actor).get("/api/v1/certificates/mine/")

    assert result_ids(response) == ({str(certificate.pk)} if sees else set())


STAFF_ONLY_ON_CERTIFICATE = table(
    CERTIFICATE_NOT_FOUND,
    enrolled_learner=NOT_ALLOWED_TO_ISSUE,
    milano_coordinator=NOT_ALLOWED_TO_ISSUE,
    national_coordinator=NOT_ALLOWED_TO_ISSUE,
)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("POST-revoke", STAFF_ONLY_ON_CERTIFICATE | {"staff": OK}),
)
def test_revoke_a_certificate(certificate, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/certificates/{certificate.pk}/revoke/", {"reason": "Issued by mistake"}
    )

    assert_outcome(response, expected)
    certificate.refresh_from_db()
    assert certificate.is_revoked is (expected == OK)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("POST-reissue", STAFF_ONLY_ON_CERTIFICATE | {"staff": CREATED}),
)
def test_reissue_a_certificate(certificate, client_as, actor, expected):
    response = client_as(actor).post(
        f"/api/v1/certificates/{certificate.pk}/reissue/", {"reason": "Name corrected"}
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize(
    ("actor", "expected"),
    matrix("POST-certificates", table(NOT_ALLOWED_TO_ISSUE, staff=CREATED)),
)
def test_issue_a_certificate_by_hand(world, client_as, actor, expected):
    response = client_as(actor).post(
        "/api/v1/certificates/",
        {
            "learner_id": str(world.milano_person.pk),
            "kind": "programme",
            "reason": "Recorded on paper",
        },
    )

    assert_outcome(response, expected)


@pytest.mark.parametrize("actor", ["anonymous", *SIGNED_IN])
def test_verification_and_the_open_badges_documents_are_public(certificate, client_as, actor):
    client = client_as(actor)

    verified = client.get(f"/api/v1/certificates/verify/{certificate.code}")
    profile = client.get("/certificates/issuer")
    status_list = client.get(f"/certificates/status/{certificate.status_list}")

    assert verified.status_code == OK
    assert verified.json()["status"] == "valid"
    assert profile.status_code == status_list.status_code == OK
