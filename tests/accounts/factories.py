from datetime import date

import factory
from codicefiscale import codicefiscale

from lms.accounts.models import MetropolitanCity, Organisation, Position, User


def city(slug: str) -> MetropolitanCity:
    """The Metropolitan Cities are reference data created by a migration: look them up."""
    return MetropolitanCity.objects.get(slug=slug)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    city = factory.LazyFunction(lambda: city("milano"))
    name = factory.Sequence(lambda n: f"Comune numero {n}")
    kind = Organisation.Kind.MUNICIPALITY


def _tax_code(person: "User", n: int) -> str:
    return codicefiscale.encode(
        lastname=person.last_name,
        firstname=person.first_name,
        gender="F",
        birthdate=date(1960 + n % 40, 1 + n % 12, 1 + n % 28).isoformat(),
        birthplace="Milano",
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.it")
    email = factory.LazyAttribute(lambda p: p.username)
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    tax_code = factory.LazyAttributeSequence(_tax_code)
    organisation = factory.SubFactory(OrganisationFactory)
    position = Position.OFFICIAL
    role = User.Role.LEARNER
    password = factory.django.Password("secret-password")

    class Params:
        trainer = factory.Trait(role=User.Role.TRAINER)
        staff = factory.Trait(role=User.Role.STAFF, is_staff=True, organisation=None)
        national_coordinator = factory.Trait(role=User.Role.COORDINATOR, organisation=None)
        coordinator_of = None  # a city slug: coordinator of that city, member of its body

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        slug = kwargs.pop("coordinator_of", None)
        if slug:
            kwargs["role"] = User.Role.COORDINATOR
            kwargs["coordinated_city"] = city(slug)
            kwargs["organisation"] = Organisation.objects.get(
                city__slug=slug, kind=Organisation.Kind.METROPOLITAN_BODY
            )
        return kwargs
