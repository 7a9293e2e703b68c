"""Writes of the catalogue and of enrolments (re-exported so callers import from one place)."""

from courses.services.catalogue import (
    course_create,
    course_delete,
    course_update,
    lesson_create,
    lesson_delete,
    lesson_update,
    lessons_take_video_length,
    module_create,
    module_delete,
    module_update,
)
from courses.services.enrollments import enrollment_create, enrollment_withdraw
from courses.services.imports import ImportReport, RowOutcome, enrollments_import

__all__ = [
    "ImportReport",
    "RowOutcome",
    "course_create",
    "course_delete",
    "course_update",
    "enrollment_create",
    "enrollment_withdraw",
    "enrollments_import",
    "lesson_create",
    "lesson_delete",
    "lesson_update",
    "lessons_take_video_length",
    "module_create",
    "module_delete",
    "module_update",
]
