"""The progress API: a learner's own hours, the ledger behind a lesson's credit, the
coordinators' overview and the trainers' view of a course. Thin views over the selectors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api import AuthenticatedRequest
from tracking.progress.models import CreditEntry
from tracking.progress.selectors import (
    LearnerProgress,
    course_progress,
    learner_progress,
    lesson_explanation,
    progress_overview,
    window_as_times,
)


class LessonLineOutput(serializers.Serializer):
    id = serializers.UUIDField(source="lesson.pk")
    title = serializers.CharField(source="lesson.title")
    kind = serializers.CharField(source="lesson.kind")
    is_required = serializers.BooleanField(source="lesson.is_required")
    duration_seconds = serializers.FloatField(source="lesson.duration_seconds", allow_null=True)
    covered_seconds = serializers.FloatField()
    coverage_percent = serializers.FloatField()
    credited_seconds = serializers.FloatField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ModuleLineOutput(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    position = serializers.IntegerField()
    credited_seconds = serializers.FloatField()
    completed_at = serializers.DateTimeField(allow_null=True)
    lessons = LessonLineOutput(many=True)


class CourseLineOutput(serializers.Serializer):
    id = serializers.UUIDField(source="course.pk")
    title = serializers.CharField(source="course.title")
    enrollment_status = serializers.CharField(allow_null=True)
    credited_seconds = serializers.FloatField()
    completed_at = serializers.DateTimeField(allow_null=True)
    modules = ModuleLineOutput(many=True)


class DayOutput(serializers.Serializer):
    day = serializers.DateField()
    verified_minutes = serializers.FloatField()


class LearnerProgressOutput(serializers.Serializer):
    learner_id = serializers.UUIDField(source="learner.pk")
    credited_hours = serializers.FloatField()
    target_hours = serializers.FloatField()
    target_percent = serializers.FloatField()
    programme_completed_at = serializers.DateTimeField(source="completed_at", allow_null=True)
    courses = CourseLineOutput(many=True)
    days = serializers.SerializerMethodField()

    @extend_schema_field(DayOutput(many=True))
    def get_days(self, progress: LearnerProgress) -> list[dict[str, Any]]:
        return [{"day": day, "verified_minutes": minutes} for day, minutes in progress.days]


class MyProgressApi(APIView):
    """The caller's credited hours against the programme's target, per course, module and
    lesson, and verified minutes per day."""

    @extend_schema(responses={200: LearnerProgressOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(LearnerProgressOutput(learner_progress(actor=request.user)).data)


class PersonProgressApi(APIView):
    """A person's progress, for coordinators in scope (and staff)."""

    @extend_schema(responses={200: LearnerProgressOutput})
    def get(self, request: AuthenticatedRequest, person_id: UUID) -> Response:
        progress = learner_progress(actor=request.user, learner_id=person_id)
        return Response(LearnerProgressOutput(progress).data)


class CreditEntryOutput(serializers.ModelSerializer):
    statement_id = serializers.UUIDField()
    reason_text = serializers.CharField(source="get_reason_display")
    media = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    window = serializers.SerializerMethodField(help_text="Real time this credit used.")

    class Meta:
        model = CreditEntry
        fields = [
            "statement_id",
            "credited_at",
            "seconds",
            "new_seconds",
            "media",
            "window",
            "reason",
            "reason_text",
        ]

    def get_window(self, entry: CreditEntry) -> list[dict[str, str]]:
        return window_as_times(entry.window)


class LessonLedgerApi(APIView):
    """Why a learner has the credit they have in a lesson: every ledger entry, with the
    statement that caused it. ``?learner=<id>`` for coordinators and the lesson's trainers."""

    class LedgerFilter(serializers.Serializer):
        learner = serializers.UUIDField(required=False)

    class LedgerOutput(serializers.Serializer):
        learner_id = serializers.UUIDField(source="learner.pk")
        lesson_id = serializers.UUIDField(source="lesson.pk")
        lesson_title = serializers.CharField(source="lesson.title")
        duration_seconds = serializers.FloatField(source="lesson.duration_seconds", allow_null=True)
        covered_seconds = serializers.FloatField(source="progress.covered_seconds", default=0.0)
        covered = serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField()),
            source="progress.covered",
            default=list,
        )
        completed_at = serializers.DateTimeField(source="progress.completed_at", default=None)
        credited_seconds = serializers.FloatField()
        entries = CreditEntryOutput(many=True)

    @extend_schema(parameters=[LedgerFilter], responses={200: LedgerOutput})
    def get(self, request: AuthenticatedRequest, lesson_id: UUID) -> Response:
        query = self.LedgerFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        explanation = lesson_explanation(
            actor=request.user, lesson_id=lesson_id, learner_id=query.validated_data.get("learner")
        )
        return Response(self.LedgerOutput(explanation).data)


class OverviewGroupOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    people = serializers.IntegerField()
    active_30_days = serializers.IntegerField()
    enrolments = serializers.IntegerField()
    completed_courses = serializers.IntegerField()
    completion_rate = serializers.FloatField()
    credited_hours = serializers.FloatField()


class OverviewApi(APIView):
    """Coordinators: the people in scope at a glance (per city, organisation and course),
    the distribution of credited hours and who is furthest behind the target."""

    class OverviewFilter(serializers.Serializer):
        city = serializers.UUIDField(required=False)
        organisation = serializers.UUIDField(required=False)
        course = serializers.UUIDField(required=False)

    class OverviewOutput(serializers.Serializer):
        learners = serializers.IntegerField()
        active_30_days = serializers.IntegerField()
        target_hours = serializers.FloatField()
        hours_distribution = serializers.ListField(child=serializers.DictField())
        by_city = OverviewGroupOutput(many=True)
        by_organisation = OverviewGroupOutput(many=True)
        by_course = OverviewGroupOutput(many=True)
        behind = serializers.ListField(child=serializers.DictField())

    @extend_schema(parameters=[OverviewFilter], responses={200: OverviewOutput})
    def get(self, request: AuthenticatedRequest) -> Response:
        query = self.OverviewFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        overview = progress_overview(
            actor=request.user,
            city_id=query.validated_data.get("city"),
            organisation_id=query.validated_data.get("organisation"),
            course_id=query.validated_data.get("course"),
        )
        return Response(self.OverviewOutput(overview).data)


class CourseProgressApi(APIView):
    """Trainers: each learner of the course with credited time and lessons completed."""

    class CourseLearnerOutput(serializers.Serializer):
        learner_id = serializers.UUIDField(source="learner.pk")
        first_name = serializers.CharField(source="learner.first_name")
        last_name = serializers.CharField(source="learner.last_name")
        status = serializers.CharField()
        credited_seconds = serializers.FloatField()
        lessons_completed = serializers.IntegerField()
        lessons = serializers.IntegerField()
        last_activity_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses={200: CourseLearnerOutput(many=True)})
    def get(self, request: AuthenticatedRequest, course_id: UUID) -> Response:
        rows = course_progress(actor=request.user, course_id=course_id)
        return Response(self.CourseLearnerOutput(rows, many=True).data)
