"""Progress, credits and completions are the audit trail of people's hours: the lessons, modules
and courses they refer to are not deleted under them (PostgreSQL in CI). No enrolment is needed
for such records to exist: statements about a lesson are stored and applied whoever sends them."""

import uuid
from http import HTTPStatus

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Course, Lesson, Module
from media.models import CourseDocument
from tests.accounts.factories import UserFactory
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tracking.models import Completion, CreditEntry, LessonProgress, Statement

pytestmark = pytest.mark.django_db

MESSAGE = (
    "People's progress, credits or completions refer to this content: archive the course instead."
)


@pytest.fixture
def lesson(trainer):
    return LessonFactory(module=ModuleFactory(course=CourseFactory(trainers=[trainer])))


def _statement(learner, lesson):
    now = timezone.now()
    return Statement.objects.create(
        id=uuid.uuid4(),
        payload={},
        actor_ifi=f"account:{settings.SITE_URL} {learner.pk}",
        verb_id="https://w3id.org/xapi/video/verbs/paused",
        object_activity_id=f"{settings.SITE_URL}/xapi/activities/lesson/{lesson.pk}",
        timestamp=now,
        stored=now,
    )


def _progress(learner, lesson):
    return LessonProgress.objects.create(learner=learner, lesson=lesson, covered_seconds=60)


def _credit(learner, lesson):
    return CreditEntry.objects.create(
        learner=learner,
        lesson=lesson,
        statement=_statement(learner, lesson),
        seconds=60,
        new_seconds=60,
        credited_at=timezone.now(),
    )


def _completion(kind):
    def make(learner, lesson):
        subject = {"lesson": lesson, "module": lesson.module, "course": lesson.module.course}
        return Completion.objects.create(
            learner=learner, kind=kind, completed_at=timezone.now(), **{kind: subject[kind]}
        )

    return make


RECORDS = {
    "progress": _progress,
    "credit": _credit,
    "lesson-completion": _completion("lesson"),
    "module-completion": _completion("module"),
    "course-completion": _completion("course"),
}


def _url(lesson, target):
    if target == "lesson":
        return f"/api/v1/lessons/{lesson.pk}/"
    if target == "module":
        return f"/api/v1/modules/{lesson.module_id}/"
    return f"/api/v1/courses/{lesson.module.course_id}/"


# What each record refers to, and what deleting takes with it.
CASES = [
    (record, target)
    for record, targets in {
        "progress": ["lesson", "module", "course"],
        "credit": ["lesson", "module", "course"],
        "lesson-completion": ["lesson", "module", "course"],
        "module-completion": ["module", "course"],
        "course-completion": ["course"],
    }.items()
    for target in targets
]


@pytest.mark.parametrize(("record", "target"), CASES)
def test_content_with_learner_records_is_not_deleted(client_for, trainer, lesson, record, target):
    kept = RECORDS[record](UserFactory(), lesson)  # nobody is enrolled

    response = client_for(trainer).delete(_url(lesson, target))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "code": "content_has_learner_records",
        "message": MESSAGE,
        "extra": {},
    }
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert Module.objects.filter(pk=lesson.module_id).exists()
    assert Course.objects.filter(pk=lesson.module.course_id).exists()
    assert type(kept).objects.filter(pk=kept.pk).exists()


@pytest.mark.parametrize("target", ["lesson", "module", "course"])
def test_content_without_learner_records_is_deleted(client_for, trainer, lesson, target):
    other = LessonFactory()  # records of other content do not hold this one
    _progress(UserFactory(), other)
    _credit(UserFactory(), other)

    response = client_for(trainer).delete(_url(lesson, target))

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Lesson.objects.filter(pk=lesson.pk).exists()
    assert LessonProgress.objects.filter(lesson=other).exists()


def test_a_sibling_without_records_is_still_deleted(client_for, trainer, lesson):
    sibling = LessonFactory(module=lesson.module)
    _credit(UserFactory(), lesson)

    response = client_for(trainer).delete(f"/api/v1/lessons/{sibling.pk}/")

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert list(Lesson.objects.filter(module=lesson.module)) == [lesson]


def test_the_refusal_is_in_the_requests_language(client_for, trainer, lesson):
    _progress(UserFactory(), lesson)

    response = client_for(trainer).delete(
        f"/api/v1/lessons/{lesson.pk}/", HTTP_ACCEPT_LANGUAGE="it"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["message"] == (
        "Progressi, crediti o completamenti di alcune persone si riferiscono a questi "
        "contenuti: archiviare il corso, invece di eliminarli."
    )


def test_a_course_with_documents_is_not_deleted(client_for, trainer, lesson):
    CourseDocument.objects.create(
        course=lesson.module.course,
        title="Slide",
        file="documents/slide.pdf",
        filename="slide.pdf",
        content_type="application/pdf",
        size_bytes=3,
    )

    response = client_for(trainer).delete(f"/api/v1/courses/{lesson.module.course_id}/")

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "course_has_documents"
    assert Course.objects.filter(pk=lesson.module.course_id).exists()
