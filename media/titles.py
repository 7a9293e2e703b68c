"""Pure: a title a person can read, from what a client sent (a typed title, a file's name).

A file's name is not a title: ``../../etc/passwd.mp4`` or ``C:\\Lezioni\\lezione_03-intro.mp4``
come from the client as they are. Only the last part of the name is kept, without its
extension, with underscores, dashes and dots as spaces.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

TITLE_MAX_LENGTH = 200
# An extension: a few letters and digits after the last dot, at least one a letter (so that
# "Lezione v1.0" keeps its "0").
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}\Z")
_SEPARATORS = re.compile(r"[_.\-]+")


def clean_title(text: str, *, max_length: int = TITLE_MAX_LENGTH) -> str:
    """``text`` with control and format characters removed (tabs and line breaks become
    spaces), runs of whitespace as one space, trimmed and cut to ``max_length``; "" if nothing
    is left."""
    text = unicodedata.normalize("NFC", text or "")
    kept = (
        " " if char.isspace() else char
        for char in text
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join("".join(kept).split())[:max_length].rstrip()


def title_from_filename(filename: str, *, max_length: int = TITLE_MAX_LENGTH) -> str:
    """A human title from a file's name: its last part only (either slash style), the
    extension dropped, underscores, dashes and dots as spaces, cleaned as ``clean_title``;
    "Untitled video" (translated) when nothing is left."""
    readable = clean_title(filename, max_length=len(filename or ""))
    parts = [part.strip() for part in re.split(r"[/\\]", readable) if part.strip()]
    name = _EXTENSION.sub("", parts[-1]) if parts else ""
    title = clean_title(_SEPARATORS.sub(" ", name), max_length=max_length)
    return title or _("Untitled video")[:max_length]
