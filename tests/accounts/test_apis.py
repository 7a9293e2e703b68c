from http import HTTPStatus

import pytest

from lms.accounts.models import Organisation, User
from tests.accounts.factories import OrganisationFactory, UserFactory, city

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_person_with_normalised_identity(client_for, milano_coordinator):
    organisation = OrganisationFactory(city=city("milano"))

    response = client_for(milano_coordinator).post(
        "/api/v1/people/",
        {
            "first_name": " Mario ",
            "last_name": "Rossi",
            "email": "Mario.Rossi@Comune.Milano.it",
            "tax_code": "rssmra85b01 f205b",
            "organisation_id": str(organisation.pk),
            "position": "funzionario",
        },
    )

    assert response.status_code == HTTPStatus.CREATED
    person = User.objects.get(pk=response.json()["id"])
    assert person.email == "mario.rossi@comune.milano.it"
    assert person.username == "mario.rossi@comune.milano.it"  # they log in with their e-mail
    assert person.tax_code == "RSSMRA85B01F205B"
    assert person.first_name == "Mario"
    assert person.role == User.Role.LEARNER
    assert not person.has_usable_password()


def test_person_without_email_logs_in_with_the_tax_code(client_for, milano_coordinator):
    response = client_for(milano_coordinator).post(
        "/api/v1/people/",
        {
            "first_name": "Anna",
            "last_name": "Verdi",
            "tax_code": "RSSMRA85B01F205B",
            "organisation_id": str(OrganisationFactory(city=city("milano")).pk),
        },
    )

    assert response.json()["username"] == "RSSMRA85B01F205B"


def test_person_needs_an_email_or_a_tax_code(client_for, milano_coordinator):
    response = client_for(milano_coordinator).post(
        "/api/v1/people/",
        {
            "first_name": "Anna",
            "last_name": "Verdi",
            "organisation_id": str(OrganisationFactory(city=city("milano")).pk),
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "person_identity_missing",
        "message": "Give an e-mail address or a tax code (codice fiscale).",
        "extra": {},
    }


def test_person_with_an_invalid_tax_code_is_refused(client_for, milano_coordinator):
    response = client_for(milano_coordinator).post(
        "/api/v1/people/",
        {
            "first_name": "Anna",
            "last_name": "Verdi",
            "tax_code": "RSSMRA85B01F205A",
            "organisation_id": str(OrganisationFactory(city=city("milano")).pk),
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input.",
        "extra": {
            "fields": {
                "tax_code": ["RSSMRA85B01F205A is not a valid Italian tax code (codice fiscale)."]
            }
        },
    }
    assert not User.objects.filter(last_name="Verdi").exists()


def test_person_with_an_email_already_used_is_a_conflict(client_for, milano_coordinator, learner):
    response = client_for(milano_coordinator).post(
        "/api/v1/people/",
        {
            "first_name": "Anna",
            "last_name": "Verdi",
            "email": learner.email.upper(),
            "organisation_id": str(learner.organisation_id),
        },
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["code"] == "person_already_exists"


def test_coordinator_updates_a_persons_position_and_organisation(
    client_for, milano_coordinator, learner
):
    other = OrganisationFactory(city=city("milano"), name="Comune di Sesto San Giovanni")

    response = client_for(milano_coordinator).patch(
        f"/api/v1/people/{learner.pk}/",
        {"position": "dirigente", "organisation_id": str(other.pk)},
    )

    assert response.status_code == HTTPStatus.OK
    learner.refresh_from_db()
    assert learner.position == "dirigente"
    assert learner.organisation == other


def test_coordinator_cannot_move_a_person_to_another_city(
    client_for, milano_coordinator, learner, napoli_org
):
    response = client_for(milano_coordinator).patch(
        f"/api/v1/people/{learner.pk}/", {"organisation_id": str(napoli_org.pk)}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["code"] == "organisation_out_of_scope"
    learner.refresh_from_db()
    assert learner.organisation.city.slug == "milano"


def test_staff_makes_someone_a_coordinator_of_a_city(client_for, staff, learner):
    response = client_for(staff).patch(
        f"/api/v1/people/{learner.pk}/",
        {"role": "coordinator", "coordinated_city_id": str(city("bologna").pk)},
    )

    assert response.status_code == HTTPStatus.OK
    learner.refresh_from_db()
    assert learner.role == User.Role.COORDINATOR
    assert learner.coordinated_city.slug == "bologna"


def test_changing_role_away_from_coordinator_drops_the_city(client_for, staff):
    coordinator = UserFactory(coordinator_of="bologna")

    client_for(staff).patch(f"/api/v1/people/{coordinator.pk}/", {"role": "trainer"})

    coordinator.refresh_from_db()
    assert coordinator.role == User.Role.TRAINER
    assert coordinator.coordinated_city is None


def test_staff_role_grants_staff_status(client_for, staff, learner):
    client_for(staff).patch(f"/api/v1/people/{learner.pk}/", {"role": "staff"})

    learner.refresh_from_db()
    assert learner.is_staff is True


def test_people_search_by_name_email_or_tax_code(client_for, milano_coordinator, milano_org):
    # (an e-mail of its own: a prefix of the factory's "person<n>@" would match its neighbours)
    rossi = UserFactory(
        organisation=milano_org,
        first_name="Mario",
        last_name="Rossi",
        username="m.rossi@comune.milano.it",
    )
    UserFactory(organisation=milano_org, first_name="Anna", last_name="Bianchi")
    client = client_for(milano_coordinator)

    def found(query):
        return [p["id"] for p in client.get(f"/api/v1/people/?search={query}").json()["results"]]

    assert found("rossi mario") == [str(rossi.pk)]
    assert found(rossi.tax_code.lower()) == [str(rossi.pk)]
    assert found("m.rossi@com") == [str(rossi.pk)]


def test_people_list_query_count_does_not_grow(
    client_for, national_coordinator, django_assert_num_queries
):
    for _ in range(10):
        UserFactory()

    # count, page (organisation, city and coordinated city joined)
    with django_assert_num_queries(2):
        response = client_for(national_coordinator).get("/api/v1/people/")

    assert response.json()["count"] == 11


def test_organisation_names_are_unique_in_a_city(client_for, milano_coordinator, milano_org):
    response = client_for(milano_coordinator).post(
        "/api/v1/organisations/",
        {"city_id": str(city("milano").pk), "name": "comune di rho", "kind": "municipality"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["extra"]["fields"] == {
        "non_field_errors": ["This Metropolitan City already has an organisation with this name."]
    }
    assert (
        Organisation.objects.filter(city__slug="milano", name__iexact="comune di rho").count() == 1
    )


def test_organisation_is_renamed(client_for, milano_coordinator, milano_org):
    response = client_for(milano_coordinator).patch(
        f"/api/v1/organisations/{milano_org.pk}/", {"name": "Comune di Rho (MI)"}
    )

    assert response.status_code == HTTPStatus.OK
    milano_org.refresh_from_db()
    assert milano_org.name == "Comune di Rho (MI)"


def test_me_returns_the_person_with_organisation_and_role(client_for, milano_coordinator):
    body = client_for(milano_coordinator).get("/api/v1/me/").json()

    assert body["role"] == "coordinator"
    assert body["coordinated_city"]["name"] == "Milano"
    assert body["organisation"]["name"] == "Città metropolitana di Milano"


def test_token_authentication(api_client, learner):
    token = api_client.post(
        "/api/v1/auth/token/", {"username": learner.username, "password": "secret-password"}
    ).json()["token"]

    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["id"] == str(learner.pk)


def test_session_authentication(client, learner):
    client.force_login(learner)

    response = client.get("/api/v1/me/")

    assert response.json()["id"] == str(learner.pk)
