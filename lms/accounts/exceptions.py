from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, NotFound, PermissionDenied


class CoordinatorsOnly(PermissionDenied):
    """Only coordinators and staff manage people and organisations."""

    code = "coordinators_only"
    message = _("Only coordinators and staff can manage people and organisations.")


class StaffOnly(PermissionDenied):
    """Roles and coordinator scopes are granted by staff only."""

    code = "staff_only"
    message = _("Only staff can change roles and coordinator scopes.")


class OrganisationOutOfScope(PermissionDenied):
    """The organisation belongs to a Metropolitan City the coordinator does not coordinate."""

    code = "organisation_out_of_scope"
    message = _("The organisation belongs to another Metropolitan City than yours.")


class CityOutOfScope(PermissionDenied):
    """The city is not the one the coordinator coordinates."""

    code = "city_out_of_scope"
    message = _("You can only manage the organisations of your own Metropolitan City.")


class PersonNotFound(NotFound):
    """No person with this id in the actor's scope."""

    code = "person_not_found"
    message = _("Person not found.")


class OrganisationNotFound(NotFound):
    """No organisation with this id in the actor's scope."""

    code = "organisation_not_found"
    message = _("Organisation not found.")


class PersonIdentityMissing(ApplicationError):
    """A person needs an e-mail address or a tax code to be told apart from others."""

    code = "person_identity_missing"
    message = _("Give an e-mail address or a tax code (codice fiscale).")


class PersonAlreadyExists(ApplicationError):
    """Another person already has this e-mail address or tax code."""

    code = "person_already_exists"
    status_code = 409
    message = _("A person with this e-mail address or tax code already exists.")
