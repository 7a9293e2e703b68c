"""The attendance part of the demo (``manage.py seed_attendance_demo``, run by ``make run``):
the programme's identity, a live webinar open for check-in now, an in-person day next week
and one yesterday with its roster marked, so that the pages have something to show."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from courses.models import Lesson
from lms.accounts.models import MetropolitanCity, User
from tracking.attendance.models import AttendanceSession, Presence, SessionRegistration
from tracking.attendance.services import presence, sessions


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)


@transaction.atomic
def demo_attendance_seed() -> int:
    """Create what is missing (idempotent); the number of demo sessions."""
    staff = User.objects.filter(username="admin").first()
    webinar = Lesson.objects.filter(
        kind=Lesson.Kind.LIVE_WEBINAR, module__course__slug="sportello-unico-edilizia"
    ).first()
    day = Lesson.objects.filter(
        kind=Lesson.Kind.IN_PERSON, module__course__slug="piano-strategico-metropolitano"
    ).first()
    if staff is None or webinar is None or day is None:
        return 0  # the catalogue's demo is not there: nothing to attach sessions to
    sessions.programme_identity_update(
        actor=staff,
        data={
            "plan_title": "Piano formativo nazionale per le Città metropolitane",
            "project_title": "Metropoli: capacità amministrativa delle Città metropolitane",
            "funding_programme": "PN Capacità per la Coesione 2021-2027 (dimostrativo)",
            "funding_codes": [
                {"label": "CUP", "code": "J51B00000000000"},
                {"label": "Codice progetto", "code": "DEMO-001"},
            ],
        },
    )
    if AttendanceSession.objects.exists():
        return AttendanceSession.objects.count()
    now = timezone.now()
    trainer_of_webinar = webinar.module.course.trainers.first() or staff
    trainer_of_day = day.module.course.trainers.first() or staff
    live = sessions.session_create(
        actor=trainer_of_webinar,
        lesson=webinar,
        kind=AttendanceSession.Kind.WEBINAR,
        title="Laboratorio con i comuni dell'area (in diretta)",
        # open now, and on today's date in Rome as every session is, at whatever hour
        starts_at=max(now - timedelta(minutes=10), _at(now, 0, 1)),
        ends_at=min(now + timedelta(hours=2), _at(now, 23, 59)),
        capacity=40,
        link="https://webinar.metropoli.example/laboratorio-sue",
    )
    bologna = MetropolitanCity.objects.get(slug="bologna")
    visiting = list(MetropolitanCity.objects.filter(slug__in=["milano", "napoli"]))
    next_week = _at(now + timedelta(days=7), 9)
    sessions.session_create(
        actor=trainer_of_day,
        lesson=day,
        kind=AttendanceSession.Kind.EXCHANGE_VISIT,
        title="Visita di scambio a Bologna: il piano strategico",
        starts_at=next_week,
        ends_at=next_week + timedelta(hours=6),
        capacity=25,
        place="Palazzo Malvezzi, via Zamboni 13, Bologna",
        hosting_city=bologna,
        visiting_cities=visiting,
    )
    yesterday = _at(now - timedelta(days=1), 9)
    past = sessions.session_create(
        actor=trainer_of_day,
        lesson=day,
        kind=AttendanceSession.Kind.TRAINING_DAY,
        title="Giornata di lavoro con gli stakeholder",
        starts_at=yesterday,
        ends_at=yesterday + timedelta(hours=6),
        capacity=25,
        place="Città metropolitana di Napoli, piazza Matteotti 1",
    )
    learners = {
        u.username: u for u in User.objects.filter(username__in=["mario.rossi", "anna.esposito"])
    }
    if "mario.rossi" in learners:
        SessionRegistration.objects.create(
            session=live,
            learner=learners["mario.rossi"],
            status=SessionRegistration.Status.REGISTERED,
            registered_by=learners["mario.rossi"],
            queued_at=now - timedelta(days=2),
        )
    if "anna.esposito" in learners:
        anna = learners["anna.esposito"]
        SessionRegistration.objects.create(
            session=past,
            learner=anna,
            status=SessionRegistration.Status.REGISTERED,
            registered_by=anna,
            queued_at=yesterday - timedelta(days=5),
        )
        presence.presence_mark(
            actor=trainer_of_day,
            session=past,
            learner=anna,
            status=Presence.Status.PRESENT,
            entered_at=yesterday + timedelta(minutes=20),
            left_at=yesterday + timedelta(hours=5, minutes=30),
            note="Arrivata in ritardo, uscita anticipata",
            now=yesterday + timedelta(hours=6),
        )
    return AttendanceSession.objects.count()
