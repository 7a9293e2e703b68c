"""Files nobody references any more, kept until nobody can still be reading them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from media.models import RetiredFiles


def files_retire(*, prefix: str) -> RetiredFiles:
    """Schedule a file, or a prefix ending in "/", for deletion once MEDIA_RETIRED_GRACE_SECONDS
    have passed: longer than any playback link lives, so nobody watching is cut off."""
    return RetiredFiles.objects.create(
        prefix=prefix,
        purge_after=timezone.now() + timedelta(seconds=settings.MEDIA_RETIRED_GRACE_SECONDS),
    )
