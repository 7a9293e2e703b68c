"""Time credited through the progress engine itself, for the learner pages' tests: statements
stored as the LRS stores them (with their outbox row), then the engine's drain."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tests.courses.factories import EnrollmentFactory
from tracking.lrs.models import Statement, StatementOutbox
from tracking.lrs.outbox import statement_facts
from tracking.lrs.services.principals import emitted_by_engine_extension
from tracking.progress.services.engine import progress_drain

VIDEO = "https://w3id.org/xapi/video"


def enrol(person, course, *, days_ago: int = 40):
    """An active enrolment from before the statements the tests store: they may credit."""
    return EnrollmentFactory(
        learner=person, course=course, enrolled_at=timezone.now() - timedelta(days=days_ago)
    )


def _store(learner, lesson, verb: str, stored: datetime, *, segments=None, session: str):
    verb_id = (
        f"http://adlnet.gov/expapi/verbs/{verb}"
        if verb in ("completed", "terminated", "initialized")
        else f"{VIDEO}/verbs/{verb}"
    )
    result = {}
    if segments is not None:
        result["extensions"] = {
            f"{VIDEO}/extensions/played-segments": "[,]".join(f"{a}[.]{b}" for a, b in segments)
        }
    lesson_iri = f"{settings.SITE_URL}/xapi/activities/lesson/{lesson.pk}"
    payload = {
        "id": str(uuid.uuid4()),
        "actor": {"account": {"homePage": settings.SITE_URL, "name": str(learner.pk)}},
        "verb": {"id": verb_id},
        "object": {"id": lesson_iri, "objectType": "Activity"},
        "context": {"extensions": {f"{VIDEO}/extensions/session-id": session}},
        "result": result,
    }
    statement = Statement.objects.create(
        id=payload["id"],
        payload=payload,
        actor_ifi=f"account:{settings.SITE_URL} {learner.pk}",
        verb_id=verb_id,
        object_activity_id=lesson_iri,
        timestamp=stored,
        stored=stored,
    )
    StatementOutbox.objects.create(  # as the LRS stores a statement
        statement=statement,
        stored=stored,
        **statement_facts(payload, marker=emitted_by_engine_extension()),
    )
    return statement


def watch(learner, lesson, *, started_at: datetime, segments, real_seconds: float | None = None):
    """The player's ``played`` at ``started_at`` and ``paused`` ``real_seconds`` later (default:
    as long as the segments) reporting ``segments``; then the engine drains its outbox."""
    session = str(uuid.uuid4())
    length = sum(end - start for start, end in segments)
    _store(learner, lesson, "played", started_at, session=session)
    _store(
        learner,
        lesson,
        "paused",
        started_at + timedelta(seconds=length if real_seconds is None else real_seconds),
        segments=segments,
        session=session,
    )
    while progress_drain():
        pass
