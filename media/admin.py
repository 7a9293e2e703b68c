"""Media for staff to follow and fix. Files arrive through the API, which sniffs and sizes
them, so nothing is added here; the only writes are the services' (a video's title, its
transcode again)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lms.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceFormAdmin, apply_each
from media.models import Caption, CourseDocument, RetiredFiles, Upload, VideoAsset
from media.services import video_asset_retry, video_asset_update


def _failure(obj: VideoAsset | Upload) -> str:
    # In the language of the staff member reading it, with its code for a search in the logs.
    if not obj.failure_code:
        return ""
    return f"{obj.failure_message} ({obj.failure_code})"


class CaptionInline(ReadOnlyInline):
    model = Caption
    fields = ["language", "label", "file", "uploaded_by", "updated_at"]
    # Captions are checked and converted by the API. Named here too, as the inline's formset is
    # built for the video's form and cannot hold updated_at.
    readonly_fields = ["language", "label", "file", "uploaded_by", "updated_at"]


@admin.register(VideoAsset)
class VideoAssetAdmin(ServiceFormAdmin):
    list_display = [
        "title",
        "course",
        "status",
        "progress_percent",
        "duration_seconds",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    inlines = [CaptionInline]
    actions = ["transcode_again"]
    exclude = ["failure_code", "failure_params"]  # shown in words: "failure"
    # The pipeline owns the life cycle and the files: staff read them here and may rename.
    readonly_fields = [
        "course",
        "source",
        "status",
        "progress_percent",
        "failure",
        "duration_seconds",
        "width",
        "height",
        "renditions",
        "hls_prefix",
        "source_size_bytes",
        "source_sha256",
        "attempts",
        "heartbeat_at",
        "ready_at",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("why it failed"))
    def failure(self, obj: VideoAsset) -> str:
        return _failure(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the tus API, which checks type and size

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the API deletes: it refuses a video lessons show and retires its files

    def save_model(self, request: HttpRequest, obj: VideoAsset, form: Any, change: bool) -> None:
        video_asset_update(asset=obj, title=form.cleaned_data["title"])

    @admin.action(description=_("Transcode again from the source"))
    def transcode_again(self, request: HttpRequest, queryset: QuerySet[VideoAsset]) -> None:
        apply_each(
            self,
            request,
            queryset.exclude(status=VideoAsset.Status.PROCESSING),
            lambda asset: video_asset_retry(asset=asset),
            done=lambda count: (
                ngettext("%(count)d video queued.", "%(count)d videos queued.", count)
                % {"count": count}
            ),
        )


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    """Uploads under way or ended, to follow a trainer's trouble; the tus API writes them."""

    list_display = ["filename", "course", "created_by", "status", "offset_bytes", "length_bytes"]
    list_filter = ["status"]
    search_fields = ["filename", "title", "course__title", "created_by__username"]
    list_select_related = ["course", "created_by"]
    exclude = ["head", "parts", "failure_code", "failure_params"]
    readonly_fields = ["failure"]

    @admin.display(description=_("why it failed"))
    def failure(self, obj: Upload) -> str:
        return _failure(obj)


@admin.register(CourseDocument)
class CourseDocumentAdmin(ReadOnlyAdmin):
    """Documents are recognised from their bytes by the API, and deleted there."""

    list_display = ["title", "course", "lesson", "content_type", "size_bytes", "created_at"]
    search_fields = ["title", "filename", "course__title"]
    list_select_related = ["course", "lesson"]


@admin.register(RetiredFiles)
class RetiredFilesAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "purge_after"]
    search_fields = ["prefix"]
