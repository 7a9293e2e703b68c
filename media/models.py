import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.models import BaseModel
from media.failures import failure_message


def video_source_path(asset: "VideoAsset", filename: str) -> str:
    # The asset id, not the trainer's file name, decides where the bytes live.
    return f"videos/{asset.pk}/source/{filename}"


def caption_path(caption: "Caption", filename: str) -> str:
    # A new name for every upload: a replaced caption never changes under a player that has it.
    return f"videos/{caption.asset_id}/captions/{caption.language}-{uuid.uuid4().hex}.vtt"


def document_path(document: "CourseDocument", filename: str) -> str:
    return f"documents/{document.course_id}/{document.pk}/{filename}"


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
    # Why it failed, as a code of media.failures.TEMPLATES and its parameters: put into words
    # when read (failure_message), in the reader's language.
    failure_code = models.CharField(_("why it failed (code)"), max_length=40, blank=True)
    failure_params = models.JSONField(_("why it failed (details)"), default=dict, blank=True)
    # To the tenth of a second (a 0.52 s clip lasts 0.5 s, not 1 s).
    duration_seconds = models.FloatField(
        _("duration (seconds)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    hls_prefix = models.CharField(
        _("HLS location"),
        max_length=300,
        blank=True,
        help_text=_("Storage prefix of the published HLS ladder (master.m3u8 and renditions)."),
    )
    source_size_bytes = models.BigIntegerField(_("source size (bytes)"), null=True, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    # What the published ladder holds: [{"name", "width", "height", "bandwidth", "codecs"}].
    renditions = models.JSONField(_("renditions"), default=list, blank=True)
    # Thumbnail sheets of the published ladder: {"interval_seconds", "columns", "rows",
    # "tile_width", "tile_height", "sheets"} (the WebVTT track is made from it).
    thumbnails = models.JSONField(_("preview frames"), default=dict, blank=True)
    # The transcode that currently owns the asset: a run publishes only while it still holds
    # the claim, so a redelivered or superseded run can never overwrite a newer ladder.
    claim = models.UUIDField(_("transcode claim"), null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("transcode attempts"), default=0)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
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
                condition=~models.Q(status="failed") | ~models.Q(failure_code=""),
                name="video_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_seconds__gte=0), name="video_duration_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def failure_message(self) -> str:
        """Why it failed, in the active language ("" unless it failed)."""
        return failure_message(self.failure_code, self.failure_params)


class Upload(BaseModel):
    """A resumable (tus 1.0) upload of a video source: the bytes arrive in chunks at offsets,
    each chunk kept as a part in storage until the last one; then the parts are joined into the
    asset's source by a task. Its id is the tus upload URL."""

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        COMPLETE = "complete", _("Complete, being joined")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("upload status", "Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    course = models.ForeignKey(
        "courses.Course", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    # The video this upload becomes (a new one) or replaces the source of (an existing one).
    asset = models.ForeignKey(
        VideoAsset,
        verbose_name=_("video"),
        on_delete=models.CASCADE,
        related_name="uploads",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    length_bytes = models.BigIntegerField(_("length (bytes)"))
    offset_bytes = models.BigIntegerField(_("received (bytes)"), default=0)
    # [[offset, length, storage name], ...] in offset order: what has been received so far.
    parts = models.JSONField(_("parts"), default=list, blank=True)
    # The first bytes, kept to recognise the format before the rest arrives.
    head = models.BinaryField(_("first bytes"), default=b"", blank=True)
    sniffed_type = models.CharField(_("detected type"), max_length=100, blank=True)
    expected_sha256 = models.CharField(_("announced SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVING
    )
    # As VideoAsset's: a code and its parameters, put into words when read.
    failure_code = models.CharField(_("why it failed (code)"), max_length=40, blank=True)
    failure_params = models.JSONField(_("why it failed (details)"), default=dict, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset_bytes__gte=0)
                & models.Q(offset_bytes__lte=models.F("length_bytes")),
                name="upload_offset_within_length",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_code=""),
                name="upload_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset_bytes}/{self.length_bytes})"

    @property
    def failure_message(self) -> str:
        """Why it failed, in the active language ("" unless it failed)."""
        return failure_message(self.failure_code, self.failure_params)


class Caption(BaseModel):
    """Subtitles of one video in one language, stored as WebVTT (SRT is converted)."""

    asset = models.ForeignKey(
        VideoAsset, verbose_name=_("video"), on_delete=models.CASCADE, related_name="captions"
    )
    language = models.CharField(_("language"), max_length=35)
    label = models.CharField(_("label"), max_length=100)
    file = models.FileField(_("WebVTT file"), upload_to=caption_path, max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["language"]
        verbose_name = _("caption")
        verbose_name_plural = _("captions")
        constraints = [
            models.UniqueConstraint(fields=["asset", "language"], name="caption_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.asset} [{self.language}]"


class CourseDocument(BaseModel):
    """Slides, handouts and other files of a course, optionally attached to one lesson."""

    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    lesson = models.ForeignKey(
        "courses.Lesson",
        verbose_name=_("lesson"),
        on_delete=models.SET_NULL,
        related_name="documents",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["course", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class RetiredFiles(BaseModel):
    """Files no longer referenced (a replaced ladder or source, a deleted video), deleted from
    storage once nobody can still be reading them."""

    prefix = models.CharField(_("storage prefix or file"), max_length=500)
    purge_after = models.DateTimeField(_("delete after"), db_index=True)

    class Meta:
        ordering = ["purge_after"]
        verbose_name = _("retired files")
        verbose_name_plural = _("retired files")

    def __str__(self) -> str:
        return self.prefix
