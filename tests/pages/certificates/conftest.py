"""What the certificates pages' tests share: a course with a module, Milano's and Bologna's
people, and ``issue(...)``: a certificate issued by staff, with the hours it shows, its
credential signed and its PDF written as the task does after commit."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction

from certificates.models import Certificate
from certificates.services.issuing import certificate_issue
from tests.accounts.factories import OrganisationFactory, UserFactory, city
from tests.courses.factories import CourseFactory, ModuleFactory
from tests.tracking.test_progress import lessons  # noqa: F401

REASON = "Completato in aula: registro firmato dal docente"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The verification's limit counts per address and minute in the cache, and every test
    client has the same address: each test starts with nothing counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db):
    return CourseFactory(published=True, title="Semplificazione amministrativa")


@pytest.fixture
def module(course):
    return ModuleFactory(course=course, title="Procedimenti digitali")


@pytest.fixture
def milano_person(milano_org):
    return UserFactory(organisation=milano_org, first_name="Ambrogio", last_name="Brambilla")


@pytest.fixture
def bologna_org(db):
    return OrganisationFactory(city=city("bologna"), name="Comune di Imola")


@pytest.fixture
def bologna_person(bologna_org):
    return UserFactory(organisation=bologna_org, first_name="Bianca", last_name="Bolognesi")


@pytest.fixture
def bologna_coordinator(db):
    return UserFactory(coordinator_of="bologna")


@pytest.fixture
def issue(staff, django_capture_on_commit_callbacks):
    """``issue(person, module=..., hours=(distance, in_person, webinar))``: a certificate as
    staff issue it, finished (credential, PDF) as the task does after commit."""

    def make(
        learner,
        *,
        kind=Certificate.Kind.MODULE,
        module=None,
        course=None,
        hours=(12.5, 4.0, 1.5),
        language=Certificate.Language.ITALIAN,
        started_on=date(2026, 3, 2),
    ):
        distance, in_person, webinar = hours
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            certificate = certificate_issue(
                actor=staff,
                learner=learner,
                kind=kind,
                module=module,
                course=course,
                reason=REASON,
                language=language,
            )
            # What the learner's records would have given: frozen on the row before the
            # task signs and writes it, as the issue itself would have frozen them.
            Certificate.objects.filter(pk=certificate.pk).update(
                distance_seconds=distance * 3600,
                in_person_seconds=in_person * 3600,
                webinar_seconds=webinar * 3600,
                started_on=started_on,
            )
        certificate.refresh_from_db()
        return certificate

    return make
