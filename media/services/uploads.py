"""Resumable uploads of video sources (tus 1.0: creation, checksum, termination, expiration).

Each PATCH's bytes are kept as one part in storage (the storage API has no append), so a
dropped connection keeps what arrived and the client resumes at the offset the server gives.
When the last byte is in, a task joins the parts into the video's source and starts the
transcode. Nothing here trusts the file name or the client's type: the first bytes decide.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from typing import IO, Any, Protocol
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from courses.selectors import course_get_for_edit
from lms.accounts.models import User
from media import tasks
from media.exceptions import (
    UnsupportedMediaType,
    UploadChecksumMismatch,
    UploadEmpty,
    UploadExceedsLength,
    UploadNotFound,
    UploadNotReceiving,
    UploadOffsetMismatch,
    UploadTooLarge,
    VideoNotFound,
)
from media.failures import Failure
from media.models import Upload, VideoAsset
from media.services.retired import files_retire
from media.sniffing import HEAD_BYTES, NotAVideo, sniff_video
from media.titles import clean_title, title_from_filename

logger = logging.getLogger(__name__)

CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
READ_CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a chunk above this spills to a temporary file
TITLE_LENGTH = Upload._meta.get_field("title").max_length or 200


class Readable(Protocol):
    """A request body: read(n) gives at most n bytes, b"" at its end."""

    def read(self, size: int = ..., /) -> bytes: ...


def _expiry() -> Any:
    return timezone.now() + timedelta(seconds=settings.UPLOAD_EXPIRY_SECONDS)


def upload_create(
    *,
    actor: User,
    course_id: UUID,
    title: str,
    filename: str,
    length_bytes: int,
    expected_sha256: str = "",
    asset_id: UUID | None = None,
) -> Upload:
    """Open an upload of ``length_bytes`` for a new video of the course, or for a new source of
    ``asset_id``. Only the course's trainers and staff; UploadTooLarge above the limit."""
    course = course_get_for_edit(actor=actor, course_id=course_id)
    if length_bytes == 0:
        raise UploadEmpty()
    if length_bytes > settings.VIDEO_MAX_UPLOAD_BYTES:
        raise UploadTooLarge(
            extra={"length_bytes": length_bytes, "max_bytes": settings.VIDEO_MAX_UPLOAD_BYTES}
        )
    asset = None
    if asset_id is not None:
        asset = VideoAsset.objects.filter(pk=asset_id, course=course).first()
        if asset is None:
            raise VideoNotFound()
    return Upload.objects.create(
        created_by=actor,
        course=course,
        asset=asset,
        # What the trainer typed, else a title made from the file's name (never the name as
        # it is: "../../etc/passwd.mp4" is no title).
        title=clean_title(title, max_length=TITLE_LENGTH)
        or title_from_filename(filename, max_length=TITLE_LENGTH),
        filename=filename.strip()[:255] or "video",
        length_bytes=length_bytes,
        expected_sha256=expected_sha256.lower(),
        expires_at=_expiry(),
    )


def upload_get(*, actor: User, upload_id: UUID) -> Upload:
    """One of the actor's own uploads (staff: any); UploadNotFound otherwise."""
    uploads = Upload.objects.all() if actor.is_staff else Upload.objects.filter(created_by=actor)
    upload = uploads.filter(pk=upload_id).first()
    if upload is None:
        raise UploadNotFound()
    return upload


def _receive(
    stream: Readable, *, length: int, algorithm: str | None
) -> tuple[IO[bytes], int, str | None, bool]:
    """Read up to ``length`` bytes of a request body into a spooled file: (file, bytes read,
    base64 digest or None, whether the client went away before the end)."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    digest = hashlib.new(algorithm) if algorithm else None
    received, interrupted = 0, False
    while received < length:
        try:
            chunk = stream.read(min(READ_CHUNK, length - received))
        except OSError:  # the connection broke mid-body: keep what arrived
            interrupted = True
            break
        if not chunk:
            interrupted = True
            break
        spool.write(chunk)
        if digest is not None:
            digest.update(chunk)
        received += len(chunk)
    spool.seek(0)
    encoded = base64.b64encode(digest.digest()).decode() if digest is not None else None
    return spool, received, encoded, interrupted


def upload_append(
    *,
    upload: Upload,
    offset: int,
    body: Readable,
    content_length: int,
    checksum: tuple[str, str] | None = None,
) -> Upload:
    """Store the bytes of one PATCH at ``offset``. Bytes that arrived before a broken connection
    are kept (unless a checksum was announced: then they cannot be trusted and are dropped).
    UploadOffsetMismatch when the offset is not the server's; UnsupportedMediaType as soon as
    the first bytes show it is not a video (the upload then ends failed); the last byte in
    schedules the join and the transcode."""
    if upload.status != Upload.Status.RECEIVING:
        raise UploadNotReceiving(extra={"status": upload.status})
    if offset != upload.offset_bytes:
        raise UploadOffsetMismatch(extra={"offset": upload.offset_bytes})
    if offset + content_length > upload.length_bytes:
        raise UploadExceedsLength(extra={"offset": offset, "length_bytes": upload.length_bytes})
    algorithm, expected_digest = checksum if checksum else (None, None)
    spool, received, digest, interrupted = _receive(
        body, length=content_length, algorithm=algorithm
    )
    with spool:
        if checksum is not None and (interrupted or digest != expected_digest):
            if interrupted:
                logger.info("upload %s: checksummed chunk cut short, dropped", upload.pk)
                return upload
            raise UploadChecksumMismatch(extra={"offset": upload.offset_bytes})
        if received == 0:
            return upload
        head = bytes(upload.head)
        if len(head) < HEAD_BYTES:
            head += spool.read(HEAD_BYTES - len(head))
            spool.seek(0)
        sniffed = upload.sniffed_type
        if not sniffed and (len(head) >= HEAD_BYTES or offset + received == upload.length_bytes):
            try:
                sniffed = sniff_video(head)
            except NotAVideo as exc:
                _upload_fail(upload, failure=exc.failure)
                raise UnsupportedMediaType(exc.message) from exc
        name = default_storage.save(f"uploads/{upload.pk}/{offset:015d}.part", File(spool))
    return _upload_record_part(
        upload, offset=offset, received=received, name=name, head=head, sniffed=sniffed
    )


@transaction.atomic
def _upload_record_part(
    upload: Upload, *, offset: int, received: int, name: str, head: bytes, sniffed: str
) -> Upload:
    # Under the row lock: two PATCHes racing for one offset both stored a part; one wins here.
    locked = Upload.objects.select_for_update().get(pk=upload.pk)
    if locked.offset_bytes != offset or locked.status != Upload.Status.RECEIVING:
        default_storage.delete(name)  # the other request's part is the one kept
        raise UploadOffsetMismatch(extra={"offset": locked.offset_bytes})
    locked.parts = [*locked.parts, [offset, received, name]]
    locked.offset_bytes = offset + received
    locked.head = head
    locked.sniffed_type = sniffed
    locked.expires_at = _expiry()
    if locked.offset_bytes == locked.length_bytes:
        locked.status = Upload.Status.COMPLETE
        locked.completed_at = timezone.now()
        tasks.upload_join_task.delay_on_commit(upload_id=str(locked.pk))
    locked.save()
    return locked


def _upload_fail(upload: Upload, *, failure: Failure) -> None:
    # The reason as its code: whoever reads it later sees it in their language, not the
    # language of the request that failed.
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.FAILED,
        failure_code=failure.code,
        failure_params=failure.params,
        updated_at=timezone.now(),
    )
    upload.status = Upload.Status.FAILED
    upload.failure_code, upload.failure_params = failure.code, failure.params
    _delete_parts(upload.parts)


def _delete_parts(parts: Iterable[list[Any]]) -> None:
    for _offset, _length, name in parts:
        default_storage.delete(name)


@transaction.atomic
def upload_terminate(*, upload: Upload) -> None:
    """Cancel an upload and delete what it received (tus termination). Once joined, the video
    is deleted through its own resource instead."""
    locked = Upload.objects.select_for_update().get(pk=upload.pk)
    if locked.status == Upload.Status.COMPLETE:
        raise UploadNotReceiving(extra={"status": locked.status})
    parts = list(locked.parts)
    locked.delete()
    transaction.on_commit(lambda: _delete_parts(parts))


class _JoinedParts(io.RawIOBase):
    """The parts of an upload read one after the other as one file, hashed on the way."""

    def __init__(self, names: list[str]):
        self._names = list(names)
        self._current: IO[bytes] | None = None
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._current is None:
                if not self._names:
                    return 0
                self._current = default_storage.open(self._names.pop(0), "rb")
            data = self._current.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self.sha256.update(data)
                self.size += len(data)
                return len(data)
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()


def upload_join(*, upload_id: UUID | str) -> VideoAsset | None:
    """Join a complete upload's parts into the video's source (a new video, or a new source for
    the one it replaces), check size and announced SHA-256, and start the transcode. Runs once:
    claimed by a conditional update; a join that dies half-way is redone from the parts."""
    upload = Upload.objects.filter(pk=upload_id, status=Upload.Status.COMPLETE).first()
    if upload is None:  # done meanwhile, or cancelled
        return None
    names = [name for _offset, _length, name in sorted(upload.parts)]
    extension = {"video/quicktime": ".mov", "video/x-matroska": ".mkv", "video/webm": ".webm"}
    suffix = extension.get(upload.sniffed_type, ".mp4")
    asset = upload.asset or VideoAsset(
        course_id=upload.course_id, title=upload.title, uploaded_by_id=upload.created_by_id
    )
    with _JoinedParts(names) as joined:
        reader = io.BufferedReader(joined, buffer_size=READ_CHUNK)
        source_name = default_storage.save(
            f"videos/{asset.pk}/source/{upload.pk.hex}{suffix}", File(reader)
        )
        sha256, size = joined.sha256.hexdigest(), joined.size
    problem = None
    if size != upload.length_bytes:
        problem = f"joined {size} bytes, expected {upload.length_bytes}"
    elif upload.expected_sha256 and sha256 != upload.expected_sha256:
        problem = "sha256"
    if problem is not None:
        default_storage.delete(source_name)
        logger.warning("upload %s failed its final check: %s", upload.pk, problem)
        _upload_fail(upload, failure=Failure("checksum_mismatch"))
        return None
    return _upload_finish(upload, asset=asset, source_name=source_name, sha256=sha256, size=size)


@transaction.atomic
def _upload_finish(
    upload: Upload, *, asset: VideoAsset, source_name: str, sha256: str, size: int
) -> VideoAsset | None:
    from media.services.transcoding import video_asset_queue_transcode

    claimed = Upload.objects.filter(pk=upload.pk, status=Upload.Status.COMPLETE).update(
        status=Upload.Status.DONE, updated_at=timezone.now()
    )
    if not claimed:  # another join won: ours is a duplicate
        transaction.on_commit(lambda: default_storage.delete(source_name))
        return None
    if upload.asset_id is None:
        asset.source.name = source_name
        asset.source_size_bytes, asset.source_sha256 = size, sha256
        asset.full_clean()
        asset.save()
        Upload.objects.filter(pk=upload.pk).update(asset=asset)
    else:
        asset = VideoAsset.objects.select_for_update().get(pk=upload.asset_id)
        if asset.source.name:
            # Not deleted at once: a transcode of the old source may still be reading it.
            files_retire(prefix=asset.source.name)
        asset.source.name = source_name
        asset.source_size_bytes, asset.source_sha256 = size, sha256
        asset.status = VideoAsset.Status.UPLOADED
        asset.progress_percent = 0
        asset.failure_code, asset.failure_params = "", {}
        asset.attempts = 0
        asset.save()
    parts = list(upload.parts)
    transaction.on_commit(lambda: _delete_parts(parts))
    video_asset_queue_transcode(asset=asset)
    return asset


def uploads_expire() -> int:
    """Delete uploads nobody resumed before their expiry, with their parts; how many."""
    count = 0
    for upload in Upload.objects.filter(
        status=Upload.Status.RECEIVING, expires_at__lt=timezone.now()
    ):
        with transaction.atomic():
            deleted, _rows = Upload.objects.filter(
                pk=upload.pk, status=Upload.Status.RECEIVING, expires_at__lt=timezone.now()
            ).delete()
        if deleted:
            _delete_parts(upload.parts)
            count += 1
    return count
