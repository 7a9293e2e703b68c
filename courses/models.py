from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.accounts.models import Position
from lms.models import BaseModel

HOURS_VALIDATORS = [MinValueValidator(Decimal("0"))]


class ThematicArea(BaseModel):
    """One of the programme's three themes; every course belongs to one."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")

    def __str__(self) -> str:
        return self.name


class Course(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Language(models.TextChoices):
        ITALIAN = "it", _("Italian")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        ThematicArea,
        verbose_name=_("thematic area"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    declared_hours = models.DecimalField(
        _("declared hours"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=HOURS_VALIDATORS,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    self_enrollment_open = models.BooleanField(
        _("self-enrolment open"),
        default=False,
        help_text=_("Whether learners may enrol themselves, without a coordinator."),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers"),
        related_name="taught_courses",
        blank=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(declared_hours__gte=0), name="course_declared_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="course_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CourseAudience(models.Model):
    """One position a course is written for (a course may address several)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="audiences")
    position = models.CharField(
        pgettext_lazy("job title", "position"), max_length=20, choices=Position.choices
    )

    class Meta:
        verbose_name = _("intended audience")
        verbose_name_plural = _("intended audience")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="course_audience_unique")
        ]

    def __str__(self) -> str:
        return self.get_position_display()


class Module(BaseModel):
    """An ordered part of a course, certified on its own once its completion rule holds.

    The rule: every required lesson completed, plus the optional minimums below. The progress
    engine evaluates it; here it is only declared.
    """

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="modules"
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    declared_hours = models.DecimalField(
        _("declared hours"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=HOURS_VALIDATORS,
    )
    completion_min_hours = models.DecimalField(
        _("minimum credited hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=HOURS_VALIDATORS,
        help_text=_("Optional: credited hours needed on top of completing the required lessons."),
    )
    completion_min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum in-person attendance (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Optional: share of in-person and live sessions that must be attended."),
    )

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="module_unique_position"),
            models.CheckConstraint(
                condition=models.Q(completion_min_attendance_percent__lte=100),
                name="module_attendance_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Lesson(BaseModel):
    class Kind(models.TextChoices):
        VIDEO = "video", _("Video lesson")
        DOCUMENT = "document", _("Document")
        LIVE_WEBINAR = "live_webinar", _("Live webinar")
        IN_PERSON = "in_person", _("In-person session")

    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons"
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_required = models.BooleanField(
        _("required"), default=True, help_text=_("Required lessons count toward the module.")
    )
    # To the tenth of a second, as a video's (tracking.progress credits up to it).
    duration_seconds = models.FloatField(
        _("duration (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Planned length; a video lesson takes it from its ready video."),
    )
    video_asset = models.ForeignKey(
        "media.VideoAsset",
        verbose_name=_("video"),
        on_delete=models.PROTECT,
        related_name="lessons",
        null=True,
        blank=True,
        help_text=_("For video lessons: one of the course's uploaded videos."),
    )

    class Meta:
        ordering = ["module", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="lesson_unique_position"),
            models.CheckConstraint(
                condition=models.Q(kind="video") | models.Q(video_asset__isnull=True),
                name="lesson_only_video_lessons_have_a_video",
                violation_error_message=_("Only video lessons have a video."),
            ),
            models.CheckConstraint(
                condition=models.Q(duration_seconds__gte=0), name="lesson_duration_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Enrollment(BaseModel):
    """A learner's place in a course. Its uuid is the xAPI ``registration`` of everything the
    learner does in the course, so a withdrawn enrolment is kept and re-activated, never
    re-created."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolment")
        COORDINATOR = "coordinator", _("Enrolled by a coordinator")
        IMPORT = "import", _("Bulk import")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    enrolled_at = models.DateTimeField(_("enrolled at"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="enrollment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} → {self.course}"
