"""The coordinator's pages through the test client: who may open them, the city scope, the
bulk enrolment report, and a constant number of queries."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from courses.models import Enrollment
from tests.accounts.factories import UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db

PAGES = ["/coordinamento/", "/coordinamento/persone/", "/coordinamento/iscrizioni/importa/"]


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(milano_org, napoli_org):
    course = CourseFactory(published=True, slug="sportello-unico", title="Sportello unico")
    LessonFactory(module=ModuleFactory(course=course))
    milano = UserFactory(organisation=milano_org, first_name="Ambrogio", last_name="Brambilla")
    napoli = UserFactory(organisation=napoli_org, first_name="Gennaro", last_name="Esposito")
    EnrollmentFactory(course=course, learner=milano)
    EnrollmentFactory(course=course, learner=napoli, status=Enrollment.Status.COMPLETED)
    return {"milano": milano, "napoli": napoli, "course": course}


@pytest.mark.parametrize("url", PAGES)
def test_learners_and_trainers_are_refused(url, learner, trainer):
    for user in (learner, trainer):
        assert client_as(user).get(url).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(url):
    response = Client().get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accedi/")


@pytest.mark.parametrize("query", ["", "?city=napoli", "?city=napoli&q=Esposito"])
def test_a_milano_coordinator_never_sees_napoli_people(query, milano_coordinator, people):
    client = client_as(milano_coordinator)
    for url in ["/coordinamento/", "/coordinamento/persone/"]:
        html = client.get(url + query).content.decode()
        assert "Gennaro Esposito" not in html  # (the query itself is echoed in the forms)
        assert people["napoli"].email not in html
        assert str(people["napoli"].pk) not in html
    listed = client.get("/coordinamento/persone/").content.decode()
    assert "Brambilla" in listed
    napoli_page = client.get(f"/coordinamento/persone/{people['napoli'].pk}/")
    assert napoli_page.status_code == HTTPStatus.NOT_FOUND
    own = client.get(f"/coordinamento/persone/{people['milano'].pk}/")
    assert own.status_code == HTTPStatus.OK
    assert "Sportello unico" in own.content.decode()


def test_asking_for_another_city_says_so(milano_coordinator, people):
    html = client_as(milano_coordinator).get("/coordinamento/?city=napoli").content.decode()
    assert "You can only see your own Metropolitan City." in html
    assert "Coordination: Milano" in html


def test_a_national_coordinator_chooses_a_city(national_coordinator, people):
    client = client_as(national_coordinator)
    everyone = client.get("/coordinamento/persone/").content.decode()
    assert "Brambilla" in everyone
    assert "Esposito" in everyone
    napoli = client.get("/coordinamento/persone/?city=napoli").content.decode()
    assert "Esposito" in napoli
    assert "Brambilla" not in napoli
    dashboard = client.get("/coordinamento/?city=napoli").content.decode()
    assert "Coordination: Napoli" in dashboard
    assert 'value="napoli" selected' in dashboard
    assert client.get(f"/coordinamento/persone/{people['milano'].pk}/").status_code == 200


def test_the_dashboard_shows_figures_and_the_distribution(milano_coordinator, people):
    html = client_as(milano_coordinator).get("/coordinamento/").content.decode()
    assert "People by hours credited" in html
    assert "from 0 to 50 h" in html
    assert "300 h or more" in html
    assert "Behind means" in html
    assert "Brambilla" in html  # no activity at all: behind
    assert "<svg" in html


def test_the_people_list_searches(milano_coordinator, milano_org, people):
    UserFactory(organisation=milano_org, first_name="Carla", last_name="Colombo")
    html = client_as(milano_coordinator).get("/coordinamento/persone/?q=colombo").content.decode()
    assert "Colombo" in html
    assert "Brambilla" not in html


def test_query_counts_do_not_grow_with_people(
    milano_coordinator, milano_org, people, django_assert_max_num_queries
):
    course = people["course"]
    for _ in range(40):
        EnrollmentFactory(course=course, learner=UserFactory(organisation=milano_org))
    client = client_as(milano_coordinator)
    client.get("/coordinamento/")  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get("/coordinamento/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/coordinamento/persone/").status_code == 200


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("iscrizioni.csv", text.encode(), content_type="text/csv")


def test_a_dry_run_reports_each_row_and_saves_nothing(milano_coordinator, people):
    body = (
        "email;nome;cognome;ente;corso\n"
        "nuova.persona@comune.example;Nuova;Persona;Comune di Rho;sportello-unico\n"
        "altra@comune.example;Altra;Persona;Comune di Rho;corso-inesistente\n"
    )
    client = client_as(milano_coordinator)
    response = client.post(
        "/coordinamento/iscrizioni/importa/", {"upload": _csv(body), "action": "dry_run"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Check only (dry run)" in html
    assert "would be enrolled" in html
    assert "rejected" in html
    assert "corso-inesistente" in html
    assert "Unknown course" in html
    assert not Enrollment.objects.filter(learner__email="nuova.persona@comune.example").exists()

    response = client.post(
        "/coordinamento/iscrizioni/importa/", {"upload": _csv(body), "action": "import"}
    )
    html = response.content.decode()
    assert "Import done" in html
    assert "/primo-accesso/" in html
    assert Enrollment.objects.filter(learner__email="nuova.persona@comune.example").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a file to upload."),
        (b"nome;cognome\nMario;Rossi\n", "Missing column(s)"),
        (b"\xd0\xcf\x11\xe0" + b"x" * 100, "Old .xls workbooks are not supported"),
    ],
)
def test_an_unreadable_file_is_a_message_not_an_error(milano_coordinator, content, message):
    upload = SimpleUploadedFile("iscrizioni.csv", content, content_type="text/csv")
    response = client_as(milano_coordinator).post(
        "/coordinamento/iscrizioni/importa/", {"upload": upload, "action": "dry_run"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_city_fixture_exists():
    assert city("milano").name == "Milano"
