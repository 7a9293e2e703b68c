"""Writes of the media app, by subdomain, re-exported here."""

from media.services.library import (
    caption_delete,
    caption_put,
    document_create,
    document_delete,
    document_get_for_edit,
    retired_files_purge,
    video_asset_delete,
    video_asset_retry,
    video_asset_update,
)
from media.services.transcoding import (
    video_asset_queue_transcode,
    video_asset_transcode,
    video_assets_requeue_stale,
)
from media.services.uploads import (
    upload_append,
    upload_create,
    upload_get,
    upload_join,
    upload_terminate,
    uploads_expire,
)

__all__ = [
    "caption_delete",
    "caption_put",
    "document_create",
    "document_delete",
    "document_get_for_edit",
    "retired_files_purge",
    "upload_append",
    "upload_create",
    "upload_get",
    "upload_join",
    "upload_terminate",
    "uploads_expire",
    "video_asset_delete",
    "video_asset_queue_transcode",
    "video_asset_retry",
    "video_asset_transcode",
    "video_asset_update",
    "video_assets_requeue_stale",
]
