"""Staff write in the Django admin through the services, with their checks, or not at all."""

from http import HTTPStatus

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages

from courses.exceptions import CourseNotPublishable, EnrollmentCompleted
from courses.models import Course, Enrollment
from lms.accounts.exceptions import CityOutOfScope
from lms.accounts.models import Organisation
from media.models import VideoAsset
from tests.accounts.factories import OrganisationFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory
from tests.media.factories import VideoAssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def _act(client, model: str, action: str, *objects):
    return client.post(
        f"/admin/{model}/",
        {"action": action, ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objects], "index": 0},
    )


@pytest.mark.parametrize("model", ["media/videoasset", "courses/course", "courses/enrollment"])
def test_what_the_api_and_the_services_create_has_no_add_page(superuser_client, model):
    assert superuser_client.get(f"/admin/{model}/add/").status_code == HTTPStatus.FORBIDDEN


def test_a_course_is_not_changed_through_its_form(superuser_client):
    course = CourseFactory(title="Il titolo")

    response = superuser_client.post(
        f"/admin/courses/course/{course.pk}/change/",
        {"title": "Un altro titolo", "status": Course.Status.PUBLISHED},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    course.refresh_from_db()
    assert (course.title, course.status) == ("Il titolo", Course.Status.DRAFT)


def test_nothing_is_deleted_around_the_services(superuser_client):
    enrollment = EnrollmentFactory()
    asset = VideoAssetFactory(course=enrollment.course)
    pages = [
        f"/admin/courses/course/{enrollment.course.pk}/delete/",
        f"/admin/courses/enrollment/{enrollment.pk}/delete/",
        f"/admin/media/videoasset/{asset.pk}/delete/",
        f"/admin/accounts/organisation/{enrollment.learner.organisation.pk}/delete/",
    ]

    assert [superuser_client.post(page, {"post": "yes"}).status_code for page in pages] == [
        HTTPStatus.FORBIDDEN
    ] * len(pages)


def test_publishing_a_course_without_lessons_leaves_it_draft_and_says_why(superuser_client):
    course = CourseFactory()

    response = _act(superuser_client, "courses/course", "publish", course)

    assert response.status_code == HTTPStatus.FOUND
    course.refresh_from_db()
    assert course.status == Course.Status.DRAFT
    assert (messages.ERROR, f"{course}: {CourseNotPublishable.message}") in _said(response)


def test_publishing_a_course_with_a_lesson_publishes_it(superuser_client):
    course = CourseFactory()
    LessonFactory(module__course=course)

    response = _act(superuser_client, "courses/course", "publish", course)

    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED
    assert course.published_at is not None
    assert [level for level, _text in _said(response)] == [messages.SUCCESS]


def test_archiving_counts_the_courses_archived(superuser_client):
    courses = CourseFactory.create_batch(2, published=True)

    response = _act(superuser_client, "courses/course", "archive", *courses)

    assert set(Course.objects.values_list("status", flat=True)) == {Course.Status.ARCHIVED}
    assert _said(response) == [(messages.SUCCESS, "2 courses archived.")]


def test_staff_withdraw_an_enrolment(superuser_client):
    enrollment = EnrollmentFactory()

    _act(superuser_client, "courses/enrollment", "withdraw", enrollment)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment.withdrawn_at is not None


def test_a_completed_enrolment_is_not_withdrawn(superuser_client):
    enrollment = EnrollmentFactory(status=Enrollment.Status.COMPLETED)

    response = _act(superuser_client, "courses/enrollment", "withdraw", enrollment)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert (messages.ERROR, f"{enrollment}: {EnrollmentCompleted.message}") in _said(response)


def test_staff_rename_a_video_and_change_nothing_else(superuser_client):
    asset = VideoAssetFactory()
    course = asset.course
    other_course = CourseFactory()

    response = superuser_client.post(
        f"/admin/media/videoasset/{asset.pk}/change/",
        {
            "title": "  Lezione inaugurale ",
            "course": str(other_course.pk),
            "status": "ready",
            "captions-TOTAL_FORMS": 0,
            "captions-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    asset.refresh_from_db()
    assert (asset.title, asset.course, asset.status) == (
        "Lezione inaugurale",
        course,
        VideoAsset.Status.UPLOADED,
    )


def test_staff_create_an_organisation_with_its_name_stripped(superuser_client):
    response = superuser_client.post(
        "/admin/accounts/organisation/add/",
        {"city": str(city("torino").pk), "name": "  Comune di Moncalieri ", "kind": "municipality"},
    )

    assert response.status_code == HTTPStatus.FOUND
    organisation = Organisation.objects.get(city__slug="torino", name="Comune di Moncalieri")
    assert organisation.kind == Organisation.Kind.MUNICIPALITY


def test_a_name_taken_in_the_city_is_a_form_error(superuser_client, milano_org):
    response = superuser_client.post(
        "/admin/accounts/organisation/add/",
        {"city": str(milano_org.city.pk), "name": milano_org.name.upper(), "kind": "municipality"},
    )

    assert response.status_code == HTTPStatus.OK
    constraint = next(
        c for c in Organisation._meta.constraints if c.name == "organisation_unique_name_per_city"
    )
    assert response.context["adminform"].form.non_field_errors() == [
        str(constraint.violation_error_message)
    ]
    assert Organisation.objects.filter(name__iexact=milano_org.name).count() == 1


def test_a_refusal_of_the_service_is_an_error_message_not_a_500(superuser_client, monkeypatch):
    def refuse(**kwargs):
        raise CityOutOfScope()

    monkeypatch.setattr("lms.accounts.admin.organisation_create", refuse)

    response = superuser_client.post(
        "/admin/accounts/organisation/add/",
        {"city": str(city("torino").pk), "name": "Comune di Chieri", "kind": "municipality"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/admin/accounts/organisation/add/"
    assert _said(response) == [(messages.ERROR, str(CityOutOfScope.message))]
    assert not Organisation.objects.filter(name="Comune di Chieri").exists()


def test_staff_rename_an_organisation_and_it_stays_in_its_city(superuser_client):
    organisation = OrganisationFactory(city=city("milano"), name="Comune di Rho")

    response = superuser_client.post(
        f"/admin/accounts/organisation/{organisation.pk}/change/",
        {"city": str(city("napoli").pk), "name": " Comune di Rho (MI) ", "kind": "other"},
    )

    assert response.status_code == HTTPStatus.FOUND
    organisation.refresh_from_db()
    assert (organisation.name, organisation.kind, organisation.city.slug) == (
        "Comune di Rho (MI)",
        Organisation.Kind.OTHER,
        "milano",
    )
