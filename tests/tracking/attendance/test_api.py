"""The attendance API end to end: sessions and their calendar file, places and the waiting
list, the room's code, check-in and check-out, the roster, corrections with their history,
registers read back from the answer (CSV, XLSX, and a queued one downloaded later) and the
programme's identity. Who may do what for every actor is in tests/test_permission_matrix.py."""

import csv
import io
import tempfile
from datetime import datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import timezone
from icalendar import Calendar

from courses.models import Lesson
from tests.accounts.factories import OrganisationFactory, UserFactory, city
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.pages.learner.crediting import enrol, watch
from tracking.attendance import codes
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.services import presence as presence_services

ROME = ZoneInfo("Europe/Rome")
pytestmark = pytest.mark.django_db


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer], title="Semplificazione")


@pytest.fixture
def module(course):
    return ModuleFactory(course=course, title="Modulo in aula")


@pytest.fixture
def day_lesson(module):
    return LessonFactory(module=module, kind=Lesson.Kind.IN_PERSON, title="Giornata in aula")


def session_of(lesson, trainer, *, starts_at, hours=4, capacity=30, **extra):
    """A session as the service leaves it, at any moment: the service refuses one that runs
    across midnight, and the check-in tests need one running now, whatever the hour."""
    session = AttendanceSession.objects.create(
        lesson=lesson,
        kind=extra.pop("kind", AttendanceSession.Kind.TRAINING_DAY),
        title=extra.pop("title", "Giornata di Bologna"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        place=extra.pop("place", "Palazzo Malvezzi, Bologna"),
        **extra,
    )
    session.trainers.set([trainer])
    return session


def running(lesson, trainer, **extra):
    return session_of(lesson, trainer, starts_at=timezone.now() - timedelta(minutes=20), **extra)


def place(session, person):
    """A confirmed place, written directly (registrations close when a session ends)."""
    return SessionRegistration.objects.create(
        session=session,
        learner=person,
        status=SessionRegistration.Status.REGISTERED,
        queued_at=session.starts_at - timedelta(days=3),
    )


def local(*parts):
    """A wall-clock time in Rome as a spreadsheet holds it: naive."""
    return datetime(*parts, tzinfo=ROME).replace(tzinfo=None)


def code_now(session):
    return codes.code_for(session.code_secret, str(session.pk), codes.step_of(timezone.now()))


def error_code(response):
    return response.json()["code"]


# --- sessions -------------------------------------------------------------------------------


def test_a_trainer_plans_a_session_and_reads_it_back(client_for, trainer, day_lesson, course):
    response = client_for(trainer).post(
        "/api/v1/sessions/",
        {
            "lesson_id": str(day_lesson.pk),
            "kind": "exchange_visit",
            "starts_at": "2027-03-10T09:00:00",  # no offset: Europe/Rome (winter, +01:00)
            "ends_at": "2027-03-10T13:30:00",
            "capacity": 25,
            "place": "Palazzo Malvezzi, Bologna",
            "hosting_city_id": str(city("bologna").pk),
            "visiting_city_ids": [str(city("milano").pk), str(city("napoli").pk)],
        },
    )

    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert body["title"] == "Giornata in aula"  # the lesson's, as none was given
    assert body["starts_at"] == "2027-03-10T09:00:00+01:00"
    assert body["ends_at"] == "2027-03-10T13:30:00+01:00"
    assert body["course"] == {"id": str(course.pk), "slug": course.slug, "title": course.title}
    assert body["lesson"]["kind"] == "in_person"
    assert body["hosting_city"]["slug"] == "bologna"
    assert sorted(c["slug"] for c in body["visiting_cities"]) == ["milano", "napoli"]
    assert [t["id"] for t in body["trainers"]] == [str(trainer.pk)]
    assert (body["capacity"], body["places_taken"], body["waiting"]) == (25, 0, 0)
    assert body["own_registration"] is None
    assert client_for(trainer).get(f"/api/v1/sessions/{body['id']}/").json() == body


def test_planning_refuses_what_the_rules_refuse(client_for, trainer, learner, module, day_lesson):
    video = LessonFactory(module=module, kind=Lesson.Kind.VIDEO)
    plan = {
        "kind": "training_day",
        "starts_at": "2027-03-10T09:00:00",
        "ends_at": "2027-03-10T13:00:00",
        "capacity": 10,
        "place": "Sala rossa",
    }
    webinar_without_link = {**plan, "kind": "webinar", "place": ""}
    across_midnight = {**plan, "ends_at": "2027-03-11T01:00:00"}
    http = client_for(trainer)

    answers = {
        "video": http.post("/api/v1/sessions/", {**plan, "lesson_id": str(video.pk)}),
        "no link": http.post(
            "/api/v1/sessions/", {**webinar_without_link, "lesson_id": str(day_lesson.pk)}
        ),
        "midnight": http.post(
            "/api/v1/sessions/", {**across_midnight, "lesson_id": str(day_lesson.pk)}
        ),
        "no room": http.post(
            "/api/v1/sessions/", {**plan, "capacity": 0, "lesson_id": str(day_lesson.pk)}
        ),
        "learner": client_for(learner).post(
            "/api/v1/sessions/", {**plan, "lesson_id": str(day_lesson.pk)}
        ),
    }

    assert {name: (r.status_code, error_code(r)) for name, r in answers.items()} == {
        "video": (HTTPStatus.BAD_REQUEST, "lesson_not_attended"),
        "no link": (HTTPStatus.BAD_REQUEST, "session_place_missing"),
        "midnight": (HTTPStatus.BAD_REQUEST, "session_times_invalid"),
        "no room": (HTTPStatus.BAD_REQUEST, "invalid"),
        "learner": (HTTPStatus.FORBIDDEN, "not_course_trainer"),
    }
    assert answers["no room"].json()["extra"]["fields"].keys() == {"capacity"}
    assert not AttendanceSession.objects.exists()


def test_the_list_filters_by_dates_course_lesson_and_kind_and_shows_the_own_place(
    client_for, trainer, learner, course, module, day_lesson
):
    enrol(learner, course)
    webinar_lesson = LessonFactory(module=module, kind=Lesson.Kind.LIVE_WEBINAR)
    march = session_of(day_lesson, trainer, starts_at=datetime(2027, 3, 10, 9, tzinfo=ROME))
    april = session_of(day_lesson, trainer, starts_at=datetime(2027, 4, 14, 9, tzinfo=ROME))
    webinar = session_of(
        webinar_lesson,
        trainer,
        starts_at=datetime(2027, 4, 20, 15, tzinfo=ROME),
        kind=AttendanceSession.Kind.WEBINAR,
        place="",
        link="https://webinar.example.it/s/1",
    )
    other_course = CourseFactory(published=True, trainers=[trainer])
    elsewhere = session_of(
        LessonFactory(module=ModuleFactory(course=other_course), kind=Lesson.Kind.IN_PERSON),
        trainer,
        starts_at=datetime(2027, 4, 1, 9, tzinfo=ROME),
    )
    place(april, learner)
    http = client_for(trainer)

    def ids(query, client=http):
        response = client.get(f"/api/v1/sessions/{query}")
        assert response.status_code == HTTPStatus.OK, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [str(s.pk) for s in (march, elsewhere, april, webinar)]
    assert ids("?date_from=2027-04-01&date_to=2027-04-14") == [str(elsewhere.pk), str(april.pk)]
    assert ids(f"?course={course.pk}") == [str(s.pk) for s in (march, april, webinar)]
    assert ids(f"?lesson={webinar_lesson.pk}&kind=webinar") == [str(webinar.pk)]
    assert ids("?kind=exchange_visit") == []
    # the learner sees the sessions of the course they are enrolled in, with their own place
    rows = client_for(learner).get("/api/v1/sessions/").json()["results"]
    assert [r["id"] for r in rows] == [str(s.pk) for s in (march, april, webinar)]
    own = {r["id"]: r["own_registration"] for r in rows}
    assert own[str(march.pk)] is None
    assert own[str(april.pk)]["status"] == "registered"
    assert [r["places_taken"] for r in rows] == [0, 1, 0]
    bad = http.get("/api/v1/sessions/?date_from=10-03-2027")
    assert (bad.status_code, error_code(bad)) == (HTTPStatus.BAD_REQUEST, "invalid")


def test_a_trainer_changes_a_session_and_a_larger_capacity_serves_the_waiting_list(
    client_for, trainer, learner, milano_coordinator, course, day_lesson
):
    other = UserFactory(organisation=learner.organisation)
    for person in (learner, other):
        enrol(person, course)
    session = session_of(
        day_lesson, trainer, starts_at=datetime(2027, 3, 10, 9, tzinfo=ROME), capacity=1
    )
    for person in (learner, other):
        client_for(person).post(f"/api/v1/sessions/{session.pk}/registrations/", {})

    response = client_for(trainer).patch(
        f"/api/v1/sessions/{session.pk}/", {"capacity": 2, "place": "Sala del Consiglio"}
    )
    refused = client_for(milano_coordinator).patch(
        f"/api/v1/sessions/{session.pk}/", {"capacity": 5}
    )

    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert (body["capacity"], body["place"], body["places_taken"], body["waiting"]) == (
        2,
        "Sala del Consiglio",
        2,
        0,
    )
    assert body["title"] == "Giornata di Bologna"  # what was not sent is kept
    assert (refused.status_code, error_code(refused)) == (
        HTTPStatus.FORBIDDEN,
        "not_a_trainer_of_session",
    )
    session.refresh_from_db()
    assert session.capacity == 2


def test_a_cancelled_session_takes_no_more_places(client_for, trainer, learner, course, day_lesson):
    enrol(learner, course)
    session = session_of(day_lesson, trainer, starts_at=datetime(2027, 3, 10, 9, tzinfo=ROME))

    cancelled = client_for(trainer).post(f"/api/v1/sessions/{session.pk}/cancel/")
    asked = client_for(learner).post(f"/api/v1/sessions/{session.pk}/registrations/", {})

    assert cancelled.status_code == HTTPStatus.OK
    assert cancelled.json()["is_cancelled"] is True
    assert (asked.status_code, error_code(asked)) == (HTTPStatus.BAD_REQUEST, "session_cancelled")
    assert not SessionRegistration.objects.exists()


def test_the_calendar_file_is_an_icalendar_event_in_rome_time(
    client_for, trainer, learner, day_lesson
):
    session = session_of(day_lesson, trainer, starts_at=datetime(2027, 7, 1, 9, 30, tzinfo=ROME))

    response = client_for(trainer).get(
        f"/api/v1/sessions/{session.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
    )
    hidden = client_for(learner).get(
        f"/api/v1/sessions/{session.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == 'attachment; filename="sessione-20270701.ics"'
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Giornata di Bologna"
    assert str(event["LOCATION"]) == "Palazzo Malvezzi, Bologna"
    starts = event.decoded("DTSTART")
    assert (starts.hour, starts.minute, starts.utcoffset()) == (9, 30, timedelta(hours=2))
    assert event.decoded("DTEND") == datetime(2027, 7, 1, 13, 30, tzinfo=ROME)
    # the learner is not enrolled: the session does not exist for them, said in JSON
    assert (hidden.status_code, error_code(hidden)) == (HTTPStatus.NOT_FOUND, "session_not_found")


# --- places and the waiting list ------------------------------------------------------------


def test_a_full_session_puts_the_next_on_the_waiting_list_and_a_cancellation_promotes_them(
    client_for, trainer, learner, course, day_lesson
):
    second = UserFactory(organisation=learner.organisation)
    for person in (learner, second):
        enrol(person, course)
    session = session_of(
        day_lesson, trainer, starts_at=datetime(2027, 3, 10, 9, tzinfo=ROME), capacity=1
    )
    url = f"/api/v1/sessions/{session.pk}/registrations/"

    first_place = client_for(learner).post(url, {})
    waiting = client_for(second).post(url, {})
    again = client_for(second).post(url, {})
    counts = client_for(trainer).get(f"/api/v1/sessions/{session.pk}/").json()
    given_up = client_for(learner).delete(f"/api/v1/registrations/{first_place.json()['id']}/")
    mine = client_for(second).get("/api/v1/registrations/mine/").json()["results"]

    assert (first_place.status_code, first_place.json()["status"]) == (
        HTTPStatus.CREATED,
        "registered",
    )
    assert (waiting.status_code, waiting.json()["status"]) == (HTTPStatus.CREATED, "waitlisted")
    assert (again.status_code, again.json()["id"]) == (HTTPStatus.OK, waiting.json()["id"])
    assert (counts["places_taken"], counts["waiting"]) == (1, 1)
    assert (given_up.status_code, given_up.json()["status"]) == (HTTPStatus.OK, "cancelled")
    assert [(r["id"], r["status"]) for r in mine] == [(waiting.json()["id"], "registered")]
    assert mine[0]["session"]["id"] == str(session.pk)
    assert mine[0]["presence"] is None
    assert client_for(learner).get("/api/v1/registrations/mine/").json()["results"] == []


def test_a_coordinator_registers_the_people_of_their_city_only(
    client_for, trainer, learner, napoli_learner, milano_coordinator, course, day_lesson
):
    for person in (learner, napoli_learner):
        enrol(person, course)
    session = session_of(day_lesson, trainer, starts_at=datetime(2027, 3, 10, 9, tzinfo=ROME))
    url = f"/api/v1/sessions/{session.pk}/registrations/"
    http = client_for(milano_coordinator)

    milano = http.post(url, {"learner_id": str(learner.pk)})
    napoli = http.post(url, {"learner_id": str(napoli_learner.pk)})
    by_a_learner = client_for(napoli_learner).post(url, {"learner_id": str(learner.pk)})

    assert milano.status_code == HTTPStatus.CREATED, milano.content
    assert milano.json()["learner"]["id"] == str(learner.pk)
    assert milano.json()["learner"]["city"] == "Milano"
    assert milano.json()["registered_by"]["id"] == str(milano_coordinator.pk)
    assert (napoli.status_code, error_code(napoli)) == (HTTPStatus.NOT_FOUND, "person_not_found")
    assert (by_a_learner.status_code, error_code(by_a_learner)) == (
        HTTPStatus.FORBIDDEN,
        "coordinators_only",
    )
    assert list(SessionRegistration.objects.values_list("learner_id", flat=True)) == [learner.pk]
    # and gives the place up for them; the Napoli coordinator cannot see it
    registration = milano.json()["id"]
    hidden = client_for(UserFactory(coordinator_of="napoli")).delete(
        f"/api/v1/registrations/{registration}/"
    )
    assert (hidden.status_code, error_code(hidden)) == (
        HTTPStatus.NOT_FOUND,
        "registration_not_found",
    )
    assert http.delete(f"/api/v1/registrations/{registration}/").json()["status"] == "cancelled"


# --- the room's code, check-in and check-out --------------------------------------------------


def test_the_learner_checks_in_and_out_with_the_code_the_trainer_shows(
    client_for, trainer, learner, course, day_lesson
):
    enrol(learner, course)
    session = running(day_lesson, trainer)
    place(session, learner)

    shown = client_for(trainer).get(f"/api/v1/sessions/{session.pk}/code/")
    code = shown.json()["code"]
    checked_in = client_for(learner).post(
        f"/api/v1/sessions/{session.pk}/check-in/", {"code": code}
    )
    checked_out = client_for(learner).post(
        f"/api/v1/sessions/{session.pk}/check-out/", {"code": code_now(session)}
    )

    assert shown.status_code == HTTPStatus.OK
    assert shown["Cache-Control"] == "no-store"
    assert len(code) == 6
    assert code.isdigit()
    assert 0 < shown.json()["seconds_left"] <= codes.STEP_SECONDS
    assert checked_in.status_code == HTTPStatus.OK, checked_in.content
    assert checked_in.json()["status"] == "present"
    assert checked_in.json()["left_at"] is None
    assert checked_out.status_code == HTTPStatus.OK, checked_out.content
    presence = Presence.objects.get()
    assert checked_out.json()["id"] == str(presence.pk)
    assert presence.entered_at <= presence.left_at <= timezone.now()
    assert presence.attended_seconds == pytest.approx(
        (presence.left_at - presence.entered_at).total_seconds()
    )
    actions = list(presence.changes.values_list("action", flat=True))
    assert actions == [PresenceChange.Action.CHECK_IN, PresenceChange.Action.CHECK_OUT]
    [mine] = client_for(learner).get("/api/v1/registrations/mine/").json()["results"]
    assert mine["presence"]["id"] == str(presence.pk)


def test_a_learner_asking_for_the_code_is_refused(client_for, trainer, learner, course, day_lesson):
    enrol(learner, course)
    session = running(day_lesson, trainer)
    place(session, learner)

    response = client_for(learner).get(f"/api/v1/sessions/{session.pk}/code/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert error_code(response) == "not_a_trainer_of_session"
    assert "code" not in response.json()["extra"]


def test_a_check_in_with_another_sessions_code_is_refused(
    client_for, trainer, learner, course, day_lesson
):
    enrol(learner, course)
    session = running(day_lesson, trainer)
    other = running(day_lesson, trainer, title="Giornata di Milano")
    place(session, learner)

    response = client_for(learner).post(
        f"/api/v1/sessions/{session.pk}/check-in/", {"code": code_now(other)}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_code(response) == "check_in_code_invalid"
    assert not Presence.objects.exists()


def test_a_check_in_before_the_session_opens_is_refused(
    client_for, trainer, learner, course, day_lesson
):
    enrol(learner, course)
    session = session_of(day_lesson, trainer, starts_at=timezone.now() + timedelta(hours=2))
    place(session, learner)

    response = client_for(learner).post(
        f"/api/v1/sessions/{session.pk}/check-in/", {"code": code_now(session)}
    )
    code = client_for(trainer).get(f"/api/v1/sessions/{session.pk}/code/")

    assert (response.status_code, error_code(response)) == (
        HTTPStatus.BAD_REQUEST,
        "check_in_not_open",
    )
    assert (code.status_code, error_code(code)) == (HTTPStatus.BAD_REQUEST, "check_in_not_open")
    assert not Presence.objects.exists()


def test_a_check_in_without_a_place_or_a_code_is_refused(
    client_for, trainer, learner, course, day_lesson
):
    enrol(learner, course)
    session = running(day_lesson, trainer)

    no_place = client_for(learner).post(
        f"/api/v1/sessions/{session.pk}/check-in/", {"code": code_now(session)}
    )
    no_code = client_for(learner).post(f"/api/v1/sessions/{session.pk}/check-in/", {})

    assert (no_place.status_code, error_code(no_place)) == (HTTPStatus.FORBIDDEN, "not_registered")
    assert (no_code.status_code, error_code(no_code)) == (HTTPStatus.BAD_REQUEST, "invalid")
    assert no_code.json()["extra"]["fields"].keys() == {"code"}


# --- the roster -------------------------------------------------------------------------------


def test_the_trainer_marks_the_roster_with_late_arrivals_and_absences(
    client_for, trainer, learner, course, day_lesson
):
    absent = UserFactory(organisation=learner.organisation, last_name="Zanetti")
    stranger = UserFactory(organisation=learner.organisation)
    enrol(learner, course)
    session = running(day_lesson, trainer)
    for person in (learner, absent):
        place(session, person)
    starts = session.starts_at
    http = client_for(trainer)
    url = f"/api/v1/sessions/{session.pk}/roster/"

    late = http.put(
        f"{url}{learner.pk}/",
        {
            "status": "present",
            "entered_at": (starts + timedelta(minutes=15)).isoformat(),
            "left_at": (starts + timedelta(minutes=16)).isoformat(),
            "note": "Arrivato in ritardo",
        },
    )
    away = http.put(f"{url}{absent.pk}/", {"status": "absent"})
    no_times = http.put(f"{url}{absent.pk}/", {"status": "present"})
    not_on_it = http.put(f"{url}{stranger.pk}/", {"status": "absent"})
    roster = http.get(url)

    assert late.status_code == HTTPStatus.OK, late.content
    assert late.json()["attended_seconds"] == 60.0
    assert late.json()["note"] == "Arrivato in ritardo"
    assert away.json()["status"] == "absent"
    assert away.json()["attended_seconds"] == 0.0
    assert (no_times.status_code, error_code(no_times)) == (
        HTTPStatus.BAD_REQUEST,
        "presence_needs_times",
    )
    assert (not_on_it.status_code, error_code(not_on_it)) == (
        HTTPStatus.NOT_FOUND,
        "person_not_found",
    )
    lines = {line["learner"]["id"]: line for line in roster.json()}
    assert lines.keys() == {str(learner.pk), str(absent.pk)}
    assert lines[str(learner.pk)]["presence"]["id"] == late.json()["id"]
    assert lines[str(learner.pk)]["status"] == "registered"
    assert lines[str(absent.pk)]["presence"]["status"] == "absent"
    refused = client_for(learner).get(url)
    assert (refused.status_code, error_code(refused)) == (
        HTTPStatus.FORBIDDEN,
        "not_a_trainer_of_session",
    )


# --- corrections ------------------------------------------------------------------------------


@pytest.fixture
def two_cities(trainer, course, module, day_lesson):
    """An in-person day on Monday 26 October 2026 (the day after the end of summer time) with
    Anna of Bologna (late by 15 minutes, leaves half an hour early: 3 h 15) and Carla of
    Milano (the whole 4 hours); Anna also watched a video on Saturday 24 for 10 minutes."""
    anna = UserFactory(
        organisation=OrganisationFactory(city=city("bologna"), name="Comune di Imola"),
        first_name="Anna",
        last_name="Bianchi",
    )
    carla = UserFactory(
        organisation=OrganisationFactory(city=city("milano"), name="Comune di Sesto"),
        first_name="Carla",
        last_name="Milanesi",
    )
    for person in (anna, carla):
        enrol(person, course, days_ago=90)
    video = LessonFactory(module=module, title="La semplificazione", duration_seconds=3600)
    watch(anna, video, started_at=datetime(2026, 10, 24, 9, 0, tzinfo=ROME), segments=[(0, 600)])
    starts = datetime(2026, 10, 26, 9, 0, tzinfo=ROME)
    session = session_of(day_lesson, trainer, starts_at=starts, hours=4)
    marks = {anna: (15, 210), carla: (0, 240)}
    presences = {}
    for person, (entry, exit_) in marks.items():
        place(session, person)
        presences[person.last_name] = presence_services.presence_mark(
            actor=trainer,
            session=session,
            learner=person,
            status=Presence.Status.PRESENT,
            entered_at=starts + timedelta(minutes=entry),
            left_at=starts + timedelta(minutes=exit_),
            now=starts + timedelta(hours=5),
        )
    return {"session": session, "anna": presences["Bianchi"], "carla": presences["Milanesi"]}


@pytest.fixture
def bologna_coordinator(db):
    return UserFactory(coordinator_of="bologna", first_name="Paola", last_name="Coordinatrice")


def test_a_coordinator_corrects_a_presence_and_the_history_keeps_what_it_was(
    client_for, two_cities, bologna_coordinator, trainer
):
    presence = two_cities["anna"]
    starts = two_cities["session"].starts_at

    response = client_for(bologna_coordinator).post(
        f"/api/v1/presences/{presence.pk}/corrections/",
        {
            "status": "present",
            "entered_at": starts.isoformat(),
            "left_at": (starts + timedelta(hours=3, minutes=30)).isoformat(),
            "reason": "Il foglio firme mostra l'ingresso alle 9:00.",
        },
    )
    read_back = client_for(bologna_coordinator).get(f"/api/v1/presences/{presence.pk}/")

    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert body["attended_seconds"] == 3.5 * 3600
    assert body["learner"]["last_name"] == "Bianchi"
    assert body["session"]["id"] == str(two_cities["session"].pk)
    roster, correction = body["history"]
    assert (roster["action"], roster["changed_by"]["id"]) == ("roster", str(trainer.pk))
    assert correction["action"] == "correction"
    assert correction["changed_by"]["id"] == str(bologna_coordinator.pk)
    assert correction["reason"] == "Il foglio firme mostra l'ingresso alle 9:00."
    assert correction["before"]["attended_seconds"] == 3.25 * 3600
    before, after = correction["before"], correction["after"]
    assert datetime.fromisoformat(before["entered_at"]) == starts + timedelta(minutes=15)
    assert after["attended_seconds"] == 3.5 * 3600
    assert datetime.fromisoformat(after["entered_at"]) == starts
    assert datetime.fromisoformat(after["left_at"]) == starts + timedelta(hours=3, minutes=30)
    assert read_back.json() == body


def test_a_correction_without_its_reason_is_refused(client_for, two_cities, bologna_coordinator):
    presence = two_cities["anna"]
    http = client_for(bologna_coordinator)
    url = f"/api/v1/presences/{presence.pk}/corrections/"

    missing = http.post(url, {"status": "absent"})
    too_short = http.post(url, {"status": "absent", "reason": "errore"})

    for response in (missing, too_short):
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert error_code(response) == "correction_needs_reason"
    presence.refresh_from_db()
    assert presence.status == Presence.Status.PRESENT
    assert presence.changes.count() == 1  # the trainer's mark only


def test_a_bologna_coordinator_cannot_see_or_correct_a_milano_persons_presence(
    client_for, two_cities, bologna_coordinator
):
    presence = two_cities["carla"]
    http = client_for(bologna_coordinator)

    corrected = http.post(
        f"/api/v1/presences/{presence.pk}/corrections/",
        {"status": "absent", "reason": "Non risulta dal foglio firme."},
    )
    read = http.get(f"/api/v1/presences/{presence.pk}/")

    for response in (corrected, read):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert error_code(response) == "presence_not_found"
    presence.refresh_from_db()
    assert presence.attended_seconds == 4 * 3600
    assert presence.changes.count() == 1


# --- registers ------------------------------------------------------------------------------


def _temp_registers() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("register-*"))


def test_the_learner_register_in_csv_is_streamed_and_holds_nobody_from_another_city(
    client_for, two_cities, bologna_coordinator
):
    response = client_for(bologna_coordinator).post(
        "/api/v1/registers/",
        {
            "register": "learner",
            "format": "csv",
            "delimiter": ";",
            "date_from": "2026-10-20",
            "date_to": "2026-10-31",
        },
        HTTP_ACCEPT_LANGUAGE="it",
    )

    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registro-ore-')
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Cognome", "Nome", "Codice fiscale", "Ente"]
    assert [(r[0], r[3], r[4], r[6], r[7], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("Bianchi", "Comune di Imola", "24/10/2026", "La semplificazione", "Distanza")
        + ("09:00", "09:10", "0,17"),
        ("Bianchi", "Comune di Imola", "26/10/2026", "Giornata di Bologna", "In presenza")
        + ("09:15", "12:30", "3,25"),
    ]
    assert "Milanesi" not in data.decode("utf-8-sig")
    export = RegisterExport.objects.get(pk=response["X-Register-Export"])
    assert export.requested_by == bologna_coordinator
    assert (export.register, export.format, export.status) == ("learner", "csv", "ready")
    assert export.filters["date_from"] == "2026-10-20"
    assert export.filters["delimiter"] == ";"


def test_the_session_register_in_xlsx_is_sent_and_its_temporary_file_removed(
    client_for, two_cities, bologna_coordinator
):
    before = _temp_registers()

    response = client_for(bologna_coordinator).post(
        "/api/v1/registers/",
        {"register": "session", "format": "xlsx", "session_id": str(two_cities["session"].pk)},
        HTTP_ACCEPT_LANGUAGE="it",
        HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    data = b"".join(response.streaming_content)
    response.close()
    assert _temp_registers() == before
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row[0] == "Cognome")
    body = [row for row in values[header_at + 1 :] if row[0] and row[0] != "Totale"]
    assert [(r[0], r[3], r[4], r[7], r[8], r[9], r[10], r[11]) for r in body] == [
        (
            "Bianchi",
            "Comune di Imola",
            "Bologna",
            local(2026, 10, 26, 0, 0),
            local(2026, 10, 26, 9, 15),
            local(2026, 10, 26, 12, 30),
            3.25,
            "Presente",
        )
    ]
    text = " ".join(str(v) for row in values for v in row if v is not None)
    assert "Milanesi" not in text
    assert "Comune di Sesto" not in text


def test_a_large_register_is_queued_and_downloaded_when_ready(
    client_for, two_cities, bologna_coordinator, settings, django_capture_on_commit_callbacks
):
    settings.ATTENDANCE_EXPORT_ASYNC_ROWS = 1
    http = client_for(bologna_coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        queued = http.post(
            "/api/v1/registers/",
            {"register": "learner", "format": "xlsx"},
            HTTP_ACCEPT_LANGUAGE="it",
        )
    export_id = queued.json()["id"]
    detail = http.get(f"/api/v1/registers/exports/{export_id}/")
    listed = http.get("/api/v1/registers/exports/")
    download = http.get(f"/api/v1/registers/exports/{export_id}/download/")
    someone_else = client_for(UserFactory(coordinator_of="bologna")).get(
        f"/api/v1/registers/exports/{export_id}/"
    )

    assert queued.status_code == HTTPStatus.ACCEPTED
    assert (queued.json()["status"], queued.json()["download_url"]) == ("pending", None)
    assert queued.json()["rows_expected"] == 2
    assert detail.json()["status"] == "ready"
    assert detail.json()["progress_percent"] == 100.0
    assert detail.json()["download_url"] == (
        f"http://testserver/api/v1/registers/exports/{export_id}/download/"
    )
    assert [row["id"] for row in listed.json()["results"]] == [export_id]
    assert download.status_code == HTTPStatus.OK
    assert download["Content-Disposition"].startswith('attachment; filename="registro-ore-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert names.count("Bianchi") == 2
    assert "Milanesi" not in names
    assert (someone_else.status_code, error_code(someone_else)) == (
        HTTPStatus.NOT_FOUND,
        "register_export_not_found",
    )


def test_registers_refuse_learners_bad_filters_and_files_not_written(
    client_for, learner, bologna_coordinator
):
    by_a_learner = client_for(learner).post(
        "/api/v1/registers/", {"register": "session", "format": "csv"}
    )
    backwards = client_for(bologna_coordinator).post(
        "/api/v1/registers/",
        {"register": "session", "format": "csv", "date_from": "2026-10-31", "date_to": "2026-10-1"},
    )
    tab = client_for(bologna_coordinator).post(
        "/api/v1/registers/", {"register": "session", "format": "csv", "delimiter": "\t"}
    )
    pending = RegisterExport.objects.create(
        requested_by=bologna_coordinator,
        register="session",
        format="pdf",
        status=RegisterExport.Status.PENDING,
    )
    not_ready = client_for(bologna_coordinator).get(
        f"/api/v1/registers/exports/{pending.pk}/download/"
    )

    assert (by_a_learner.status_code, error_code(by_a_learner)) == (
        HTTPStatus.FORBIDDEN,
        "coordinators_only",
    )
    assert (backwards.status_code, error_code(backwards)) == (HTTPStatus.BAD_REQUEST, "invalid")
    assert backwards.json()["extra"]["fields"].keys() == {"date_to"}
    assert (tab.status_code, tab.json()["extra"]["fields"].keys()) == (
        HTTPStatus.BAD_REQUEST,
        {"delimiter"},
    )
    assert (not_ready.status_code, error_code(not_ready)) == (
        HTTPStatus.CONFLICT,
        "register_export_not_ready",
    )
    assert RegisterExport.objects.count() == 1  # refused requests record nothing


# --- the programme's identity ---------------------------------------------------------------


def test_staff_set_the_programme_identity_and_everyone_reads_it(
    client_for, staff, learner, milano_coordinator
):
    empty = client_for(learner).get("/api/v1/programme/")
    identity = {
        "plan_title": "Piano formativo Metropoli",
        "project_title": "Capacità amministrativa delle Città metropolitane",
        "funding_programme": "PN Capacità per la Coesione 2021-2027",
        "funding_codes": [{"label": "CUP", "code": "J51B21000000006"}],
    }

    saved = client_for(staff).put("/api/v1/programme/", identity)
    refused = client_for(milano_coordinator).put("/api/v1/programme/", identity)
    read = client_for(learner).get("/api/v1/programme/")

    assert empty.status_code == HTTPStatus.OK
    assert empty.json()["plan_title"] == ""
    assert empty.json()["funding_codes"] == []
    assert saved.status_code == HTTPStatus.OK, saved.content
    assert (refused.status_code, error_code(refused)) == (HTTPStatus.FORBIDDEN, "staff_only")
    body = read.json()
    assert {key: body[key] for key in identity} == identity
    assert body["updated_at"] is not None
