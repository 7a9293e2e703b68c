"""A demo lecture for ``make run``: a short generated clip, transcoded like any upload, on the
first video lesson of the course ``mario.rossi`` is enrolled in, with Italian captions."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from courses.models import Lesson
from lms.accounts.models import User
from media.models import VideoAsset
from media.services import caption_put, video_asset_transcode

DEMO_COURSE = "sportello-unico-edilizia"
DEMO_SECONDS = 20
DEMO_CAPTIONS = """WEBVTT

00:00:01.000 --> 00:00:06.000
Benvenuti al corso sullo Sportello unico per l'edilizia.

00:00:07.000 --> 00:00:14.000
In questa lezione vediamo il Testo unico dell'edilizia in pratica.
"""


def _make_clip(folder: Path) -> Path:
    path = folder / "lezione-demo.mp4"
    subprocess.run(  # noqa: S603 - fixed arguments, the configured ffmpeg
        [
            settings.FFMPEG_BINARY,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=1280x720:rate=25:duration={DEMO_SECONDS}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=330:duration={DEMO_SECONDS}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    return path


def demo_video_seed() -> VideoAsset | None:
    """Give the demo course's first video lesson a ready video (idempotent: once ready, kept).
    None when the demo course is missing (seed_demo not run)."""
    lesson = (
        Lesson.objects.filter(module__course__slug=DEMO_COURSE, kind=Lesson.Kind.VIDEO)
        .select_related("module__course", "video_asset")
        .order_by("module__position", "position")
        .first()
    )
    if lesson is None:
        return None
    if lesson.video_asset is not None and lesson.video_asset.status == VideoAsset.Status.READY:
        return lesson.video_asset
    course = lesson.module.course
    trainer = course.trainers.order_by("username").first() or User.objects.get(username="admin")
    with tempfile.TemporaryDirectory() as folder:
        clip = _make_clip(Path(folder))
        with clip.open("rb") as handle, transaction.atomic():
            asset = VideoAsset(course=course, title=lesson.title, uploaded_by=trainer)
            asset.source.save("lezione-demo.mp4", File(handle), save=False)
            asset.source_size_bytes = clip.stat().st_size
            asset.save()
    asset = video_asset_transcode(asset_id=asset.pk) or asset
    caption_put(
        actor=trainer,
        asset=asset,
        language="it",
        label="Italiano",
        data=DEMO_CAPTIONS.encode(),
        filename="it.vtt",
    )
    Lesson.objects.filter(pk=lesson.pk).update(
        video_asset=asset, duration_seconds=asset.duration_seconds
    )
    return asset
