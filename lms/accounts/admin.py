from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import MetropolitanCity, Organisation, User


@admin.register(MetropolitanCity)
class MetropolitanCityAdmin(admin.ModelAdmin):
    list_display = ["name", "istat_code", "slug"]
    search_fields = ["name", "istat_code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind", "city"]
    search_fields = ["name"]
    list_select_related = ["city"]


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
