"""Pure: what a file is, from its bytes (never from its name or the client's Content-Type)."""

from __future__ import annotations

import filetype
from django.utils.translation import gettext as _

from media.failures import Failed

HEAD_BYTES = 8192  # enough for every signature below (OOXML needs more than the first 262)

DOCUMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}


def _mpeg_ts(head: bytes) -> bool:
    # Transport streams have no magic number: a sync byte every 188 bytes says it.
    return len(head) >= 188 * 3 and all(head[i] == 0x47 for i in (0, 188, 376))


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the end of the head is still text
        if exc.start < len(head) - 3:
            return False
    return b"\x00" not in head


class NotAVideo(Failed, ValueError):
    """The bytes are not a video container: a code of ``media.failures.TEMPLATES``."""


def sniff_video(head: bytes) -> str:
    """The video container type of a file from its first bytes (``video/mp4``, ...); raises
    NotAVideo (a ValueError) with the reason when the bytes are not a video container."""
    kind = filetype.video_match(head)
    if kind is not None:
        return str(kind.mime)
    if _mpeg_ts(head):
        return "video/mp2t"
    other = filetype.guess(head)
    if other is not None and other.mime.startswith("audio/"):
        raise NotAVideo("audio_file", type=other.mime)
    if other is not None:
        raise NotAVideo("other_type", type=other.mime)
    if _looks_like_text(head):
        raise NotAVideo("text_file")
    raise NotAVideo("not_video_format")


def sniff_document(data: bytes) -> str:
    """The document type (PDF, OOXML or OpenDocument) of a file's bytes; ValueError with a
    sentence for the trainer otherwise."""
    kind = filetype.guess(data)
    if kind is not None and kind.mime in DOCUMENT_TYPES:
        return str(kind.mime)
    if kind is None:
        raise ValueError(
            _(
                "Documents must be PDF, PowerPoint, Word, Excel or OpenDocument files; this one "
                "is of an unknown type."
            )
        )
    raise ValueError(
        _(
            "Documents must be PDF, PowerPoint, Word, Excel or OpenDocument files; this one is "
            "of type %(type)s."
        )
        % {"type": kind.mime}
    )
