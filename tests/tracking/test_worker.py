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
    pytest.mark.django_db(transaction=True),
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
