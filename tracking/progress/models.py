"""The progress engine's records: each learner's standing in the programme, their progress per
lesson, the ledger of credits, and completions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import BaseModel
from tracking.lrs.models import Statement


class ProgrammeProgress(models.Model):
    """One learner in the programme: the hours credited toward its target (the sum of their
    ledger), what the engine remembers between two statements (the open viewing sessions and the
    real time already credited: ``tracking.progress.policy.LearnerState``), and the last
    statement it applied, in (stored, id) order. Locked while a statement of the learner is
    applied, so concurrent statements never lose an update."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    state = models.JSONField(_("engine state"), default=dict)
    last_stored = models.DateTimeField(_("last statement applied: stored"), null=True)
    last_sequence = models.PositiveIntegerField(_("last statement applied: sequence"), null=True)
    last_statement_id = models.UUIDField(_("last statement applied: id"), null=True)
    credited_seconds = models.FloatField(_("credited (seconds)"), default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tracking_learnerclock"  # the model's old name, LearnerClock
        verbose_name = _("learner's progress in the programme")
        verbose_name_plural = _("learners' progress in the programme")

    def __str__(self) -> str:
        return f"{self.learner_id}: {self.credited_seconds:.0f} s"


class LessonProgress(BaseModel):
    """One learner in one lesson: what they covered (video: media seconds) and what was
    credited; ``completed_at`` once coverage reached the lesson's threshold."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="lesson_progress",
        db_index=False,  # (learner, lesson) is unique: its index serves the learner's rows
    )
    lesson = models.ForeignKey(
        "courses.Lesson",
        verbose_name=_("lesson"),
        on_delete=models.PROTECT,
        related_name="progress",
    )
    covered = models.JSONField(_("covered intervals"), default=list)
    covered_seconds = models.FloatField(_("covered (seconds)"), default=0.0)
    # Of the coverage, what was played in real time at PROGRESS_MAX_PLAYBACK_RATE at most: only
    # this completes the lesson (a claimed segment with no real time behind it completes nothing).
    earned = models.JSONField(_("intervals played in real time"), default=list)
    earned_seconds = models.FloatField(_("played in real time (seconds)"), default=0.0)
    credited_seconds = models.FloatField(_("credited (seconds)"), default=0.0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="progress_one_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.lesson_id}: {self.covered_seconds:.0f} s covered"


class CreditEntry(models.Model):
    """The ledger: one row per credit (or per refusal to credit new coverage), with the
    statement that caused it, the media it covered, the real time it used and why it was
    capped. A learner's credited time is the sum of their entries, always."""

    class Reason(models.TextChoices):
        NONE = "", _("Credited in full")
        FASTER_THAN_REAL_TIME = "faster_than_real_time", _("More video than real time passed")
        REAL_TIME_ALREADY_CREDITED = (
            "real_time_already_credited",
            _("That real time was already credited (another session playing at once)"),
        )
        NOT_PLAYING = "not_playing", _("No playing session was open")
        NO_START = "no_start", _("The activity was never started")
        WRITER_MAY_NOT_CREDIT = (
            "writer_may_not_credit",
            _("Sent by a system that may not credit hours"),
        )
        NOT_ENROLLED = "not_enrolled", _("No active enrolment in the course when it was stored")
        OTHER_REGISTRATION = (
            "other_registration",
            _("Its registration is not the learner's enrolment in the course"),
        )
        ATTENDANCE_ONLY = (
            "attendance_only",
            _("In-person and live lessons count from the attendance registers only"),
        )
        DECLARED_DURATION_REACHED = (
            "declared_duration_reached",
            _("The lesson's declared duration was already credited"),
        )

    id = models.BigAutoField(primary_key=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="credit_entries",
        # The indexes below start with it and serve its lookups: one index fewer to keep up
        # with a row written per credit.
        db_index=False,
    )
    lesson = models.ForeignKey(
        "courses.Lesson", verbose_name=_("lesson"), on_delete=models.PROTECT, related_name="+"
    )
    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="+"
    )
    seconds = models.FloatField(_("credited (seconds)"))
    new_seconds = models.FloatField(_("newly covered (seconds)"))
    media = models.JSONField(_("media intervals covered"), default=list)
    window = models.JSONField(_("real-time intervals used"), default=list)
    reason = models.CharField(_("why less"), max_length=40, choices=Reason.choices, blank=True)
    credited_at = models.DateTimeField(_("credited at"))  # the statement's stored time

    class Meta:
        ordering = ["credited_at", "id"]
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        indexes = [
            models.Index(fields=["learner", "lesson", "credited_at"], name="credit_learner_lesson"),
            models.Index(fields=["learner", "credited_at"], name="credit_learner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.seconds:.1f} s for {self.lesson_id} by {self.statement_id}"


class AttendanceCredit(models.Model):
    """Hours a learner attended in person or live, as the attendance registers say: one row
    per presence record, rewritten by the attendance room whenever that record changes. It
    stands beside the ledger of distance credit (``CreditEntry``), never inside it:
    recomputing a learner's statements leaves it alone, and every total shows the two apart."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        WEBINAR = "webinar", _("Live webinar")

    id = models.BigAutoField(primary_key=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="attendance_credits",
    )
    lesson = models.ForeignKey(
        "courses.Lesson", verbose_name=_("lesson"), on_delete=models.PROTECT, related_name="+"
    )
    presence_id = models.UUIDField(_("presence record"), unique=True)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    seconds = models.FloatField(_("attended (seconds)"))
    day = models.DateField(_("day"))
    # When the attended time ended (the exit, or the session's end): the date of a lesson
    # completed by attendance, the same whenever the learner's progress is recomputed.
    attended_until = models.DateTimeField(_("attended until"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("attendance credit")
        verbose_name_plural = _("attendance credits")
        indexes = [models.Index(fields=["learner", "day"], name="attendance_credit_learner")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seconds__gt=0), name="attendance_credit_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seconds:.0f} s {self.mode} for {self.learner_id} on {self.day}"


class Completion(BaseModel):
    """A learner completed a lesson, a module, a course or the programme: written once, in the
    transaction that applied the statement that completed it. The row is the outbox of what
    follows: the server's xAPI statement and the ``completion_recorded`` signal (certificates)
    go out after commit, and a beat sweep repeats them for any row not yet ``announced_at``."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        MODULE = "module", _("Module")
        COURSE = "course", _("Course")
        PROGRAMME = "programme", _("Programme (distance-learning hours)")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="completions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"))
    credited_seconds = models.FloatField(_("credited (seconds)"), default=0.0)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    # A completion the statements no longer support (voided, recomputed) is withdrawn, not
    # deleted: certificates issued on it are revoked, and the row says when and why.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    withdrawal_announced_at = models.DateTimeField(
        _("withdrawal announced at"), null=True, blank=True
    )

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"],
                condition=models.Q(kind="lesson", withdrawn_at__isnull=True),
                name="completion_once_per_lesson",
            ),
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=models.Q(kind="module", withdrawn_at__isnull=True),
                name="completion_once_per_module",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(kind="course", withdrawn_at__isnull=True),
                name="completion_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(kind="programme", withdrawn_at__isnull=True),
                name="completion_once_per_programme",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="lesson", lesson__isnull=False)
                    | models.Q(kind="module", module__isnull=False)
                    | models.Q(kind="course", course__isnull=False)
                    | models.Q(kind="programme")
                ),
                name="completion_names_what",
            ),
        ]
        indexes = [
            models.Index(
                fields=["completed_at"],
                name="completion_not_announced",
                condition=models.Q(announced_at__isnull=True),
            ),
            models.Index(
                fields=["withdrawn_at"],
                name="completion_withdrawal_pending",
                condition=models.Q(
                    withdrawn_at__isnull=False, withdrawal_announced_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.kind} {self.lesson_id or self.module_id or self.course_id}"


class RecomputeMark(models.Model):
    """A learner whose progress must be recomputed from their statements (one arrived behind
    those applied, or voided one): written in the transaction that found it out, deleted in the
    one that recomputes, so that no failure or killed worker in between loses it."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("learner waiting for a recompute")
        verbose_name_plural = _("learners waiting for a recompute")

    def __str__(self) -> str:
        return str(self.learner_id)
