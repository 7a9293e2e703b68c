"""Reads of videos, captions and documents, and the signed links to play them, scoped to
what the actor may see."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet, prefetch_related_objects

from courses.exceptions import LessonNotFound
from courses.models import Course, Enrollment, Lesson
from courses.selectors import course_can_edit, course_can_view_content, course_get, course_list
from lms.accounts.models import User
from media import ffmpeg
from media.exceptions import (
    DocumentNotFound,
    NotAllowedToUpload,
    NotEnrolled,
    VideoNotFound,
    VideoNotReady,
)
from media.models import CourseDocument, VideoAsset
from media.signing import PlaybackToken, sign_playback

Actor = User | AnonymousUser


def video_asset_list(*, actor: User) -> QuerySet[VideoAsset]:
    """The videos of the courses the actor teaches (staff: all), newest first."""
    assets = VideoAsset.objects.select_related("course").prefetch_related("captions")
    if actor.is_staff:
        return assets
    return assets.filter(course__trainers=actor)


def _asset_of_visible_course(*, actor: User, asset_id: UUID) -> VideoAsset:
    asset = (
        VideoAsset.objects.select_related("course")
        .prefetch_related("course__trainers", "captions")
        .filter(pk=asset_id, course__in=course_list(actor=actor).values("pk"))
        .first()
    )
    if asset is None:
        raise VideoNotFound()
    return asset


def video_asset_get_for_edit(*, actor: User, asset_id: UUID) -> VideoAsset:
    """A video of a course the actor teaches (staff: any): VideoNotFound if they cannot see
    its course, NotAllowedToUpload if they see it but do not teach it."""
    asset = _asset_of_visible_course(actor=actor, asset_id=asset_id)
    if not course_can_edit(actor=actor, course=asset.course):
        raise NotAllowedToUpload()
    return asset


# --- playback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptionLink:
    language: str
    label: str
    url: str


@dataclass(frozen=True)
class Playback:
    """Signed links to one video's files, for one person, until ``expires_at``."""

    master_url: str
    poster_url: str
    thumbnails_url: str | None  # None when the ladder has no preview frames
    expires_at: datetime
    captions: list[CaptionLink] = field(default_factory=list)


def _base_url() -> str:
    base = settings.MEDIA_PLAYBACK_BASE_URL
    if base.startswith("/"):
        base = settings.SITE_URL.rstrip("/") + base
    return base if base.endswith("/") else base + "/"


def _has_previews(asset: VideoAsset) -> bool:
    # A ladder with no preview frames has no thumbnails track: no link to a 404.
    return bool((asset.thumbnails or {}).get("sheets"))


def playback_links(*, actor: User, asset: VideoAsset, now: float | None = None) -> Playback:
    """Signed links to the published ladder of ``asset`` (its access already checked). They
    last the video's own length plus MEDIA_PLAYBACK_TTL_SECONDS, so a lesson watched from the
    start with pauses plays to its end. VideoNotReady when there is no ladder yet."""
    if not asset.hls_prefix:
        raise VideoNotReady(extra={"status": asset.status})
    now = time.time() if now is None else now
    # (whole seconds: the expiry is part of the signed path)
    length = math.ceil(asset.duration_seconds or 0)
    expires = int(now) + settings.MEDIA_PLAYBACK_TTL_SECONDS + length
    token: PlaybackToken = sign_playback(
        key=settings.MEDIA_SIGNING_KEY.encode(),
        user_id=actor.pk,
        asset_id=asset.pk,
        expires=expires,
    )
    base = _base_url()
    ladder = asset.hls_prefix.removeprefix(f"videos/{asset.pk}/")  # "ladders/<hex>/"

    def url(path: str) -> str:
        return base + token.path(path)

    captions = [
        CaptionLink(
            language=caption.language,
            label=caption.label,
            url=url(caption.file.name.removeprefix(f"videos/{asset.pk}/")),
        )
        for caption in asset.captions.all()
    ]
    return Playback(
        master_url=url(ladder + ffmpeg.MASTER),
        poster_url=url(ladder + ffmpeg.POSTER),
        thumbnails_url=url(ladder + ffmpeg.THUMBNAILS_VTT) if _has_previews(asset) else None,
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
        captions=captions,
    )


def video_asset_playback(*, actor: User, asset_id: UUID) -> Playback:
    """Signed links to a video for whoever may watch its course: its learners, trainers,
    coordinators and staff. VideoNotFound for a course the actor cannot see, NotEnrolled for
    one they see but are not enrolled in, VideoNotReady before the first ladder."""
    asset = _asset_of_visible_course(actor=actor, asset_id=asset_id)
    if not course_can_view_content(actor=actor, course=asset.course):
        raise NotEnrolled()
    return playback_links(actor=actor, asset=asset)


# --- the lesson player ------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonPlayer:
    """What the player of one video lesson needs: the lesson (with its module, course and
    video), its signed links (None while the video is not ready, or failed) and the
    enrolment the learner's statements carry as their registration ("" for a trainer,
    coordinator or staff watching without one)."""

    lesson: Lesson
    playback: Playback | None
    registration: str


def lesson_player(*, actor: User, lesson_id: UUID) -> LessonPlayer:
    """The video lesson ``lesson_id`` for whoever may watch its course; LessonNotFound for a
    lesson outside their scope, one that is not a video, or a course they may not play."""
    lesson = (
        Lesson.objects.select_related("module__course", "video_asset")
        .prefetch_related("module__course__trainers", "video_asset__captions")
        .filter(
            pk=lesson_id,
            kind=Lesson.Kind.VIDEO,
            module__course__in=course_list(actor=actor).values("pk"),
        )
        .first()
    )
    if lesson is None or not course_can_view_content(actor=actor, course=lesson.module.course):
        raise LessonNotFound()
    asset = lesson.video_asset
    playback = None
    if asset is not None and asset.status == VideoAsset.Status.READY and asset.hls_prefix:
        playback = playback_links(actor=actor, asset=asset)
    enrollment = (
        Enrollment.objects.filter(course=lesson.module.course, learner=actor)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .values_list("pk", flat=True)
        .first()
    )
    return LessonPlayer(
        lesson=lesson, playback=playback, registration=str(enrollment) if enrollment else ""
    )


# --- what the course page shows per lesson --------------------------------------------------


@dataclass(frozen=True)
class CourseMedia:
    """Per lesson, the links the actor may use: playback of its video and its documents; and
    the course's own documents (attached to no lesson). Empty for who may not see content."""

    allowed: bool
    playback: dict[UUID, Playback]  # by lesson id
    lesson_documents: dict[UUID, list[CourseDocument]]
    course_documents: list[CourseDocument]


def course_media(*, actor: Actor, course: Course) -> CourseMedia:
    """Playback links and documents of every lesson of ``course`` for ``actor``, in a constant
    number of queries; the course's modules and lessons (with their videos) may come
    prefetched, as ``course_get(with_content=True)`` gives them."""
    if not isinstance(actor, User) or not course_can_view_content(actor=actor, course=course):
        return CourseMedia(allowed=False, playback={}, lesson_documents={}, course_documents=[])
    lessons = [
        lesson
        for module in course.modules.all()
        for lesson in module.lessons.all()
        if lesson.video_asset is not None and lesson.video_asset.hls_prefix
    ]
    assets: list[VideoAsset] = [lesson.video_asset for lesson in lessons if lesson.video_asset]
    prefetch_related_objects(assets, "captions")
    now = time.time()
    playback = {
        lesson.pk: playback_links(actor=actor, asset=lesson.video_asset, now=now)
        for lesson in lessons
        if lesson.video_asset is not None
    }
    by_lesson: dict[UUID, list[CourseDocument]] = {}
    course_documents = []
    for document in CourseDocument.objects.filter(course=course).order_by("title"):
        if document.lesson_id is None:
            course_documents.append(document)
        else:
            by_lesson.setdefault(document.lesson_id, []).append(document)
    return CourseMedia(
        allowed=True,
        playback=playback,
        lesson_documents=by_lesson,
        course_documents=course_documents,
    )


# --- documents ------------------------------------------------------------------------------


def document_list(*, actor: User, course_id: UUID) -> QuerySet[CourseDocument]:
    """The documents of a course, for whoever may see its content (NotEnrolled otherwise)."""
    course = course_get(actor=actor, course_id=course_id)
    if not course_can_view_content(actor=actor, course=course):
        raise NotEnrolled()
    return CourseDocument.objects.filter(course=course).select_related("lesson")


def document_get(*, actor: User, document_id: UUID) -> CourseDocument:
    """One document of a course the actor may see the content of."""
    document = (
        CourseDocument.objects.select_related("course")
        .prefetch_related("course__trainers")
        .filter(pk=document_id, course__in=course_list(actor=actor).values("pk"))
        .first()
    )
    if document is None:
        raise DocumentNotFound()
    if not course_can_view_content(actor=actor, course=document.course):
        raise NotEnrolled()
    return document
