from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import BaseModel


def video_source_path(asset: "VideoAsset", filename: str) -> str:
    # The asset id, not the trainer's file name, decides where the bytes live.
    return f"videos/{asset.pk}/source/{filename}"


class VideoAsset(BaseModel):
    """A video a trainer uploaded for a course, and where its HLS ladder is once transcoded.

    Life cycle: ``uploaded → processing → ready | failed``; the transcoding pipeline moves it
    along (state changes are conditional updates in the media services, never ``save()``).
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="video_assets",
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.FileField(_("source file"), upload_to=video_source_path, max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    failure_reason = models.TextField(_("why it failed"), blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    hls_prefix = models.CharField(
        _("HLS location"),
        max_length=300,
        blank=True,
        help_text=_("Storage prefix of the published HLS ladder (master.m3u8 and renditions)."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="video_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready")
                | (models.Q(duration_seconds__isnull=False) & ~models.Q(hls_prefix="")),
                name="video_ready_has_duration_and_ladder",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_reason=""),
                name="video_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title
