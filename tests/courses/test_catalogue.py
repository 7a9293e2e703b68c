from http import HTTPStatus

import pytest
from django.db import connection

from courses.models import Course, Lesson
from lms.accounts.models import Position
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory, area

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)


def _slugs(response) -> list[str]:
    return [course["slug"] for course in response.json()["results"]]


def test_catalogue_lists_published_courses_to_anonymous_visitors(api_client):
    CourseFactory(published=True, slug="pubblicato")
    CourseFactory(slug="bozza")
    CourseFactory(status=Course.Status.ARCHIVED, slug="archiviato")

    response = api_client.get("/api/v1/courses/")

    assert response.status_code == HTTPStatus.OK
    assert _slugs(response) == ["pubblicato"]


def test_catalogue_item_has_the_fields_a_learner_needs(api_client, trainer):
    CourseFactory(
        published=True,
        slug="sue",
        title="Sportello unico",
        summary="Procedimenti edilizi",
        trainers=[trainer],
        audience=[Position.OFFICIAL, Position.MANAGER],
        declared_hours="12.5",
    )

    item = api_client.get("/api/v1/courses/").json()["results"][0]

    assert item["title"] == "Sportello unico"
    assert item["area"]["slug"] == "semplificazione-amministrativa"
    assert item["audience"] == ["dirigente", "funzionario"]
    assert item["declared_hours"] == "12.5"
    assert item["language"] == "it"
    assert item["trainers"] == [
        {"id": str(trainer.pk), "first_name": trainer.first_name, "last_name": trainer.last_name}
    ]
    assert "email" not in item["trainers"][0]  # trainers' contact details are not public


def test_catalogue_shows_trainers_their_own_drafts_only(client_for, trainer):
    CourseFactory(slug="mia-bozza", trainers=[trainer])
    CourseFactory(slug="bozza-altrui")
    CourseFactory(published=True, slug="pubblicato")

    response = client_for(trainer).get("/api/v1/courses/")

    assert sorted(_slugs(response)) == ["mia-bozza", "pubblicato"]


def test_catalogue_status_filter_lets_trainers_list_their_drafts(client_for, trainer):
    CourseFactory(slug="mia-bozza", trainers=[trainer])
    CourseFactory(published=True, slug="pubblicato", trainers=[trainer])

    response = client_for(trainer).get("/api/v1/courses/?status=draft")

    assert _slugs(response) == ["mia-bozza"]


def test_catalogue_shows_archived_courses_to_their_enrolled_learners(client_for, learner):
    from tests.courses.factories import EnrollmentFactory

    enrolled = CourseFactory(published=True, slug="seguito")
    EnrollmentFactory(learner=learner, course=enrolled)
    Course.objects.filter(pk=enrolled.pk).update(status=Course.Status.ARCHIVED)
    CourseFactory(status=Course.Status.ARCHIVED, slug="altro-archiviato")

    response = client_for(learner).get("/api/v1/courses/")

    assert _slugs(response) == ["seguito"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area=pianificazione-strategica", ["piano"]),
        ("audience=amministratore", ["piano"]),
        ("audience=funzionario", ["open-data", "sue"]),
        ("language=en", ["open-data"]),
        ("lesson_kind=in_person", ["piano"]),
        ("lesson_kind=video", ["open-data", "sue"]),
        ("area=semplificazione-amministrativa&language=it", ["sue"]),
    ],
)
def test_catalogue_filters(api_client, query, expected):
    sue = CourseFactory(published=True, slug="sue", audience=[Position.OFFICIAL])
    open_data = CourseFactory(
        published=True, slug="open-data", language="en", audience=[Position.OFFICIAL]
    )
    piano = CourseFactory(
        published=True,
        slug="piano",
        area=area("pianificazione-strategica"),
        audience=[Position.ADMINISTRATOR, Position.MANAGER],
    )
    LessonFactory(module=ModuleFactory(course=sue), kind=Lesson.Kind.VIDEO)
    LessonFactory(module=ModuleFactory(course=sue), kind=Lesson.Kind.VIDEO)  # no duplicates
    LessonFactory(module=ModuleFactory(course=open_data), kind=Lesson.Kind.VIDEO)
    LessonFactory(module=ModuleFactory(course=piano), kind=Lesson.Kind.IN_PERSON)

    response = api_client.get(f"/api/v1/courses/?{query}&ordering=title")

    assert sorted(_slugs(response)) == expected


def test_catalogue_rejects_an_unknown_filter_value(api_client):
    response = api_client.get("/api/v1/courses/?audience=sindaco")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "invalid"
    assert list(response.json()["extra"]["fields"]) == ["audience"]


def test_catalogue_search_finds_words_in_title_or_summary(api_client):
    CourseFactory(published=True, slug="sue", title="Lo sportello unico per l'edilizia")
    CourseFactory(published=True, slug="dati", title="Dati aperti", summary="Pubblicare open data")
    CourseFactory(published=True, slug="altro", title="Bilancio", summary="Contabilità")

    assert _slugs(api_client.get("/api/v1/courses/?search=sportello")) == ["sue"]
    assert _slugs(api_client.get("/api/v1/courses/?search=open data")) == ["dati"]
    assert _slugs(api_client.get("/api/v1/courses/?search=EDILIZ")) == ["sue"]  # partial word


@postgres_only
def test_catalogue_search_matches_italian_word_forms_and_ranks_title_first(api_client):
    CourseFactory(
        published=True,
        slug="nel-sommario",
        title="Corso base",
        summary="Strumenti di semplificazione",
    )
    CourseFactory(published=True, slug="nel-titolo", title="Semplificazioni amministrative")

    response = api_client.get("/api/v1/courses/?search=semplificazione")

    # "semplificazioni" shares the Italian stem; a title match outranks a summary match
    assert _slugs(response) == ["nel-titolo", "nel-sommario"]


def test_catalogue_orders_and_paginates(api_client):
    for hours, slug in [(8, "b"), (4, "a"), (16, "c")]:
        CourseFactory(published=True, slug=slug, title=slug.upper(), declared_hours=hours)

    by_hours = api_client.get("/api/v1/courses/?ordering=-declared_hours")
    first_page = api_client.get("/api/v1/courses/?ordering=title&page_size=2")
    second_page = api_client.get("/api/v1/courses/?ordering=title&page_size=2&page=2")

    assert _slugs(by_hours) == ["c", "b", "a"]
    assert first_page.json()["count"] == 3
    assert _slugs(first_page) == ["a", "b"]
    assert _slugs(second_page) == ["c"]
    assert api_client.get("/api/v1/courses/?page=9").status_code == HTTPStatus.NOT_FOUND


def test_catalogue_list_query_count_does_not_grow_with_courses(
    api_client, django_assert_num_queries
):
    for _ in range(10):
        CourseFactory(published=True, audience=[Position.OFFICIAL, Position.MANAGER])

    # count, page, one prefetch each for audiences and trainers
    with django_assert_num_queries(4):
        response = api_client.get("/api/v1/courses/")

    assert len(response.json()["results"]) == 10


def test_course_detail_lists_modules_and_lessons_in_order(api_client, django_assert_num_queries):
    course = CourseFactory(published=True)
    second = ModuleFactory(course=course, position=2, title="Secondo")
    first = ModuleFactory(course=course, position=1, title="Primo")
    LessonFactory(module=first, position=2, title="1.2", kind=Lesson.Kind.DOCUMENT)
    LessonFactory(module=first, position=1, title="1.1")
    LessonFactory(module=second, position=1, title="2.1", kind=Lesson.Kind.LIVE_WEBINAR)

    # course, audiences, trainers, modules, lessons (with their videos)
    with django_assert_num_queries(5):
        response = api_client.get(f"/api/v1/courses/{course.pk}/")

    body = response.json()
    assert [m["title"] for m in body["modules"]] == ["Primo", "Secondo"]
    assert [lesson["title"] for lesson in body["modules"][0]["lessons"]] == ["1.1", "1.2"]
    assert body["modules"][1]["lessons"][0]["kind"] == "live_webinar"
    assert body["can_edit"] is False


def test_course_detail_says_whether_the_viewer_can_edit(client_for, trainer, learner):
    course = CourseFactory(published=True, trainers=[trainer])

    assert client_for(trainer).get(f"/api/v1/courses/{course.pk}/").json()["can_edit"] is True
    assert client_for(learner).get(f"/api/v1/courses/{course.pk}/").json()["can_edit"] is False


def test_course_detail_of_a_draft_is_not_found_for_the_public(api_client):
    course = CourseFactory()

    response = api_client.get(f"/api/v1/courses/{course.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {
        "code": "course_not_found",
        "message": "Course not found.",
        "extra": {},
    }


def test_thematic_areas_are_the_programmes_three(api_client):
    response = api_client.get("/api/v1/areas/")

    assert [a["slug"] for a in response.json()] == [
        "semplificazione-amministrativa",
        "pianificazione-strategica",
        "gestione-associata",
    ]
