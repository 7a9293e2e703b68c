"""Celery tasks of the media app: each loads by id, calls one service, declares its retries.

Joins and transcodes go to the ``media`` queue (CELERY_TASK_ROUTES), so that a two-hour lecture
never holds up statement ingestion or certificates: ``celery -A lms worker -Q media -c 1``.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

# A module, not names: the services queue these tasks, and either may be imported first.
from media import services

# The database or the storage went away for a moment; anything else is not retried.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    name="media.upload_join",
    acks_late=True,
    reject_on_worker_lost=True,  # a worker killed mid-join: the message comes back
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def upload_join_task(*, upload_id: str) -> str | None:
    """Join a complete upload into its video's source and queue the transcode (runs once)."""
    asset = services.upload_join(upload_id=upload_id)
    return str(asset.pk) if asset else None


@shared_task(
    name="media.video_asset_transcode",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    # ffmpeg is stopped at FFMPEG_TIMEOUT_SECONDS by the service itself; these are backstops.
    soft_time_limit=settings.FFMPEG_TIMEOUT_SECONDS + 15 * 60,
    time_limit=settings.FFMPEG_TIMEOUT_SECONDS + 30 * 60,
)
def video_asset_transcode_task(*, asset_id: str) -> str | None:
    """Transcode a video into its HLS ladder (idempotent: claimed, published by pointer swap)."""
    asset = services.video_asset_transcode(asset_id=asset_id)
    return asset.status if asset else None


@shared_task(name="media.video_asset_requeue_stale")
def video_asset_requeue_stale_task() -> int:
    """Requeue transcodes whose worker died or whose kick was lost."""
    return services.video_assets_requeue_stale()


@shared_task(name="media.housekeeping")
def media_housekeeping_task() -> dict[str, int]:
    """Delete expired uploads and retired files past their grace period."""
    return {
        "uploads_expired": services.uploads_expire(),
        "files_purged": services.retired_files_purge(),
    }
