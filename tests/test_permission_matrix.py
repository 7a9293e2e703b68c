"""The permission matrix: every endpoint × every actor, with the status (and error code) each one
gets, and for lists who appears in the results.

The world: a published course taught by ``trainer`` with a module and a lesson, in which a Milano
learner (``enrolled_learner``) is enrolled; a draft course taught by ``trainer`` with a module and a
lesson and nobody enrolled; a Milano person nobody acts as (``milano_person``), whom coordinators
enrol and edit; ``napoli_learner``. The actor ``learner`` is another Milano learner, not enrolled.

Each table maps an actor to what they get: a status, or ``(status, error code)``. ``table()``
gives every signed-in actor its first argument except the actors named after it. Anonymous
visitors have their own column (``test_anonymous_is_unauthenticated``) except on public endpoints.
"""

from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Course, Enrollment, Lesson, Module
from lms.accounts.models import Organisation, User
from tests.accounts.factories import UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory

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
    params = []
    for actor, expected in cells.items():
        params.append(pytest.param(actor, expected, id=f"{actor}-{label}"))
    return params


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


@pytest.mark.parametrize("url", ["/api/v1/cities/", "/api/v1/areas/", "/api/schema/"])
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
