from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.accounts.services import organisation_create, organisation_update
from lms.admin import ReadOnlyAdmin, ServiceFormAdmin, actor


@admin.register(MetropolitanCity)
class MetropolitanCityAdmin(ReadOnlyAdmin):
    """The 14 Metropolitan Cities, seeded by a migration."""

    list_display = ["name", "istat_code", "slug"]
    search_fields = ["name", "istat_code"]


@admin.register(Organisation)
class OrganisationAdmin(ServiceFormAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind", "city"]
    search_fields = ["name"]
    list_select_related = ["city"]
    fields = ["city", "name", "kind"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["city"] if obj else []  # an organisation stays in its city

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no service deletes one: its members point at it

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        data = {"name": form.cleaned_data["name"], "kind": form.cleaned_data["kind"]}
        if change:
            # The form has set the new values on obj already: the service saves what differs
            # from the stored row.
            saved = Organisation.objects.get(pk=obj.pk)
            organisation_update(actor=actor(request), organisation=saved, data=data)
            return
        created = organisation_create(actor=actor(request), city=form.cleaned_data["city"], **data)
        obj.pk = created.pk  # the log entry and the redirect name obj


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "role", "organisation"]
    list_filter = ["role", "position", "is_active", "organisation__city", "coordinated_city"]
    search_fields = ["username", "first_name", "last_name", "email", "tax_code"]
    list_select_related = ["organisation__city"]
    autocomplete_fields = ["organisation"]
    ordering = ["last_name", "first_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "tax_code")}),
        (_("Organisation"), {"fields": ("organisation", "position")}),
        (_("Platform role"), {"fields": ("role", "coordinated_city")}),
        (
            _("Django permissions"),
            {"fields": ("is_active", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
