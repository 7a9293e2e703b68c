"""What every app's admin shares. Staff write through the services, as everyone else does: where
no service exists for a model, its admin is read-only."""

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from lms.exceptions import ApplicationError

if TYPE_CHECKING:  # the core imports no app
    from lms.accounts.models import User

T = TypeVar("T")

# What a service raises when it refuses a write (a model's own checks raise ValidationError).
REFUSALS = (ApplicationError, ValidationError)


class NoWrites:
    """Staff may look, never add, edit or delete (actions may still call the services)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """Records the system wrote (statements, credits, completions, ...) or that only services
    change."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False


def actor(request: HttpRequest) -> "User":
    """The services' ``actor``: the admin lets in only authenticated staff."""
    return cast("User", request.user)


def refusal_text(exc: ApplicationError | ValidationError) -> str:
    if isinstance(exc, ApplicationError):
        return str(exc.message)
    return " ".join(exc.messages)


class ServiceFormAdmin(admin.ModelAdmin):
    """An admin whose save_model calls a service. The form's model validation catches what it
    can; a refusal it could not foresee rolls the save back and becomes an error message, not
    a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as exc:  # raised out of the view's transaction: nothing was written
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def apply_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[T],
    write: Callable[[T], object],
    *,
    done: Callable[[int], str],
) -> None:
    """An action's body: ``write`` (a service call) each object, report each refusal with the
    object it concerns, then ``done(count)`` of those written."""
    count = 0
    for obj in objects:
        try:
            write(obj)
        except REFUSALS as exc:
            model_admin.message_user(request, f"{obj}: {refusal_text(exc)}", messages.ERROR)
        else:
            count += 1
    model_admin.message_user(request, done(count), messages.SUCCESS if count else messages.WARNING)
