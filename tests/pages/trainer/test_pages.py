"""The trainer's pages through Django's test client: who may see them, forms, service errors."""

import pytest

from courses.models import Course, Lesson, Module
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(trainer):
    course = CourseFactory(title="Bilancio armonizzato")
    course.trainers.set([trainer])
    return course


def test_a_learner_gets_the_403_page(client, learner):
    client.force_login(learner)
    response = client.get("/docente/")
    assert response.status_code == 403


def test_my_courses_lists_what_the_trainer_teaches_with_counts(
    client, trainer, course, django_assert_max_num_queries
):
    module = ModuleFactory(course=course)
    LessonFactory(module=module)
    LessonFactory(module=module)
    CourseFactory(title="Altrui")
    client.force_login(trainer)
    with django_assert_max_num_queries(8):
        response = client.get("/docente/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bilancio armonizzato" in body
    assert "Altrui" not in body
    assert "<td>1</td><td>2</td>" in body


def test_a_trainer_creates_a_course_as_a_draft(client, trainer):
    client.force_login(trainer)
    response = client.post(
        "/docente/",
        {"new-title": "Appalti", "new-area": area().pk, "new-language": "it", "new-summary": ""},
    )
    created = Course.objects.get(title="Appalti")
    assert response.status_code == 302
    assert response["Location"] == f"/docente/corsi/{created.pk}/"
    assert created.status == "draft"
    assert list(created.trainers.all()) == [trainer]


def test_another_trainers_course_is_a_404(client, other_trainer, course):
    client.force_login(other_trainer)
    assert client.get(f"/docente/corsi/{course.pk}/").status_code == 404
    assert client.get(f"/docente/corsi/{course.pk}/carica-video/").status_code == 404


def test_publishing_an_empty_course_shows_the_services_refusal(
    client, trainer, course, django_assert_max_num_queries
):
    client.force_login(trainer)
    with django_assert_max_num_queries(20):
        assert client.get(f"/docente/corsi/{course.pk}/").status_code == 200
    response = client.post(
        f"/docente/corsi/{course.pk}/",
        {
            "course-title": course.title,
            "course-area": course.area_id,
            "course-language": "it",
            "course-declared_hours": "10",
            "course-status": "published",
        },
    )
    assert response.status_code == 400
    assert "at least one module with a lesson" in response.content.decode()


def test_modules_and_lessons_are_made_through_the_pages(client, trainer, course):
    client.force_login(trainer)
    response = client.post(f"/docente/corsi/{course.pk}/moduli/nuovo/", {"module-title": "Uno"})
    assert response.status_code == 302
    module = Module.objects.get(course=course)
    response = client.post(
        f"/docente/moduli/{module.pk}/lezioni/nuova/",
        {"lesson-title": "Introduzione", "lesson-kind": "document", "lesson-is_required": "on"},
    )
    assert response.status_code == 302
    assert Lesson.objects.get(module=module).title == "Introduzione"
    response = client.post(
        f"/docente/moduli/{module.pk}/lezioni/nuova/",
        {"lesson-title": "Troppo", "lesson-kind": "video", "lesson-duration_seconds": "1.25"},
    )
    assert response.status_code == 400
    assert "lesson-duration_seconds" in response.content.decode()


def test_a_wrong_document_is_refused_on_the_form(client, trainer, course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(trainer)
    response = client.post(
        f"/docente/corsi/{course.pk}/documenti/nuovo/",
        {"document-file": SimpleUploadedFile("note.pdf", b"just text, not a pdf")},
    )
    assert response.status_code == 400
    assert "Documents must be PDF" in response.content.decode()
