"""Sessions and registrations: planning a sitting of an in-person or live lesson, taking a
place in it (or on its waiting list), giving a place up, and the e-mails with the calendar
file that confirm and remind."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from courses.models import Enrollment, Lesson
from courses.selectors import course_can_edit
from lms.accounts.models import MetropolitanCity, User
from lms.accounts.selectors import person_in_scope
from lms.services import model_update
from tracking.attendance import tasks
from tracking.attendance.exceptions import (
    ExchangeVisitNeedsCities,
    LessonNotAttended,
    NotATrainerOfSession,
    NotEnrolledInCourse,
    ProgrammeIdentityStaffOnly,
    RegistrationNotFound,
    SessionCancelled,
    SessionOver,
    SessionPlaceMissing,
    SessionTimesInvalid,
)
from tracking.attendance.models import AttendanceSession, ProgrammeIdentity, SessionRegistration

ATTENDED_KINDS = {Lesson.Kind.IN_PERSON, Lesson.Kind.LIVE_WEBINAR}
SESSION_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "link", "capacity")


def session_can_manage(*, actor: User, session: AttendanceSession) -> bool:
    """Staff, the session's trainers and the trainers of its course."""
    if actor.is_staff:
        return True
    if session.trainers.filter(pk=actor.pk).exists():
        return True
    return course_can_edit(actor=actor, course=session.lesson.module.course)


def session_check_can_manage(*, actor: User, session: AttendanceSession) -> None:
    if not session_can_manage(actor=actor, session=session):
        raise NotATrainerOfSession()


def _check_session(session: AttendanceSession, visiting: list[MetropolitanCity] | None) -> None:
    if session.lesson.kind not in ATTENDED_KINDS:
        raise LessonNotAttended()
    if session.ends_at <= session.starts_at or timezone.localdate(
        session.starts_at
    ) != timezone.localdate(session.ends_at):
        raise SessionTimesInvalid()
    if session.kind == AttendanceSession.Kind.WEBINAR:
        if not session.link:
            raise SessionPlaceMissing()
    elif not session.place.strip():
        raise SessionPlaceMissing()
    if session.kind == AttendanceSession.Kind.EXCHANGE_VISIT and (
        session.hosting_city_id is None or not visiting
    ):
        raise ExchangeVisitNeedsCities()


@transaction.atomic
def session_create(
    *,
    actor: User,
    lesson: Lesson,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    link: str = "",
    hosting_city: MetropolitanCity | None = None,
    visiting_cities: list[MetropolitanCity] | None = None,
    trainers: list[User] | None = None,
) -> AttendanceSession:
    """A session of an in-person or live lesson, planned by a trainer of its course (or
    staff). Its trainers default to the actor."""
    if not (actor.is_staff or course_can_edit(actor=actor, course=lesson.module.course)):
        raise NotATrainerOfSession()
    session = AttendanceSession(
        lesson=lesson,
        kind=kind,
        title=title.strip() or lesson.title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place=place.strip(),
        link=link.strip(),
        hosting_city=hosting_city,
    )
    _check_session(session, visiting_cities)
    session.full_clean()
    session.save()
    if visiting_cities:
        session.visiting_cities.set(visiting_cities)
    session.trainers.set(trainers if trainers else [actor])
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: AttendanceSession,
    data: dict[str, Any],
    visiting_cities: list[MetropolitanCity] | None = None,
    trainers: list[User] | None = None,
) -> AttendanceSession:
    """Change a session's times, place, link or capacity; a larger capacity gives places to
    the waiting list in its order."""
    session_check_can_manage(actor=actor, session=session)
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    fields = [name for name in (*SESSION_FIELDS, "hosting_city") if name in data]
    for name in fields:  # checked whole before anything is saved
        setattr(session, name, data[name])
    visiting = (
        visiting_cities if visiting_cities is not None else list(session.visiting_cities.all())
    )
    _check_session(session, visiting)
    session.full_clean()
    session.save(update_fields=[*fields, "updated_at"])
    if visiting_cities is not None:
        session.visiting_cities.set(visiting_cities)
    if trainers is not None:
        session.trainers.set(trainers)
    _promote_waiting(session)
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: AttendanceSession) -> AttendanceSession:
    """Cancel a session: it takes no more registrations nor check-ins; what was recorded of it
    stays."""
    session_check_can_manage(actor=actor, session=session)
    session.is_cancelled = True
    session.save(update_fields=["is_cancelled", "updated_at"])
    return session


def _places_taken(session: AttendanceSession) -> int:
    return session.registrations.filter(status=SessionRegistration.Status.REGISTERED).count()


@transaction.atomic
def registration_create(
    *, actor: User, session: AttendanceSession, learner: User | None = None
) -> SessionRegistration:
    """A place for ``learner`` (the actor themself by default; a coordinator registers the
    people of their city): confirmed while there is room, else on the waiting list. The
    learner needs an active enrolment in the session's course. Asking again changes nothing."""
    learner = learner or actor
    if learner.pk != actor.pk and not (
        actor.is_staff or (actor.is_coordinator and person_in_scope(actor=actor, person=learner))
    ):
        raise NotEnrolledInCourse()
    # The session's row is the lock that serialises the count of its places.
    session = AttendanceSession.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise SessionCancelled()
    if session.ends_at <= timezone.now():
        raise SessionOver()
    course_id = Lesson.objects.filter(pk=session.lesson_id).values("module__course_id")
    if not Enrollment.objects.filter(
        learner=learner, course_id__in=course_id, status=Enrollment.Status.ACTIVE
    ).exists():
        raise NotEnrolledInCourse()
    existing = SessionRegistration.objects.filter(session=session, learner=learner).first()
    if existing is not None and existing.status != SessionRegistration.Status.CANCELLED:
        return existing
    status = (
        SessionRegistration.Status.REGISTERED
        if _places_taken(session) < session.capacity
        else SessionRegistration.Status.WAITLISTED
    )
    registration = existing or SessionRegistration(session=session, learner=learner)
    registration.status = status
    registration.registered_by = actor
    registration.queued_at = timezone.now()
    registration.reminded_at = None
    registration.save()
    tasks.registration_notify_task.delay_on_commit(str(registration.pk))
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, registration: SessionRegistration) -> SessionRegistration:
    """Give a place (or a place on the waiting list) up: the learner themself, their
    coordinator or staff. The first on the waiting list gets the place."""
    learner = registration.learner
    if learner.pk != actor.pk and not (
        actor.is_staff or (actor.is_coordinator and person_in_scope(actor=actor, person=learner))
    ):
        raise RegistrationNotFound()
    session = AttendanceSession.objects.select_for_update().get(pk=registration.session_id)
    registration.status = SessionRegistration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    _promote_waiting(session)
    return registration


def _promote_waiting(session: AttendanceSession) -> None:
    """Give free places to the waiting list, first come first served (the caller holds the
    session's row)."""
    free = session.capacity - _places_taken(session)
    if free <= 0 or session.is_cancelled:
        return
    waiting = list(
        SessionRegistration.objects.filter(
            session=session, status=SessionRegistration.Status.WAITLISTED
        ).order_by("queued_at", "id")[:free]
    )
    for registration in waiting:
        registration.status = SessionRegistration.Status.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        tasks.registration_notify_task.delay_on_commit(str(registration.pk))


@transaction.atomic
def programme_identity_update(*, actor: User, data: dict[str, Any]) -> ProgrammeIdentity:
    """What the registers print at their head; staff only."""
    if not actor.is_staff:
        raise ProgrammeIdentityStaffOnly()
    identity, _ = ProgrammeIdentity.objects.get_or_create(
        pk=1,
        defaults={"plan_title": "", "project_title": "", "funding_programme": ""},
    )
    identity, _changed = model_update(
        instance=identity,
        fields=["plan_title", "project_title", "funding_programme", "funding_codes"],
        data=data,
    )
    return identity


# E-mails ------------------------------------------------------------------------------------


def session_calendar(session: AttendanceSession) -> bytes:
    """The session as an iCalendar file (RFC 5545) a mail client adds to its calendar, in
    Europe/Rome as the programme is."""
    calendar = Calendar()
    calendar.add("prodid", "-//Metropoli LMS//attendance//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"session-{session.pk}@{settings.SITE_URL.split('//')[-1]}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    event.add("summary", session.title)
    event.add("location", session.link or session.place)
    if session.link:
        event.add("url", session.link)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def registration_notify(*, registration: SessionRegistration, reminder: bool = False) -> bool:
    """The e-mail that confirms a place, says one is on the waiting list, or reminds: in
    Italian, with the calendar file for a confirmed place. False when there is no address."""
    learner = registration.learner
    if not learner.email:
        return False
    session = registration.session
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(session.starts_at)
        ends = timezone.localtime(session.ends_at)
        where = session.link or session.place
        facts = _("%(title)s, on %(day)s from %(start)s to %(end)s. Where: %(where)s") % {
            "title": session.title,
            "day": when.strftime("%d/%m/%Y"),
            "start": when.strftime("%H:%M"),
            "end": ends.strftime("%H:%M"),
            "where": where,
        }
        if registration.status == SessionRegistration.Status.WAITLISTED:
            subject = _("On the waiting list: %(title)s") % {"title": session.title}
            body = _(
                "You are on the waiting list of this session. We will write to you if a place"
                " becomes free.\n\n%(facts)s"
            ) % {"facts": facts}
        elif reminder:
            subject = _("Reminder: %(title)s") % {"title": session.title}
            body = _(
                "Your session is coming up. Check in with the code shown in the room (or on the"
                " webinar's screen).\n\n%(facts)s"
            ) % {"facts": facts}
        else:
            subject = _("Your place is confirmed: %(title)s") % {"title": session.title}
            body = _(
                "Your place in this session is confirmed. The attached file adds it to your"
                " calendar.\n\n%(facts)s"
            ) % {"facts": facts}
    message = EmailMessage(subject=subject, body=body, to=[learner.email])
    if registration.status == SessionRegistration.Status.REGISTERED:
        message.attach("sessione.ics", session_calendar(session), "text/calendar")
    message.send()
    return True


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind everyone with a confirmed place in a session starting within
    ATTENDANCE_REMINDER_HOURS, once each."""
    now = now or timezone.now()
    due = SessionRegistration.objects.select_related("session", "learner").filter(
        status=SessionRegistration.Status.REGISTERED,
        reminded_at__isnull=True,
        session__is_cancelled=False,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timedelta(hours=settings.ATTENDANCE_REMINDER_HOURS),
    )
    sent = 0
    for registration in due:
        # Marked first: a mail server that fails after sending must not remind twice.
        claimed = SessionRegistration.objects.filter(
            pk=registration.pk, reminded_at__isnull=True
        ).update(reminded_at=now)
        if claimed and registration_notify(registration=registration, reminder=True):
            sent += 1
    return sent


def registration_get_for_notice(registration_id: UUID) -> SessionRegistration | None:
    return (
        SessionRegistration.objects.select_related("session", "learner")
        .filter(pk=registration_id)
        .first()
    )
