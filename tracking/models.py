"""The Learning Record Store's storage: clients, statements with their query index, documents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import BaseModel


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"xapi/attachments/{attachment.sha2[:2]}/{attachment.sha2}"


class LrsClient(BaseModel):
    """Credentials of a system that talks to the LRS with HTTP Basic authentication.

    The key is the Basic user name; only a hash of the secret is kept. Statements the client
    stores get ``authority`` as their authority.
    """

    class ReadScope(models.TextChoices):
        NONE = "none", _("Cannot read statements")
        MINE = "mine", _("Reads the statements it stored")
        ALL = "all", _("Reads all statements")

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("key"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret (hashed)"), max_length=256)
    authority = models.JSONField(_("authority"))
    can_write = models.BooleanField(_("can write"), default=True)
    read_scope = models.CharField(
        _("reads"), max_length=8, choices=ReadScope.choices, default=ReadScope.MINE
    )
    xapi_version = models.CharField(
        _("xAPI version"),
        max_length=8,
        choices=[("1.0.3", "xAPI 1.0.3"), ("2.0.0", "xAPI 2.0 (IEEE 9274.1.1)")],
        default="1.0.3",
        help_text=_(
            "The version the client is built for: the LRS answers in it when a request does "
            "not say which version it speaks."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("LRS client")
        verbose_name_plural = _("LRS clients")

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    """One xAPI statement as stored (``payload``), plus the columns queries filter on.

    The payload is immutable; only ``voided`` changes, when a voiding statement arrives.
    """

    id = models.UUIDField(primary_key=True)
    payload = models.JSONField()
    actor_ifi = models.CharField(max_length=512)
    verb_id = models.CharField(max_length=2048)
    object_activity_id = models.CharField(max_length=2048, blank=True)
    object_agent_ifi = models.CharField(max_length=512, blank=True)
    object_statement_id = models.UUIDField(null=True, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField()
    voided = models.BooleanField(default=False)
    is_voiding = models.BooleanField(default=False)
    client = models.ForeignKey(
        LrsClient, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [
            # Newest first is the default order of every query; (stored, id) is the page cursor.
            models.Index(fields=["-stored", "-id"], name="statement_stored"),
            models.Index(fields=["actor_ifi", "verb_id", "-stored"], name="statement_actor_verb"),
            models.Index(fields=["verb_id", "-stored"], name="statement_verb"),
            models.Index(fields=["object_activity_id", "-stored"], name="statement_activity"),
            models.Index(fields=["registration", "-stored"], name="statement_registration"),
            # An Agent object: the agent filter matches the actor or the object
            models.Index(
                fields=["object_agent_ifi", "-stored"],
                name="statement_object_agent",
                condition=~models.Q(object_agent_ifi=""),
            ),
            # StatementRef targets: queries also return statements that point at a match. Only
            # the few statements with one are indexed (mostly voiding statements).
            models.Index(
                fields=["object_statement_id"],
                name="statement_target",
                condition=models.Q(object_statement_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class ProgressOutbox(models.Model):
    """The progress engine's outbox: a row per stored statement the engine has not applied
    yet, written with the statement and deleted by the drain that applies it. A table of its
    own, so that taking a statement out is a small delete rather than an update of the wide
    statement row and all its indexes."""

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stored = models.DateTimeField()
    # What the engine reads of the statement's JSON (``tracking.credit.statement_facts``),
    # read when it was stored, so that applying it never parses the JSON again. None: absent
    # (as the database's own reading of the JSON says it, for a recompute).
    video_session = models.TextField(null=True)  # noqa: DJ001
    cmi5_session = models.TextField(null=True)  # noqa: DJ001
    segments = models.TextField(null=True)  # noqa: DJ001
    duration = models.TextField(null=True)  # noqa: DJ001
    emitted_by_engine = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("statement waiting for the progress engine")
        verbose_name_plural = _("statements waiting for the progress engine")
        indexes = [models.Index(fields=["stored", "statement"], name="progress_outbox_order")]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementActivity(models.Model):
    """An activity a statement names anywhere (object, context activities, sub-statement):
    what ``activity`` with ``related_activities=true`` matches."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    activity_id = models.CharField(max_length=2048)

    class Meta:
        indexes = [models.Index(fields=["activity_id"], name="statement_activity_link")]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "activity_id"], name="statement_activity_link_unique"
            )
        ]

    def __str__(self) -> str:
        return self.activity_id


class StatementAgent(models.Model):
    """An agent or group a statement names anywhere (actor, object, authority, context,
    group members, sub-statement): what ``agent`` with ``related_agents=true`` matches."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    agent_ifi = models.CharField(max_length=512)

    class Meta:
        indexes = [models.Index(fields=["agent_ifi"], name="statement_agent_link")]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "agent_ifi"], name="statement_agent_link_unique"
            )
        ]

    def __str__(self) -> str:
        return self.agent_ifi


class Attachment(models.Model):
    """Attachment bytes, stored once per SHA-2 whatever the number of statements using them."""

    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    content = models.FileField(upload_to=attachment_path, max_length=300)

    def __str__(self) -> str:
        return self.sha2


class Document(models.Model):
    """A State, Activity Profile or Agent Profile document (xAPI 1.0.3 §7.3-7.6)."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        ACTIVITY_PROFILE = "activity_profile", _("Activity profile")
        AGENT_PROFILE = "agent_profile", _("Agent profile")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.CharField(max_length=2048, blank=True)
    agent_ifi = models.CharField(max_length=512, blank=True)
    registration = models.CharField(max_length=36, blank=True)  # "" when none: unique below
    document_id = models.CharField(max_length=2048)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_ifi", "registration", "document_id"],
                name="document_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "activity_id", "agent_ifi", "registration", "updated"],
                name="document_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"


class ForwardingTarget(BaseModel):
    """An external LRS (a regional Learning Locker, Ralph, …) that receives a copy of every
    statement, replayed in (stored, id) order. ``last_stored``/``last_id`` is the cursor: the
    last statement the remote accepted. The forwarder claims the row (select_for_update with
    skip_locked) while it sends a batch, so two workers never send the same batch.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    endpoint = models.URLField(_("endpoint"), help_text=_("The xAPI base URL, ending in /xapi/."))
    key = models.CharField(_("key"), max_length=200, help_text=_("HTTP Basic user name."))
    # Stored as given, not hashed: it is another system's credential, which we must present
    # in clear on every request. Keep database backups as confidential as the remote's data.
    secret = models.CharField(_("secret"), max_length=500, help_text=_("HTTP Basic password."))
    batch_size = models.PositiveIntegerField(_("batch size"), default=100)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Cleared when the remote refuses a batch (4xx): fix the cause, then re-tick."),
    )
    last_stored = models.DateTimeField(_("last forwarded statement: stored"), null=True, blank=True)
    last_id = models.UUIDField(_("last forwarded statement: id"), null=True, blank=True)
    forwarded_count = models.PositiveBigIntegerField(_("statements forwarded"), default=0)
    last_forwarded_at = models.DateTimeField(_("last forwarded at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("forwarding target")
        verbose_name_plural = _("forwarding targets")

    def __str__(self) -> str:
        return self.name


# --- progress engine ------------------------------------------------------------------------


class LearnerClock(models.Model):
    """What the progress engine remembers of one learner between two statements (the open
    viewing sessions and the real time already credited: ``tracking.credit.LearnerState``),
    and the last statement it applied, in (stored, id) order. Locked while a statement of the
    learner is applied, so concurrent statements never lose an update."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    state = models.JSONField(_("engine state"), default=dict)
    last_stored = models.DateTimeField(_("last statement applied: stored"), null=True)
    last_statement_id = models.UUIDField(_("last statement applied: id"), null=True)
    credited_seconds = models.FloatField(_("credited (seconds)"), default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner's progress clock")
        verbose_name_plural = _("learners' progress clocks")

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
        on_delete=models.CASCADE,
        related_name="progress",
    )
    covered = models.JSONField(_("covered intervals"), default=list)
    covered_seconds = models.FloatField(_("covered (seconds)"), default=0.0)
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
        "courses.Lesson", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="+"
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
        "courses.Lesson", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    module = models.ForeignKey(
        "courses.Module", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"))
    credited_seconds = models.FloatField(_("credited (seconds)"), default=0.0)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"],
                condition=models.Q(kind="lesson"),
                name="completion_once_per_lesson",
            ),
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=models.Q(kind="module"),
                name="completion_once_per_module",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(kind="course"),
                name="completion_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(kind="programme"),
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.kind} {self.lesson_id or self.module_id or self.course_id}"
