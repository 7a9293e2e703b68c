"""Catalogue, course authoring, enrolments and bulk enrolment: thin views over services."""

from decimal import Decimal
from http import HTTPStatus
from typing import Any, cast
from uuid import UUID

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import extensions
from courses.filters import CourseFilter, EnrollmentFilter
from courses.models import Course, Enrollment, Lesson, Module, ThematicArea
from courses.selectors import (
    course_can_edit,
    course_get,
    course_get_for_edit,
    course_list,
    enrollment_get,
    enrollment_list,
    lesson_get_for_edit,
    module_get_for_edit,
    thematic_area_list,
)
from courses.services import (
    course_create,
    course_delete,
    course_update,
    enrollment_create,
    enrollment_withdraw,
    enrollments_import,
    lesson_create,
    lesson_delete,
    lesson_update,
    module_create,
    module_delete,
    module_update,
)
from lms.accounts.models import Position, User
from lms.accounts.selectors import person_get
from lms.api import AuthenticatedRequest, ListApi

# --- output -------------------------------------------------------------------------------


class ThematicAreaOutput(serializers.ModelSerializer):
    class Meta:
        model = ThematicArea
        fields = ["id", "slug", "name", "description"]


class TrainerOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "first_name", "last_name"]


class LessonOutput(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = [
            "id",
            "position",
            "title",
            "description",
            "kind",
            "is_required",
            "duration_seconds",
        ]

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), **extensions.lesson_fields()}


class ModuleOutput(serializers.ModelSerializer):
    lessons = LessonOutput(many=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "position",
            "title",
            "description",
            "declared_hours",
            "completion_min_hours",
            "completion_min_attendance_percent",
            "lessons",
        ]


class CourseOutput(serializers.ModelSerializer):
    area = ThematicAreaOutput()
    audience = serializers.SerializerMethodField()
    trainers = TrainerOutput(many=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "area",
            "language",
            "audience",
            "declared_hours",
            "status",
            "self_enrollment_open",
            "published_at",
            "trainers",
        ]

    def get_audience(self, course: Course) -> list[str]:
        return sorted(a.position for a in course.audiences.all())


class CourseDetailOutput(CourseOutput):
    modules = ModuleOutput(many=True)
    can_edit = serializers.SerializerMethodField()

    class Meta(CourseOutput.Meta):
        fields = [*CourseOutput.Meta.fields, "description", "modules", "can_edit"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        can_edit = fields.pop("can_edit")  # what the actor may do comes last
        return {**fields, **extensions.course_fields(), "can_edit": can_edit}

    def get_can_edit(self, course: Course) -> bool:
        return course_can_edit(actor=self.context["request"].user, course=course)


class EnrollmentCourseOutput(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "slug", "title"]


class EnrollmentLearnerOutput(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default=None)
    city = serializers.CharField(source="organisation.city.name", default=None)

    class Meta:
        model = User
        fields = ["id", "first_name", "last_name", "organisation", "city"]


class EnrollmentOutput(serializers.ModelSerializer):
    course = EnrollmentCourseOutput()
    learner = EnrollmentLearnerOutput()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "course",
            "learner",
            "status",
            "source",
            "enrolled_at",
            "completed_at",
            "withdrawn_at",
        ]


def _course_detail(request: Request, course_id: UUID) -> Response:
    course = course_get(actor=request.user, course_id=course_id, with_content=True)
    context = extensions.course_detail_context(actor=request.user, course=course)
    return Response(CourseDetailOutput(course, context={"request": request, **context}).data)


# --- catalogue ----------------------------------------------------------------------------


class ThematicAreaCollectionApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ThematicAreaOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(ThematicAreaOutput(thematic_area_list(), many=True).data)


class CourseInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    area = serializers.SlugRelatedField(slug_field="slug", queryset=ThematicArea.objects.all())
    language = serializers.ChoiceField(choices=Course.Language.choices, required=False)
    declared_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False
    )
    self_enrollment_open = serializers.BooleanField(required=False)
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=Position.choices), required=False
    )
    trainers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), many=True, required=False
    )


class CourseUpdateInput(CourseInput):
    status = serializers.ChoiceField(choices=Course.Status.choices, required=False)


class CourseCollectionApi(ListApi):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = CourseFilter
    output_serializer = CourseOutput

    def selector_queryset(self) -> QuerySet[Course]:
        return course_list(actor=self.request.user)

    @extend_schema(request=CourseInput, responses={201: CourseDetailOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = CourseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        course = course_create(actor=request.user, **payload.validated_data)
        return Response(
            CourseDetailOutput(
                course_get(actor=request.user, course_id=course.pk, with_content=True),
                context={"request": request},
            ).data,
            status=HTTPStatus.CREATED,
        )


class CourseDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=CourseDetailOutput)
    def get(self, request: Request, course_id: UUID) -> Response:
        return _course_detail(request, course_id)

    @extend_schema(request=CourseUpdateInput, responses=CourseDetailOutput)
    def patch(self, request: AuthenticatedRequest, course_id: UUID) -> Response:
        course = course_get_for_edit(actor=request.user, course_id=course_id)
        payload = CourseUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        course_update(actor=request.user, course=course, data=payload.validated_data)
        return _course_detail(request, course_id)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, course_id: UUID) -> Response:
        course = course_get_for_edit(actor=request.user, course_id=course_id)
        course_delete(actor=request.user, course=course)
        return Response(status=HTTPStatus.NO_CONTENT)


# --- modules and lessons ------------------------------------------------------------------


class ModuleInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=1, required=False)
    declared_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False
    )
    completion_min_hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, required=False, allow_null=True
    )
    completion_min_attendance_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )


def _videos() -> QuerySet[Any]:
    """The videos a lesson may show, of whichever app its foreign key names."""
    model = cast(type[Model], Lesson._meta.get_field("video_asset").related_model)
    return model._default_manager.all()


class LessonInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Lesson.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=1, required=False)
    is_required = serializers.BooleanField(required=False)
    # To the tenth of a second, as a video's length (a decimal, so that 0.25 is refused, not
    # rounded out of sight).
    duration_seconds = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=Decimal(0),
        coerce_to_string=False,
        required=False,
        allow_null=True,
    )
    video_asset_id = serializers.PrimaryKeyRelatedField(
        queryset=_videos(),
        source="video_asset",
        required=False,
        allow_null=True,
        help_text="For video lessons: one of the course's uploaded videos.",
    )

    def validate_duration_seconds(self, value: Decimal | None) -> float | None:
        return None if value is None else float(value)  # the model keeps a float


class CourseModuleCollectionApi(APIView):
    @extend_schema(request=ModuleInput, responses={201: ModuleOutput})
    def post(self, request: AuthenticatedRequest, course_id: UUID) -> Response:
        course = course_get_for_edit(actor=request.user, course_id=course_id)
        payload = ModuleInput(data=request.data)
        payload.is_valid(raise_exception=True)
        module = module_create(actor=request.user, course=course, **payload.validated_data)
        return Response(ModuleOutput(module).data, status=HTTPStatus.CREATED)


class ModuleDetailApi(APIView):
    @extend_schema(request=ModuleInput(partial=True), responses=ModuleOutput)
    def patch(self, request: AuthenticatedRequest, module_id: UUID) -> Response:
        module = module_get_for_edit(actor=request.user, module_id=module_id)
        payload = ModuleInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        module = module_update(actor=request.user, module=module, data=payload.validated_data)
        return Response(ModuleOutput(module).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, module_id: UUID) -> Response:
        module = module_get_for_edit(actor=request.user, module_id=module_id)
        module_delete(actor=request.user, module=module)
        return Response(status=HTTPStatus.NO_CONTENT)


class ModuleLessonCollectionApi(APIView):
    @extend_schema(request=LessonInput, responses={201: LessonOutput})
    def post(self, request: AuthenticatedRequest, module_id: UUID) -> Response:
        module = module_get_for_edit(actor=request.user, module_id=module_id)
        payload = LessonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        lesson = lesson_create(actor=request.user, module=module, **payload.validated_data)
        return Response(LessonOutput(lesson).data, status=HTTPStatus.CREATED)


class LessonDetailApi(APIView):
    @extend_schema(request=LessonInput(partial=True), responses=LessonOutput)
    def patch(self, request: AuthenticatedRequest, lesson_id: UUID) -> Response:
        lesson = lesson_get_for_edit(actor=request.user, lesson_id=lesson_id)
        payload = LessonInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        lesson = lesson_update(actor=request.user, lesson=lesson, data=payload.validated_data)
        return Response(LessonOutput(lesson).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, lesson_id: UUID) -> Response:
        lesson = lesson_get_for_edit(actor=request.user, lesson_id=lesson_id)
        lesson_delete(actor=request.user, lesson=lesson)
        return Response(status=HTTPStatus.NO_CONTENT)


# --- enrolments ---------------------------------------------------------------------------


class EnrollmentCollectionApi(ListApi):
    filterset_class = EnrollmentFilter
    output_serializer = EnrollmentOutput

    class EnrollmentCreateInput(serializers.Serializer):
        course_id = serializers.UUIDField()
        learner_id = serializers.UUIDField(
            required=False, help_text="Coordinators: the person to enrol (default: yourself)."
        )

    def selector_queryset(self) -> QuerySet[Enrollment]:
        return enrollment_list(actor=cast(User, self.request.user))

    @extend_schema(
        request=EnrollmentCreateInput, responses={201: EnrollmentOutput, 200: EnrollmentOutput}
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = self.EnrollmentCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        course = course_get(actor=request.user, course_id=payload.validated_data["course_id"])
        learner = None
        if learner_id := payload.validated_data.get("learner_id"):
            learner = person_get(actor=request.user, person_id=learner_id)
        enrollment, created = enrollment_create(actor=request.user, course=course, learner=learner)
        return Response(
            EnrollmentOutput(enrollment).data,
            status=HTTPStatus.CREATED if created else HTTPStatus.OK,
        )


class EnrollmentDetailApi(APIView):
    @extend_schema(responses=EnrollmentOutput)
    def get(self, request: AuthenticatedRequest, enrollment_id: UUID) -> Response:
        enrollment = enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        return Response(EnrollmentOutput(enrollment).data)

    @extend_schema(
        responses=EnrollmentOutput, description="Withdraw the enrolment (kept as a record)."
    )
    def delete(self, request: AuthenticatedRequest, enrollment_id: UUID) -> Response:
        enrollment = enrollment_get(actor=request.user, enrollment_id=enrollment_id)
        enrollment = enrollment_withdraw(actor=request.user, enrollment=enrollment)
        return Response(EnrollmentOutput(enrollment).data)


class ImportRowOutput(serializers.Serializer):
    row = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "already_enrolled", "rejected"])
    code = serializers.CharField()
    message = serializers.CharField()
    learner_id = serializers.UUIDField(allow_null=True)
    enrollment_id = serializers.UUIDField(allow_null=True)
    person_created = serializers.BooleanField()


class ImportSummaryOutput(serializers.Serializer):
    created = serializers.IntegerField()
    already_enrolled = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ImportReportOutput(serializers.Serializer):
    dry_run = serializers.BooleanField()
    summary = ImportSummaryOutput()
    rows = ImportRowOutput(many=True)


class EnrollmentImportApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class EnrollmentImportInput(serializers.Serializer):
        # An empty file reaches the service, which says so in the import's own words.
        file = serializers.FileField(
            allow_empty_file=True, help_text="CSV (UTF-8, comma or semicolon) or XLSX"
        )
        dry_run = serializers.BooleanField(default=False)

    @extend_schema(request=EnrollmentImportInput, responses=ImportReportOutput)
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = self.EnrollmentImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = enrollments_import(
            actor=request.user,
            upload=payload.validated_data["file"],
            dry_run=payload.validated_data["dry_run"],
        )
        return Response(ImportReportOutput(report).data)
