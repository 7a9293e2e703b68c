"""The catalogue: the courses a person may see, searched and filtered with a GET form."""

import pytest
from django.urls import reverse

from courses.models import Enrollment, Lesson
from lms.accounts.models import Position
from tests.courses.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    area,
)
from tests.pages.conftest import assert_accessible, sign_in

URL = "/catalogo/"
browser = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def with_lesson(course, kind=Lesson.Kind.VIDEO):
    LessonFactory(module=ModuleFactory(course=course), kind=kind)
    return course


def titles(response):
    return [course.title for course in response.context["page"].object_list]


def test_the_url_is_the_italian_slug():
    assert reverse("learner:catalogue") == URL


@pytest.mark.django_db
def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accedi/")


@pytest.mark.django_db
def test_a_learner_sees_published_courses_not_drafts_with_their_facts(client, learner):
    CourseFactory(published=True, title="Bilancio armonizzato", declared_hours="12.5")
    CourseFactory(title="Bozza riservata")  # a draft: only its trainers see it
    client.force_login(learner)

    response = client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Bilancio armonizzato" in body
    assert "12.5" in body or "12,5" in body
    assert area().name in body
    assert "Un corso per le amministrazioni metropolitane." in body
    assert "Bozza riservata" not in body


@pytest.mark.django_db
def test_an_active_enrolment_shows_an_enrolled_badge_on_its_card_only(client, learner):
    mine = CourseFactory(published=True, title="Corso mio")
    CourseFactory(published=True, title="Corso altrui")
    withdrawn = CourseFactory(published=True, title="Corso lasciato")
    EnrollmentFactory(learner=learner, course=mine)
    EnrollmentFactory(learner=learner, course=withdrawn, status=Enrollment.Status.WITHDRAWN)
    client.force_login(learner)

    body = client.get(URL).content.decode()

    cards = body.split('data-testid="course-card"')[1:]
    badged = [card for card in cards if 'data-testid="enrolled-badge"' in card]
    assert len(badged) == 1
    assert "Corso mio" in badged[0]


@pytest.mark.django_db
def test_search_theme_audience_and_modality_narrow_the_list(client, learner):
    other_area = area("transizione-digitale") if _has_area("transizione-digitale") else None
    video = with_lesson(
        CourseFactory(published=True, title="Appalti pubblici", audience=[Position.MANAGER])
    )
    in_person = with_lesson(
        CourseFactory(published=True, title="Appalti in aula"), Lesson.Kind.IN_PERSON
    )
    webinar = with_lesson(
        CourseFactory(published=True, title="Webinar sul bilancio"), Lesson.Kind.LIVE_WEBINAR
    )
    client.force_login(learner)

    assert set(titles(client.get(URL, {"q": "appalti"}))) == {video.title, in_person.title}
    assert titles(client.get(URL, {"audience": Position.MANAGER})) == [video.title]
    assert titles(client.get(URL, {"modality": "distance"})) == [video.title]
    assert titles(client.get(URL, {"modality": "in_person"})) == [in_person.title]
    assert titles(client.get(URL, {"modality": "webinar"})) == [webinar.title]
    assert len(titles(client.get(URL, {"area": area().slug}))) == 3
    if other_area is not None:
        assert titles(client.get(URL, {"area": other_area.slug})) == []


def _has_area(slug):
    from courses.models import ThematicArea

    return ThematicArea.objects.filter(slug=slug).exists()


@pytest.mark.django_db
def test_an_empty_result_says_so(client, learner):
    CourseFactory(published=True, title="Bilancio")
    client.force_login(learner)

    response = client.get(URL, {"q": "nessuncorsocosi"})

    assert 'data-testid="no-courses"' in response.content.decode()
    assert "No course matches your search" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_filter_value_is_ignored_not_an_error(client, learner):
    CourseFactory(published=True, title="Bilancio")
    client.force_login(learner)

    response = client.get(URL, {"modality": "teleport", "audience": "astronauta"})

    assert response.status_code == 200
    assert titles(response) == ["Bilancio"]


@pytest.mark.django_db
def test_many_courses_are_paginated_and_pages_keep_the_filters(client, learner):
    for n in range(15):
        CourseFactory(published=True, title=f"Corso {n:02d}")
    client.force_login(learner)

    first = client.get(URL, {"q": "corso"})
    second = client.get(URL, {"q": "corso", "page": 2})

    assert len(titles(first)) == 12
    assert len(titles(second)) == 3
    assert "?q=corso&amp;page=2" in first.content.decode()


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_courses(
    client, learner, django_assert_max_num_queries
):
    for n in range(30):
        course = with_lesson(CourseFactory(published=True, title=f"Corso {n:02d}"))
        if n % 3 == 0:
            EnrollmentFactory(learner=learner, course=course)
    client.force_login(learner)

    with django_assert_max_num_queries(10):
        response = client.get(URL)
    with django_assert_max_num_queries(10):
        client.get(URL, {"q": "corso", "modality": "distance", "page": 2})

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="enrolled-badge"') == 4  # of 12 shown


@browser
def test_a_learner_filters_the_catalogue_in_the_browser(page_factory, site, learner):
    with_lesson(CourseFactory(published=True, title="Appalti pubblici"))
    with_lesson(CourseFactory(published=True, title="Appalti in aula"), Lesson.Kind.IN_PERSON)
    enrolled = with_lesson(CourseFactory(published=True, title="Bilancio armonizzato"))
    EnrollmentFactory(learner=learner, course=enrolled)
    page = page_factory()
    sign_in(page, site, learner, next_path=URL)

    assert page.inner_text("h1") == "Course catalogue"
    card = page.locator("[data-testid=course-card]", has_text="Bilancio armonizzato")
    assert "Enrolled" in card.inner_text()
    assert_accessible(page)

    page.fill("input[name=q]", "appalti")
    page.select_option("select[name=modality]", "in_person")
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_load_state("networkidle")

    cards = page.locator("[data-testid=course-card]")
    assert cards.count() == 1
    assert "Appalti in aula" in cards.inner_text()
    assert "modality=in_person" in page.url
