"""The progress engine writes these; staff read them (and recompute with the command)."""

from django.contrib import admin

from lms.admin import ReadOnlyAdmin
from tracking.progress.models import AttendanceCredit, Completion, CreditEntry, LessonProgress


@admin.register(LessonProgress)
class LessonProgressAdmin(ReadOnlyAdmin):
    list_display = ["learner", "lesson", "covered_seconds", "credited_seconds", "completed_at"]
    list_select_related = ["learner", "lesson"]
    search_fields = ["learner__username", "learner__last_name", "lesson__title"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter)]


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
    list_display = ["credited_at", "learner", "lesson", "seconds", "new_seconds", "reason"]
    list_select_related = ["learner", "lesson"]
    list_filter = ["reason"]
    search_fields = ["learner__username", "learner__last_name", "lesson__title"]
    date_hierarchy = "credited_at"


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ["completed_at", "learner", "kind", "lesson", "module", "course", "announced_at"]
    list_select_related = ["learner", "lesson", "module", "course"]
    list_filter = ["kind", ("announced_at", admin.EmptyFieldListFilter)]
    search_fields = ["learner__username", "learner__last_name"]


@admin.register(AttendanceCredit)
class AttendanceCreditAdmin(ReadOnlyAdmin):
    list_display = ["day", "learner", "lesson", "mode", "seconds", "recorded_at"]
    list_select_related = ["learner", "lesson"]
    list_filter = ["mode"]
    search_fields = ["learner__username", "learner__last_name", "lesson__title"]
    date_hierarchy = "day"
