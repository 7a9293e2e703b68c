"""A course's media library: renaming, retrying and deleting videos, their captions, the
course's documents, and deleting retired files once nobody can be reading them."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.exceptions import LessonNotFound
from courses.models import Lesson
from courses.selectors import course_get_for_edit
from lms.accounts.models import User
from media.captions import caption_language_valid, caption_to_webvtt
from media.exceptions import (
    CaptionInvalid,
    CaptionNotFound,
    NotAllowedToUpload,
    UnsupportedMediaType,
    UploadEmpty,
    UploadTooLarge,
    VideoBusy,
    VideoInUse,
)
from media.models import Caption, CourseDocument, RetiredFiles, VideoAsset
from media.services.retired import files_retire
from media.services.transcoding import video_asset_queue_transcode
from media.sniffing import DOCUMENT_TYPES, sniff_document

logger = logging.getLogger(__name__)


def video_asset_update(*, asset: VideoAsset, title: str) -> VideoAsset:
    """Rename a video."""
    asset.title = title.strip()
    asset.full_clean()
    asset.save(update_fields=["title", "updated_at"])
    return asset


@transaction.atomic
def video_asset_retry(*, asset: VideoAsset) -> VideoAsset:
    """Transcode a failed (or ready) video again from its source; VideoBusy while it is being
    processed. The current ladder keeps playing until the new one replaces it."""
    locked = VideoAsset.objects.select_for_update().get(pk=asset.pk)
    if locked.status == VideoAsset.Status.PROCESSING:
        raise VideoBusy(extra={"progress_percent": locked.progress_percent})
    locked.status = VideoAsset.Status.UPLOADED
    locked.progress_percent = 0
    locked.failure_code, locked.failure_params = "", {}
    locked.attempts = 0
    locked.save()
    video_asset_queue_transcode(asset=locked)
    return locked


@transaction.atomic
def video_asset_delete(*, asset: VideoAsset) -> None:
    """Delete a video no lesson uses (VideoInUse otherwise). Its files go after the grace
    period, so that whoever is still playing it with a valid link is not cut off."""
    locked = VideoAsset.objects.select_for_update().get(pk=asset.pk)
    lessons = list(Lesson.objects.filter(video_asset=locked).values_list("title", flat=True))
    if lessons:
        raise VideoInUse(extra={"lessons": lessons})
    files_retire(prefix=f"videos/{locked.pk}/")
    locked.delete()


# --- captions -------------------------------------------------------------------------------


@transaction.atomic
def caption_put(
    *, actor: User, asset: VideoAsset, language: str, label: str, data: bytes, filename: str
) -> Caption:
    """Add or replace the caption of ``asset`` in ``language`` from a WebVTT or SRT file (SRT is
    converted). CaptionInvalid names the wrong line. A replaced file stays for the grace period
    (players may hold its link)."""
    if len(data) > settings.CAPTION_MAX_UPLOAD_BYTES:
        raise UploadTooLarge(extra={"max_bytes": settings.CAPTION_MAX_UPLOAD_BYTES})
    language = language.strip()
    if not caption_language_valid(language):
        raise CaptionInvalid(
            _("“%(language)s” is not a language code (use e.g. it, en, de-CH).")
            % {"language": language},
        )
    webvtt = caption_to_webvtt(data, filename=filename)
    caption = Caption.objects.select_for_update().filter(asset=asset, language=language).first()
    if caption is None:
        caption = Caption(asset=asset, language=language)
    elif caption.file.name:
        files_retire(prefix=caption.file.name)
    caption.label = label.strip() or language
    caption.uploaded_by = actor
    caption.file.save(f"{language}.vtt", ContentFile(webvtt.encode()), save=False)
    caption.full_clean()
    caption.save()
    return caption


@transaction.atomic
def caption_delete(*, asset: VideoAsset, language: str) -> None:
    """Remove the caption of ``asset`` in ``language`` (CaptionNotFound if none)."""
    caption = Caption.objects.select_for_update().filter(asset=asset, language=language).first()
    if caption is None:
        raise CaptionNotFound()
    files_retire(prefix=caption.file.name)
    caption.delete()


# --- documents ------------------------------------------------------------------------------


def document_create(
    *,
    actor: User,
    course_id: UUID,
    title: str,
    data: bytes,
    filename: str,
    lesson_id: UUID | None = None,
) -> CourseDocument:
    """Add a document (PDF, OOXML or OpenDocument, recognised from its bytes) to a course or
    one of its lessons. Only the course's trainers and staff."""
    course = course_get_for_edit(actor=actor, course_id=course_id)
    if not data:
        raise UploadEmpty()
    if len(data) > settings.DOCUMENT_MAX_UPLOAD_BYTES:
        raise UploadTooLarge(extra={"max_bytes": settings.DOCUMENT_MAX_UPLOAD_BYTES})
    try:
        content_type = sniff_document(data)
    except ValueError as exc:
        raise UnsupportedMediaType(str(exc)) from exc
    lesson = None
    if lesson_id is not None:
        lesson = Lesson.objects.filter(pk=lesson_id, module__course=course).first()
        if lesson is None:
            raise LessonNotFound()
    # The stored name is ours; the trainer's name is kept for the download, with the right
    # extension for what the bytes are.
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].strip() or "document"
    download_name = f"{stem[:200]}{DOCUMENT_TYPES[content_type]}"
    document = CourseDocument(
        course=course,
        lesson=lesson,
        title=(title.strip() or stem)[:200],
        filename=download_name,
        content_type=content_type,
        size_bytes=len(data),
        uploaded_by=actor,
    )
    with transaction.atomic():
        document.file.save(
            f"{document.pk.hex}{DOCUMENT_TYPES[content_type]}", ContentFile(data), save=False
        )
        document.full_clean()
        document.save()
    return document


def document_get_for_edit(*, actor: User, document_id: UUID) -> CourseDocument:
    """A document of a course the actor teaches (staff: any)."""
    from media.selectors import document_get

    document = document_get(actor=actor, document_id=document_id)
    if not (actor.is_staff or document.course.trainers.filter(pk=actor.pk).exists()):
        raise NotAllowedToUpload()
    return document


@transaction.atomic
def document_delete(*, document: CourseDocument) -> None:
    """Remove a document; its file goes after the grace period (a download may be running)."""
    files_retire(prefix=document.file.name)
    document.delete()


# --- retired files --------------------------------------------------------------------------


def _delete_tree(prefix: str) -> None:
    if not prefix.endswith("/"):
        default_storage.delete(prefix)
        return
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(prefix + name)
    for directory in directories:
        _delete_tree(f"{prefix}{directory}/")
    # Local storage leaves the empty folders: remove them, else they pile up.
    try:
        path = default_storage.path(prefix)
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):  # not empty (something new landed) or already gone
        os.rmdir(path)


def retired_files_purge(*, now: Any = None) -> int:
    """Delete from storage every retired file or prefix whose grace period is over; how many.
    Each row is claimed by deleting it, so two sweepers never work on the same one."""
    now = now or timezone.now()
    purged = 0
    for retired in RetiredFiles.objects.filter(purge_after__lte=now).order_by("purge_after"):
        with transaction.atomic():
            claimed, _rows = RetiredFiles.objects.filter(pk=retired.pk).delete()
            if not claimed:
                continue
            _delete_tree(retired.prefix)  # an error rolls the claim back: tried again later
        purged += 1
    return purged
