"""The only module that runs ffmpeg and ffprobe. Commands are built with ffmpeg-python and run
as argv lists (never a shell), always with a timeout, stderr kept in a file for diagnosis."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ffmpeg
from django.utils.translation import gettext as _

from media.ladder import (
    AUDIO_KBPS,
    AUDIO_ONLY_KBPS,
    SEGMENT_SECONDS,
    THUMBNAIL_COLUMNS,
    THUMBNAIL_INTERVAL,
    THUMBNAIL_ROWS,
    THUMBNAIL_WIDTH,
    Ladder,
    NotPlayable,
)

logger = logging.getLogger(__name__)

MASTER = "master.m3u8"
POSTER = "poster.jpg"
SHEET = "thumbnails_{:03d}.jpg"  # format(n): the n-th sheet of preview frames, from 1
# The preview frames one by one, before they are laid out in sheets (then deleted).
FRAMES_DIR = "frames"
THUMBNAILS_VTT = "thumbnails.vtt"


class FfmpegError(Exception):
    """ffmpeg failed, or was stopped at its time limit (``timed_out``)."""

    def __init__(
        self, message: str, *, stderr: str = "", timed_out: bool = False, limit_seconds: int = 0
    ):
        self.message = message
        self.stderr = stderr
        self.timed_out = timed_out
        self.limit_seconds = limit_seconds  # the time limit it ran into (timed_out)
        super().__init__(message)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode(errors="replace")


# ffprobe's own words → what a trainer can act on.
_PROBE_REASONS = (
    ("moov atom not found", "incomplete"),
    ("Invalid data found when processing input", "unknown"),
    ("End of file", "incomplete"),
    ("could not find codec parameters", "unknown"),
)


def probe(path: str, *, binary: str = "ffprobe", timeout_seconds: int = 120) -> dict[str, Any]:
    """ffprobe's view of a local file (format and streams); NotPlayable, with a reason a trainer
    understands, when ffprobe cannot read it at all."""
    if os.path.getsize(path) == 0:
        raise NotPlayable("empty_file")
    try:
        # ffmpeg-python's probe() takes no timeout: the same command, run here with one.
        result = subprocess.run(  # noqa: S603 - argv list, our binary
            [binary, "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise NotPlayable("probe_timeout") from exc
    stderr = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        kind = next((k for needle, k in _PROBE_REASONS if needle in stderr), "other")
        if kind == "incomplete":
            raise NotPlayable("incomplete")
        if kind == "unknown":
            raise NotPlayable("unknown_format")
        logger.warning("ffprobe could not read %s: %s", path, stderr[-2000:])
        raise NotPlayable("unreadable")
    info: dict[str, Any] = json.loads(result.stdout or b"{}")
    return info


def ladder_command(
    *, source: str, workdir: Path, ladder: Ladder, binary: str = "ffmpeg"
) -> list[str]:
    """One ffmpeg run that decodes the source once and writes everything: every rendition of
    the HLS ladder (H.264 + AAC in fMP4/CMAF segments of SEGMENT_SECONDS, keyframes at the same
    instants in every rendition), the audio-only rendition, the master playlist, the poster and
    the preview frames (see sheets_command) into ``workdir/FRAMES_DIR``, which must exist."""
    source_input = ffmpeg.input(source)
    picture = source_input.video
    if ladder.fps:
        picture = picture.filter("fps", fps=round(ladder.fps, 3))  # caps 50/60 fps at 30
    branches = picture.filter_multi_output("split", len(ladder.renditions) + 2)
    audio = source_input["a:0"]
    streams: list[Any] = []
    stream_map = []
    options: dict[str, Any] = {}
    for index, rendition in enumerate(ladder.renditions):
        scaled = (
            branches[index].filter("scale", rendition.width, rendition.height).filter("setsar", 1)
        )
        streams.append(scaled)
        options[f"maxrate:v:{index}"] = f"{rendition.video_kbps}k"
        options[f"bufsize:v:{index}"] = f"{rendition.bufsize_kbps}k"
        if ladder.has_audio:
            streams.append(audio)
            options[f"b:a:{index}"] = f"{AUDIO_KBPS}k"
            stream_map.append(f"v:{index},a:{index},name:{rendition.name}")
        else:
            stream_map.append(f"v:{index},name:{rendition.name}")
    if ladder.has_audio:
        audio_index = len(ladder.renditions)
        streams.append(audio)
        options[f"b:a:{audio_index}"] = f"{AUDIO_ONLY_KBPS}k"
        stream_map.append(f"a:{audio_index},name:audio")
    hls = ffmpeg.output(
        *streams,
        str(workdir / "%v" / "index.m3u8"),
        format="hls",
        vcodec="libx264",
        preset="veryfast",
        crf=23,
        pix_fmt="yuv420p",
        # Keyframes by the clock, not by frame count: the same instants in every rendition, so
        # that players switch cleanly, and exact for variable-frame-rate phone recordings.
        force_key_frames=f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
        sc_threshold=0,
        acodec="aac",
        ac=2,
        hls_time=SEGMENT_SECONDS,
        hls_playlist_type="vod",
        hls_segment_type="fmp4",
        hls_fmp4_init_filename="init.mp4",
        hls_segment_filename=str(workdir / "%v" / "seg_%05d.m4s"),
        hls_flags="independent_segments",
        master_pl_name=MASTER,
        var_stream_map=" ".join(stream_map),
        **options,
    )
    poster = ffmpeg.output(
        branches[len(ladder.renditions)]
        .filter("select", f"gte(t,{ladder.poster_at_seconds:.3f})")
        .filter("scale", -2, min(720, ladder.renditions[0].height)),
        str(workdir / POSTER),
        vframes=1,
        **{"q:v": 3},
    )
    # One small frame every THUMBNAIL_INTERVAL seconds, as files: laid out in sheets by
    # sheets_command afterwards. Tiling here would hold back ffmpeg's -progress reports until
    # the first sheet was full (ffmpeg reports only once every output has started), that is,
    # until 1,000 seconds into the video.
    sheets = ffmpeg.output(
        branches[len(ladder.renditions) + 1]
        # A frame at 0, 10, 20 s... of the file's timeline, whatever the picture's own start:
        # start_time=0 counts from 0 s (ffmpeg makes the file start there), not from the first
        # frame's time, so a picture that starts a few milliseconds after the sound still gets
        # its tile at 0 s (its first frame), and one under 10 s a tile at all. round=up: the
        # tile at n*10 s is the first frame at or after it, not the one before.
        .filter("fps", fps=f"1/{THUMBNAIL_INTERVAL}", round="up", start_time=0)
        .filter("scale", THUMBNAIL_WIDTH, ladder.thumbnail_height),
        str(workdir / FRAMES_DIR / "%05d.jpg"),
        **{"q:v": 5},
    )
    command: list[str] = (
        ffmpeg.merge_outputs(hls, poster, sheets)
        .global_args("-nostdin", "-loglevel", "warning", "-nostats", "-progress", "pipe:1")
        .overwrite_output()
        .compile(cmd=binary)
    )
    return command


def sheets_command(*, workdir: Path, binary: str = "ffmpeg") -> list[str]:
    """Lay the preview frames ladder_command wrote out in sheets of THUMBNAIL_COLUMNS x
    THUMBNAIL_ROWS (a second, small run over a few hundred thumbnails)."""
    command: list[str] = (
        ffmpeg.input(str(workdir / FRAMES_DIR / "%05d.jpg"), framerate=1)
        .filter("tile", f"{THUMBNAIL_COLUMNS}x{THUMBNAIL_ROWS}")
        .output(str(workdir / SHEET.replace("{:03d}", "%03d")), **{"q:v": 5})
        .global_args("-nostdin", "-loglevel", "error")
        .overwrite_output()
        .compile(cmd=binary)
    )
    return command


def run(argv: list[str], *, timeout_seconds: int) -> None:
    """Run a short ffmpeg command; FfmpegError when it fails or runs past the timeout."""
    try:
        subprocess.run(  # noqa: S603 - argv built here, no shell
            argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout_seconds, check=True
        )
    except subprocess.TimeoutExpired as exc:
        raise FfmpegError(
            _("ffmpeg took longer than %(seconds)s seconds and was stopped.")
            % {"seconds": timeout_seconds},
            timed_out=True,
            limit_seconds=timeout_seconds,
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise FfmpegError(
            _("ffmpeg stopped with an error (exit status %(status)s).")
            % {"status": exc.returncode},
            stderr=exc.stderr.decode(errors="replace")[-4000:],
        ) from exc


def run_with_progress(
    argv: list[str],
    *,
    duration_seconds: float,
    timeout_seconds: int,
    stderr_path: Path,
    on_progress: Callable[[float], None],
) -> None:
    """Run ffmpeg with ``-progress pipe:1``, calling ``on_progress(fraction done)`` as it
    reports; FfmpegError when it fails or runs past ``timeout_seconds`` (it is killed, and so
    it is if the callback raises: no ffmpeg outlives its caller)."""
    with stderr_path.open("wb") as stderr:
        # stderr into a file: a full pipe nobody reads would stall ffmpeg.
        process = subprocess.Popen(  # noqa: S603 - argv from ladder_command, no shell
            argv, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL
        )
    timed_out = threading.Event()

    def give_up() -> None:
        timed_out.set()
        process.kill()

    watchdog = threading.Timer(timeout_seconds, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE above
        done_us = 0
        for raw in process.stdout:
            key, _sep, value = raw.decode(errors="replace").strip().partition("=")
            # out_time_us (and out_time_ms, which ffmpeg also gives in microseconds)
            if key == "out_time_us" and value.isdigit():
                done_us = int(value)
            elif key == "progress" and duration_seconds > 0:
                on_progress(min(1.0, done_us / 1e6 / duration_seconds))
        returncode = process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if timed_out.is_set():
        raise FfmpegError(
            _("Transcoding took longer than the limit of %(seconds)s seconds and was stopped.")
            % {"seconds": timeout_seconds},
            stderr=_tail(stderr_path),
            timed_out=True,
            limit_seconds=timeout_seconds,
        )
    if returncode != 0:
        raise FfmpegError(
            _("ffmpeg stopped with an error (exit status %(status)s).") % {"status": returncode},
            stderr=_tail(stderr_path),
        )
