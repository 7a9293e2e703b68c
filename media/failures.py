"""Pure: why a video or an upload failed, kept as a stable code and its parameters, and put
into words only when someone reads it, in the reader's language.

The worker that finds a failure runs in one language (Italian, the default) and the request
that fails an upload in its own: a sentence frozen there would reach every other reader in the
wrong one. So the pipeline stores ``code`` and ``params`` (``VideoAsset.failure_code``,
``Upload.failure_code``, ``failure_params``) and ``failure_message`` renders them from
``TEMPLATES`` at read time (API serializers, admin).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# A reason stored as text before reasons had codes (or in any language we no longer know):
# kept as its ``text`` parameter and shown as it is.
LEGACY = "legacy"

TEMPLATES: dict[str, Promise] = {
    # the file itself (sniffed bytes, ffprobe)
    "empty_file": _("The file is empty (0 bytes)."),
    "text_file": _("This is a text file, not a video."),
    "audio_file": _("This is an audio file (%(type)s), not a video."),
    "other_type": _("This is not a video: its contents are of type %(type)s."),
    "not_video_format": _("This is not a video format we know."),
    "unknown_format": _("This is not a video file: its contents are not a video format we know."),
    "incomplete": _(
        "The file is incomplete: its end is missing (an interrupted upload or copy). "
        "Upload it again."
    ),
    "unreadable": _("The file could not be read as a video: it is damaged or incomplete."),
    "probe_timeout": _("The file could not be read in time: it is probably damaged."),
    # what ffprobe found in it
    "audio_only": _("The file has sound but no picture: upload a video, not audio."),
    "no_video": _("The file contains no video."),
    "no_picture_size": _("The video has no picture size: the file is damaged."),
    "too_short": _("The video lasts less than half a second: the file is empty or damaged."),
    "single_picture": _("The file holds a single picture, not a video."),
    # the conversion
    "truncated": _(
        "The video stops at %(stop)s although it should last %(length)s: the file is "
        "incomplete or damaged. Upload it again."
    ),
    "conversion_failed": _(
        "The video could not be converted: the file may be damaged. Export it as MP4 "
        "(H.264) and upload the new file."
    ),
    "timed_out": _(
        "Transcoding took longer than the limit of %(seconds)s seconds and was stopped."
    ),
    "interrupted": ngettext_lazy(
        "Conversion was interrupted %(count)d time by a server problem. Ask staff to "
        "check the conversion service, then try again.",
        "Conversion was interrupted %(count)d times by a server problem. Ask staff to "
        "check the conversion service, then try again.",
        "count",
    ),
    # the upload
    "checksum_mismatch": _(
        "The file that arrived is not the file that was sent (its SHA-256 checksum "
        "differs): upload it again."
    ),
}

# An unknown code (written by a newer version, or a typo) still says something true.
UNKNOWN = _("This file could not be processed.")


def failure_message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The sentence for ``code`` with ``params``, in the active language; "" for no code."""
    if not code:
        return ""
    params = dict(params or {})
    if code == LEGACY:
        return str(params.get("text") or UNKNOWN)
    template = TEMPLATES.get(code)
    if template is None:
        return str(UNKNOWN)
    try:
        return str(template % params)  # (a template without placeholders ignores {})
    except (KeyError, TypeError, ValueError):  # parameters that no longer fit the template
        return str(UNKNOWN)


@dataclass(frozen=True)
class Failure:
    """Why something failed: a stable ``code`` of TEMPLATES and its JSON-able ``params``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return failure_message(self.code, self.params)


class Failed(Exception):  # noqa: N818 - it reads as what happened: raise Failed("no_video")
    """An expected failure the pipeline keeps as a Failure; ``str()`` is its message now."""

    def __init__(self, code: str, **params: Any):
        self.failure = Failure(code, params)
        super().__init__(code)

    @property
    def code(self) -> str:
        return self.failure.code

    @property
    def params(self) -> dict[str, Any]:
        return self.failure.params

    @property
    def message(self) -> str:
        return self.failure.message

    def __str__(self) -> str:
        return self.message


# --- reading back reasons stored as text (the migration to codes) ---------------------------

_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)([sd])")
# Plural templates: matched by rendering them for every count up to this.
_COUNTED = {"interrupted": 100}
# Texts the pipeline once wrote that now share a code with another template.
_ALIASES: dict[str, Promise] = {
    "timed_out": _("ffmpeg took longer than %(seconds)s seconds and was stopped."),
}


def _texts(code: str) -> Iterator[str]:
    if code not in _COUNTED:
        yield str(TEMPLATES[code])
    if code in _ALIASES:
        yield str(_ALIASES[code])


def _pattern(text: str) -> re.Pattern[str]:
    def group(match: re.Match[str]) -> str:
        name, kind = match.groups()
        return rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.+?)"

    return re.compile(_PLACEHOLDER.sub(group, re.escape(text)) + r"\Z", re.DOTALL)


def failure_from_text(text: str) -> Failure:
    """The Failure a sentence of TEMPLATES says in the active language (numbers as ints), or
    LEGACY keeping the text when no template says it."""
    text = text.strip()
    for code, up_to in _COUNTED.items():
        for count in range(up_to):
            if failure_message(code, {"count": count}) == text:
                return Failure(code, {"count": count})
    for code in TEMPLATES:
        for candidate in _texts(code):
            match = _pattern(candidate).match(text)
            if match:
                found = match.groupdict()
                params = {k: int(v) if v.isdigit() else v for k, v in found.items()}
                return Failure(code, params)
    return Failure(LEGACY, {"text": text})
