import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.accounts.tax_codes import is_valid_tax_code
from tests.accounts.factories import OrganisationFactory, UserFactory, city

pytestmark = pytest.mark.django_db


def test_the_fourteen_metropolitan_cities_exist_with_their_bodies():
    names = list(MetropolitanCity.objects.values_list("name", flat=True))

    assert names == [
        "Bari",
        "Bologna",
        "Cagliari",
        "Catania",
        "Firenze",
        "Genova",
        "Messina",
        "Milano",
        "Napoli",
        "Palermo",
        "Reggio Calabria",
        "Roma Capitale",
        "Torino",
        "Venezia",
    ]
    assert Organisation.objects.filter(kind=Organisation.Kind.METROPOLITAN_BODY).count() == 14
    assert Organisation.objects.get(city__slug="roma-capitale").name == (
        "Città metropolitana di Roma Capitale"
    )


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("RSSMRA85B01F205B", True),
        ("rssmra85b01f205b", True),  # case does not matter
        ("RSS MRA 85B01 F205B", True),  # nor do the spaces people type
        ("RSSMRA85B01F205A", False),  # wrong check character
        ("RSSMRA85B01F205", False),  # too short
        ("RSSMRA85B01F2O5Z", False),  # letter O for a zero
        ("", False),
    ],
)
def test_is_valid_tax_code(code, valid):
    assert is_valid_tax_code(code) is valid


def test_is_valid_tax_code_accepts_omocodia_variants():
    # Same person as RSSMRA85B01F205B with the last digits replaced by letters (omocodia).
    from codicefiscale import codicefiscale

    variants = codicefiscale.decode("RSSMRA85B01F205B")["omocodes"]

    assert len(variants) > 1
    assert all(is_valid_tax_code(v) for v in variants)


def test_person_with_bad_tax_code_fails_validation():
    person = UserFactory.build(tax_code="RSSMRA85B01F205A", organisation=None)

    with pytest.raises(ValidationError) as error:
        person.full_clean(exclude=["password"])

    assert error.value.message_dict["tax_code"] == [
        "RSSMRA85B01F205A is not a valid Italian tax code (codice fiscale)."
    ]


def test_email_is_unique_whatever_its_case():
    UserFactory(email="Mario.Rossi@comune.milano.it")

    with pytest.raises(IntegrityError):
        UserFactory(email="mario.rossi@COMUNE.milano.it")


def test_people_without_email_or_tax_code_do_not_clash():
    UserFactory(email="", tax_code="")
    UserFactory(email="", tax_code="")

    assert User.objects.filter(email="", tax_code="").count() == 2


def test_tax_code_is_unique():
    UserFactory(tax_code="RSSMRA85B01F205B")

    with pytest.raises(IntegrityError):
        UserFactory(tax_code="RSSMRA85B01F205B")


def test_only_coordinators_have_a_coordinated_city():
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.LEARNER, coordinated_city=city("milano"))


def test_staff_role_and_staff_status_agree():
    with pytest.raises(IntegrityError):
        UserFactory(role=User.Role.LEARNER, is_staff=True)


def test_clean_aligns_staff_status_with_role():
    person = UserFactory.build(role=User.Role.STAFF, is_staff=False, organisation=None)

    person.clean()

    assert person.is_staff is True


def test_createsuperuser_makes_a_staff_person():
    admin = User.objects.create_superuser("root", "root@example.it", "pw")

    assert admin.role == User.Role.STAFF
    assert admin.is_staff
    assert admin.is_superuser


def test_organisation_names_are_unique_per_city_whatever_their_case():
    OrganisationFactory(city=city("milano"), name="Comune di Rho")
    OrganisationFactory(city=city("napoli"), name="Comune di Rho")  # another city: fine

    with pytest.raises(IntegrityError):
        OrganisationFactory(city=city("milano"), name="COMUNE DI RHO")


def test_a_city_has_one_metropolitan_body():
    with pytest.raises(IntegrityError):
        OrganisationFactory(
            city=city("milano"), name="Altro ente", kind=Organisation.Kind.METROPOLITAN_BODY
        )


def test_coordinator_scope_properties(milano_coordinator, national_coordinator, staff, learner):
    assert milano_coordinator.sees_every_city is False
    assert national_coordinator.is_national_coordinator
    assert national_coordinator.sees_every_city
    assert staff.sees_every_city
    assert not learner.sees_every_city
