"""The catalogue for staff to browse. Its writes need the services' checks (content before
publishing, none removed under enrolled learners, trainers who teach), so the pages are
read-only and the changes staff make here are actions that call the services."""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Course, CourseAudience, Enrollment, Lesson, Module, ThematicArea
from courses.services import course_update, enrollment_withdraw
from lms.admin import ReadOnlyAdmin, ReadOnlyInline, actor, apply_each


@admin.register(ThematicArea)
class ThematicAreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name"]


class CourseAudienceInline(ReadOnlyInline):
    model = CourseAudience


class ModuleInline(ReadOnlyInline):
    model = Module
    fields = ["position", "title", "declared_hours"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "area", "status", "language", "declared_hours", "published_at"]
    list_filter = ["status", "area", "language", "self_enrollment_open"]
    search_fields = ["title", "summary", "slug"]
    list_select_related = ["area"]
    inlines = [CourseAudienceInline, ModuleInline]
    actions = ["publish", "archive"]

    def _set_status(
        self,
        request: HttpRequest,
        queryset: QuerySet[Course],
        status: str,
        done: Callable[[int], str],
    ) -> None:
        user = actor(request)
        apply_each(
            self,
            request,
            queryset.exclude(status=status),
            lambda course: course_update(actor=user, course=course, data={"status": status}),
            done=done,
        )

    @admin.action(description=_("Publish the selected courses"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._set_status(
            request,
            queryset,
            Course.Status.PUBLISHED,
            lambda count: (
                ngettext("%(count)d course published.", "%(count)d courses published.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Archive the selected courses"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        self._set_status(
            request,
            queryset,
            Course.Status.ARCHIVED,
            lambda count: (
                ngettext("%(count)d course archived.", "%(count)d courses archived.", count)
                % {"count": count}
            ),
        )


class LessonInline(ReadOnlyInline):
    model = Lesson
    fields = ["position", "title", "kind", "is_required", "duration_seconds"]


@admin.register(Module)
class ModuleAdmin(ReadOnlyAdmin):
    list_display = ["title", "course", "position", "declared_hours"]
    list_filter = ["course__area"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "module", "position", "is_required", "duration_seconds"]
    list_filter = ["kind", "is_required"]
    search_fields = ["title", "module__title", "module__course__title"]
    list_select_related = ["module__course"]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["learner", "course", "status", "source", "enrolled_at"]
    list_filter = ["status", "source", "course", "learner__organisation__city"]
    search_fields = [
        "learner__first_name",
        "learner__last_name",
        "learner__email",
        "learner__tax_code",
        "course__title",
    ]
    list_select_related = ["learner", "course"]
    date_hierarchy = "enrolled_at"
    actions = ["withdraw"]

    @admin.action(description=_("Withdraw the selected enrolments"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Enrollment]) -> None:
        user = actor(request)
        apply_each(
            self,
            request,
            queryset.exclude(status=Enrollment.Status.WITHDRAWN).select_related(
                "learner__organisation", "course"
            ),
            lambda enrollment: enrollment_withdraw(actor=user, enrollment=enrollment),
            done=lambda count: (
                ngettext("%(count)d enrolment withdrawn.", "%(count)d enrolments withdrawn.", count)
                % {"count": count}
            ),
        )
