"""Staff's view of attendance: the programme's identity (edited through its service), and the
sessions, presences, their history and the register exports, read-only (presence changes only
through the roster, the room's code and coordinators' corrections, each kept in history)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lms.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceFormAdmin, actor
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    ProgrammeIdentity,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.services.sessions import programme_identity_update


@admin.register(ProgrammeIdentity)
class ProgrammeIdentityAdmin(ServiceFormAdmin):
    EDITABLE = ("plan_title", "project_title", "funding_programme", "funding_codes")
    fields = list(EDITABLE)
    list_display = ["project_title", "plan_title", "funding_programme", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ProgrammeIdentity.objects.exists()  # one row

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ProgrammeIdentity, form: Any, change: bool
    ) -> None:
        saved = programme_identity_update(
            actor=actor(request), data={name: form.cleaned_data[name] for name in self.EDITABLE}
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at


class RegistrationInline(ReadOnlyInline):
    model = SessionRegistration
    fields = ["learner", "status", "queued_at", "registered_by", "reminded_at"]
    readonly_fields = ["learner", "status", "queued_at", "registered_by", "reminded_at"]


class PresenceInline(ReadOnlyInline):
    model = Presence
    fields = [
        "learner",
        "status",
        "entered_at",
        "left_at",
        "attended_seconds",
        "note",
    ]
    readonly_fields = [
        "learner",
        "status",
        "entered_at",
        "left_at",
        "attended_seconds",
        "note",
    ]


@admin.register(AttendanceSession)
class AttendanceSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at", "ends_at", "place", "capacity", "is_cancelled"]
    list_filter = ["kind", "is_cancelled"]
    search_fields = ["title", "place", "lesson__title"]
    date_hierarchy = "starts_at"
    exclude = ["code_secret"]
    inlines = [RegistrationInline, PresenceInline]


class PresenceChangeInline(ReadOnlyInline):
    model = PresenceChange
    fields = ["changed_at", "action", "changed_by", "before", "after", "reason"]
    readonly_fields = ["changed_at", "action", "changed_by", "before", "after", "reason"]


@admin.register(Presence)
class PresenceAdmin(ReadOnlyAdmin):
    list_display = ["session", "learner", "status", "entered_at", "left_at", "attended_seconds"]
    list_select_related = ["session", "learner"]
    list_filter = ["status"]
    search_fields = ["learner__username", "learner__last_name", "session__title"]
    inlines = [PresenceChangeInline]


@admin.register(RegisterExport)
class RegisterExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by", "register", "format", "status", "rows"]
    list_select_related = ["requested_by"]
    list_filter = ["register", "format", "status"]
    date_hierarchy = "created_at"
