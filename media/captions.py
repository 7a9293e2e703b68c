"""Caption files (WebVTT or SubRip) → clean WebVTT text. Pure: no ORM, no I/O.

The format is read from the content, never from the file name: a file starting with ``WEBVTT``
is WebVTT (https://www.w3.org/TR/webvtt1/), one starting with a cue number and an SRT timing line
is SubRip. Every problem is reported as :class:`~media.exceptions.CaptionInvalid` with the
1-based line a trainer has to fix, so the file can be corrected in any text editor.

The output is what players get: UTF-8 WebVTT with LF line endings, no BOM, timestamps written as
``hh:mm:ss.ttt``, trailing spaces removed, and a final newline. Cleaning its own output changes
nothing.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from media.exceptions import CaptionInvalid

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Notepad's "Unicode" encoding
VTT_EXAMPLE = "00:00:05.000 --> 00:00:07.000"
SRT_EXAMPLE = "00:00:05,000 --> 00:00:07,000"
EXCERPT_CHARS = 60

# WebVTT §4.3: hours are optional and have at least two digits; milliseconds have exactly three.
VTT_TIME = re.compile(r"(?:([0-9]{2,}):)?([0-9]{2}):([0-9]{2})\.([0-9]{3})")
# SubRip writes hours always and a comma before milliseconds; some tools write a full stop.
SRT_TIME = re.compile(r"([0-9]+):([0-9]{2}):([0-9]{2})[,.]([0-9]{3})")
# Parsers skip the blanks around the arrow, so "00:01.000-->00:02.000" is read as a timing too.
TIMING = re.compile(r"(\S+?)[ \t]*-->[ \t]*(\S+)(?:[ \t]+(.*))?")
VTT_SETTING = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:\S+")
SRT_POSITION_HINTS = re.compile(r"(?:[ \t]*[XY][12]:-?[0-9]+)*[ \t]*")
# Enough to recognise SubRip when its timing is mistyped, so the error names the timing line.
SRT_TIMING_START = re.compile(r"[ \t]*[0-9]+:[0-9]+:[0-9]+[,.][0-9]+")
# A line meant as a cue timing, however mistyped ("00:05,000 -> 00:07,000"): checked as one.
TIMING_LIKE = re.compile(r".*-->|[ \t]*[0-9]+:[0-9]{2}[:.,][0-9]")
CUE_NUMBER = re.compile(r"[0-9]+")

SRT_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?>")
SRT_KEPT_TAGS = {"i", "b", "u"}  # the SubRip tags that mean the same in WebVTT
ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")  # {\an8}, {\i1}, {\pos(10,10)}
# In WebVTT cue text "&" starts a character reference and "<" a tag (§4.2.2): escape the others.
BARE_AMPERSAND = re.compile(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
STRAY_LESS_THAN = re.compile(r"<(?!/?[ibu]>)")


@dataclass(frozen=True)
class _Timing:
    start_ms: int
    end_ms: int
    start: str  # as written, for messages
    settings: str

    def render(self) -> str:
        timing = f"{_format_time(self.start_ms)} --> {_format_time(self.end_ms)}"
        return f"{timing} {self.settings}" if self.settings else timing


def caption_to_webvtt(data: bytes, *, filename: str) -> str:
    """Clean WebVTT for a WebVTT or SubRip file; raises CaptionInvalid naming the line to fix."""
    raw = data.removeprefix(UTF8_BOM)
    if not raw.strip():
        raise CaptionInvalid(_("“%(filename)s” is empty.") % {"filename": filename})
    if raw.startswith(UTF16_BOMS):
        raise CaptionInvalid(
            _("“%(filename)s” is saved as UTF-16: save it as UTF-8 and upload it again.")
            % {"filename": filename}
        )
    # The lines that tell the formats apart are ASCII, so a lossy decoding is enough to choose;
    # the chosen format's decoding then decides which line, if any, is not text.
    preview = _lines(raw.decode("utf-8", errors="replace"))
    if preview[0].startswith("WEBVTT"):
        return _webvtt(_lines(_decode(raw, fallback=None)))
    if _looks_like_srt(preview):
        return _srt(_lines(_decode(raw, fallback="cp1252")))
    raise CaptionInvalid(
        _(
            "“%(filename)s” is neither WebVTT nor SubRip (SRT): a WebVTT file starts with "
            "“WEBVTT”, an SRT file with a cue number and a timing line like %(example)s."
        )
        % {"filename": filename, "example": "00:00:01,000 --> 00:00:02,000"}
    )


def caption_language_valid(code: str) -> bool:
    """Whether ``code`` is a simple BCP 47 tag: 2-3 letters, then subtags of 2-8 letters/digits."""
    return re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", code) is not None


def _decode(raw: bytes, *, fallback: str | None) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        if fallback is None:
            raise _invalid(
                line, _("Line %(line)s is not UTF-8 text: save the WebVTT file as UTF-8.")
            ) from error
        try:
            # SRT files made on Windows (Italian ones included) are often in its Western code page.
            text = raw.decode(fallback)
        except UnicodeDecodeError:
            raise _invalid(
                line,
                _("Line %(line)s is neither UTF-8 nor Windows-1252 text: save the file as UTF-8."),
            ) from error
    # WebVTT §6.1 replaces NUL characters; doing it here keeps them out of players and of logs.
    return text.replace("\x00", "\ufffd")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` with any line ending, without trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _looks_like_srt(lines: list[str]) -> bool:
    content = [index for index, line in enumerate(lines) if line.strip()]
    if not content or content[0] + 1 >= len(lines):
        return False
    first = content[0]
    return bool(
        CUE_NUMBER.fullmatch(lines[first].strip()) and SRT_TIMING_START.match(lines[first + 1])
    )


def _blocks(lines: list[str], *, start: int) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines from ``lines[start]`` on, each with its first line's number."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for index in range(start, len(lines)):
        if lines[index].strip():
            if not current:
                blocks.append((index + 1, current))
            current.append(lines[index])
        else:
            current = []
    return blocks


def _webvtt(lines: list[str]) -> str:
    header = lines[0]
    if header != "WEBVTT" and header[6] not in " \t":
        raise _invalid(
            1,
            _(
                "Line %(line)s: the first line must be “WEBVTT”, alone or followed by a space "
                "and a title, not “%(found)s”."
            ),
            found=_excerpt(header),
        )
    header_lines = [header]
    index = 1
    # Lines right under WEBVTT belong to the header, which players skip: a cue there is lost.
    while index < len(lines) and lines[index].strip():
        if "-->" in lines[index]:
            raise _invalid(
                index + 1,
                _("Line %(line)s: leave a blank line between “WEBVTT” and the first cue."),
            )
        header_lines.append(lines[index])
        index += 1

    blocks: list[str] = []
    previous: _Timing | None = None
    for first_line, block in _blocks(lines, start=index):
        kind = _vtt_block_kind(block[0])
        if kind is not None:
            _check_vtt_non_cue(kind, block, first_line=first_line, after_cue=previous is not None)
            blocks.append("\n".join(block))
            continue
        timing_at = 0 if TIMING_LIKE.match(block[0]) else 1
        if timing_at >= len(block) or not TIMING_LIKE.match(block[timing_at]):
            at = min(1, len(block) - 1)
            raise _invalid(
                first_line + at,
                _("Line %(line)s: expected a cue timing like %(example)s, found “%(found)s”."),
                example=VTT_EXAMPLE,
                found=_excerpt(block[at].strip()),
            )
        timing = _parse_timing(block[timing_at], line=first_line + timing_at, srt=False)
        _check_order(timing, previous, line=first_line + timing_at)
        _check_cue_text(block[timing_at + 1 :], first_line=first_line + timing_at + 1, srt=False)
        blocks.append("\n".join([*block[:timing_at], timing.render(), *block[timing_at + 1 :]]))
        previous = timing
    if previous is None:
        raise CaptionInvalid(_("This caption file has no cues."))
    return "\n".join(header_lines) + "\n\n" + "\n\n".join(blocks) + "\n"


def _vtt_block_kind(first: str) -> str | None:
    """NOTE, STYLE or REGION for the blocks that are not cues (WebVTT §4.1), else None."""
    if first == "NOTE" or first.startswith(("NOTE ", "NOTE\t")):
        return "NOTE"
    if first in ("STYLE", "REGION"):
        return first
    return None


def _check_vtt_non_cue(kind: str, block: list[str], *, first_line: int, after_cue: bool) -> None:
    # Players read STYLE and REGION only before the first cue (WebVTT §6.1) and would drop them.
    if kind != "NOTE" and after_cue:
        raise _invalid(
            first_line,
            _("Line %(line)s: a %(block)s block must come before the first cue."),
            block=kind,
        )
    for offset, line in enumerate(block):
        if "-->" in line:
            raise _invalid(
                first_line + offset,
                _("Line %(line)s: a %(block)s block cannot contain “-->”."),
                block=kind,
            )


def _srt(lines: list[str]) -> str:
    cues: list[str] = []
    previous: _Timing | None = None
    for first_line, block in _blocks(lines, start=0):
        number = block[0].strip()
        if not CUE_NUMBER.fullmatch(number):
            raise _invalid(
                first_line,
                _("Line %(line)s: expected a cue number, found “%(found)s”."),
                found=_excerpt(number),
            )
        if len(block) < 2 or not TIMING_LIKE.match(block[1]):
            raise _invalid(
                first_line,
                _(
                    "Line %(line)s: cue %(number)s has no timing: the line after a cue number "
                    "must be like %(example)s."
                ),
                number=number,
                example=SRT_EXAMPLE,
            )
        timing = _parse_timing(block[1], line=first_line + 1, srt=True)
        _check_order(timing, previous, line=first_line + 1)
        _check_cue_text(block[2:], first_line=first_line + 2, srt=True)
        text = [cleaned for line in block[2:] if (cleaned := _srt_text_to_vtt(line))]
        cues.append("\n".join([number, timing.render(), *text]))
        previous = timing
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def _srt_text_to_vtt(line: str) -> str:
    """One SubRip text line as WebVTT cue text: i/b/u kept, other tags and ASS overrides dropped."""

    def keep_basic(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in SRT_KEPT_TAGS:
            return ""
        return f"</{name}>" if match.group(0).startswith("</") else f"<{name}>"

    line = ASS_OVERRIDE.sub("", SRT_TAG.sub(keep_basic, line))
    line = STRAY_LESS_THAN.sub("&lt;", BARE_AMPERSAND.sub("&amp;", line))
    # A line left empty by the removals would end the cue early in WebVTT: the caller drops it.
    return line.rstrip() if line.strip() else ""


def _parse_timing(text: str, *, line: int, srt: bool) -> _Timing:
    example = SRT_EXAMPLE if srt else VTT_EXAMPLE
    timing = text.strip()
    match = TIMING.fullmatch(timing)
    rest = (match.group(3) or "") if match else ""
    # SubRip's optional "X1:… X2:… Y1:… Y2:…" box has no WebVTT equivalent and is dropped.
    if match is None or (srt and not SRT_POSITION_HINTS.fullmatch(rest)):
        raise _invalid(
            line,
            _(
                "Line %(line)s: the cue timing “%(timing)s” is not valid: expected "
                "“start --> end” like %(example)s."
            ),
            timing=_excerpt(timing),
            example=example,
        )
    start = _parse_time(match.group(1), line=line, timing=timing, srt=srt)
    end = _parse_time(match.group(2), line=line, timing=timing, srt=srt)
    settings = ""
    if not srt:
        # Players ignore settings they do not know; only the name:value shape is checked.
        tokens = rest.split()
        if not all(VTT_SETTING.fullmatch(token) for token in tokens):
            raise _invalid(
                line,
                _(
                    "Line %(line)s: the cue settings “%(settings)s” are not valid: write them "
                    "as name:value pairs like “line:0 align:start”."
                ),
                settings=_excerpt(rest),
            )
        settings = " ".join(tokens)
    if end <= start:
        raise _invalid(
            line,
            _("Line %(line)s: the cue ends at %(end)s, which is not after its start at %(start)s."),
            end=match.group(2),
            start=match.group(1),
        )
    return _Timing(start_ms=start, end_ms=end, start=match.group(1), settings=settings)


def _parse_time(text: str, *, line: int, timing: str, srt: bool) -> int:
    """Milliseconds from a WebVTT or SubRip timestamp."""
    match = (SRT_TIME if srt else VTT_TIME).fullmatch(text)
    if match is None:
        raise _invalid(
            line,
            _(
                "Line %(line)s: the cue timing “%(timing)s” is not valid: expected "
                "“start --> end” like %(example)s."
            ),
            timing=_excerpt(timing),
            example=SRT_EXAMPLE if srt else VTT_EXAMPLE,
        )
    hours, minutes, seconds, millis = (int(part or 0) for part in match.groups())
    if minutes > 59 or seconds > 59:
        raise _invalid(
            line,
            _(
                "Line %(line)s: “%(time)s” is not a valid time: minutes and seconds go from "
                "00 to 59."
            ),
            time=text,
        )
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _check_order(timing: _Timing, previous: _Timing | None, *, line: int) -> None:
    # WebVTT §4.1: cues are in order of start time; players may skip one that goes back.
    if previous is not None and timing.start_ms < previous.start_ms:
        raise _invalid(
            line,
            _(
                "Line %(line)s: this cue starts at %(start)s, before the previous cue "
                "(%(previous)s): cues must be in order of start time."
            ),
            start=timing.start,
            previous=previous.start,
        )


def _check_cue_text(text: list[str], *, first_line: int, srt: bool) -> None:
    for offset, line in enumerate(text):
        if "-->" in line:
            # In SubRip the cue starts at its number, which is where the blank line belongs.
            numbered = srt and offset > 0 and CUE_NUMBER.fullmatch(text[offset - 1].strip())
            raise _invalid(
                first_line + offset - (1 if numbered else 0),
                _("Line %(line)s: leave a blank line before each cue."),
            )


def _format_time(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _invalid(line: int, message: str, **params: object) -> CaptionInvalid:
    return CaptionInvalid(message % {"line": line, **params}, line=line)
