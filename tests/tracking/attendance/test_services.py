"""Attendance on a real database: the room's rotating code, check-in and check-out, the
trainer's roster, corrections and their history, the waiting list, the ledger of attended
hours, and the registers checked cell by cell against hand-computed hours."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone, translation
from pypdf import PdfReader

from courses.models import Lesson
from lms.exceptions import ApplicationError
from tests.accounts.factories import OrganisationFactory, UserFactory, city
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.pages.learner.crediting import enrol, watch
from tracking.attendance import codes
from tracking.attendance.exceptions import (
    CheckInCodeInvalid,
    CheckInNotOpen,
    CorrectionNeedsReason,
    NotRegistered,
    PresenceNotFound,
)
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.selectors import RegisterFilter
from tracking.attendance.services import presence as presence_services
from tracking.attendance.services import registers, sessions
from tracking.progress.models import AttendanceCredit

ROME = ZoneInfo("Europe/Rome")
pytestmark = pytest.mark.django_db


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer], title="Semplificazione")


@pytest.fixture
def day_lesson(course):
    module = ModuleFactory(course=course, title="Modulo in aula")
    return LessonFactory(module=module, kind=Lesson.Kind.IN_PERSON, title="Giornata in aula")


def make_session(lesson, trainer, *, starts_at, hours=4, capacity=30, **extra):
    return sessions.session_create(
        actor=trainer,
        lesson=lesson,
        kind=extra.pop("kind", AttendanceSession.Kind.TRAINING_DAY),
        title=extra.pop("title", "Giornata di Bologna"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        place=extra.pop("place", "Palazzo Malvezzi, Bologna"),
        **extra,
    )


def place(session, person):
    """A confirmed place, written as the service leaves it (registrations close at the end of
    a session, and some of these sessions are in the past)."""
    return SessionRegistration.objects.create(
        session=session,
        learner=person,
        status=SessionRegistration.Status.REGISTERED,
        queued_at=session.starts_at - timedelta(days=3),
    )


def tomorrow_at(hour, minute=0):
    """A start on tomorrow's date in Rome, at a fixed hour: a session stays on one day
    whatever time the tests run (the services are given ``now``), and it is not over."""
    day = timezone.localdate() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def local(*parts):
    """A wall-clock time in Rome as a spreadsheet holds it: naive."""
    return datetime(*parts, tzinfo=ROME).replace(tzinfo=None)


def code_now(session, moment):
    return codes.code_for(session.code_secret, str(session.pk), codes.step_of(moment))


# The room's code -------------------------------------------------------------------------------


def test_the_code_is_accepted_in_its_window_and_refused_later_or_on_another_session(
    learner, trainer, day_lesson, course
):
    enrol(learner, course)
    start = tomorrow_at(10)
    now = start + timedelta(minutes=10)
    session = make_session(day_lesson, trainer, starts_at=start)
    other = make_session(day_lesson, trainer, starts_at=start)
    sessions.registration_create(actor=learner, session=session)
    sessions.registration_create(actor=learner, session=other)
    shown, seconds_left = presence_services.session_code(actor=trainer, session=session, now=now)
    assert 0 < seconds_left <= codes.STEP_SECONDS

    with pytest.raises(CheckInCodeInvalid):  # the code of another session
        presence_services.presence_check_in(learner=learner, session=other, code=shown, now=now)
    an_hour_old = code_now(session, now - timedelta(hours=1))
    with pytest.raises(CheckInCodeInvalid):  # a code seen an hour ago
        presence_services.presence_check_in(
            learner=learner, session=session, code=an_hour_old, now=now
        )
    just_changed = now + timedelta(seconds=seconds_left + 1)  # the code typed as it changed
    presence = presence_services.presence_check_in(
        learner=learner, session=session, code=shown, now=just_changed
    )
    assert presence.entered_at == just_changed
    two_steps_later = just_changed + timedelta(seconds=codes.STEP_SECONDS)
    with pytest.raises(CheckInCodeInvalid):
        presence_services.presence_check_out(
            learner=learner, session=session, code=shown, now=two_steps_later
        )


def test_a_check_in_before_the_session_opens_is_refused(learner, trainer, day_lesson, course):
    enrol(learner, course)
    now = tomorrow_at(10)
    session = make_session(day_lesson, trainer, starts_at=now + timedelta(hours=2))
    sessions.registration_create(actor=learner, session=session)
    with pytest.raises(CheckInNotOpen):
        presence_services.session_code(actor=trainer, session=session, now=now)
    with pytest.raises(CheckInNotOpen):
        presence_services.presence_check_in(
            learner=learner, session=session, code=code_now(session, now), now=now
        )
    assert not Presence.objects.exists()


def test_only_people_with_a_place_check_in(learner, trainer, day_lesson, course):
    enrol(learner, course)
    now = tomorrow_at(10)
    session = make_session(day_lesson, trainer, starts_at=now - timedelta(minutes=5))
    with pytest.raises(NotRegistered):
        presence_services.presence_check_in(
            learner=learner, session=session, code=code_now(session, now), now=now
        )


def test_hours_run_from_check_in_to_check_out_within_the_session(
    learner, trainer, day_lesson, course
):
    enrol(learner, course)
    starts = tomorrow_at(9)
    session = make_session(day_lesson, trainer, starts_at=starts, hours=4)
    place(session, learner)
    early = starts - timedelta(minutes=20)  # before the start: the hours start with the session
    presence_services.presence_check_in(
        learner=learner, session=session, code=code_now(session, early), now=early
    )
    leaving = starts + timedelta(hours=2, minutes=45)
    presence = presence_services.presence_check_out(
        learner=learner, session=session, code=code_now(session, leaving), now=leaving
    )

    assert presence.attended_seconds == 2.75 * 3600
    credit = AttendanceCredit.objects.get(presence_id=presence.pk)
    assert (credit.seconds, credit.mode, credit.learner_id) == (
        2.75 * 3600,
        "in_person",
        learner.pk,
    )
    assert list(presence.changes.values_list("action", "changed_by")) == [
        ("check_in", learner.pk),
        ("check_out", learner.pk),
    ]


# The roster and corrections ------------------------------------------------------------------


def test_a_correction_needs_its_reason_and_the_history_keeps_every_state(
    learner, trainer, day_lesson, course, milano_coordinator, napoli_coordinator
):
    starts = tomorrow_at(9)
    session = make_session(day_lesson, trainer, starts_at=starts, hours=4)
    place(session, learner)
    presence = presence_services.presence_mark(
        actor=trainer,
        session=session,
        learner=learner,
        status=Presence.Status.PRESENT,
        entered_at=starts + timedelta(minutes=30),  # a late arrival
        left_at=starts + timedelta(hours=4),
        now=starts + timedelta(hours=5),
    )
    assert presence.attended_seconds == 3.5 * 3600

    with pytest.raises(CorrectionNeedsReason):
        presence_services.presence_correct(
            actor=milano_coordinator,
            presence=presence,
            status=Presence.Status.PRESENT,
            entered_at=starts,
            left_at=starts + timedelta(hours=4),
            reason="  ",
        )
    with pytest.raises(PresenceNotFound):  # not a person of Napoli
        presence_services.presence_correct(
            actor=napoli_coordinator,
            presence=presence,
            status=Presence.Status.ABSENT,
            entered_at=None,
            left_at=None,
            reason="Il registro cartaceo lo indica assente.",
        )
    corrected = presence_services.presence_correct(
        actor=milano_coordinator,
        presence=presence,
        status=Presence.Status.PRESENT,
        entered_at=starts,
        left_at=starts + timedelta(hours=4),
        reason="Il foglio firme mostra l'arrivo all'inizio: ritardo del treno già giustificato.",
    )

    assert corrected.attended_seconds == 4 * 3600
    assert AttendanceCredit.objects.get(presence_id=presence.pk).seconds == 4 * 3600
    history = list(PresenceChange.objects.filter(presence=presence).order_by("id"))
    assert [change.action for change in history] == ["roster", "correction"]
    assert history[0].before is None
    assert history[1].before["attended_seconds"] == 3.5 * 3600
    assert history[1].after["attended_seconds"] == 4 * 3600
    assert history[1].changed_by == milano_coordinator
    assert history[1].reason.startswith("Il foglio firme")


def test_an_absence_leaves_no_hours_in_the_ledger(learner, trainer, day_lesson):
    starts = tomorrow_at(9)
    session = make_session(day_lesson, trainer, starts_at=starts)
    place(session, learner)
    presence_services.presence_mark(
        actor=trainer,
        session=session,
        learner=learner,
        status=Presence.Status.PRESENT,
        entered_at=starts,
        left_at=starts + timedelta(hours=1),
        now=starts + timedelta(hours=5),
    )
    assert AttendanceCredit.objects.filter(learner=learner).count() == 1
    presence_services.presence_mark(
        actor=trainer,
        session=session,
        learner=learner,
        status=Presence.Status.JUSTIFIED,
        now=starts + timedelta(hours=5),
    )
    assert not AttendanceCredit.objects.filter(learner=learner).exists()
    assert Presence.objects.get(learner=learner).attended_seconds == 0


def test_only_trainers_of_the_session_mark_the_roster(learner, trainer, other_trainer, day_lesson):
    starts = tomorrow_at(9)
    session = make_session(day_lesson, trainer, starts_at=starts)
    place(session, learner)
    with pytest.raises(ApplicationError) as refused:
        presence_services.presence_mark(
            actor=other_trainer,
            session=session,
            learner=learner,
            status=Presence.Status.ABSENT,
            now=starts + timedelta(hours=5),
        )
    assert refused.value.status_code == 403


# Registrations -------------------------------------------------------------------------------


def test_a_full_session_has_a_waiting_list_served_in_order(trainer, day_lesson, course):
    people = UserFactory.create_batch(3)
    for person in people:
        enrol(person, course)
    session = make_session(
        day_lesson, trainer, starts_at=tomorrow_at(9) + timedelta(days=7), capacity=1
    )
    first, second, third = (
        sessions.registration_create(actor=person, session=session) for person in people
    )
    assert [r.status for r in (first, second, third)] == ["registered", "waitlisted", "waitlisted"]

    sessions.registration_cancel(actor=people[0], registration=first)

    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("registered", "waitlisted")


def test_a_confirmed_place_is_mailed_with_its_calendar_file(
    learner, trainer, day_lesson, course, django_capture_on_commit_callbacks
):
    enrol(learner, course)
    starts = datetime(2027, 3, 10, 9, 30, tzinfo=ROME)
    session = make_session(day_lesson, trainer, starts_at=starts)
    with django_capture_on_commit_callbacks(execute=True):
        sessions.registration_create(actor=learner, session=session)

    [message] = mail.outbox
    assert message.to == [learner.email]
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("sessione.ics", "text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART;TZID=Europe/Rome:20270310T093000" in text
    assert "Palazzo Malvezzi" in text


# The registers -------------------------------------------------------------------------------


@pytest.fixture
def bologna_case(trainer, course, day_lesson):
    """Two learners of Bologna and one of Milano, a video lesson watched on both sides of the
    end of summer time (25 October 2026) and an in-person day after it."""
    bologna = city("bologna")
    comune = OrganisationFactory(city=bologna, name="Comune di Imola")
    anna = UserFactory(organisation=comune, first_name="Anna", last_name="Bianchi")
    bruno = UserFactory(organisation=comune, first_name="Bruno", last_name="Verdi")
    milano = UserFactory(
        organisation=OrganisationFactory(city=city("milano")),
        first_name="Carla",
        last_name="Milanesi",
    )
    video = LessonFactory(
        module=day_lesson.module, title="La semplificazione", duration_seconds=3600
    )
    for person in (anna, bruno, milano):
        enrol(person, course, days_ago=90)
    # Saturday 24 October, summer time (UTC+2): 09:00-09:10 local; Sunday 25, winter time
    # (UTC+1): 09:00-09:20 local.
    watch(anna, video, started_at=datetime(2026, 10, 24, 9, 0, tzinfo=ROME), segments=[(0, 600)])
    watch(anna, video, started_at=datetime(2026, 10, 25, 9, 0, tzinfo=ROME), segments=[(600, 1800)])
    watch(milano, video, started_at=datetime(2026, 10, 25, 9, 0, tzinfo=ROME), segments=[(0, 900)])
    starts = datetime(2026, 10, 26, 9, 0, tzinfo=ROME)
    session = make_session(day_lesson, trainer, starts_at=starts, hours=4)
    for person in (anna, bruno, milano):
        place(session, person)
    mark = presence_services.presence_mark
    now = starts + timedelta(hours=5)
    mark(  # late by 15 minutes, leaves half an hour early: 3 h 15
        actor=trainer,
        session=session,
        learner=anna,
        status=Presence.Status.PRESENT,
        entered_at=starts + timedelta(minutes=15),
        left_at=starts + timedelta(hours=3, minutes=30),
        now=now,
    )
    mark(actor=trainer, session=session, learner=bruno, status=Presence.Status.ABSENT, now=now)
    mark(
        actor=trainer,
        session=session,
        learner=milano,
        status=Presence.Status.PRESENT,
        entered_at=starts,
        left_at=starts + timedelta(hours=4),
        now=now,
    )
    return {"anna": anna, "bruno": bruno, "milano": milano, "session": session, "video": video}


@pytest.fixture
def italian():
    """The registers are read in Italian, as the coordinators' pages ask for them."""
    with translation.override("it"):
        yield


def bologna_coordinator():
    return UserFactory(coordinator_of="bologna", first_name="Paola", last_name="Coordinatrice")


def download(coordinator, register, file_format, where, delimiter=","):
    start = registers.register_export_start(
        actor=coordinator,
        register=register,
        file_format=file_format,
        where=where,
        delimiter=delimiter,
    )
    if start.chunks is not None:
        return b"".join(start.chunks)
    data = start.path.read_bytes()
    start.path.unlink()
    return data


OCTOBER = RegisterFilter(date_from=date(2026, 10, 20), date_to=date(2026, 10, 31))


def test_the_learner_register_in_csv_matches_the_hand_computed_hours(bologna_case, italian):
    coordinator = bologna_coordinator()
    data = download(coordinator, "learner", "csv", OCTOBER, delimiter=";")

    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Cognome", "Nome", "Codice fiscale", "Ente"]
    anna = bologna_case["anna"]
    cells = [(r[0], r[4], r[6], r[7], r[8], r[9], r[10]) for r in body]
    assert cells == [
        # the register keeps local time on both sides of the change: 09:00 each day
        ("Bianchi", "24/10/2026", "La semplificazione", "Distanza", "09:00", "09:10", "0,17"),
        ("Bianchi", "25/10/2026", "La semplificazione", "Distanza", "09:00", "09:20", "0,33"),
        ("Bianchi", "26/10/2026", "Giornata di Bologna", "In presenza", "09:15", "12:30", "3,25"),
    ]
    assert all(r[2] == anna.tax_code for r in body)
    assert "Milanesi" not in data.decode("utf-8-sig")
    assert RegisterExport.objects.get().filters["date_from"] == "2026-10-20"


def test_the_session_register_in_xlsx_has_typed_cells_and_nobody_from_another_city(
    bologna_case,
    italian,
):
    coordinator = bologna_coordinator()
    where = RegisterFilter(session_id=bologna_case["session"].pk)
    data = download(coordinator, "session", "xlsx", where)

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row[0] == "Cognome")
    body = [row for row in values[header_at + 1 :] if row[0]]
    assert [(r[0], r[8], r[9], r[10], r[11]) for r in body] == [
        (
            "Bianchi",
            local(2026, 10, 26, 9, 15),
            local(2026, 10, 26, 12, 30),
            3.25,
            "Presente",
        ),
        ("Verdi", None, None, 0, "Assente"),
    ]
    assert body[0][7] == local(2026, 10, 26, 0, 0)  # a date cell, not text
    text = " ".join(str(v) for row in values for v in row if v is not None)
    assert "Milanesi" not in text


def test_the_pdf_register_prints_the_programme_totals_and_nobody_from_another_city(
    bologna_case, italian, staff
):
    sessions.programme_identity_update(
        actor=staff,
        data={
            "plan_title": "Piano formativo Metropoli",
            "project_title": "Capacità amministrativa delle Città metropolitane",
            "funding_programme": "PN Capacità per la Coesione 2021-2027",
            "funding_codes": [{"label": "CUP", "code": "J51B21000000006"}],
        },
    )
    coordinator = bologna_coordinator()
    data = download(coordinator, "learner", "pdf", OCTOBER)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Capacità amministrativa delle Città metropolitane" in text
    assert "J51B21000000006" in text
    assert "Bianchi" in text
    assert "Milanesi" not in text
    assert "3,75" in text  # 0.17 + 0.33 + 3.25 hours, summed unrounded: 10 + 20 + 195 minutes
    assert "Pagina 1 di 1" in text


def test_the_summary_by_organisation_keeps_the_hours_apart_and_in_scope(bologna_case, italian):
    coordinator = bologna_coordinator()
    rows = list(
        csv.reader(
            io.StringIO(download(coordinator, "organisations", "csv", OCTOBER).decode("utf-8-sig"))
        )
    )
    assert rows[1:] == [["Bologna", "Comune di Imola", "2", "0.50", "3.25", "0.00", "3.75"]]


def test_a_large_register_is_written_by_the_task_and_kept_for_download(
    bologna_case, settings, django_capture_on_commit_callbacks
):
    """In the requester's language, though the task runs elsewhere."""
    settings.ATTENDANCE_EXPORT_ASYNC_ROWS = 1
    translation.activate("it")
    coordinator = bologna_coordinator()
    with django_capture_on_commit_callbacks(execute=True):
        start = registers.register_export_start(
            actor=coordinator, register="learner", file_format="xlsx", where=OCTOBER
        )
    assert start.chunks is None
    assert start.path is None
    export = RegisterExport.objects.get(pk=start.export.pk)
    assert export.status == RegisterExport.Status.READY
    with export.file.open("rb") as written:
        sheet = openpyxl.load_workbook(written).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert names.count("Bianchi") == 3
    assert "Milanesi" not in names


# Completions from the registers --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_module_asking_for_attendance_completes_from_the_registers_and_a_correction_withdraws(
    trainer, milano_org
):
    from tracking.progress.models import Completion

    learner = UserFactory(organisation=milano_org)
    coordinator = UserFactory(coordinator_of="milano")
    course = CourseFactory(published=True, trainers=[trainer])
    module = ModuleFactory(course=course, completion_min_attendance_percent=80)
    day = LessonFactory(module=module, kind=Lesson.Kind.IN_PERSON, duration_seconds=4 * 3600)
    enrol(learner, course)
    starts = tomorrow_at(9)
    session = make_session(day, trainer, starts_at=starts, hours=4)
    place(session, learner)

    presence = presence_services.presence_mark(  # 3 h 30 of 4: 87.5 %, over the module's 80 %
        actor=trainer,
        session=session,
        learner=learner,
        status=Presence.Status.PRESENT,
        entered_at=starts + timedelta(minutes=30),
        left_at=starts + timedelta(hours=4),
        now=starts + timedelta(hours=5),
    )  # (its commit wakes the engine, which recomputes the learner: tasks run in-process here)

    held = Completion.objects.filter(learner=learner, withdrawn_at__isnull=True)
    assert set(held.values_list("kind", flat=True)) == {"lesson", "module", "course"}
    lesson_done = held.get(kind="lesson")
    assert lesson_done.completed_at == starts + timedelta(hours=4)
    assert lesson_done.credited_seconds == 3.5 * 3600

    presence_services.presence_correct(  # the sign-in sheet says 2 h: 50 %, under 80 %
        actor=coordinator,
        presence=presence,
        status=Presence.Status.PRESENT,
        entered_at=starts + timedelta(hours=2),
        left_at=starts + timedelta(hours=4),
        reason="Il foglio firme riporta l'arrivo alle 11:00.",
    )

    assert not Completion.objects.filter(learner=learner, withdrawn_at__isnull=True).exists()
    assert Completion.objects.filter(learner=learner, withdrawn_at__isnull=False).count() == 3


def test_a_register_too_long_to_print_is_refused_as_pdf_and_written_as_xlsx(
    bologna_case, monkeypatch
):
    from tracking.attendance.exceptions import RegisterTooLongForPdf

    monkeypatch.setattr(registers, "PDF_MAX_ROWS", 2)
    coordinator = bologna_coordinator()
    with pytest.raises(RegisterTooLongForPdf) as refused:
        registers.register_export_start(
            actor=coordinator, register="learner", file_format="pdf", where=OCTOBER
        )
    assert refused.value.status_code == 400
    assert not RegisterExport.objects.exists()  # nothing recorded for a refusal
    assert download(coordinator, "learner", "xlsx", OCTOBER)
