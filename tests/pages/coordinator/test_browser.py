"""The coordinator's pages in a real browser: the dashboard, the people, a person, and a dry-run
import from a real file followed by the real import; axe on every page."""

import pytest

from courses.models import Enrollment
from tests.accounts.factories import UserFactory
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tests.pages.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def city_people(milano_org, napoli_org):
    course = CourseFactory(published=True, slug="sportello-unico", title="Sportello unico")
    LessonFactory(module=ModuleFactory(course=course))
    person = UserFactory(organisation=milano_org, first_name="Ambrogio", last_name="Brambilla")
    EnrollmentFactory(course=course, learner=person)
    UserFactory(organisation=napoli_org, first_name="Gennaro", last_name="Esposito")
    return person


def test_a_coordinator_sees_their_city_and_its_people(page, site, milano_coordinator, city_people):
    sign_in(page, site, milano_coordinator, next_path="/coordinamento/")
    assert "Coordination: Milano" in page.inner_text("h1")
    assert "People by hours credited" in page.inner_text("main")
    assert "Ambrogio Brambilla" in page.inner_text("[data-testid=behind]")
    assert_accessible(page)

    page.click("main >> text=People")
    assert "Ambrogio Brambilla" in page.inner_text("[data-testid=people]")
    assert "Esposito" not in page.inner_text("main")
    assert_accessible(page)

    page.click("text=Ambrogio Brambilla")
    assert "Sportello unico" in page.inner_text("[data-testid=courses]")
    assert_accessible(page)


def test_a_coordinator_runs_a_dry_run_import_and_sees_the_report(
    page, site, milano_coordinator, city_people, tmp_path
):
    upload = tmp_path / "iscrizioni.csv"
    upload.write_text(
        "email;nome;cognome;ente;corso\n"
        "nuova.persona@comune.example;Nuova;Persona;Comune di Rho;sportello-unico\n"
        "altra@comune.example;Altra;Persona;Comune di Rho;corso-inesistente\n",
        encoding="utf-8",
    )
    sign_in(page, site, milano_coordinator, next_path="/coordinamento/iscrizioni/importa/")
    assert_accessible(page)

    page.set_input_files("input[type=file]", str(upload))
    page.click("text=Check only (dry run)")
    table = page.inner_text("[data-testid=report-table]")
    assert "would be enrolled" in table
    assert "rejected" in table
    assert "Unknown course" in table
    assert "Nuova Persona (nuova.persona@comune.example)" in table  # who each row names
    assert "corso-inesistente" in table
    assert "Enrolled: 1" in page.inner_text("[data-testid=totals]")
    assert not Enrollment.objects.filter(learner__email="nuova.persona@comune.example").exists()
    assert_accessible(page)

    page.set_input_files("input[type=file]", str(upload))
    page.click("main button[value=import]")
    assert "Import done" in page.inner_text("[data-testid=report]")
    assert "first-access page" in page.inner_text("[data-testid=first-access]")
    assert Enrollment.objects.filter(learner__email="nuova.persona@comune.example").exists()
    assert_accessible(page)


def test_a_national_coordinator_chooses_a_city(page, site, national_coordinator, city_people):
    sign_in(page, site, national_coordinator, next_path="/coordinamento/")
    page.select_option("#city-select", "napoli")
    page.click("main >> text=Show")
    assert "city=napoli" in page.url
    assert "Coordination: Napoli" in page.inner_text("h1")
    assert_accessible(page)
