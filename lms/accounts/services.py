"""Writes of people and organisations. Every write checks the actor's scope first."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from lms.accounts.exceptions import (
    CityOutOfScope,
    PersonAlreadyExists,
    PersonIdentityMissing,
    PersonNotFound,
    StaffOnly,
)
from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.accounts.selectors import (
    organisation_check_in_scope,
    person_in_scope,
    require_coordinator_or_staff,
)
from lms.services import model_update

PERSON_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "tax_code",
    "organisation",
    "position",
)
STAFF_ONLY_FIELDS = ("role", "coordinated_city")


def _save_person(person: User, *, update_fields: list[str] | None = None) -> User:
    """Validate and save; a duplicate e-mail or tax code is a PersonAlreadyExists (409)."""
    # clean() normalises e-mail and tax code and aligns staff status with the role. Uniqueness is
    # checked below with a clear error (the database constraints settle races); the username is
    # derived from the e-mail or tax code, so their checks cover it.
    # Organisation and city arrive as instances their callers already loaded: no need to query
    # again that they exist.
    person.full_clean(
        exclude=["username", "password", "organisation", "coordinated_city"],
        validate_unique=False,
        validate_constraints=False,
    )
    if not person.email and not person.tax_code:
        raise PersonIdentityMissing()
    if not person.username:
        # People log in with their e-mail address, or their tax code when they have none.
        person.username = person.email or person.tax_code
    # One query, shaped so that the planner can use the partial unique indexes (LOWER(email) and
    # tax_code, both WHERE NOT ''): each branch repeats the index's condition.
    same_identity = Q(pk__in=[])
    if person.email:
        same_identity |= Q(email_key=person.email) & ~Q(email="")
    if person.tax_code:
        same_identity |= Q(tax_code=person.tax_code) & ~Q(tax_code="")
    duplicates = User.objects.annotate(email_key=Lower("email")).exclude(pk=person.pk)
    if duplicates.filter(same_identity).exists():
        raise PersonAlreadyExists()
    try:
        with transaction.atomic():
            person.save(update_fields=update_fields)
    except IntegrityError as exc:  # a concurrent writer took the e-mail or tax code first
        raise PersonAlreadyExists() from exc
    return person


def person_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    email: str = "",
    tax_code: str = "",
    position: str = "",
) -> User:
    """Create a learner in an organisation the actor coordinates. The person has no password
    yet (they set one through password reset or sign in through the identity provider).

    Raises OrganisationOutOfScope, PersonIdentityMissing, PersonAlreadyExists, ValidationError.
    """
    require_coordinator_or_staff(actor)
    organisation_check_in_scope(actor=actor, organisation=organisation)
    person = User(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        tax_code=tax_code,
        organisation=organisation,
        position=position,
        role=User.Role.LEARNER,
    )
    person.set_unusable_password()
    return _save_person(person)


def person_update(*, actor: User, person: User, data: dict[str, Any]) -> User:
    """Change a person's details. Moving someone to another organisation needs both ends in the
    actor's scope; roles and coordinator scopes are for staff only (StaffOnly)."""
    require_coordinator_or_staff(actor)
    if not person_in_scope(actor=actor, person=person):
        raise PersonNotFound()
    if any(field in data for field in STAFF_ONLY_FIELDS) and not actor.is_staff:
        raise StaffOnly()
    if (organisation := data.get("organisation")) is not None:
        organisation_check_in_scope(actor=actor, organisation=organisation)
    if data.get("role", person.role) != User.Role.COORDINATOR:
        data = {**data, "coordinated_city": None}  # a scope belongs to a coordinator only
    # (clean() aligns staff status with the role: it is saved with whatever changed)
    model_update(
        instance=person,
        fields=(*PERSON_EDITABLE_FIELDS, *STAFF_ONLY_FIELDS),
        data=data,
        save=lambda changed_person, fields: _save_person(
            changed_person, update_fields=[*fields, "is_staff"]
        ),
    )
    return person


def organisation_create(
    *, actor: User, city: MetropolitanCity, name: str, kind: str
) -> Organisation:
    """Create an organisation in a city the actor coordinates; the name is unique in the city."""
    require_coordinator_or_staff(actor)
    if not (actor.sees_every_city or city.pk == actor.coordinated_city_id):
        raise CityOutOfScope()
    organisation = Organisation(city=city, name=name.strip(), kind=kind)
    organisation.full_clean()
    organisation.save()
    return organisation


def organisation_update(
    *, actor: User, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    """Rename an organisation or change its kind; it stays in its city."""
    organisation_check_in_scope(actor=actor, organisation=organisation)
    if "name" in data:
        data = {**data, "name": data["name"].strip()}
    model_update(instance=organisation, fields=("name", "kind"), data=data)
    return organisation
