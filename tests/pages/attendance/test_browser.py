"""The attendance pages in a real browser: a learner registers on a phone, checks in and out
with the code the trainer's projector page shows, the trainer marks the roster, a coordinator
downloads registers through the buttons and corrects a record; axe on every page."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from tests.pages.conftest import assert_accessible, sign_in
from tracking.attendance.models import Presence, PresenceChange, RegisterExport
from tracking.attendance.services import presence as presence_services
from tracking.attendance.services import registers, sessions

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page) -> bool:
    """Nothing of the page, its header included, reaches past the phone's width (WCAG 2.1
    1.4.10, reflow: no scrolling sideways)."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth
            && [...document.querySelectorAll('header *, main *')].every(
                el => el.getBoundingClientRect().right <= window.innerWidth + 1)"""
    )


def test_a_learner_on_a_phone_checks_in_and_out_with_the_code_on_the_projector(
    page_factory, site, open_session, trainer, bologna_learner
):
    phone = page_factory()
    phone.set_viewport_size(PHONE)
    sign_in(phone, site, bologna_learner, next_path="/sessioni/")
    assert "Giornata di Bologna" in phone.inner_text("[data-testid=sessions]")
    assert fits_the_screen(phone)
    assert_accessible(phone)
    phone.click("text=Giornata di Bologna")
    phone.click("text=Register for this session")
    assert "Your place is confirmed." in phone.inner_text("main")
    assert fits_the_screen(phone)
    assert_accessible(phone)

    projector = page_factory()
    sign_in(projector, site, trainer, next_path=f"/docente/sessioni/{open_session.pk}/codice/")
    code = projector.inner_text("[data-testid=projector-code]").strip()
    assert len(code) == 6
    assert code.isdigit()
    countdown = projector.locator("#projector-countdown")
    first = countdown.inner_text()
    projector.wait_for_function(
        "text => document.getElementById('projector-countdown').textContent !== text", arg=first
    )  # the script counts down
    assert_accessible(projector)

    field = phone.locator("input[name=code]")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("autocomplete") == "off"
    field.fill(projector.inner_text("[data-testid=projector-code]").strip())
    phone.click("text=I am here")
    assert "You are checked in." in phone.inner_text("main")
    presence = Presence.objects.get(learner=bologna_learner, session=open_session)
    assert presence.status == "present"
    assert presence.left_at is None
    entry = timezone.localtime(presence.entered_at).strftime("%H:%M")
    assert entry in phone.inner_text("[data-testid=my-presence]")
    assert code not in phone.inner_text("main")  # the code is never echoed
    assert fits_the_screen(phone)
    assert_accessible(phone)

    phone.fill("input[name=code]", projector.inner_text("[data-testid=projector-code]").strip())
    phone.click("text=I am leaving")
    assert "You are checked out." in phone.inner_text("main")
    presence.refresh_from_db()
    assert presence.left_at is not None
    assert presence.attended_seconds > 0
    assert "I am leaving" not in phone.inner_text("main")
    assert list(presence.changes.values_list("action", flat=True)) == ["check_in", "check_out"]


def test_the_projector_says_when_check_in_is_closed(page, site, later_session, trainer):
    sign_in(page, site, trainer, next_path=f"/docente/sessioni/{later_session.pk}/codice/")

    message = page.inner_text("[data-testid=projector-message]")

    assert "Check-in for this session is not open now." in message
    assert not page.locator("[data-testid=projector-code]").is_visible()
    assert_accessible(page)


def test_a_trainer_plans_a_session_and_marks_the_roster(
    page, site, open_session, trainer, day_lesson, bologna_learner, milano_person
):
    for person in (bologna_learner, milano_person):
        sessions.registration_create(actor=person, session=open_session)
    sign_in(page, site, trainer, next_path="/docente/sessioni/")
    assert "Giornata di Bologna" in page.inner_text("[data-testid=trainer-sessions]")
    assert_accessible(page)
    page.click(f"text=New session of “{day_lesson.title}”")
    assert_accessible(page)
    page.fill("#id_title", "Giornata di dicembre")
    page.fill("#id_day", "2026-12-15")
    page.fill("#id_start", "09:30")
    page.fill("#id_end", "13:00")
    page.fill("#id_place", "Palazzo Malvezzi")
    page.fill("#id_capacity", "20")
    page.click("text=Plan the session")
    assert "Session planned." in page.inner_text("main")
    assert_accessible(page)

    page.goto(f"{site}/docente/sessioni/{open_session.pk}/registro/")
    assert_accessible(page)
    line = page.locator("[data-testid=roster-line]", has_text="Bolognesi")
    line.locator("select").select_option("present")
    end = timezone.localtime(
        open_session.ends_at - (open_session.ends_at - open_session.starts_at) / 2
    )
    line.locator("input[type=time]").nth(1).fill(end.strftime("%H:%M"))  # an early leave
    other = page.locator("[data-testid=roster-line]", has_text="Brambilla")
    other.locator("select").select_option("justified")
    page.click("text=Save the roster")

    assert "Roster saved: 2 lines changed." in page.inner_text("main")
    early = Presence.objects.get(learner=bologna_learner)
    assert early.status == "present"
    assert timezone.localtime(early.left_at).strftime("%H:%M") == end.strftime("%H:%M")
    assert Presence.objects.get(learner=milano_person).status == "justified"
    assert_accessible(page)


@pytest.fixture
def attended(open_session, trainer, bologna_learner, milano_person):
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


def test_a_coordinator_downloads_registers_and_corrects_a_record(
    page, site, attended, bologna_coordinator, bologna_learner, milano_person
):
    sign_in(page, site, bologna_coordinator, next_path="/coordinamento/registri/")
    assert page.locator("select[name=city]").count() == 0
    assert_accessible(page)

    with page.expect_download() as xlsx:
        page.click("[data-testid=download-xlsx]")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    workbook = io.BytesIO(Path(xlsx.value.path()).read_bytes())  # saved without its suffix
    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    line = next(row for row in rows if bologna_learner.tax_code in row)
    assert line[:2] == ["Bolognesi", "Bianca"]
    assert line[10] == pytest.approx(attended.scheduled_seconds / 3600, abs=0.001)
    assert not any(milano_person.tax_code in row for row in rows)

    with page.expect_download() as semicolon:
        page.click("[data-testid=download-csv-semicolon]")
    with open(semicolon.value.path(), encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle, delimiter=";"))
    csv_line = next(row for row in table if bologna_learner.tax_code in row)
    assert csv_line[:2] == ["Bolognesi", "Bianca"]
    assert float(csv_line[10].replace(",", ".")) == pytest.approx(
        attended.scheduled_seconds / 3600, abs=0.01
    )
    assert not any(milano_person.tax_code in row for row in table)

    page.goto(f"{site}/coordinamento/registri/")
    assert page.locator("[data-testid=export]").count() == 2
    assert_accessible(page)

    page.goto(f"{site}/sessioni/{attended.pk}/")
    people = page.inner_text("[data-testid=people]")
    assert "Bianca Bolognesi" in people
    assert "Brambilla" not in people
    assert_accessible(page)
    page.click("[data-testid=people] >> text=Correct")
    assert_accessible(page)
    half = timezone.localtime(attended.starts_at + (attended.ends_at - attended.starts_at) / 2)
    page.fill("#id_left", half.strftime("%H:%M"))
    page.fill("#id_reason", "Uscita anticipata secondo il foglio firme")
    page.click("text=Save the correction")

    assert "Correction saved" in page.inner_text("main")
    history = page.inner_text("[data-testid=history]")
    assert "Uscita anticipata secondo il foglio firme" in history
    assert "Corrected by a coordinator" in history
    assert "Bruna Coordinatrice" in history
    assert PresenceChange.objects.filter(action="correction").count() == 1
    assert_accessible(page)


def test_my_progress_shows_the_hours_in_person_apart(page, site, attended, bologna_learner):
    sign_in(page, site, bologna_learner, next_path="/i-miei-progressi/")

    hours = page.inner_text("[data-testid=hours-apart]")

    assert "In person" in hours
    assert page.inner_text("[data-testid=hours-distance]") == "0 h"
    expected = f"{round(attended.scheduled_seconds / 3600, 2):g} h"
    assert page.inner_text("[data-testid=hours-in-person]") == expected
    assert_accessible(page)


def test_the_list_of_registers_refreshes_itself_until_the_file_is_ready(
    page, site, attended, bologna_coordinator, bologna_learner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    export = RegisterExport.objects.create(
        requested_by=bologna_coordinator,
        register="session",
        format="csv",
        filters={"delimiter": ","},
        status="pending",
        rows_expected=1,
    )
    sign_in(page, site, bologna_coordinator, next_path="/coordinamento/registri/")
    assert page.locator("[data-testid=exports] progress").count() == 1
    assert_accessible(page)

    registers.register_export_run(export_id=export.pk)  # what the worker does
    link = page.locator("[data-testid=export-download]")
    link.wait_for(timeout=10_000)  # no reload: the script fetched the list again

    assert page.locator("[data-testid=exports] progress").count() == 0
    with page.expect_download() as downloaded:
        link.click()
    text = Path(downloaded.value.path()).read_text(encoding="utf-8-sig")
    assert bologna_learner.tax_code in text
