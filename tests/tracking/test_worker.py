"""The platform's own statements travel through a real Celery worker on Redis."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from lms.celery import app
from tests.courses.factories import CourseFactory
from tracking.models import Statement

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.skipif(not BROKER.startswith("redis"), reason="needs CELERY_BROKER_URL (Redis)"),
    # serialized_rollback: the flush after each test must not take away the cities and
    # thematic areas the data migrations made
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(settings):
    """A worker thread consuming from the real broker; tasks are sent, not run in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        yield
    app.conf.task_always_eager = True


def test_enrolling_stores_registered_through_the_worker(worker, learner):
    from courses.services import enrollment_create

    course = CourseFactory(published=True)

    enrollment, _created = enrollment_create(
        actor=learner, course=course
    )  # commits: on_commit runs

    deadline = time.monotonic() + 20
    while not Statement.objects.filter(registration=enrollment.pk).exists():
        assert time.monotonic() < deadline, "the worker stored no registered statement in 20 s"
        time.sleep(0.2)
    statement = Statement.objects.get(registration=enrollment.pk)
    assert statement.verb_id == "http://adlnet.gov/expapi/verbs/registered"


def test_a_watched_lesson_is_applied_completed_and_announced_through_the_worker(
    worker, learner, settings
):
    """The whole way: statements stored (a drain woken after commit, a moment later), the
    lesson credited and completed, the completion announced by the run its drain woke."""
    from django.conf import settings as conf

    from courses.models import Enrollment, Lesson
    from tests.courses.factories import EnrollmentFactory, LessonFactory
    from tracking.lrs.services.principals import LrsPrincipal
    from tracking.lrs.services.statements import statements_store
    from tracking.models import Completion, LessonProgress

    settings.PROGRESS_DRAIN_DELAY_SECONDS = 0.2
    lesson = LessonFactory(kind=Lesson.Kind.VIDEO, duration_seconds=2)
    EnrollmentFactory(course=lesson.module.course, learner=learner, status=Enrollment.Status.ACTIVE)
    video = "https://w3id.org/xapi/video"
    base = {
        "actor": {"account": {"homePage": conf.SITE_URL, "name": str(learner.pk)}},
        "object": {"id": f"{conf.SITE_URL}/xapi/activities/lesson/{lesson.pk}"},
        "context": {"extensions": {f"{video}/extensions/session-id": "worker-session"}},
    }
    principal = LrsPrincipal.for_learner(learner)
    for verb, result in (
        ("played", {}),
        ("paused", {"extensions": {f"{video}/extensions/played-segments": "0[.]2"}}),
    ):
        statement = {**base, "verb": {"id": f"{video}/verbs/{verb}"}, "result": result}
        statements_store(statements=[statement], principal=principal, version="1.0.3")
        time.sleep(1.1)  # two seconds played at 2x at most: real time behind the coverage

    deadline = time.monotonic() + 30
    while not Completion.objects.filter(learner=learner, announced_at__isnull=False).exists():
        assert time.monotonic() < deadline, "no completion announced through the worker in 30 s"
        time.sleep(0.2)
    progress = LessonProgress.objects.get(learner=learner, lesson=lesson)
    assert progress.covered_seconds == progress.earned_seconds == 2
    assert progress.completed_at is not None
    completion = Completion.objects.get(learner=learner, lesson=lesson)
    assert Statement.objects.filter(
        actor_ifi__endswith=str(learner.pk),
        verb_id="http://adlnet.gov/expapi/verbs/completed",
        object_activity_id=f"{conf.SITE_URL}/xapi/activities/lesson/{lesson.pk}",
    ).exists(), f"no completed statement for {completion}"
    # Its module (one lesson) and its course completed too: their certificates, issued in the
    # announcing transaction and finished (credential, PDF, earned) by the worker's task.
    from certificates.models import Certificate

    def finished() -> int:
        return (
            Certificate.objects.filter(
                learner=learner, credential__isnull=False, earned_announced_at__isnull=False
            )
            .exclude(pdf="")
            .count()
        )

    deadline = time.monotonic() + 30
    while finished() < 2:
        assert time.monotonic() < deadline, "the worker finished no certificates in 30 s"
        time.sleep(0.2)
    assert sorted(Certificate.objects.filter(learner=learner).values_list("kind", flat=True)) == [
        "course",
        "module",
    ]
