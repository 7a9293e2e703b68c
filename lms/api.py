"""DRF plumbing shared by every app: one error shape, pagination, spectacular helpers."""

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from lms.exceptions import ApplicationError

if TYPE_CHECKING:
    from lms.accounts.models import User

    class AuthenticatedRequest(Request):
        """A request behind IsAuthenticated: its user is a person, never AnonymousUser."""

        user: User
else:
    AuthenticatedRequest = Request

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documented in the OpenAPI schema)."""

    code = serializers.CharField()
    message = serializers.CharField()
    extra = serializers.DictField()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every expected failure as ``{"code", "message", "extra"}`` with a 4xx.

    Anything else returns None so DRF re-raises it: a genuine bug becomes a logged 500.
    """
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "extra": exc.extra},
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        # full_clean() reports whole-object errors under "__all__"; DRF's name for them is
        # "non_field_errors". One name, whichever layer found the problem.
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = drf_exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "message": _("Invalid input."),
            "extra": {"fields": exc.detail},
        }
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail
        response.data = {
            "code": detail.code
            if isinstance(detail, drf_exceptions.ErrorDetail)
            else exc.default_code,
            "message": str(detail),
            "extra": {},
        }
    return response


class ListApi(ListModelMixin, GenericAPIView):
    """A paginated, filterable list over a scoped selector: ``GET`` is DRF's ``list()``.

    Subclasses implement ``selector_queryset()`` (the selector call, with the actor) and set
    ``filterset_class`` and ``output_serializer``. Invalid filter values are a 400, never ignored
    (DjangoFilterBackend raises), and the OpenAPI schema documents filters and pagination.
    """

    output_serializer: type[serializers.BaseSerializer]

    def selector_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no real user
            return self.output_serializer.Meta.model.objects.none()  # type: ignore[attr-defined]
        return self.selector_queryset()

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return self.output_serializer

    def get(self, request: Request) -> Response:
        return self.list(request)


ERROR_MEANINGS = {
    400: "Invalid input, or a rule of the service refuses it (see `code`).",
    429: "Too many requests: try again later (`extra.retry_after`, seconds).",
    403: "The actor may see this but not do it.",
    404: "Not found, or outside the actor's scope (which is the same to them).",
    409: "The resource is not in a state that allows this.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error answers: every one is ``{"code", "message", "extra"}``."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[status])
        for status in statuses
    }


class FileNegotiation(DefaultContentNegotiation):
    """For views that answer with a file: a client asking for the file's type (``Accept:
    text/calendar``, ``text/csv``...) gets the file, and any error in JSON, instead of a 406
    because no DRF renderer speaks that type."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except drf_exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type
