"""Cross-cutting fixtures: an API client and one person per role of the permission matrix."""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from tests.accounts.factories import OrganisationFactory, UserFactory, city


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """``client_for(user)``: an API client authenticated as ``user`` (None: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def milano_org(db):
    return OrganisationFactory(city=city("milano"), name="Comune di Rho")


@pytest.fixture
def napoli_org(db):
    return OrganisationFactory(city=city("napoli"), name="Comune di Pozzuoli")


@pytest.fixture
def learner(milano_org):
    return UserFactory(organisation=milano_org)


@pytest.fixture
def napoli_learner(napoli_org):
    return UserFactory(organisation=napoli_org)


@pytest.fixture
def trainer(milano_org):
    return UserFactory(trainer=True, organisation=milano_org)


@pytest.fixture
def other_trainer(db):
    return UserFactory(trainer=True)


@pytest.fixture
def milano_coordinator(db):
    return UserFactory(coordinator_of="milano")


@pytest.fixture
def napoli_coordinator(db):
    return UserFactory(coordinator_of="napoli")


@pytest.fixture
def national_coordinator(db):
    return UserFactory(national_coordinator=True)


@pytest.fixture
def staff(db):
    return UserFactory(staff=True)


@pytest.fixture(autouse=True)
def _keep_reference_data(django_db_serialized_rollback):
    """Transactional tests flush every table when they end; with serialized rollback each of them
    starts by restoring the rows the data migrations created (the 14 cities and their bodies,
    the thematic areas). pytest-django runs transactional tests last. No effect on other tests."""


@pytest.fixture(autouse=True)
def _reset_language():
    """LocaleMiddleware activates the request's language in the thread and leaves it there: a
    test asking for Italian would otherwise make later tests' messages Italian too."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
