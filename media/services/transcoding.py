"""Transcoding a video's source into its HLS ladder: claim, probe, one ffmpeg run, check,
publish under a fresh prefix, switch the pointer. Viewers of the previous ladder never notice."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from courses.services import lessons_take_video_length
from media import ffmpeg, tasks
from media.failures import Failed, Failure
from media.hls import parse_master, parse_media
from media.ladder import (
    Ladder,
    NotPlayable,
    Probe,
    duration_tenths,
    ladder_for,
    probe_from_ffprobe,
    thumbnails_info,
    thumbnails_vtt,
    truncation_reason,
)
from media.models import VideoAsset
from media.services.retired import files_retire
from media.sniffing import HEAD_BYTES, sniff_video

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 2.0  # at most one progress write per this many seconds
# ...and at least one per this many, so that a slow run (1 % of a long lecture can take minutes)
# never looks dead to the stale-run sweeper.
HEARTBEAT_EVERY_SECONDS = 60.0
TRANSCODE_SHARE = 95  # percent of the bar for ffmpeg; publishing to storage takes the rest


class ClaimLost(Exception):
    """Another run took the asset over (a newer source, or this run was presumed dead)."""


def video_asset_queue_transcode(*, asset: VideoAsset) -> None:
    """Queue the transcode once the current transaction commits (the task reads the row)."""
    tasks.video_asset_transcode_task.delay_on_commit(asset_id=str(asset.pk))


def _stale_before() -> Any:
    return timezone.now() - timedelta(seconds=settings.MEDIA_TRANSCODE_STALE_SECONDS)


def _claim(asset_id: uuid.UUID | str) -> uuid.UUID | None:
    """Take the asset for this run: one waiting for its transcode (``uploaded``), or one whose
    run died (``processing`` with no progress for MEDIA_TRANSCODE_STALE_SECONDS). Returns the
    claim, or None: a live run owns it, or nothing is to be done (a duplicate message)."""
    claim = uuid.uuid4()
    now = timezone.now()
    taken = (
        VideoAsset.objects.filter(
            Q(status=VideoAsset.Status.UPLOADED)
            | Q(status=VideoAsset.Status.PROCESSING, heartbeat_at__lt=_stale_before()),
            pk=asset_id,
        )
        .exclude(source="")
        .update(
            status=VideoAsset.Status.PROCESSING,
            progress_percent=0,
            failure_code="",
            failure_params={},
            claim=claim,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claim if taken else None


def _still_mine(asset_id: uuid.UUID, claim: uuid.UUID, **changes: Any) -> None:
    now = timezone.now()
    updated = VideoAsset.objects.filter(pk=asset_id, claim=claim).update(
        heartbeat_at=now, updated_at=now, **changes
    )
    if not updated:
        raise ClaimLost()


class _Progress:
    """Throttled percent-done writes that double as the run's heartbeat."""

    def __init__(self, asset_id: uuid.UUID, claim: uuid.UUID):
        self.asset_id, self.claim = asset_id, claim
        self.last_write = 0.0
        self.last_percent = -1

    def __call__(self, fraction: float, *, share: tuple[int, int] = (0, TRANSCODE_SHARE)) -> None:
        low, high = share
        percent = min(99, low + int(fraction * (high - low)))
        now = time.monotonic()
        if now - self.last_write < PROGRESS_EVERY_SECONDS:
            return
        if percent == self.last_percent and now - self.last_write < HEARTBEAT_EVERY_SECONDS:
            return  # nothing new to show, and the heartbeat is fresh enough
        _still_mine(self.asset_id, self.claim, progress_percent=percent)
        self.last_write, self.last_percent = now, percent


def _local_source(asset: VideoAsset, workdir: Path) -> str:
    """A local path ffmpeg can read: the file itself on local storage, else a copy."""
    try:
        return str(default_storage.path(asset.source.name))
    except NotImplementedError:  # object storage: fetch it once into the work directory
        target = workdir / "source"
        with default_storage.open(asset.source.name, "rb") as remote, target.open("wb") as out:
            shutil.copyfileobj(remote, out, length=1024 * 1024)
        return str(target)


def _sniff(source: str) -> None:
    # ffprobe trusts a ".mp4" name enough to call a text file a broken MP4: look first
    # (sniff_video raises NotAVideo, a Failed, with the reason).
    with open(source, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise NotPlayable("empty_file")
    sniff_video(head)


def _check_ladder(workdir: Path, *, ladder: Ladder, probe: Probe) -> list[dict[str, Any]]:
    """The renditions of the written ladder, after checking it is whole and as long as the
    source; NotPlayable when the source turned out to be cut or damaged part-way."""
    variants = parse_master((workdir / ffmpeg.MASTER).read_text())
    if len(variants) != len(ladder.names):
        raise ffmpeg.FfmpegError(f"master playlist has {len(variants)} variants")
    renditions = []
    for variant, name in zip(variants, ladder.names, strict=True):
        media = parse_media((workdir / variant.uri).read_text())
        if not media.ended or not media.segments:
            raise ffmpeg.FfmpegError(f"{variant.uri} is not a finished playlist")
        if reason := truncation_reason(
            expected_seconds=probe.duration_seconds, produced_seconds=media.duration_seconds
        ):
            raise NotPlayable(reason.code, **reason.params)
        width, _sep, height = variant.resolution.partition("x")
        renditions.append(
            {
                "name": name,
                "width": int(width) if width else None,
                "height": int(height) if height else None,
                "bandwidth": variant.bandwidth,
                "codecs": variant.codecs,
            }
        )
    return renditions


def _publish(workdir: Path, prefix: str, progress: _Progress) -> None:
    files = sorted(p for p in workdir.rglob("*") if p.is_file() and p.name != "source")
    files = [p for p in files if not p.name.endswith(".log")]
    for index, path in enumerate(files):
        with path.open("rb") as handle:
            default_storage.save(prefix + path.relative_to(workdir).as_posix(), File(handle))
        progress(index / len(files), share=(TRANSCODE_SHARE, 100))


def _clear_leftovers(work_root: Path, asset_id: uuid.UUID) -> None:
    # A worker killed mid-run (SIGKILL, OOM, a lost machine) never ran its cleanup.
    for stale in work_root.glob(f"transcode-{asset_id}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def video_asset_transcode(*, asset_id: uuid.UUID | str) -> VideoAsset | None:
    """Probe the asset's source and publish its HLS ladder, poster and preview frames.

    Idempotent: a run claims an ``uploaded`` asset (or one whose run died), writes under a
    fresh prefix and switches ``hls_prefix`` in one conditional UPDATE only if it still holds
    the claim, so a half-written ladder is never visible, a superseded run publishes nothing and
    a duplicate message does nothing. Transcoding again is asking for it
    (``video_asset_retry``), which replaces the ladder the same way. A source that is not a
    playable video ends ``failed`` with the reason; the previous ladder, if any, stays.
    Returns the asset, or None when there was nothing to do.
    """
    claim = _claim(asset_id)
    if claim is None:
        return None
    asset = VideoAsset.objects.get(pk=asset_id)
    if asset.attempts > settings.MEDIA_TRANSCODE_MAX_ATTEMPTS:
        return _fail(asset, claim, Failure("interrupted", {"count": asset.attempts - 1}))
    work_root = Path(settings.MEDIA_WORK_DIR or tempfile.gettempdir())
    work_root.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(work_root, asset.pk)
    workdir = Path(tempfile.mkdtemp(prefix=f"transcode-{asset.pk}-", dir=work_root))
    prefix = f"videos/{asset.pk}/ladders/{uuid.uuid4().hex}/"
    progress = _Progress(asset.pk, claim)
    try:
        source = _local_source(asset, workdir)
        _sniff(source)
        probe = probe_from_ffprobe(
            ffmpeg.probe(source, binary=settings.FFPROBE_BINARY, timeout_seconds=300)
        )
        ladder = ladder_for(probe)
        output = workdir / "ladder"
        (output / ffmpeg.FRAMES_DIR).mkdir(parents=True)
        argv = ffmpeg.ladder_command(
            source=source, workdir=output, ladder=ladder, binary=settings.FFMPEG_BINARY
        )
        ffmpeg.run_with_progress(
            argv,
            duration_seconds=probe.duration_seconds,
            timeout_seconds=settings.FFMPEG_TIMEOUT_SECONDS,
            stderr_path=workdir / "ffmpeg.log",
            on_progress=progress,
        )
        renditions = _check_ladder(output, ladder=ladder, probe=probe)
        thumbnails = _preview_sheets(output, ladder=ladder, probe=probe)
        _publish(output, prefix, progress)
        return _ready(
            asset, claim, prefix=prefix, probe=probe, renditions=renditions, thumbnails=thumbnails
        )
    except Failed as exc:  # NotPlayable, NotAVideo
        return _fail(asset, claim, exc.failure)
    except ffmpeg.FfmpegError as exc:
        logger.warning("transcode of %s failed: %s\n%s", asset.pk, exc.message, exc.stderr)
        if exc.timed_out:
            return _fail(asset, claim, Failure("timed_out", {"seconds": exc.limit_seconds}))
        return _fail(asset, claim, Failure("conversion_failed"))
    except ClaimLost:
        logger.info("transcode of %s superseded by a newer run", asset.pk)
        files_retire(prefix=prefix)  # whatever this run had published is nobody's
        return None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _preview_sheets(workdir: Path, *, ladder: Ladder, probe: Probe) -> dict[str, Any]:
    """Lay the preview frames ladder_command wrote out in sheets with their WebVTT track, and
    describe them (``VideoAsset.thumbnails``): {} when ffmpeg wrote no frame, so that no one
    is offered a track that is not there. The frames themselves are not published."""
    frames_dir = workdir / ffmpeg.FRAMES_DIR
    frames = sum(1 for _frame in frames_dir.glob("*.jpg"))
    thumbnails: dict[str, Any] = {}
    if frames:
        ffmpeg.run(
            ffmpeg.sheets_command(workdir=workdir, binary=settings.FFMPEG_BINARY),
            timeout_seconds=600,
        )
        sheets = sum(1 for _sheet in workdir.glob(ffmpeg.SHEET.replace("{:03d}", "*")))
        (workdir / ffmpeg.THUMBNAILS_VTT).write_text(
            thumbnails_vtt(
                ladder=ladder,
                duration_seconds=probe.duration_seconds,
                sheet_name=ffmpeg.SHEET,
                frames=frames,
            )
        )
        thumbnails = thumbnails_info(ladder=ladder, sheets=sheets)
    shutil.rmtree(frames_dir)
    return thumbnails


@transaction.atomic
def _ready(
    asset: VideoAsset,
    claim: uuid.UUID,
    *,
    prefix: str,
    probe: Probe,
    renditions: list[dict[str, Any]],
    thumbnails: dict[str, Any],
) -> VideoAsset | None:
    locked = VideoAsset.objects.select_for_update().filter(pk=asset.pk, claim=claim).first()
    if locked is None:
        files_retire(prefix=prefix)
        return None
    previous = locked.hls_prefix
    duration = duration_tenths(probe.duration_seconds)
    locked.status = VideoAsset.Status.READY
    locked.progress_percent = 100
    locked.hls_prefix = prefix
    locked.duration_seconds = duration
    locked.width, locked.height = probe.width, probe.height
    locked.renditions = renditions
    locked.thumbnails = thumbnails
    locked.claim = None
    locked.attempts = 0
    locked.ready_at = timezone.now()
    locked.save()
    if previous and previous != prefix:
        files_retire(prefix=previous)  # viewers of the old ladder keep it until their links expire
    lessons_take_video_length(video_asset_id=locked.pk, duration_seconds=duration)
    return locked


def _fail(asset: VideoAsset, claim: uuid.UUID, failure: Failure) -> VideoAsset | None:
    # The reason is kept as its code: each reader sees it in their own language.
    updated = VideoAsset.objects.filter(pk=asset.pk, claim=claim).update(
        status=VideoAsset.Status.FAILED,
        failure_code=failure.code,
        failure_params=failure.params,
        claim=None,
        updated_at=timezone.now(),
    )
    if not updated:
        return None
    asset.refresh_from_db()
    return asset


def video_assets_requeue_stale() -> int:
    """Queue again every asset whose transcode stopped reporting (its worker died) or that
    never got one (the kick was lost); how many."""
    stale = VideoAsset.objects.filter(
        Q(status=VideoAsset.Status.PROCESSING, heartbeat_at__lt=_stale_before())
        | Q(status=VideoAsset.Status.UPLOADED, updated_at__lt=_stale_before())
    ).exclude(source="")
    count = 0
    for asset in stale:
        video_asset_queue_transcode(asset=asset)
        count += 1
    return count
