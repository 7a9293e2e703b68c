"""My progress and a lesson's ledger: figures that come from the engine's own ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.pages.conftest import assert_accessible, sign_in
from tests.pages.learner.crediting import enrol, watch

URL = "/i-miei-progressi/"
browser = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def first_lesson(course):
    return course.modules.get(position=1).lessons.get(position=1)


def ledger_url(lesson):
    return f"/i-miei-progressi/lezioni/{lesson.pk}/"


@pytest.mark.django_db
def test_credited_hours_per_programme_course_module_and_day(client, learner, video_course):
    lesson = first_lesson(video_course)
    enrol(learner, video_course)
    yesterday = timezone.now() - timedelta(days=1)
    watch(learner, lesson, started_at=yesterday, segments=[(0, 540)])  # 9 minutes
    client.force_login(learner)

    response = client.get(URL)

    body = response.content.decode()
    assert "0.15 of 300 hours" in body  # 540 s, from the ledger
    assert 'max="300.0" value="0.15"' in body
    assert "0.15 hours credited of 10 declared" in body  # the course
    assert "0.15 hours credited of 4 declared" in body  # its module
    assert "9 min" in body
    assert "9 minutes verified in the last 30 days, on 1 day." in body
    day = timezone.localtime(yesterday).date()
    bars = {bar["day"]: bar["minutes"] for bar in response.context["chart"]["bars"]}
    assert len(bars) == 30
    assert bars[day] == 9.0
    assert ledger_url(lesson) in body


@pytest.mark.django_db
def test_progress_shows_only_the_persons_own_hours(client, learner, napoli_learner, video_course):
    enrol(learner, video_course)
    watch(
        learner,
        first_lesson(video_course),
        started_at=timezone.now() - timedelta(hours=3),
        segments=[(0, 360)],
    )
    client.force_login(napoli_learner)

    body = client.get(URL).content.decode()

    assert "0 of 300 hours" in body
    assert "Semplificare i procedimenti" not in body


@pytest.mark.django_db
def test_progress_query_count_is_bounded(client, learner, django_assert_max_num_queries):
    for n in range(5):
        course = CourseFactory(published=True, title=f"Corso {n}")
        lesson = LessonFactory(module=ModuleFactory(course=course), duration_seconds=600)
        enrol(learner, course)
        watch(
            learner, lesson, started_at=timezone.now() - timedelta(days=n + 1), segments=[(0, 60)]
        )
    client.force_login(learner)

    with django_assert_max_num_queries(12):
        response = client.get(URL)

    assert response.content.decode().count('data-testid="course-progress"') == 5


@pytest.mark.django_db
def test_the_ledger_explains_credit_and_refusal_in_words(client, learner, video_course):
    lesson = first_lesson(video_course)
    enrol(learner, video_course)
    start = timezone.now() - timedelta(hours=5)
    watch(learner, lesson, started_at=start, segments=[(0, 120)])  # credited in full
    # 240 s of video reported in 60 s of real time: faster than real time
    watch(
        learner,
        lesson,
        started_at=start + timedelta(hours=1),
        segments=[(120, 360)],
        real_seconds=60,
    )
    client.force_login(learner)

    response = client.get(ledger_url(lesson))

    body = response.content.decode()
    assert response.status_code == 200
    assert "the player reported playing 0:00–2:00 of the video" in body
    assert "2 min 0 s of it had never been covered before: all of it was credited." in body
    assert "Why not all: More video than real time passed." in body
    assert 'data-testid="ledger-table"' in body
    rows = response.context["rows"]
    assert [round(row["entry"].seconds) for row in rows] == [120, 60]


@pytest.mark.django_db
def test_the_ledger_of_a_draft_lesson_is_a_404(client, learner):
    lesson = LessonFactory(module=ModuleFactory(course=CourseFactory(title="Bozza")))
    client.force_login(learner)

    assert client.get(ledger_url(lesson)).status_code == 404


@pytest.mark.django_db
def test_an_empty_ledger_says_so(client, learner, video_course):
    client.force_login(learner)

    body = client.get(ledger_url(first_lesson(video_course))).content.decode()

    assert "Nothing has been recorded for you in this lesson yet." in body


@browser
def test_a_learner_reads_their_hours_and_a_lessons_ledger(page, site, learner, video_course):
    lesson = first_lesson(video_course)
    enrol(learner, video_course)
    watch(learner, lesson, started_at=timezone.now() - timedelta(days=2), segments=[(0, 540)])
    sign_in(page, site, learner, next_path=URL)

    assert "0.15 of 300 hours" in page.inner_text("[data-testid=programme-figure]")
    assert page.locator("[data-testid=minutes-chart] rect").count() == 30
    assert_accessible(page)

    page.click(f"a[href='{ledger_url(lesson)}']")
    page.wait_for_load_state("networkidle")
    assert "Introduzione" in page.inner_text("h1")
    assert "all of it was credited" in page.inner_text("[data-testid=ledger-sentence]")
    assert_accessible(page)
