"""Pure: what ffprobe said about a source → whether it is playable, and the HLS ladder to make.

No subprocess and no ORM here: ``media/ffmpeg.py`` runs the tools, this module decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from media.failures import Failed, Failure

# Rungs by the *short* side of the picture, so that a portrait phone recording gets the same
# quality steps as a landscape one. Peak bitrates are for lecture content (slides, a speaker):
# capped CRF keeps still scenes small and bounds the peak that BANDWIDTH announces.
RUNGS: tuple[tuple[int, int], ...] = (  # (short side, peak video kbit/s)
    (1080, 4500),
    (720, 2500),
    (480, 1200),
    (360, 700),
)
AUDIO_KBPS = 128
AUDIO_ONLY_KBPS = 64
SEGMENT_SECONDS = 6
MAX_FPS = 30
# Preview frames for the seek bar: one every THUMBNAIL_INTERVAL seconds, in sheets of
# THUMBNAIL_COLUMNS x THUMBNAIL_ROWS tiles of THUMBNAIL_WIDTH pixels.
THUMBNAIL_INTERVAL = 10
THUMBNAIL_COLUMNS = 10
THUMBNAIL_ROWS = 10
THUMBNAIL_WIDTH = 160


class NotPlayable(Failed):
    """The source is not a video we can play: a code of ``media.failures.TEMPLATES`` and its
    parameters, put into words for whoever reads it (``message``)."""


@dataclass(frozen=True)
class Probe:
    """The facts of a source that decide the ladder (display size: rotation applied)."""

    width: int
    height: int
    duration_seconds: float
    fps: float
    has_audio: bool


@dataclass(frozen=True)
class Rendition:
    name: str  # "720p", the directory of its playlist and segments
    width: int
    height: int
    video_kbps: int

    @property
    def bufsize_kbps(self) -> int:
        return self.video_kbps * 2


@dataclass(frozen=True)
class Ladder:
    renditions: tuple[Rendition, ...]
    has_audio: bool
    fps: float
    poster_at_seconds: float
    thumbnail_sheets: int
    thumbnail_height: int

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.renditions] + (["audio"] if self.has_audio else [])


def _rate(text: str | None) -> float:
    if not text or text in ("0/0", "N/A"):
        return 0.0
    num, _sep, den = text.partition("/")
    try:
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _rotation(stream: dict[str, Any]) -> int:
    """Degrees the player must turn the picture: the display matrix's rotation (ffprobe side
    data) or the legacy ``rotate`` tag."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]))) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if tag and tag.lstrip("-").isdigit() else 0


def _duration(info: dict[str, Any], stream: dict[str, Any]) -> float:
    for text in ((info.get("format") or {}).get("duration"), stream.get("duration")):
        try:
            value = float(text)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value > 0:
            return value
    return 0.0


def _minutes(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def probe_from_ffprobe(info: dict[str, Any]) -> Probe:
    """The facts of a source from ``ffprobe -show_format -show_streams`` JSON; NotPlayable with
    a reason a trainer understands when it is not a video (audio only, a still picture, no
    length)."""
    streams = info.get("streams") or []
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and not (s.get("disposition") or {}).get("attached_pic")  # an album cover is no video
    ]
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    if not videos:
        if has_audio:
            raise NotPlayable("audio_only")
        raise NotPlayable("no_video")
    video = videos[0]
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if width <= 0 or height <= 0:
        raise NotPlayable("no_picture_size")
    # Non-square pixels (DV, some broadcast sources): the displayed width differs.
    sar = _rate((video.get("sample_aspect_ratio") or "1:1").replace(":", "/")) or 1.0
    width = max(2, round(width * sar))
    if _rotation(video) in (90, 270):
        width, height = height, width
    duration = _duration(info, video)
    if duration < 0.5:
        raise NotPlayable("too_short")
    fps = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")) or 25.0
    if (video.get("nb_frames") or "").isdigit() and int(video["nb_frames"]) <= 1:
        raise NotPlayable("single_picture")
    return Probe(
        width=width, height=height, duration_seconds=duration, fps=fps, has_audio=has_audio
    )


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def ladder_for(probe: Probe) -> Ladder:
    """The renditions to make: every rung up to the source's short side (a source smaller than
    the lowest rung gets one rendition at its own size), aspect ratio kept, even dimensions."""
    short, long_ = sorted((probe.width, probe.height))
    rungs = [(side, kbps) for side, kbps in RUNGS if side <= short]
    if not rungs:
        rungs = [(short, RUNGS[-1][1])]
    renditions = []
    for side, kbps in rungs:
        scaled_long = _even(long_ * side / short)
        scaled_short = _even(side)
        width, height = (
            (scaled_long, scaled_short)
            if probe.width >= probe.height
            else (scaled_short, scaled_long)
        )
        renditions.append(Rendition(name=f"{side}p", width=width, height=height, video_kbps=kbps))
    thumb_height = _even(THUMBNAIL_WIDTH * probe.height / probe.width)
    frames = max(1, math.ceil(probe.duration_seconds / THUMBNAIL_INTERVAL))
    return Ladder(
        renditions=tuple(renditions),
        has_audio=probe.has_audio,
        fps=min(probe.fps, MAX_FPS),
        # A frame a little way in, past a fade from black; not far in: ffmpeg reports no
        # progress until every output, the poster too, has its first frame.
        poster_at_seconds=min(probe.duration_seconds / 10, 10.0),
        thumbnail_sheets=math.ceil(frames / (THUMBNAIL_COLUMNS * THUMBNAIL_ROWS)),
        thumbnail_height=thumb_height,
    )


def duration_tenths(seconds: float) -> float:
    """A probed length as the catalogue keeps it: to the tenth of a second (0.52 s is 0.5 s,
    not 1 s), never 0 for a video that plays."""
    return max(0.1, round(seconds, 1))


def thumbnails_info(*, ladder: Ladder, sheets: int) -> dict[str, Any]:
    """What ``VideoAsset.thumbnails`` says of the preview sheets written (``sheets`` of them)."""
    return {
        "interval_seconds": THUMBNAIL_INTERVAL,
        "columns": THUMBNAIL_COLUMNS,
        "rows": THUMBNAIL_ROWS,
        "tile_width": THUMBNAIL_WIDTH,
        "tile_height": ladder.thumbnail_height,
        "sheets": sheets,
    }


def thumbnails_vtt(
    *, ladder: Ladder, duration_seconds: float, sheet_name: str, frames: int | None = None
) -> str:
    """The WebVTT track that maps each stretch of the video to its tile in the preview sheets
    (``sheet_name`` is a format string taking the 1-based sheet number). ``frames``: how many
    tiles were made, when known; the track never points at a tile that is not there, and its
    last cue lasts to the end of the video."""
    lines = ["WEBVTT", ""]
    per_sheet = THUMBNAIL_COLUMNS * THUMBNAIL_ROWS
    expected = max(1, math.ceil(duration_seconds / THUMBNAIL_INTERVAL))
    count = expected if frames is None else min(expected, frames)
    for index in range(count):
        start = index * THUMBNAIL_INTERVAL
        last = index == count - 1
        end = duration_seconds if last else min(duration_seconds, start + THUMBNAIL_INTERVAL)
        sheet, tile = divmod(index, per_sheet)
        row, column = divmod(tile, THUMBNAIL_COLUMNS)
        x, y = column * THUMBNAIL_WIDTH, row * ladder.thumbnail_height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{sheet_name.format(sheet + 1)}#xywh={x},{y},{THUMBNAIL_WIDTH},"
            f"{ladder.thumbnail_height}",
            "",
        ]
    return "\n".join(lines)


def _timestamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def truncation_reason(*, expected_seconds: float, produced_seconds: float) -> Failure | None:
    """A reason when the ladder came out clearly shorter than the source says it is: the file
    was cut (an interrupted copy) or is damaged part-way."""
    if produced_seconds >= expected_seconds * 0.97 - 1:
        return None
    return Failure(
        "truncated", {"stop": _minutes(produced_seconds), "length": _minutes(expected_seconds)}
    )
