from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media.models import Caption, CourseDocument, RetiredFiles, Upload, VideoAsset
from media.services import video_asset_queue_transcode, video_asset_retry


class CaptionInline(admin.TabularInline):
    model = Caption
    extra = 0
    fields = ["language", "label", "file", "uploaded_by", "updated_at"]
    # captions are checked and converted by the API, not here
    readonly_fields = ["language", "label", "file", "uploaded_by", "updated_at"]
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VideoAsset)
class VideoAssetAdmin(admin.ModelAdmin):
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
    autocomplete_fields = ["course"]
    inlines = [CaptionInline]
    actions = ["transcode_again"]
    # The pipeline owns the life cycle: staff read it here, they do not edit it by hand.
    readonly_fields = [
        "status",
        "progress_percent",
        "failure_reason",
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A source is given once, when staff add a video here; a new one goes through an upload.
        return self.readonly_fields + (["course", "source"] if obj else [])

    def save_model(self, request: HttpRequest, obj: VideoAsset, form: Any, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        if not change:
            video_asset_queue_transcode(asset=obj)

    @admin.action(description=_("Transcode again from the source"))
    def transcode_again(self, request: HttpRequest, queryset: QuerySet[VideoAsset]) -> None:
        done = 0
        for asset in queryset.exclude(status=VideoAsset.Status.PROCESSING):
            video_asset_retry(asset=asset)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d video queued.", "%(count)d videos queued.", done) % {"count": done},
            messages.SUCCESS,
        )


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Uploads under way or ended, to follow a trainer's trouble; the tus API writes them."""

    list_display = ["filename", "course", "created_by", "status", "offset_bytes", "length_bytes"]
    list_filter = ["status"]
    search_fields = ["filename", "title", "course__title", "created_by__username"]
    list_select_related = ["course", "created_by"]
    exclude = ["head", "parts"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CourseDocument)
class CourseDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "lesson", "content_type", "size_bytes", "created_at"]
    search_fields = ["title", "filename", "course__title"]
    list_select_related = ["course", "lesson"]
    autocomplete_fields = ["course"]
    readonly_fields = ["filename", "content_type", "size_bytes", "uploaded_by", "file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents are recognised from their bytes by the API, not here


@admin.register(RetiredFiles)
class RetiredFilesAdmin(admin.ModelAdmin):
    list_display = ["prefix", "purge_after"]
    search_fields = ["prefix"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
