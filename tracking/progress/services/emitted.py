"""Statements the platform itself emits (registered, completed, earned), built with tincan and
stored in our own LRS with the platform as authority.

Builders return plain statement dicts (``tincan`` objects serialised to JSON and parsed back),
so what they build is exactly what an external xAPI library would send; ``statement_emit``
stores one. Identity follows DESIGN "Identity in xAPI": the actor is the learner's pseudonymous
account, activities are IRIs under ``SITE_URL``, the registration is the enrolment's uuid and
the course (and module) are context activities.

Every statement id is deterministic (uuid5 of the thing it is about and the verb), so emitting
the same fact twice stores it once: the LRS accepts a statement it already holds with the same
content and leaves it as it is.
"""

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    Context,
    ContextActivities,
    LanguageMap,
    Result,
    Statement,
    Verb,
)

from courses.models import Course, Enrollment, Lesson, Module
from lms.accounts.models import User
from tracking.lrs.services.principals import (
    LrsPrincipal,
    emitted_by_engine_extension,
    learner_agent,
    platform_authority,
)
from tracking.lrs.services.statements import statements_store

# Never change it: the ids of statements already emitted (here and in the LRSs we forward to)
# derive from it.
STATEMENT_NAMESPACE = uuid.UUID("6f1d9a4e-3c1b-5e8a-9d2f-4b7c0e5a1f36")

REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
EARNED = "http://id.tincanapi.com/verb/earned"

COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
LESSON_TYPE = "http://adlnet.gov/expapi/activities/lesson"
CERTIFICATE_TYPE = "http://id.tincanapi.com/activitytype/certificate"

PLATFORM = "Metropoli LMS"
XAPI_VERSION = "1.0.3"


def activity_iri(kind: str, pk: uuid.UUID | str) -> str:
    """The stable IRI of a course, module, lesson or certificate: ``<SITE_URL>/xapi/activities/
    <kind>/<uuid>``."""
    return f"{settings.SITE_URL}/xapi/activities/{kind}/{pk}"


def statement_id_for(*, subject_id: uuid.UUID | str, verb: str) -> uuid.UUID:
    """The deterministic id of the statement ``verb`` about ``subject_id`` (an enrolment, a
    completion, a certificate): emitting it twice stores it once."""
    return uuid.uuid5(STATEMENT_NAMESPACE, f"{subject_id}:{verb}")


def _actor(learner: User) -> Agent:
    account = learner_agent(learner)["account"]
    return Agent(account=AgentAccount(home_page=account["homePage"], name=account["name"]))


def _verb(verb_id: str, english: str, italian: str) -> Verb:
    return Verb(id=verb_id, display=LanguageMap({"en-US": english, "it-IT": italian}))


def _activity(kind: str, pk: uuid.UUID | str, activity_type: str, title: str) -> Activity:
    return Activity(
        id=activity_iri(kind, pk),
        definition=ActivityDefinition(type=activity_type, name=LanguageMap({"it-IT": title})),
    )


def _course_activity(course: Course) -> Activity:
    return _activity("course", course.pk, COURSE_TYPE, course.title)


def _module_activity(module: Module) -> Activity:
    return _activity("module", module.pk, MODULE_TYPE, module.title)


def _context(
    *, enrollment: Enrollment, parent: list[Activity], grouping: list[Activity]
) -> Context:
    activities = ContextActivities()
    if parent:
        activities.parent = parent
    if grouping:
        activities.grouping = grouping
    context = Context(registration=enrollment.pk, platform=PLATFORM, language="it-IT")
    if parent or grouping:
        context.context_activities = activities
    return context


def _as_dict(statement: Statement) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(statement.to_json(XAPI_VERSION))
    # tincan writes microseconds and "+00:00"; keep the timestamp as it serialised it (valid
    # ISO 8601), but the version is the LRS's to set.
    payload.pop("version", None)
    return payload


def registered_statement(*, enrollment: Enrollment) -> dict[str, Any]:
    """The learner registered in the course: object the course, registration the enrolment.

    One per enrolment: a re-activated enrolment keeps its uuid (the registration) and therefore
    its registered statement."""
    statement = Statement(
        id=statement_id_for(subject_id=enrollment.pk, verb=REGISTERED),
        actor=_actor(enrollment.learner),
        verb=_verb(REGISTERED, "registered", "si è iscritto a"),
        object=_course_activity(enrollment.course),
        context=_context(enrollment=enrollment, parent=[], grouping=[]),
        timestamp=enrollment.enrolled_at,
    )
    return _as_dict(statement)


def completed_statement(
    *,
    enrollment: Enrollment,
    subject: Lesson | Module | Course,
    completed_at: datetime,
    credited_seconds: int | None = None,
) -> dict[str, Any]:
    """The learner completed a lesson, a module or the course of ``enrollment``.

    Context: a lesson has its module as parent and the course as grouping; a module has the
    course as parent; the course has none. ``credited_seconds`` (verified time) becomes
    ``result.duration``."""
    course = enrollment.course
    if isinstance(subject, Lesson):
        if subject.module.course_id != course.pk:
            raise ValueError("the lesson is not in the enrolment's course")
        target = _activity("lesson", subject.pk, LESSON_TYPE, subject.title)
        parent, grouping = [_module_activity(subject.module)], [_course_activity(course)]
    elif isinstance(subject, Module):
        if subject.course_id != course.pk:
            raise ValueError("the module is not in the enrolment's course")
        target = _module_activity(subject)
        parent, grouping = [_course_activity(course)], []
    else:
        if subject.pk != course.pk:
            raise ValueError("the course is not the enrolment's course")
        target = _course_activity(course)
        parent, grouping = [], []
    result = Result(completion=True, success=True)
    if credited_seconds is not None:
        result.duration = timedelta(seconds=credited_seconds)
    statement = Statement(
        # One completion per registration and thing completed.
        id=statement_id_for(subject_id=f"{enrollment.pk}:{subject.pk}", verb=COMPLETED),
        actor=_actor(enrollment.learner),
        verb=_verb(COMPLETED, "completed", "ha completato"),
        object=target,
        result=result,
        context=_context(enrollment=enrollment, parent=parent, grouping=grouping),
        timestamp=completed_at,
    )
    return _as_dict(statement)


def earned_statement(
    *,
    enrollment: Enrollment,
    certificate_id: uuid.UUID,
    title: str,
    issued_at: datetime,
    module: Module | None = None,
    verification_url: str | None = None,
) -> dict[str, Any]:
    """The learner earned a certificate (of ``module``, or of the whole course when None).

    The object is the certificate (``…/xapi/activities/certificate/<uuid>``, its public
    verification page as ``moreInfo``); the module or course it certifies is the parent."""
    course = enrollment.course
    if module is not None and module.course_id != course.pk:
        raise ValueError("the module is not in the enrolment's course")
    certificate = _activity("certificate", certificate_id, CERTIFICATE_TYPE, title)
    if verification_url:
        certificate.definition.more_info = verification_url
    parent = [_module_activity(module)] if module is not None else [_course_activity(course)]
    grouping = [_course_activity(course)] if module is not None else []
    statement = Statement(
        id=statement_id_for(subject_id=certificate_id, verb=EARNED),
        actor=_actor(enrollment.learner),
        verb=_verb(EARNED, "earned", "ha ottenuto"),
        object=certificate,
        context=_context(enrollment=enrollment, parent=parent, grouping=grouping),
        timestamp=issued_at,
    )
    return _mark_engine(_as_dict(statement))


def programme_earned_statement(
    *,
    learner: User,
    certificate_id: uuid.UUID,
    title: str,
    issued_at: datetime,
    verification_url: str | None = None,
) -> dict[str, Any]:
    """The learner earned the programme's certificate: no course, no registration; the
    programme is the parent."""
    certificate = _activity("certificate", certificate_id, CERTIFICATE_TYPE, title)
    if verification_url:
        certificate.definition.more_info = verification_url
    activities = ContextActivities(parent=[_programme_activity()])
    statement = Statement(
        id=statement_id_for(subject_id=certificate_id, verb=EARNED),
        actor=_actor(learner),
        verb=_verb(EARNED, "earned", "ha ottenuto"),
        object=certificate,
        context=Context(platform=PLATFORM, language="it-IT", context_activities=activities),
        timestamp=issued_at,
    )
    return _mark_engine(_as_dict(statement))


def platform_principal() -> LrsPrincipal:
    """The platform writing to its own LRS: full read/write, no client, the platform authority."""
    return LrsPrincipal(authority=platform_authority(), can_write=True, read_scope="all")


def statement_emit(*, statement: dict[str, Any]) -> uuid.UUID:
    """Store a statement the platform emits in our LRS. Idempotent: the statement carries a
    deterministic id, and storing it again is accepted and changes nothing."""
    [statement_id] = statements_store(
        statements=[statement], principal=platform_principal(), version=XAPI_VERSION
    )
    return statement_id


def statements_emit(*, statements: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
    """Store several statements the platform emits, in one go (``statement_emit``)."""
    return statements_store(
        statements=list(statements), principal=platform_principal(), version=XAPI_VERSION
    )


def enrollment_registered_emit(*, enrollment_id: uuid.UUID | str) -> uuid.UUID | None:
    """Emit the ``registered`` statement of an enrolment; None when the enrolment no longer
    exists (nothing to say). Idempotent."""
    enrollment = (
        Enrollment.objects.select_related("learner", "course").filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        return None
    return statement_emit(statement=registered_statement(enrollment=enrollment))


SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
PROGRAMME_TYPE = "http://adlnet.gov/expapi/activities/course"


def _mark_engine(payload: dict[str, Any]) -> dict[str, Any]:
    context = payload.setdefault("context", {})
    context.setdefault("extensions", {})[emitted_by_engine_extension()] = "progress-engine"
    return payload


def engine_completed_statement(
    *,
    enrollment: Enrollment,
    subject: Lesson | Module | Course,
    completed_at: datetime,
    credited_seconds: int,
) -> dict[str, Any]:
    """``completed_statement`` as the progress engine emits it (marked as its own)."""
    return _mark_engine(
        completed_statement(
            enrollment=enrollment,
            subject=subject,
            completed_at=completed_at,
            credited_seconds=credited_seconds,
        )
    )


def satisfied_statement(
    *, enrollment: Enrollment, module: Module, satisfied_at: datetime
) -> dict[str, Any]:
    """cmi5-style: the learner satisfied the module's completion rule (the course as parent)."""
    statement = Statement(
        id=statement_id_for(subject_id=f"{enrollment.pk}:{module.pk}", verb=SATISFIED),
        actor=_actor(enrollment.learner),
        verb=_verb(SATISFIED, "satisfied", "ha soddisfatto"),
        object=_module_activity(module),
        context=_context(
            enrollment=enrollment, parent=[_course_activity(enrollment.course)], grouping=[]
        ),
        timestamp=satisfied_at,
    )
    return _mark_engine(_as_dict(statement))


def _programme_activity() -> Activity:
    return _activity("programme", "fad", PROGRAMME_TYPE, "Programma FAD")


def programme_completed_statement(
    *, learner: User, completed_at: datetime, credited_seconds: int
) -> dict[str, Any]:
    """The learner reached the programme's target of distance-learning hours."""
    programme = _programme_activity()
    result = Result(completion=True, success=True, duration=timedelta(seconds=credited_seconds))
    statement = Statement(
        id=statement_id_for(subject_id=f"{learner.pk}:programme", verb=COMPLETED),
        actor=_actor(learner),
        verb=_verb(COMPLETED, "completed", "ha completato"),
        object=programme,
        result=result,
        context=Context(platform=PLATFORM, language="it-IT"),
        timestamp=completed_at,
    )
    return _mark_engine(_as_dict(statement))


def voiding_statement(*, target_id: uuid.UUID | str, voided_at: datetime) -> dict[str, Any]:
    """The platform takes back a statement it emitted (a completion withdrawn)."""
    return _mark_engine(
        {
            "id": str(statement_id_for(subject_id=target_id, verb=VOIDED)),
            "actor": platform_authority(),
            "verb": {"id": VOIDED, "display": {"en-US": "voided", "it-IT": "ha annullato"}},
            "object": {"objectType": "StatementRef", "id": str(target_id)},
            "timestamp": voided_at.isoformat(),
        }
    )
