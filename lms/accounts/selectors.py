"""Reads of people and organisations, scoped to what the actor may see."""

from uuid import UUID

from django.db.models import QuerySet

from lms.accounts.exceptions import (
    CoordinatorsOnly,
    OrganisationNotFound,
    OrganisationOutOfScope,
    PersonNotFound,
)
from lms.accounts.models import MetropolitanCity, Organisation, User


def require_coordinator_or_staff(actor: User) -> None:
    """Raise CoordinatorsOnly unless the actor is a coordinator (any scope) or staff."""
    if not (actor.is_staff or actor.is_coordinator):
        raise CoordinatorsOnly()


def city_list() -> QuerySet[MetropolitanCity]:
    """The 14 Metropolitan Cities; public reference data."""
    return MetropolitanCity.objects.all()


def person_list(*, actor: User) -> QuerySet[User]:
    """People the actor coordinates: their city's, or everyone's for national coordinators
    and staff. Raises CoordinatorsOnly for anyone else."""
    require_coordinator_or_staff(actor)
    people = User.objects.select_related("organisation__city", "coordinated_city")
    if not actor.sees_every_city:
        people = people.filter(organisation__city_id=actor.coordinated_city_id)
    return people


def person_get(*, actor: User, person_id: UUID) -> User:
    """One person in the actor's scope; PersonNotFound otherwise (existence is not leaked)."""
    person = person_list(actor=actor).filter(pk=person_id).first()
    if person is None:
        raise PersonNotFound()
    return person


def organisation_list(*, actor: User) -> QuerySet[Organisation]:
    """Organisations of the actor's city (all of them for national coordinators and staff)."""
    require_coordinator_or_staff(actor)
    organisations = Organisation.objects.select_related("city")
    if not actor.sees_every_city:
        organisations = organisations.filter(city_id=actor.coordinated_city_id)
    return organisations


def organisation_get(*, actor: User, organisation_id: UUID) -> Organisation:
    """One organisation in the actor's scope; OrganisationNotFound otherwise."""
    organisation = organisation_list(actor=actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def organisation_in_scope(*, actor: User, organisation: Organisation) -> bool:
    """Whether the actor coordinates the organisation's city."""
    return actor.sees_every_city or (
        actor.is_coordinator and organisation.city_id == actor.coordinated_city_id
    )


def organisation_check_in_scope(*, actor: User, organisation: Organisation) -> None:
    """Raise OrganisationOutOfScope unless the actor coordinates the organisation's city."""
    if not organisation_in_scope(actor=actor, organisation=organisation):
        raise OrganisationOutOfScope(extra={"organisation_id": str(organisation.pk)})


def person_in_scope(*, actor: User, person: User) -> bool:
    """Whether the actor coordinates the person (through the person's organisation)."""
    if actor.sees_every_city:
        return True
    return (
        actor.is_coordinator
        and person.organisation is not None
        and person.organisation.city_id == actor.coordinated_city_id
    )
