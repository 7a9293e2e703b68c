"""Reads of attendance, scoped to the actor: which sessions they may see, a session's roster,
a learner's own sessions, and the rows of the three registers (every person in them is one
the actor coordinates)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from courses.models import Course, Enrollment, Lesson, Module
from lms.accounts.exceptions import PersonNotFound
from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.accounts.selectors import city_list, organisation_list, person_list
from tracking.attendance.exceptions import (
    PresenceNotFound,
    RegistrationNotFound,
    SessionNotFound,
)
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    ProgrammeIdentity,
    RegisterExport,
    SessionRegistration,
)
from tracking.progress.models import AttendanceCredit, CreditEntry
from tracking.progress.selectors import distance_days

# People per round trip when a register walks through its learners: bounds the memory of a
# register of any size.
REGISTER_PEOPLE_CHUNK = 500


def programme_identity() -> ProgrammeIdentity:
    """The programme's identity; an empty one until staff fill it in."""
    return ProgrammeIdentity.objects.filter(pk=1).first() or ProgrammeIdentity(
        plan_title="", project_title="", funding_programme="", funding_codes=[]
    )


def session_list(*, actor: User) -> QuerySet[AttendanceSession]:
    """Sessions the actor may see: staff and coordinators all of them, trainers those of their
    courses or where they teach, learners those of the courses they are enrolled in. Each
    with ``places_taken`` and ``waiting``."""
    sessions = AttendanceSession.objects.select_related(
        "lesson__module__course", "hosting_city"
    ).annotate(
        places_taken=Count(
            "registrations",
            filter=Q(registrations__status=SessionRegistration.Status.REGISTERED),
            distinct=True,
        ),
        waiting=Count(
            "registrations",
            filter=Q(registrations__status=SessionRegistration.Status.WAITLISTED),
            distinct=True,
        ),
    )
    # (the counts drop the model's ordering: it is said again)
    sessions = sessions.order_by("starts_at", "title", "pk")
    if actor.is_staff or actor.is_coordinator:
        return sessions
    enrolled = Enrollment.objects.filter(
        learner=actor,
        course_id=OuterRef("lesson__module__course_id"),
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED],
    )
    return sessions.filter(
        Exists(enrolled) | Q(trainers=actor) | Q(lesson__module__course__trainers=actor)
    ).distinct()


def session_get(*, actor: User, session_id: UUID) -> AttendanceSession:
    session = (
        session_list(actor=actor)
        .prefetch_related("visiting_cities", "trainers")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise SessionNotFound()
    return session


def session_lessons(*, actor: User) -> QuerySet[Lesson]:
    """In-person and live lessons the actor may plan sessions of."""
    lessons = Lesson.objects.select_related("module__course").filter(
        kind__in=[Lesson.Kind.IN_PERSON, Lesson.Kind.LIVE_WEBINAR]
    )
    if not actor.is_staff:
        lessons = lessons.filter(module__course__trainers=actor)
    return lessons.order_by("module__course__title", "module__position", "position")


@dataclass(frozen=True)
class RosterLine:
    registration: SessionRegistration
    presence: Presence | None


def session_roster(*, session: AttendanceSession) -> list[RosterLine]:
    """Who has a place (then who waits), with their presence: the trainer's roster. The caller
    has checked that the actor manages the session."""
    presences = {
        p.learner_id: p for p in Presence.objects.filter(session=session).select_related("learner")
    }
    registrations = (
        SessionRegistration.objects.filter(session=session)
        .exclude(status=SessionRegistration.Status.CANCELLED)
        .select_related("learner__organisation__city")
        .order_by("status", "learner__last_name", "learner__first_name", "queued_at")
    )
    return [RosterLine(r, presences.get(r.learner_id)) for r in registrations]


def registration_list_own(*, actor: User) -> QuerySet[SessionRegistration]:
    """The actor's own places and waiting-list places, upcoming first."""
    return (
        SessionRegistration.objects.filter(learner=actor)
        .exclude(status=SessionRegistration.Status.CANCELLED)
        .select_related("session__lesson__module__course")
        .prefetch_related(
            Prefetch("session__presences", queryset=Presence.objects.filter(learner=actor))
        )
        .order_by("session__starts_at")
    )


def presence_history(*, presence: Presence) -> QuerySet[Any]:
    return presence.changes.select_related("changed_by").order_by("changed_at", "id")


def register_export_list(*, actor: User) -> QuerySet[RegisterExport]:
    return RegisterExport.objects.filter(requested_by=actor).order_by("-created_at")


def register_export_get(*, actor: User, export_id: UUID) -> RegisterExport | None:
    return register_export_list(actor=actor).filter(pk=export_id).first()


# Registers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilter:
    """What a register covers. Every register is also limited to the actor's people."""

    city_id: UUID | None = None
    organisation_id: UUID | None = None
    course_id: UUID | None = None
    module_id: UUID | None = None
    session_id: UUID | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_json(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v is not None}


def register_people(*, actor: User, where: RegisterFilter) -> QuerySet[User]:
    """The people a register may name: the actor's scope (a city coordinator: their city's),
    narrowed by city and organisation; in name order."""
    people = person_list(actor=actor)
    if where.city_id is not None:
        people = people.filter(organisation__city_id=where.city_id)
    if where.organisation_id is not None:
        people = people.filter(organisation_id=where.organisation_id)
    return people.order_by("last_name", "first_name", "pk")


def _sessions_of(where: RegisterFilter) -> QuerySet[AttendanceSession]:
    sessions = AttendanceSession.objects.all()
    if where.session_id is not None:
        sessions = sessions.filter(pk=where.session_id)
    if where.module_id is not None:
        sessions = sessions.filter(lesson__module_id=where.module_id)
    if where.course_id is not None:
        sessions = sessions.filter(lesson__module__course_id=where.course_id)
    tz = timezone.get_current_timezone()
    if where.date_from is not None:
        sessions = sessions.filter(
            starts_at__gte=datetime.combine(where.date_from, datetime.min.time(), tzinfo=tz)
        )
    if where.date_to is not None:
        sessions = sessions.filter(
            starts_at__lt=datetime.combine(
                where.date_to + timedelta(days=1), datetime.min.time(), tzinfo=tz
            )
        )
    return sessions


@dataclass(frozen=True)
class SessionRegisterRow:
    last_name: str
    first_name: str
    tax_code: str
    organisation: str
    city: str
    session: str
    trainers: str
    day: date
    entered_at: datetime | None
    left_at: datetime | None
    hours: float
    status: str


def session_register_count(*, actor: User, where: RegisterFilter) -> int:
    return _session_register_rows(actor, where).count()


def _session_register_rows(actor: User, where: RegisterFilter) -> QuerySet[SessionRegistration]:
    people = register_people(actor=actor, where=where)
    return (
        SessionRegistration.objects.filter(
            session__in=_sessions_of(where),
            learner__in=people.values("pk"),
            status=SessionRegistration.Status.REGISTERED,
        )
        .select_related("learner__organisation__city", "session")
        .order_by(
            "session__starts_at", "session_id", "learner__last_name", "learner__first_name", "pk"
        )
    )


def session_register(*, actor: User, where: RegisterFilter) -> Iterator[SessionRegisterRow]:
    """The session register: per session, one row per learner with a place (present or not):
    entry, exit and hours from their presence record. Streamed in chunks."""
    trainers_of: dict[UUID, str] = {}
    session_ids = list(_sessions_of(where).values_list("pk", flat=True))
    for session in AttendanceSession.objects.filter(pk__in=session_ids).prefetch_related(
        "trainers"
    ):
        trainers_of[session.pk] = ", ".join(
            f"{t.first_name} {t.last_name}".strip() for t in session.trainers.all()
        )
    statuses = dict(Presence.Status.choices)
    rows = _session_register_rows(actor, where)
    chunk: list[SessionRegistration] = []
    for registration in rows.iterator(chunk_size=2000):
        chunk.append(registration)
        if len(chunk) >= 2000:
            yield from _session_rows(chunk, trainers_of, statuses)
            chunk = []
    yield from _session_rows(chunk, trainers_of, statuses)


def _session_rows(
    chunk: list[SessionRegistration], trainers_of: dict[UUID, str], statuses: dict[str, Any]
) -> Iterator[SessionRegisterRow]:
    if not chunk:
        return
    presence = {
        (p.session_id, p.learner_id): p
        for p in Presence.objects.filter(
            session_id__in={r.session_id for r in chunk},
            learner_id__in={r.learner_id for r in chunk},
        )
    }
    for registration in chunk:
        learner, session = registration.learner, registration.session
        record = presence.get((session.pk, learner.pk))
        organisation = learner.organisation
        yield SessionRegisterRow(
            last_name=learner.last_name,
            first_name=learner.first_name,
            tax_code=learner.tax_code,
            organisation=organisation.name if organisation else "",
            city=organisation.city.name if organisation else "",
            session=session.title,
            trainers=trainers_of.get(session.pk, ""),
            day=timezone.localdate(session.starts_at),
            entered_at=record.entered_at if record else None,
            left_at=record.left_at if record else None,
            hours=(record.attended_seconds / 3600) if record else 0.0,
            status=str(statuses[record.status]) if record else "",
        )


@dataclass(frozen=True)
class LearnerRegisterRow:
    last_name: str
    first_name: str
    tax_code: str
    organisation: str
    day: date
    course: str
    activity: str
    mode: str  # "distance", "in_person" or "webinar"
    entered_at: datetime | None
    left_at: datetime | None
    hours: float


def learner_register_count(*, actor: User, where: RegisterFilter) -> int:
    """An upper bound of the rows (credit rows and presences), to choose between a download
    now and a task: counting the days exactly would cost as much as the register."""
    people = register_people(actor=actor, where=where).values("pk")
    credits = CreditEntry.objects.filter(learner__in=people, seconds__gt=0)
    credits = _lesson_filter(credits, where, prefix="lesson__")
    presences = Presence.objects.filter(
        learner__in=people, session__in=_sessions_of(where), status=Presence.Status.PRESENT
    )
    return credits.count() + presences.count()


def _lesson_filter(queryset: Any, where: RegisterFilter, *, prefix: str) -> Any:
    if where.module_id is not None:
        queryset = queryset.filter(**{f"{prefix}module_id": where.module_id})
    if where.course_id is not None:
        queryset = queryset.filter(**{f"{prefix}module__course_id": where.course_id})
    return queryset


def learner_register(*, actor: User, where: RegisterFilter) -> Iterator[LearnerRegisterRow]:
    """The learner register: every learner's distance and in-person hours, day by day: one
    row per lesson and day of verified distance learning (entry and exit from the ledger's
    real time) and one per session attended. Walks the people in chunks: constant memory."""
    people = register_people(actor=actor, where=where).filter(role=User.Role.LEARNER)
    lesson_ids: set[UUID] | None = None
    if where.module_id is not None or where.course_id is not None:
        lesson_ids = set(
            _lesson_filter(Lesson.objects.all(), where, prefix="").values_list("pk", flat=True)
        )
    lessons: dict[UUID, tuple[str, str]] = {}
    chunk: list[User] = []
    for person in people.iterator(chunk_size=REGISTER_PEOPLE_CHUNK):
        chunk.append(person)
        if len(chunk) >= REGISTER_PEOPLE_CHUNK:
            yield from _learner_rows(chunk, where, lesson_ids, lessons)
            chunk = []
    yield from _learner_rows(chunk, where, lesson_ids, lessons)


def _learner_rows(
    chunk: list[User],
    where: RegisterFilter,
    lesson_ids: set[UUID] | None,
    lessons: dict[UUID, tuple[str, str]],
) -> Iterator[LearnerRegisterRow]:
    if not chunk:
        return
    ids = [person.pk for person in chunk]
    per_person: dict[UUID, list[tuple[date, datetime | None, int, LearnerRegisterRow]]] = (
        defaultdict(list)
    )
    days = [
        d
        for d in distance_days(learner_ids=ids, date_from=where.date_from, date_to=where.date_to)
        if (lesson_ids is None or d.lesson_id in lesson_ids) and where.session_id is None
    ]
    missing = {d.lesson_id for d in days} - set(lessons)
    for pk, title, course in Lesson.objects.filter(pk__in=missing).values_list(
        "pk", "title", "module__course__title"
    ):
        lessons[pk] = (title, course)
    people = {person.pk: person for person in chunk}

    def row(person: User, **values: Any) -> LearnerRegisterRow:
        organisation = person.organisation
        return LearnerRegisterRow(
            last_name=person.last_name,
            first_name=person.first_name,
            tax_code=person.tax_code,
            organisation=organisation.name if organisation else "",
            **values,
        )

    for d in days:
        title, course = lessons.get(d.lesson_id, ("", ""))
        line = row(
            people[d.learner_id],
            day=d.day,
            course=course,
            activity=title,
            mode="distance",
            entered_at=d.first_at,
            left_at=d.last_at,
            hours=d.seconds / 3600,
        )
        per_person[d.learner_id].append((d.day, d.first_at, 0, line))
    presences = (
        Presence.objects.filter(
            learner_id__in=ids,
            session__in=_sessions_of(where),
            status=Presence.Status.PRESENT,
            attended_seconds__gt=0,
        )
        .select_related("session__lesson__module__course")
        .order_by("session__starts_at")
    )
    for presence in presences:
        session = presence.session
        mode = "webinar" if session.kind == AttendanceSession.Kind.WEBINAR else "in_person"
        day = timezone.localdate(session.starts_at)
        line = row(
            people[presence.learner_id],
            day=day,
            course=session.lesson.module.course.title,
            activity=session.title,
            mode=mode,
            entered_at=presence.entered_at,
            left_at=presence.left_at,
            hours=presence.attended_seconds / 3600,
        )
        per_person[presence.learner_id].append((day, presence.entered_at, 1, line))
    for person in chunk:
        for _day, _at, _order, line in sorted(
            per_person.get(person.pk, []), key=lambda item: (item[0], item[1], item[2])
        ):
            yield line


@dataclass(frozen=True)
class OrganisationSummaryRow:
    city: str
    organisation: str
    people: int
    distance_hours: float
    in_person_hours: float
    webinar_hours: float

    @property
    def total_hours(self) -> float:
        return self.distance_hours + self.in_person_hours + self.webinar_hours


def organisation_summary(*, actor: User, where: RegisterFilter) -> list[OrganisationSummaryRow]:
    """Per organisation of the actor's scope: its learners and their hours at a distance, in
    person and live, within the filter's dates (and course or module). A few queries."""
    people = register_people(actor=actor, where=where).filter(role=User.Role.LEARNER)
    tz = timezone.get_current_timezone()
    credits = _lesson_filter(
        CreditEntry.objects.filter(learner__in=people.values("pk"), seconds__gt=0),
        where,
        prefix="lesson__",
    )
    attended = _lesson_filter(
        AttendanceCredit.objects.filter(learner__in=people.values("pk")), where, prefix="lesson__"
    )
    if where.session_id is not None:
        attended = attended.filter(
            presence_id__in=Presence.objects.filter(session_id=where.session_id).values("pk")
        )
    if where.date_from is not None:
        credits = credits.filter(
            credited_at__gte=datetime.combine(where.date_from, datetime.min.time(), tzinfo=tz)
        )
        attended = attended.filter(day__gte=where.date_from)
    if where.date_to is not None:
        credits = credits.filter(
            credited_at__lt=datetime.combine(
                where.date_to + timedelta(days=1), datetime.min.time(), tzinfo=tz
            )
        )
        attended = attended.filter(day__lte=where.date_to)
    distance = dict(
        credits.values("learner__organisation_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("learner__organisation_id", "seconds")
    )
    by_mode: dict[tuple[Any, str], float] = {
        (org, mode): seconds
        for org, mode, seconds in attended.values("learner__organisation_id", "mode")
        .annotate(seconds=Sum("seconds"))
        .values_list("learner__organisation_id", "mode", "seconds")
    }
    rows = []
    for org_id, city, name, count in (
        people.values("organisation_id", "organisation__city__name", "organisation__name")
        .annotate(people=Count("pk"))
        .order_by("organisation__city__name", "organisation__name")
        .values_list("organisation_id", "organisation__city__name", "organisation__name", "people")
    ):
        rows.append(
            OrganisationSummaryRow(
                city=city or "",
                organisation=name or "",
                people=count,
                distance_hours=(distance.get(org_id) or 0.0) / 3600,
                in_person_hours=by_mode.get((org_id, AttendanceCredit.Mode.IN_PERSON), 0.0) / 3600,
                webinar_hours=by_mode.get((org_id, AttendanceCredit.Mode.WEBINAR), 0.0) / 3600,
            )
        )
    return rows


# Reads of the pages (pages/attendance/) ----------------------------------------------------------


def session_list_taught(*, actor: User) -> QuerySet[AttendanceSession]:
    """Sessions the actor manages (``session_can_manage``'s rule as a query): all of them for
    staff, else those they teach and those of the courses they teach."""
    sessions = session_list(actor=actor)
    if actor.is_staff:
        return sessions
    return sessions.filter(Q(trainers=actor) | Q(lesson__module__course__trainers=actor)).distinct()


def registration_waiting_position(*, registration: SessionRegistration) -> int:
    """Where a waiting-list place stands: 1 for the next to get a place (0 when it is not on
    the waiting list)."""
    if registration.status != SessionRegistration.Status.WAITLISTED:
        return 0
    ahead = SessionRegistration.objects.filter(
        session_id=registration.session_id, status=SessionRegistration.Status.WAITLISTED
    ).filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def session_people_of(*, actor: User, session: AttendanceSession) -> list[RosterLine]:
    """The actor's people (a coordinator's city, everyone for national coordinators and staff)
    who have a place in the session or wait for one, with their presence record."""
    people = person_list(actor=actor).values("pk")
    registrations = (
        SessionRegistration.objects.filter(session=session, learner__in=people)
        .exclude(status=SessionRegistration.Status.CANCELLED)
        .select_related("learner__organisation")
        .order_by("status", "learner__last_name", "learner__first_name", "queued_at")
    )
    presences = {
        p.learner_id: p for p in Presence.objects.filter(session=session, learner__in=people)
    }
    return [RosterLine(r, presences.get(r.learner_id)) for r in registrations]


def session_registrable_people(*, actor: User, session: AttendanceSession) -> QuerySet[User]:
    """The actor's people with an active enrolment in the session's course and neither a place
    nor a waiting-list place in it yet: whom a coordinator may register."""
    enrolled = Enrollment.objects.filter(
        learner=OuterRef("pk"),
        course_id=session.lesson.module.course_id,
        status=Enrollment.Status.ACTIVE,
    )
    holding = SessionRegistration.objects.filter(
        learner=OuterRef("pk"),
        session=session,
        status__in=[SessionRegistration.Status.REGISTERED, SessionRegistration.Status.WAITLISTED],
    )
    return (
        person_list(actor=actor)
        .filter(Exists(enrolled))
        .exclude(Exists(holding))
        .order_by("last_name", "first_name", "pk")
    )


def presence_get_visible_to(*, actor: User, presence_id: UUID) -> Presence:
    """One presence record of a person the actor coordinates; PresenceNotFound otherwise (a
    record of another city's person does not exist for them)."""
    presence = (
        Presence.objects.select_related(
            "session__lesson__module__course", "learner__organisation__city"
        )
        .filter(pk=presence_id, learner__in=person_list(actor=actor).values("pk"))
        .first()
    )
    if presence is None:
        raise PresenceNotFound()
    return presence


@dataclass(frozen=True)
class RegisterChoices:
    """What a coordinator may filter a register by (cities only for those who see them all)."""

    cities: QuerySet[MetropolitanCity] | None
    organisations: QuerySet[Organisation]
    courses: QuerySet[Course]
    modules: QuerySet[Module]
    sessions: QuerySet[AttendanceSession]


def register_filter_choices(*, actor: User) -> RegisterChoices:
    """The choices of the register form: the organisations of the actor's scope, the courses
    that are not drafts, their modules, and the sessions (newest first)."""
    courses = Course.objects.exclude(status=Course.Status.DRAFT).order_by("title")
    return RegisterChoices(
        cities=city_list() if actor.sees_every_city else None,
        organisations=organisation_list(actor=actor).order_by("city__name", "name"),
        courses=courses,
        modules=Module.objects.filter(course__in=courses)
        .select_related("course")
        .order_by("course__title", "position"),
        sessions=AttendanceSession.objects.order_by("-starts_at", "title"),
    )


# Reads of the API (tracking/attendance/apis.py) ------------------------------------------------


def session_list_with_own(*, actor: User) -> QuerySet[AttendanceSession]:
    """``session_list`` with each session's cities and trainers, and the actor's own
    registration in it: ``own_registration_id`` and ``own_status`` (None if they never asked).
    Soonest first, ordered explicitly: Meta.ordering does not apply to a query with Count."""
    own = SessionRegistration.objects.filter(session=OuterRef("pk"), learner=actor)
    return (
        session_list(actor=actor)
        .prefetch_related("visiting_cities", "trainers")
        .annotate(
            own_registration_id=Subquery(own.values("pk")[:1]),
            own_status=Subquery(own.values("status")[:1]),
        )
        .order_by("starts_at", "title", "pk")
    )


def session_get_with_own(*, actor: User, session_id: UUID) -> AttendanceSession:
    session = session_list_with_own(actor=actor).filter(pk=session_id).first()
    if session is None:
        raise SessionNotFound()
    return session


def registration_get(*, actor: User, registration_id: UUID) -> SessionRegistration:
    """A registration the actor may give up: their own, one of a person they coordinate, any
    for staff; RegistrationNotFound otherwise (another city's does not exist for them)."""
    registrations = SessionRegistration.objects.select_related(
        "session__lesson__module__course", "learner__organisation__city"
    )
    if not actor.is_staff:
        scope = Q(learner=actor)
        if actor.is_coordinator:
            scope |= Q(learner__in=person_list(actor=actor).values("pk"))
        registrations = registrations.filter(scope)
    registration = registrations.filter(pk=registration_id).first()
    if registration is None:
        raise RegistrationNotFound()
    return registration


def session_roster_learner(*, session: AttendanceSession, learner_id: UUID) -> User:
    """A person who asked for a place in the session (whatever became of it), for its roster;
    PersonNotFound for anyone else. Whether they may be marked is the service's to say."""
    asked = SessionRegistration.objects.filter(session=session, learner=OuterRef("pk"))
    learner = User.objects.filter(Exists(asked), pk=learner_id).first()
    if learner is None:
        raise PersonNotFound()
    return learner
