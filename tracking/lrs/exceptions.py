from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, PermissionDenied


class XapiBadRequest(ApplicationError):
    """A request xAPI says the LRS must refuse (400); ``extra.path`` says where."""

    code = "xapi_bad_request"
    message = _("The request is not valid xAPI.")


class StatementConflict(ApplicationError):
    """A statement id already stored with different content (xAPI: ids are immutable)."""

    code = "statement_conflict"
    status_code = 409
    message = _("A different statement with this id is already stored.")


class LrsUnauthorized(ApplicationError):
    """No valid credentials: the client must authenticate (HTTP Basic)."""

    code = "lrs_unauthorized"
    status_code = 401
    message = _("Valid LRS credentials are required.")


class LrsForbidden(PermissionDenied):
    """The client's scopes do not allow this."""

    code = "lrs_forbidden"
    message = _("These credentials do not allow this request.")


class VoidingForbidden(LrsForbidden):
    """Only a statement's writer, or staff, may void it; ``extra.statement_id`` says which."""

    code = "voiding_forbidden"
    message = _("Only whoever sent a statement, or staff, can void it.")


class RequestTooLarge(ApplicationError):
    """The request body is over the size the LRS reads (XAPI_MAX_BODY_BYTES)."""

    code = "request_too_large"
    status_code = 413
    message = _("The request is larger than this LRS accepts: send fewer statements at a time.")
