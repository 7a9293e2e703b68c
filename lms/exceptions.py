"""ApplicationError: the framework-free base of every expected failure a user can cause."""

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """An expected failure with a stable ``code``, an HTTP status and a translatable message.

    Services raise subclasses; the API's single exception handler turns them into
    ``{"code", "message", "extra"}`` with ``status_code``.
    """

    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400
    message: ClassVar[str | Promise] = _("The request could not be completed.")

    def __init__(
        self, message: str | Promise | None = None, *, extra: dict[str, Any] | None = None
    ):
        self.message = message if message is not None else type(self).message  # type: ignore[misc]
        self.extra = extra or {}
        super().__init__(str(self.message))


class NotFound(ApplicationError):
    """The object does not exist, or the actor is not allowed to know that it exists."""

    code = "not_found"
    status_code = 404
    message = _("Not found.")


class PermissionDenied(ApplicationError):
    """The actor may see the object but not do this to it."""

    code = "permission_denied"
    status_code = 403
    message = _("You do not have permission to perform this action.")
