"""Expected failures of uploads, transcoding and playback."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lms.exceptions import ApplicationError, NotFound, PermissionDenied


class CaptionInvalid(ApplicationError):
    """Not a valid WebVTT or SRT file; ``extra.line`` is the 1-based line to fix, or None."""

    code = "caption_invalid"
    status_code = 400
    message = _("This caption file is not valid WebVTT or SubRip (SRT).")

    def __init__(self, message: str | Promise | None = None, *, line: int | None = None):
        self.line = line
        super().__init__(message, extra={"line": line})


class VideoNotFound(NotFound):
    """No video with this id that the actor may see."""

    code = "video_not_found"
    message = _("Video not found.")


class UploadNotFound(NotFound):
    """No upload with this id of the actor's (or it expired and was deleted)."""

    code = "upload_not_found"
    message = _("Upload not found (it may have expired).")


class DocumentNotFound(NotFound):
    """No document with this id that the actor may see."""

    code = "document_not_found"
    message = _("Document not found.")


class CaptionNotFound(NotFound):
    """No caption in this language for the video."""

    code = "caption_not_found"
    message = _("No caption in this language.")


class NotAllowedToUpload(PermissionDenied):
    """Only the course's trainers and staff upload its material."""

    code = "not_course_trainer"
    message = _("Only the trainers of this course can upload its material.")


class NotEnrolled(PermissionDenied):
    """Playback and documents are for the course's learners, trainers, coordinators and staff."""

    code = "not_enrolled"
    message = _("You are not enrolled in this course.")


class UploadTooLarge(ApplicationError):
    """The announced or sent size is above the configured limit."""

    code = "upload_too_large"
    status_code = 413
    message = _("The file is too large.")


class UploadEmpty(ApplicationError):
    """A file of zero bytes."""

    code = "upload_empty"
    message = _("The file is empty (0 bytes).")


class UploadOffsetMismatch(ApplicationError):
    """A chunk sent for another offset than the one the server has reached (tus: 409)."""

    code = "upload_offset_mismatch"
    status_code = 409
    message = _(
        "The server has received a different amount of this file: resume from the offset it "
        "reports."
    )


class UploadExceedsLength(ApplicationError):
    """More bytes than the upload announced."""

    code = "upload_exceeds_length"
    message = _("The chunk goes beyond the length announced for the file.")


class UploadChecksumMismatch(ApplicationError):
    """The chunk's bytes do not match its Upload-Checksum (tus checksum extension: 460)."""

    code = "upload_checksum_mismatch"
    status_code = 460
    message = _("The chunk arrived damaged (its checksum does not match): send it again.")


class UploadNotReceiving(ApplicationError):
    """A chunk for an upload that is finished, failed or being joined."""

    code = "upload_not_receiving"
    status_code = 409
    message = _("This upload accepts no more data.")


class UnsupportedMediaType(ApplicationError):
    """The bytes are not of a kind this upload accepts (sniffed from the content)."""

    code = "unsupported_media_type"
    status_code = 415
    message = _("This kind of file is not accepted here.")


class VideoInUse(ApplicationError):
    """A video that lessons still play cannot be deleted."""

    code = "video_in_use"
    status_code = 409
    message = _("Lessons use this video: link them to another video first.")


class VideoNotReady(ApplicationError):
    """Playback of a video that has no published ladder yet."""

    code = "video_not_ready"
    status_code = 409
    message = _("This video is not ready to play yet.")


class VideoBusy(ApplicationError):
    """A retry while the video is being processed."""

    code = "video_busy"
    status_code = 409
    message = _("This video is being processed: wait until processing has finished.")


class PlaybackLinkInvalid(PermissionDenied):
    """A playback URL whose signature is wrong or has expired."""

    code = "playback_link_invalid"
    message = _("This playback link is not valid or has expired: reload the lesson.")


class TusError(ApplicationError):
    """A request that breaks the tus protocol itself (a header missing or malformed)."""

    code = "tus_protocol"
    message = _("This request does not follow the tus resumable upload protocol.")


class TusVersionUnsupported(ApplicationError):
    """A tus request without ``Tus-Resumable: 1.0.0``."""

    code = "tus_version_unsupported"
    status_code = 412
    message = _("This server speaks tus 1.0.0 (send Tus-Resumable: 1.0.0).")


class TusContentTypeWrong(ApplicationError):
    """A chunk not sent as ``application/offset+octet-stream``."""

    code = "unsupported_media_type"
    status_code = 415
    message = _("A chunk must be sent with Content-Type: application/offset+octet-stream.")


class TusLengthRequired(ApplicationError):
    """A chunk without Content-Length."""

    code = "length_required"
    status_code = 411
    message = _("A chunk must be sent with its Content-Length.")
