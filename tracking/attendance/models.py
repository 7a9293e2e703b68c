"""Attendance: the programme's identity the registers print, the sessions of in-person and live
lessons, who registered for them, who was there (with its append-only history) and every
register export. Hours attended are computed from the stored times, never typed in."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import BaseModel


def _code_secret() -> str:
    return secrets.token_hex(32)


class ProgrammeIdentity(models.Model):
    """What the funders' registers print at their head. One row (``pk`` 1), edited by staff."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    plan_title = models.CharField(_("title of the training plan"), max_length=300)
    project_title = models.CharField(_("title of the project"), max_length=300)
    funding_programme = models.CharField(_("funding programme"), max_length=300)
    funding_codes = models.JSONField(
        _("funding codes"),
        default=list,
        blank=True,
        help_text=_('A list of {"label": …, "code": …}, e.g. the CUP and the project code.'),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("programme identity")
        verbose_name_plural = _("programme identity")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="programme_one_row")]

    def __str__(self) -> str:
        return self.project_title


class AttendanceSession(BaseModel):
    """One sitting of an in-person or live lesson: a training day, an exchange visit (a hosting
    city and the visiting ones) or a live webinar. A lesson may have several (one per city)."""

    class Kind(models.TextChoices):
        TRAINING_DAY = "training_day", _("In-person training day")
        EXCHANGE_VISIT = "exchange_visit", _("Exchange visit")
        WEBINAR = "webinar", _("Live webinar")

    lesson = models.ForeignKey(
        "courses.Lesson",
        verbose_name=_("lesson"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    hosting_city = models.ForeignKey(
        "accounts.MetropolitanCity",
        verbose_name=_("hosting city"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    visiting_cities = models.ManyToManyField(
        "accounts.MetropolitanCity", verbose_name=_("visiting cities"), related_name="+", blank=True
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), related_name="+", blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    # The key of the rotating check-in code: never shown, never sent (only the codes it makes).
    code_secret = models.CharField(max_length=64, default=_code_secret, editable=False)

    class Meta:
        ordering = ["starts_at", "title"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="attendance_session_ends_after_start",
                violation_error_message=_("A session ends after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0),
                name="attendance_session_has_room",
                violation_error_message=_("A session has room for one person at least."),
            ),
        ]
        indexes = [models.Index(fields=["lesson", "starts_at"], name="session_lesson_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def scheduled_seconds(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds()


class SessionRegistration(BaseModel):
    """A learner's place in a session, or on its waiting list (in order of ``queued_at``)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        AttendanceSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="session_registrations",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
    )
    # When the learner last asked for a place: the waiting list is served in this order.
    queued_at = models.DateTimeField(_("asked at"))
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["queued_at", "id"]
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"], name="registration_one_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.session_id}: {self.status}"


class Presence(BaseModel):
    """Whether a learner was at a session and from when to when. ``attended_seconds`` is the
    part of [entered_at, left_at] inside the session's times, set by the services whenever the
    times change; each change is a ``PresenceChange`` row."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        JUSTIFIED = "justified", _("Justified absence")

    session = models.ForeignKey(
        AttendanceSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="presences",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="presences",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    entered_at = models.DateTimeField(_("entry"), null=True, blank=True)
    left_at = models.DateTimeField(_("exit"), null=True, blank=True)
    attended_seconds = models.FloatField(_("attended (seconds)"), default=0.0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["session", "learner"]
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="presence_one_per_learner"),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(entered_at__isnull=True)
                | models.Q(left_at__gte=models.F("entered_at")),
                name="presence_leaves_after_entering",
                violation_error_message=_("The exit cannot come before the entry."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="present") | models.Q(attended_seconds=0),
                name="presence_only_present_attends",
            ),
        ]
        indexes = [models.Index(fields=["learner", "session"], name="presence_learner")]

    def __str__(self) -> str:
        return f"{self.learner_id} at {self.session_id}: {self.status}"


class PresenceChange(models.Model):
    """The append-only history of a presence: who changed it, when, how and why, with the
    record before and after. Nothing updates or deletes these rows."""

    class Action(models.TextChoices):
        ROSTER = "roster", _("Marked on the roster")
        CHECK_IN = "check_in", _("Checked in with the room's code")
        CHECK_OUT = "check_out", _("Checked out with the room's code")
        CORRECTION = "correction", _("Corrected by a coordinator")

    id = models.BigAutoField(primary_key=True)
    presence = models.ForeignKey(
        Presence, verbose_name=_("presence"), on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))
    before = models.JSONField(_("before"), null=True)
    after = models.JSONField(_("after"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("presence change")
        verbose_name_plural = _("presence changes")

    def __str__(self) -> str:
        return f"{self.action} of {self.presence_id} at {self.changed_at:%Y-%m-%d %H:%M}"


class RegisterExport(BaseModel):
    """Every register a coordinator downloaded or asked for: who, which register, which filter,
    when; a large one is made by a task and its file kept until it is fetched."""

    class Register(models.TextChoices):
        SESSION = "session", _("Session register")
        LEARNER = "learner", _("Learner register")
        ORGANISATIONS = "organisations", _("Summary by organisation")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows expected"), default=0)
    file = models.FileField(_("file"), upload_to="registers/", blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register export")
        verbose_name_plural = _("register exports")

    def __str__(self) -> str:
        return f"{self.register} {self.format} by {self.requested_by_id}"
