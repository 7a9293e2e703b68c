"""What apps that stand on courses add to the catalogue's answers, courses knowing none of them.

Such an app (media: a lesson's video and documents, and the course's documents) registers an
``OutputExtension`` in its ``AppConfig.ready()``: the fields it adds to every lesson and to the
course detail, and the context those fields read, which the course detail view computes once
per request (e.g. every signed link of the course in a constant number of queries). Where no
context was computed (the answer to a write), the fields show what they can without it.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers

from courses.models import Course
from lms.accounts.models import User


@dataclass(frozen=True, eq=False)
class OutputExtension:
    lesson_fields: dict[str, serializers.Field] = field(default_factory=dict)
    course_fields: dict[str, serializers.Field] = field(default_factory=dict)
    # (actor, course) -> what the fields read from the serializer context of a course detail
    context: Callable[[User | AnonymousUser, Course], dict[str, Any]] | None = None


_extensions: list[OutputExtension] = []


def output_extension_register(extension: OutputExtension) -> None:
    if extension not in _extensions:
        _extensions.append(extension)


def _fields(kind: str) -> dict[str, serializers.Field]:
    # Fresh copies, as DRF copies a serializer's declared fields: a field binds to one parent.
    found: dict[str, serializers.Field] = {}
    for extension in _extensions:
        found.update(copy.deepcopy(getattr(extension, kind)))
    return found


def lesson_fields() -> dict[str, serializers.Field]:
    return _fields("lesson_fields")


def course_fields() -> dict[str, serializers.Field]:
    return _fields("course_fields")


def course_detail_context(*, actor: User | AnonymousUser, course: Course) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for extension in _extensions:
        if extension.context is not None:
            context.update(extension.context(actor, course))
    return context
