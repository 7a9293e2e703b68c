"""What media adds to the catalogue's answers (registered in MediaConfig.ready): each lesson's
video, with its signed playback links, and documents; the course detail's own documents. The
links and documents come from ``course_media``, computed once per course detail; elsewhere (the
answers to writes) a video shows no links and there are no documents."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.extensions import OutputExtension
from courses.models import Course, Lesson
from lms.accounts.models import User
from media.apis import DocumentOutput, PlaybackOutput, playback_data
from media.models import CourseDocument, VideoAsset
from media.selectors import CourseMedia, course_media

CONTEXT_KEY = "course_media"


class LessonVideoOutput(serializers.ModelSerializer):
    playback = serializers.SerializerMethodField(
        help_text="Signed, short-lived links to play it: only for those who may watch the "
        "course (its learners, trainers, coordinators, staff) and once it is ready."
    )

    class Meta:
        model = VideoAsset
        fields = ["id", "status", "duration_seconds", "playback"]

    @extend_schema_field(PlaybackOutput(allow_null=True))
    def get_playback(self, asset: VideoAsset) -> dict[str, Any] | None:
        media: CourseMedia | None = self.context.get(CONTEXT_KEY)
        lesson_id = self.context.get("lesson_id_by_asset", {}).get(asset.pk)
        if media is None or lesson_id not in media.playback:
            return None
        return playback_data(media.playback[lesson_id])


class _OfObject(serializers.Field):
    """A read-only field computed from the whole lesson or course."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)


@extend_schema_field(LessonVideoOutput(allow_null=True))
class LessonVideoField(_OfObject):
    def to_representation(self, lesson: Lesson) -> dict[str, Any] | None:
        if lesson.video_asset is None:
            return None
        context = {**self.context, "lesson_id_by_asset": {lesson.video_asset.pk: lesson.pk}}
        return dict(LessonVideoOutput(lesson.video_asset, context=context).data)


@extend_schema_field(DocumentOutput(many=True))
class _DocumentsField(_OfObject):
    def documents(self, instance: Any, media: CourseMedia) -> list[CourseDocument]:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> list[dict[str, Any]]:
        media: CourseMedia | None = self.context.get(CONTEXT_KEY)
        documents = self.documents(instance, media) if media else []
        return list(DocumentOutput(documents, many=True, context=self.context).data)


class LessonDocumentsField(_DocumentsField):
    def documents(self, instance: Lesson, media: CourseMedia) -> list[CourseDocument]:
        return media.lesson_documents.get(instance.pk, [])


class CourseDocumentsField(_DocumentsField):
    def documents(self, instance: Course, media: CourseMedia) -> list[CourseDocument]:
        return media.course_documents


def _context(actor: User | AnonymousUser, course: Course) -> dict[str, Any]:
    return {CONTEXT_KEY: course_media(actor=actor, course=course)}


EXTENSION = OutputExtension(
    lesson_fields={
        "video": LessonVideoField(),
        "documents": LessonDocumentsField(
            help_text="The lesson's slides and handouts (for those who may see the content)."
        ),
    },
    course_fields={
        "documents": CourseDocumentsField(
            help_text="Course documents attached to no lesson (for those who may see the content)."
        ),
    },
    context=_context,
)
