"""A course's page: its content in order, the person's own state per lesson, self-enrolment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Enrollment
from tests.courses.factories import CourseFactory
from tests.pages.conftest import assert_accessible, sign_in
from tests.pages.learner.crediting import enrol, watch

browser = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def url(course):
    return f"/corsi/{course.slug}/"


@pytest.mark.django_db
def test_the_page_shows_modules_and_lessons_in_order_with_their_facts(
    client, learner, video_course
):
    client.force_login(learner)

    body = client.get(url(video_course)).content.decode()

    assert "Semplificare i procedimenti" in body
    assert "Un corso per funzionari." in body
    assert body.index("Le basi") < body.index("In aula")
    assert body.index("Introduzione") < body.index("Approfondimento")
    assert "Optional" in body
    assert "Required" in body
    assert "In-person session" in body
    assert "10 min" in body
    assert body.count("Not started") == 3


@pytest.mark.django_db
def test_a_draft_or_unknown_course_is_a_404(client, learner):
    draft = CourseFactory(title="Bozza")
    client.force_login(learner)

    assert client.get(url(draft)).status_code == 404
    assert client.get("/corsi/non-esiste/").status_code == 404


@pytest.mark.django_db
def test_the_player_is_linked_only_to_an_enrolled_learner(client, learner, video_course):
    lesson = video_course.modules.get(position=1).lessons.get(position=1)
    client.force_login(learner)
    assert f"/lezioni/{lesson.pk}/" not in client.get(url(video_course)).content.decode()

    enrol(learner, video_course)

    assert f"/lezioni/{lesson.pk}/" in client.get(url(video_course)).content.decode()


@pytest.mark.django_db
def test_the_learner_sees_their_own_state_from_the_ledger(
    client, learner, napoli_learner, video_course
):
    lesson = video_course.modules.get(position=1).lessons.get(position=1)
    enrol(learner, video_course)
    enrol(napoli_learner, video_course)
    watch(learner, lesson, started_at=timezone.now() - timedelta(hours=2), segments=[(0, 300)])
    client.force_login(learner)

    body = client.get(url(video_course)).content.decode()

    assert "In progress: 50% covered" in body
    assert "5 min" in body
    client.force_login(napoli_learner)
    assert "50% covered" not in client.get(url(video_course)).content.decode()


@pytest.mark.django_db
def test_self_enrolment_enrols_through_the_service(client, learner, video_course):
    client.force_login(learner)
    assert 'data-testid="enrol"' in client.get(url(video_course)).content.decode()

    response = client.post(url(video_course), follow=True)

    assert Enrollment.objects.get(learner=learner, course=video_course).status == "active"
    body = response.content.decode()
    assert "You are enrolled in this course." in body
    assert 'data-testid="enrol"' not in body


@pytest.mark.django_db
def test_a_closed_course_shows_the_services_refusal(client, learner, video_course):
    video_course.self_enrollment_open = False
    video_course.save()
    client.force_login(learner)
    assert 'data-testid="enrol"' not in client.get(url(video_course)).content.decode()

    response = client.post(url(video_course))

    assert response.status_code == 403
    assert "Enrolment in this course is managed by the coordinators." in response.content.decode()
    assert not Enrollment.objects.filter(learner=learner).exists()


@pytest.mark.django_db
def test_the_query_count_is_bounded(client, learner, video_course, django_assert_max_num_queries):
    enrol(learner, video_course)
    client.force_login(learner)

    with django_assert_max_num_queries(16):
        assert client.get(url(video_course)).status_code == 200


@browser
def test_a_learner_enrols_from_the_course_page(page, site, learner, video_course):
    sign_in(page, site, learner, next_path=url(video_course))

    assert page.inner_text("h1") == "Semplificare i procedimenti"
    assert_accessible(page)
    page.click("[data-testid=enrol]")
    page.wait_for_load_state("networkidle")

    assert "You are enrolled in this course." in page.inner_text("main")
    assert "Enrolled" in page.inner_text("[data-testid=enrolment-status]")
    assert page.locator("a", has_text="1. Introduzione").count() == 1
    assert_accessible(page)
