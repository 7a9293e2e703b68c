"""The attendance API's output serializers, shared by its views (each view keeps its input
serializer beside it, as the other apps do)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.models import Course, Lesson, Module
from lms.accounts.models import MetropolitanCity, User
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    PresenceChange,
    ProgrammeIdentity,
    RegisterExport,
    SessionRegistration,
)


class SessionCityOutput(serializers.ModelSerializer):
    class Meta:
        model = MetropolitanCity
        fields = ["id", "slug", "name"]


class SessionPersonOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "first_name", "last_name"]


class AttendanceLearnerOutput(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default=None)
    city = serializers.CharField(source="organisation.city.name", default=None)

    class Meta:
        model = User
        fields = ["id", "first_name", "last_name", "organisation", "city"]


class SessionCourseOutput(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "slug", "title"]


class SessionModuleOutput(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title"]


class SessionLessonOutput(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "title", "kind"]


class OwnRegistrationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=SessionRegistration.Status.choices)


class SessionOutput(serializers.ModelSerializer):
    course = SessionCourseOutput(source="lesson.module.course")
    module = SessionModuleOutput(source="lesson.module")
    lesson = SessionLessonOutput()
    hosting_city = SessionCityOutput(allow_null=True)
    visiting_cities = SessionCityOutput(many=True)
    trainers = SessionPersonOutput(many=True)
    places_taken = serializers.IntegerField(help_text="Confirmed places.")
    waiting = serializers.IntegerField(help_text="People on the waiting list.")
    own_registration = serializers.SerializerMethodField(
        help_text="The actor's own place (or waiting-list place); null if they never asked."
    )

    class Meta:
        model = AttendanceSession
        fields = [
            "id",
            "kind",
            "title",
            "course",
            "module",
            "lesson",
            "starts_at",
            "ends_at",
            "place",
            "link",
            "hosting_city",
            "visiting_cities",
            "trainers",
            "capacity",
            "places_taken",
            "waiting",
            "is_cancelled",
            "own_registration",
        ]

    @extend_schema_field(OwnRegistrationOutput(allow_null=True))
    def get_own_registration(self, session: AttendanceSession) -> dict[str, Any] | None:
        registration_id = getattr(session, "own_registration_id", None)
        if registration_id is None:
            return None
        return {"id": registration_id, "status": session.own_status}  # type: ignore[attr-defined]


class SessionBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = AttendanceSession
        fields = ["id", "kind", "title", "starts_at", "ends_at", "place", "link", "is_cancelled"]


class PresenceOutput(serializers.ModelSerializer):
    session_id = serializers.UUIDField()
    learner_id = serializers.UUIDField()

    class Meta:
        model = Presence
        fields = [
            "id",
            "session_id",
            "learner_id",
            "status",
            "entered_at",
            "left_at",
            "attended_seconds",
            "note",
            "updated_at",
        ]


class PresenceChangeOutput(serializers.ModelSerializer):
    changed_by = SessionPersonOutput()

    class Meta:
        model = PresenceChange
        fields = ["id", "action", "changed_by", "changed_at", "before", "after", "reason"]


class PresenceDetailOutput(PresenceOutput):
    session = SessionBriefOutput()
    learner = AttendanceLearnerOutput()
    history = serializers.SerializerMethodField(help_text="Every change, oldest first.")

    class Meta(PresenceOutput.Meta):
        fields = [*PresenceOutput.Meta.fields, "session", "learner", "history"]

    @extend_schema_field(PresenceChangeOutput(many=True))
    def get_history(self, presence: Presence) -> Any:  # a list (the stubs say ReturnDict)
        return PresenceChangeOutput(self.context["history"], many=True).data


class RegistrationOutput(serializers.ModelSerializer):
    session = SessionBriefOutput()
    learner = AttendanceLearnerOutput()
    registered_by = SessionPersonOutput(allow_null=True)

    class Meta:
        model = SessionRegistration
        fields = ["id", "session", "learner", "status", "registered_by", "queued_at"]


class MyRegistrationOutput(RegistrationOutput):
    presence = serializers.SerializerMethodField(help_text="The actor's presence record, if any.")

    class Meta(RegistrationOutput.Meta):
        fields = [*RegistrationOutput.Meta.fields, "presence"]

    @extend_schema_field(PresenceOutput(allow_null=True))
    def get_presence(self, registration: SessionRegistration) -> dict[str, Any] | None:
        # registration_list_own prefetched only the actor's own presence of each session
        presence = next(iter(registration.session.presences.all()), None)
        return PresenceOutput(presence).data if presence is not None else None


class RosterLineOutput(serializers.Serializer):
    registration_id = serializers.UUIDField(source="registration.pk")
    status = serializers.ChoiceField(
        source="registration.status", choices=SessionRegistration.Status.choices
    )
    queued_at = serializers.DateTimeField(source="registration.queued_at")
    learner = AttendanceLearnerOutput(source="registration.learner")
    presence = PresenceOutput(allow_null=True)


class RegisterExportOutput(serializers.ModelSerializer):
    progress_percent = serializers.SerializerMethodField(help_text="Rows written, in percent.")
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file once a queued export is ready; null until then."
    )

    class Meta:
        model = RegisterExport
        fields = [
            "id",
            "register",
            "format",
            "filters",
            "status",
            "rows",
            "rows_expected",
            "progress_percent",
            "failure_reason",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_progress_percent(self, export: RegisterExport) -> float:
        if export.status == RegisterExport.Status.READY:
            return 100.0
        if not export.rows_expected:
            return 0.0
        return round(min(100.0, 100 * export.rows / export.rows_expected), 1)

    def get_download_url(self, export: RegisterExport) -> str | None:
        if export.status != RegisterExport.Status.READY or not export.file:
            return None
        path = reverse("attendance-register-export-download", args=[export.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FundingCode(serializers.Serializer):
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]
    code = serializers.CharField(max_length=100)


class ProgrammeIdentityOutput(serializers.ModelSerializer):
    funding_codes = FundingCode(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = ProgrammeIdentity
        fields = ["plan_title", "project_title", "funding_programme", "funding_codes", "updated_at"]
