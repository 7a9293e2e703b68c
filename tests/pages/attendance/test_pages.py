"""The attendance pages through the test client: who may open what, the scope of every list and
file, the forms' round trips into the services, and the queries each page costs."""

import csv
import io
import re
import tempfile
from datetime import timedelta
from http import HTTPStatus

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.pages.attendance.conftest import make_session
from tracking.attendance import codes
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.services import presence as presence_services
from tracking.attendance.services import registers, sessions
from tracking.progress.models import AttendanceCredit

pytestmark = pytest.mark.django_db


def client_as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def current_code(session) -> str:
    return codes.code_for(session.code_secret, str(session.pk), codes.step_of(timezone.now()))


def visible_text(html: str) -> str:
    """The page as read: no tags, no attributes (ids and URLs are not what a person sees)."""
    return re.sub(r"<[^>]+>", " ", html)


def trainer_urls(session) -> list[str]:
    return [
        "/docente/sessioni/",
        "/docente/sessioni/nuova/",
        f"/docente/sessioni/{session.pk}/",
        f"/docente/sessioni/{session.pk}/registro/",
        f"/docente/sessioni/{session.pk}/codice/",
        f"/docente/sessioni/{session.pk}/codice.json",
    ]


# --- who may open what ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(open_session):
    for url in ["/sessioni/", f"/sessioni/{open_session.pk}/", "/coordinamento/registri/"]:
        response = Client().get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/accedi/")


def test_learners_cannot_reach_the_trainer_pages(open_session, bologna_learner):
    client = client_as(bologna_learner)
    for url in trainer_urls(open_session):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN, url


def test_learners_and_trainers_cannot_reach_the_registers(open_session, bologna_learner, trainer):
    for user in (bologna_learner, trainer):
        client = client_as(user)
        assert client.get("/coordinamento/registri/").status_code == HTTPStatus.FORBIDDEN
        assert client.get("/coordinamento/registri/elenco/").status_code == HTTPStatus.FORBIDDEN


def test_another_trainer_gets_404_on_a_session_they_do_not_teach(open_session, other_trainer):
    client = client_as(other_trainer)
    for url in trainer_urls(open_session)[2:]:
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url


def test_a_session_of_a_course_the_learner_does_not_follow_is_404(open_session, learner):
    assert client_as(learner).get(f"/sessioni/{open_session.pk}/").status_code == 404


# --- the calendar -----------------------------------------------------------------------------


def test_the_calendar_lists_upcoming_sessions_by_day_with_places(
    later_session, bologna_learner, django_assert_max_num_queries
):
    other = CourseFactory(published=True)
    other_lesson = LessonFactory(module=ModuleFactory(course=other), kind="in_person")
    make_session(
        other_lesson,
        other.trainers.get(),
        starts_at=later_session.starts_at,
        title="Sessione di un altro corso",
    )
    make_session(
        later_session.lesson,
        later_session.trainers.get(),
        starts_at=later_session.starts_at + timedelta(days=1),
        title="Seconda giornata",
    )
    sessions.registration_create(actor=bologna_learner, session=later_session)
    client = client_as(bologna_learner)

    with django_assert_max_num_queries(5):  # however many sessions
        response = client.get("/sessioni/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Giornata futura" in html
    assert "Seconda giornata" in html
    assert "Sessione di un altro corso" not in html
    assert "09:30" in html
    assert "13:30" in html
    assert "29 places left" in html
    assert "You have a place" in html
    assert f'href="/sessioni/{later_session.pk}/"' in html


def test_the_month_filter_shows_that_month_and_refuses_nonsense(later_session, bologna_learner):
    client = client_as(bologna_learner)
    month = timezone.localtime(later_session.starts_at).strftime("%Y-%m")
    next_year = (timezone.localdate() + timedelta(days=400)).strftime("%Y-%m")

    shown = client.get(f"/sessioni/?mese={month}").content.decode()
    empty = client.get(f"/sessioni/?mese={next_year}").content.decode()
    refused = client.get("/sessioni/?mese=dicembre")

    assert "Giornata futura" in shown
    assert "Giornata futura" not in empty
    assert "No sessions in this month." in empty
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose a month, e.g. 2026-12." in refused.content.decode()


# --- a learner's session page -----------------------------------------------------------------


def test_a_learner_registers_and_a_full_session_puts_the_next_on_the_waiting_list(
    day_lesson, trainer, bologna_learner, milano_person, course
):
    start = timezone.now() + timedelta(days=2)
    session = make_session(day_lesson, trainer, starts_at=start, capacity=1)
    third = UserFactory(organisation=milano_person.organisation)
    EnrollmentFactory(course=course, learner=third)
    url = f"/sessioni/{session.pk}/"

    first = client_as(bologna_learner).post(url + "iscrizione/")
    client_as(milano_person).post(url + "iscrizione/")
    client_as(third).post(url + "iscrizione/")
    page = client_as(third).get(url).content.decode()

    assert first.status_code == HTTPStatus.FOUND
    assert SessionRegistration.objects.get(learner=bologna_learner).status == "registered"
    assert SessionRegistration.objects.get(learner=milano_person).status == "waitlisted"
    assert "You are number 2 on the waiting list." in page
    client_as(bologna_learner).post(url + "rinuncia/")
    assert SessionRegistration.objects.get(learner=milano_person).status == "registered"
    assert "Your place is confirmed." in client_as(milano_person).get(url).content.decode()


def test_registering_without_an_active_enrolment_is_refused_with_the_reason(
    later_session, bologna_org
):
    finished = UserFactory(organisation=bologna_org)
    EnrollmentFactory(
        course=later_session.lesson.module.course, learner=finished, status="completed"
    )

    response = client_as(finished).post(f"/sessioni/{later_session.pk}/iscrizione/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only learners enrolled in the session&#x27;s course can register" in (
        response.content.decode()
    )
    assert not SessionRegistration.objects.exists()


def test_the_calendar_file_is_an_ics_in_rome_time(later_session, bologna_learner):
    response = client_as(bologna_learner).get(f"/sessioni/{later_session.pk}/calendario.ics")

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith('attachment; filename="sessione-')
    day = timezone.localtime(later_session.starts_at).strftime("%Y%m%d")
    assert f"DTSTART;TZID=Europe/Rome:{day}T093000" in body
    assert "SUMMARY:Giornata futura" in body


def test_check_in_and_out_with_the_room_code_record_the_presence(open_session, bologna_learner):
    sessions.registration_create(actor=bologna_learner, session=open_session)
    client = client_as(bologna_learner)
    url = f"/sessioni/{open_session.pk}/"
    page = client.get(url).content.decode()
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="off"' in page
    assert "I am here" in page

    wrong = client.post(url + "ingresso/", {"code": "12345"})
    assert wrong.status_code == HTTPStatus.BAD_REQUEST
    assert "Type the 6 digits shown on the screen." in wrong.content.decode()
    code = current_code(open_session)
    bad = "".join(str((int(d) + 1) % 10) for d in code)
    refused = client.post(url + "ingresso/", {"code": bad})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "This code is not the one shown in the room now." in refused.content.decode()

    checked_in = client.post(url + "ingresso/", {"code": f" {current_code(open_session)} "})
    assert checked_in.status_code == HTTPStatus.FOUND
    presence = Presence.objects.get(learner=bologna_learner)
    assert presence.status == "present"
    assert presence.entered_at
    assert presence.left_at is None
    assert "I am leaving" in client.get(url).content.decode()

    client.post(url + "uscita/", {"code": current_code(open_session)})
    presence.refresh_from_db()
    assert presence.left_at is not None
    assert presence.attended_seconds == pytest.approx(
        (presence.left_at - max(presence.entered_at, open_session.starts_at)).total_seconds()
    )
    done = client.get(url).content.decode()
    assert "I am leaving" not in done
    assert timezone.localtime(presence.entered_at).strftime("%H:%M") in done


def test_the_code_never_appears_on_a_learner_page(open_session, bologna_learner):
    sessions.registration_create(actor=bologna_learner, session=open_session)
    client = client_as(bologna_learner)

    pages = [client.get(f"/sessioni/{open_session.pk}/"), client.get("/sessioni/")]
    code = current_code(open_session)

    for response in pages:
        assert code not in visible_text(response.content.decode())
        assert "projector-code" not in response.content.decode()
    assert client.get(f"/docente/sessioni/{open_session.pk}/codice.json").status_code == 403


# --- a coordinator on a session's page ----------------------------------------------------------


def test_a_coordinator_registers_one_of_their_people_and_sees_only_theirs(
    later_session,
    bologna_coordinator,
    bologna_learner,
    milano_person,
    django_assert_max_num_queries,
):
    sessions.registration_create(actor=milano_person, session=later_session)
    client = client_as(bologna_coordinator)
    url = f"/sessioni/{later_session.pk}/"
    with django_assert_max_num_queries(11):
        page = client.get(url).content.decode()
    assert "Bolognesi" in page  # to choose
    assert "Brambilla" not in page
    assert "Your place" not in page  # they take no part themselves

    outside = client.post(url + "iscrizione/", {"learner": str(milano_person.pk)})
    assert outside.status_code == HTTPStatus.BAD_REQUEST  # not among their people
    registered = client.post(url + "iscrizione/", {"learner": str(bologna_learner.pk)})

    assert registered.status_code == HTTPStatus.FOUND
    registration = SessionRegistration.objects.get(learner=bologna_learner)
    assert registration.registered_by == bologna_coordinator
    listed = client.get(url).content.decode()
    people = listed[listed.index('data-testid="people"') :]
    assert "Bianca Bolognesi" in people
    assert "Brambilla" not in people


# --- the trainer's pages ----------------------------------------------------------------------


def test_a_trainer_plans_a_session_with_day_and_times_in_rome(trainer, day_lesson):
    client = client_as(trainer)
    listing = client.get("/docente/sessioni/").content.decode()
    assert f"/docente/sessioni/nuova/?lezione={day_lesson.pk}" in listing

    response = client.post(
        "/docente/sessioni/nuova/",
        {
            "lesson": str(day_lesson.pk),
            "kind": "training_day",
            "title": "Giornata d'inverno",
            "day": "2026-12-15",
            "start": "09:30",
            "end": "13:00",
            "place": "Palazzo Malvezzi, Bologna",
            "capacity": "25",
        },
    )

    session = AttendanceSession.objects.get(title="Giornata d'inverno")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/docente/sessioni/{session.pk}/"
    assert timezone.localtime(session.starts_at).isoformat() == "2026-12-15T09:30:00+01:00"
    assert timezone.localtime(session.ends_at).isoformat() == "2026-12-15T13:00:00+01:00"
    assert list(session.trainers.all()) == [trainer]


def test_an_exchange_visit_without_cities_is_refused_on_the_form(trainer, day_lesson):
    response = client_as(trainer).post(
        "/docente/sessioni/nuova/",
        {
            "lesson": str(day_lesson.pk),
            "kind": "exchange_visit",
            "day": "2026-12-15",
            "start": "09:30",
            "end": "13:00",
            "place": "Napoli",
            "capacity": "10",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "An exchange visit needs a hosting city" in response.content.decode()
    assert not AttendanceSession.objects.exists()


def test_a_trainer_edits_the_cities_of_an_exchange_visit_and_cancels_it(trainer, later_session):
    client = client_as(trainer)
    url = f"/docente/sessioni/{later_session.pk}/"
    form = client.get(url).content.decode()
    assert 'value="09:30"' in form

    saved = client.post(
        url,
        {
            "kind": "exchange_visit",
            "title": "Visita a Napoli",
            "day": timezone.localtime(later_session.starts_at).date().isoformat(),
            "start": "10:00",
            "end": "16:00",
            "place": "Palazzo Matteotti",
            "capacity": "12",
            "hosting_city": str(city("napoli").pk),
            "visiting_cities": [str(city("bologna").pk), str(city("milano").pk)],
        },
    )
    later_session.refresh_from_db()
    assert saved.status_code == HTTPStatus.FOUND
    assert later_session.hosting_city.slug == "napoli"
    assert {c.slug for c in later_session.visiting_cities.all()} == {"bologna", "milano"}
    assert timezone.localtime(later_session.starts_at).strftime("%H:%M") == "10:00"

    client.post(url + "annulla/")
    later_session.refresh_from_db()
    assert later_session.is_cancelled


def test_the_roster_saves_changed_lines_and_shows_each_refusal_on_its_line(
    open_session, trainer, bologna_learner, milano_person, django_assert_max_num_queries
):
    for person in (bologna_learner, milano_person):
        sessions.registration_create(actor=person, session=open_session)
    client = client_as(trainer)
    url = f"/docente/sessioni/{open_session.pk}/registro/"
    with django_assert_max_num_queries(8):  # however many lines
        page = client.get(url).content.decode()
    start = timezone.localtime(open_session.starts_at).strftime("%H:%M")
    assert f'value="{start}"' in page  # prefilled with the session's times
    lines = {r.learner_id: r.pk for r in SessionRegistration.objects.all()}
    b, m = lines[bologna_learner.pk], lines[milano_person.pk]
    post = {}
    for pk in (b, m):
        initial_end = timezone.localtime(open_session.ends_at).strftime("%H:%M")
        post.update({f"{pk}-status": "", f"{pk}-entered": start, f"{pk}-left": initial_end})
    post[f"{b}-status"] = "present"
    post[f"{m}-status"] = "present"
    post[f"{m}-entered"] = "23:59" if start != "23:59" else "23:58"
    post[f"{m}-left"] = start  # the exit before the entry

    response = client.post(url, post)

    body = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "1 line refused (see it marked below); lines saved: 1." in body
    assert "the exit cannot come before the entry" in body
    saved = Presence.objects.get(learner=bologna_learner)
    assert saved.status == "present"
    assert saved.attended_seconds == pytest.approx(
        (saved.left_at - open_session.starts_at).total_seconds()
    )
    assert not Presence.objects.filter(learner=milano_person).exists()
    assert PresenceChange.objects.filter(presence=saved, action="roster").count() == 1


def test_the_projector_json_gives_the_current_code_and_a_message_outside_the_window(
    open_session, later_session, trainer
):
    client = client_as(trainer)

    now = client.get(f"/docente/sessioni/{open_session.pk}/codice.json").json()
    closed = client.get(f"/docente/sessioni/{later_session.pk}/codice.json").json()
    page = client.get(f"/docente/sessioni/{open_session.pk}/codice/").content.decode()

    assert codes.code_is_current(
        open_session.code_secret, str(open_session.pk), now["code"], timezone.now()
    )
    assert 1 <= now["seconds_left"] <= codes.STEP_SECONDS
    assert closed == {
        "code": None,
        "seconds_left": None,
        "message": "Check-in for this session is not open now.",
    }
    assert "session-code.js" in page
    assert 'data-testid="projector-code"' in page


# --- the coordinator's registers --------------------------------------------------------------


@pytest.fixture
def attended(open_session, trainer, bologna_learner, milano_person):
    """Both learners marked present for the whole session by the trainer."""
    for person in (bologna_learner, milano_person):
        sessions.registration_create(actor=person, session=open_session)
        presence_services.presence_mark(
            actor=trainer,
            session=open_session,
            learner=person,
            status="present",
            entered_at=open_session.starts_at,
            left_at=open_session.ends_at,
        )
    return open_session


def download(client, **fields):
    data = {"register": "session", "download": "csv", **fields}
    return client.post("/coordinamento/registri/", data)


def test_a_bologna_csv_register_holds_bologna_and_never_milano(
    attended, bologna_coordinator, bologna_learner, milano_person
):
    response = download(client_as(bologna_coordinator))

    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="registro-sessioni-\d{8}-\d{4}\.csv"',
        response["Content-Disposition"],
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    tax_codes = {cell for row in rows for cell in row}
    assert bologna_learner.tax_code in tax_codes
    assert milano_person.tax_code not in tax_codes
    assert "Brambilla" not in text
    hours = attended.scheduled_seconds / 3600
    line = next(row for row in rows if bologna_learner.tax_code in row)
    assert line[:2] == ["Bolognesi", "Bianca"]
    assert float(line[10]) == pytest.approx(hours, abs=0.01)
    export = RegisterExport.objects.get()
    assert export.requested_by == bologna_coordinator
    assert export.status == "ready"


def test_the_semicolon_csv_and_the_xlsx_are_scoped_and_the_temp_file_goes(
    attended, bologna_coordinator, bologna_learner, milano_person, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the register is written
    client = client_as(bologna_coordinator)
    semicolon = download(client, download="csv-semicolon")
    text = b"".join(semicolon.streaming_content).decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    assert bologna_learner.tax_code in text
    assert milano_person.tax_code not in text

    response = download(client, download="xlsx")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [p.name for p in tmp_path.glob("register-*.xlsx")]  # written, not yet sent
    body = b"".join(response.streaming_content)
    response.close()
    assert not list(tmp_path.glob("register-*"))  # deleted once sent
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert bologna_learner.tax_code in cells
    assert milano_person.tax_code not in cells


def test_the_city_filter_is_only_for_national_coordinators(
    attended, bologna_coordinator, national_coordinator, bologna_learner, milano_person
):
    own = client_as(bologna_coordinator).get("/coordinamento/registri/").content.decode()
    assert 'name="city"' not in own
    national = client_as(national_coordinator)
    assert 'name="city"' in national.get("/coordinamento/registri/").content.decode()

    response = download(national, city=str(city("milano").pk))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert milano_person.tax_code in text
    assert bologna_learner.tax_code not in text


def test_a_city_coordinator_cannot_filter_by_another_citys_organisation(
    attended, bologna_coordinator, milano_person
):
    response = download(
        client_as(bologna_coordinator), organisation=str(milano_person.organisation_id)
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not RegisterExport.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused(attended, bologna_coordinator):
    response = download(
        client_as(bologna_coordinator), date_from="2026-12-10", date_to="2026-12-01"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The end of the period comes before its start." in response.content.decode()


def test_a_large_register_is_queued_then_downloaded_from_the_list(
    attended,
    bologna_coordinator,
    bologna_learner,
    milano_person,
    settings,
    tmp_path,
    django_assert_max_num_queries,
):
    settings.ATTENDANCE_EXPORT_ASYNC_ROWS = 0
    settings.MEDIA_ROOT = tmp_path
    client = client_as(bologna_coordinator)

    queued = download(client, download="xlsx")

    assert queued.status_code == HTTPStatus.FOUND
    assert queued["Location"] == "/coordinamento/registri/"
    export = RegisterExport.objects.get()
    page = client.get("/coordinamento/registri/").content.decode()
    assert "The register is being prepared" in page
    assert 'data-pending="true"' in page
    assert "<progress" in page
    assert client.get(f"/coordinamento/registri/{export.pk}/scarica/").status_code == 404

    registers.register_export_run(export_id=export.pk)
    with django_assert_max_num_queries(3):
        fragment = client.get("/coordinamento/registri/elenco/").content.decode()
    assert 'data-pending="false"' in fragment
    assert f"/coordinamento/registri/{export.pk}/scarica/" in fragment
    response = client.get(f"/coordinamento/registri/{export.pk}/scarica/")
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert bologna_learner.tax_code in cells
    assert milano_person.tax_code not in cells
    other = client_as(UserFactory(coordinator_of="milano"))
    assert other.get(f"/coordinamento/registri/{export.pk}/scarica/").status_code == 404


def test_a_failed_register_shows_its_reason(bologna_coordinator):
    RegisterExport.objects.create(
        requested_by=bologna_coordinator,
        register="learner",
        format="pdf",
        status="failed",
        failure_reason="WeasyPrint could not lay out the page",
    )

    page = client_as(bologna_coordinator).get("/coordinamento/registri/").content.decode()

    assert "WeasyPrint could not lay out the page" in page
    assert 'data-pending="false"' in page


# --- corrections ------------------------------------------------------------------------------


def test_a_correction_needs_a_reason_and_shows_in_the_history(
    attended, bologna_coordinator, bologna_learner
):
    presence = Presence.objects.get(learner=bologna_learner)
    client = client_as(bologna_coordinator)
    url = f"/coordinamento/presenze/{presence.pk}/"
    assert url in client.get(f"/sessioni/{attended.pk}/").content.decode()
    start = timezone.localtime(attended.starts_at)
    half = timezone.localtime(attended.starts_at + (attended.ends_at - attended.starts_at) / 2)
    data = {
        "status": "present",
        "entered": start.strftime("%H:%M"),
        "left": half.strftime("%H:%M"),
    }

    short = client.post(url, {**data, "reason": "troppo"})
    corrected = client.post(url, {**data, "reason": "Uscita anticipata, da foglio firme"})

    assert short.status_code == HTTPStatus.BAD_REQUEST
    assert corrected.status_code == HTTPStatus.FOUND
    presence.refresh_from_db()
    assert timezone.localtime(presence.left_at).strftime("%H:%M") == half.strftime("%H:%M")
    page = client.get(url).content.decode()
    history = page[page.index('data-testid="history"') :]
    assert "Uscita anticipata, da foglio firme" in history
    assert "Corrected by a coordinator" in history
    assert "Marked on the roster" in history
    assert "Bruna Coordinatrice" in history
    assert PresenceChange.objects.filter(presence=presence).count() == 2


def test_a_presence_of_another_city_is_404(attended, napoli_coordinator, milano_person):
    presence = Presence.objects.get(learner=milano_person)

    response = client_as(napoli_coordinator).get(f"/coordinamento/presenze/{presence.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- hours apart ------------------------------------------------------------------------------


def test_my_progress_and_the_coordinator_person_page_show_attended_hours_apart(
    attended, bologna_learner, bologna_coordinator
):
    hours = attended.scheduled_seconds / 3600
    assert AttendanceCredit.objects.get(learner=bologna_learner).seconds == pytest.approx(
        attended.scheduled_seconds
    )
    expected = f"{round(hours, 2):g} h"

    mine = client_as(bologna_learner).get("/i-miei-progressi/").content.decode()
    theirs = (
        client_as(bologna_coordinator)
        .get(f"/coordinamento/persone/{bologna_learner.pk}/")
        .content.decode()
    )

    for html in (mine, theirs):
        section = html[html.index('data-testid="hours-apart"') :]
        assert re.search(r'data-testid="hours-distance">0 h<', section)
        in_person = re.search(r'data-testid="hours-in-person">([^<]+)<', section).group(1)
        assert in_person == expected
        assert re.search(r'data-testid="hours-webinar">0 h<', section)


def test_the_session_page_of_its_trainer_links_the_roster_and_never_shows_the_code(
    open_session, trainer
):
    html = client_as(trainer).get(f"/sessioni/{open_session.pk}/").content.decode()

    assert f"/docente/sessioni/{open_session.pk}/registro/" in html
    assert f"/docente/sessioni/{open_session.pk}/codice/" in html
    assert "Your place" not in html
    assert current_code(open_session) not in visible_text(html)
