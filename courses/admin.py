from django.contrib import admin

from courses.models import Course, CourseAudience, Enrollment, Lesson, Module, ThematicArea


@admin.register(ThematicArea)
class ThematicAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name"]


class CourseAudienceInline(admin.TabularInline):
    model = CourseAudience
    extra = 0


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["position", "title", "declared_hours"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "language", "declared_hours", "published_at"]
    list_filter = ["status", "area", "language", "self_enrollment_open"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["trainers"]
    list_select_related = ["area"]
    inlines = [CourseAudienceInline, ModuleInline]
    readonly_fields = ["created_by", "created_at", "updated_at"]


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ["position", "title", "kind", "is_required", "duration_seconds"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "position", "declared_hours"]
    list_filter = ["course__area"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "module", "position", "is_required", "duration_seconds"]
    list_filter = ["kind", "is_required"]
    search_fields = ["title", "module__title", "module__course__title"]
    list_select_related = ["module__course"]
    autocomplete_fields = ["module"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
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
    autocomplete_fields = ["learner", "course"]
    readonly_fields = ["id", "enrolled_at", "enrolled_by", "created_at", "updated_at"]
    date_hierarchy = "enrolled_at"
