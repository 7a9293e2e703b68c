"""Reactions of the catalogue to other apps' signals (connected in CoursesConfig.ready)."""

from typing import Any

from courses.models import Lesson
from media.models import VideoAsset


def lessons_take_video_length(sender: type, *, asset: VideoAsset, **kwargs: Any) -> None:
    """A video lesson's length is its ready video's: set in the transaction that publishes it."""
    Lesson.objects.filter(video_asset=asset).update(duration_seconds=asset.duration_seconds)
