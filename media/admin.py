from django.contrib import admin

from media.models import VideoAsset


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
    # The pipeline owns the life cycle: staff read it here, they do not edit it by hand.
    readonly_fields = [
        "status",
        "progress_percent",
        "failure_reason",
        "duration_seconds",
        "hls_prefix",
        "uploaded_by",
        "created_at",
        "updated_at",
    ]
