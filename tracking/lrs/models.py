"""The Learning Record Store's storage: clients, statements with their query index, the outbox
of stored statements, documents, forwarding targets."""

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
    # Storing a statement is the LRS's duty; crediting hours from it is trust staff give.
    can_credit = models.BooleanField(
        _("may credit learners' hours"),
        default=False,
        help_text=_(
            "Statements this client stores count toward learners' hours and completions. "
            "Only for a player staff trust to report real viewing, like the platform's own."
        ),
    )
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
    # The statement's place in the request that stored it: a batch shares one ``stored``, and
    # its order is the client's (the Video Profile's played before paused), not its ids'.
    sequence = models.PositiveIntegerField(default=0)
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


class StatementOutbox(models.Model):
    """The LRS's outbox: a row per stored statement its consumer (the progress engine) has not
    applied yet, written with the statement and deleted by the drain that applies it. A table of its
    own, so that taking a statement out is a small delete rather than an update of the wide
    statement row and all its indexes."""

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stored = models.DateTimeField()
    sequence = models.PositiveIntegerField(default=0)  # the statement's, in its batch
    # What the engine reads of the statement's JSON (``tracking.lrs.outbox.statement_facts``),
    # read when it was stored, so that applying it never parses the JSON again. None: absent
    # (as the database's own reading of the JSON says it, for a recompute).
    video_session = models.TextField(null=True)  # noqa: DJ001
    cmi5_session = models.TextField(null=True)  # noqa: DJ001
    segments = models.TextField(null=True)  # noqa: DJ001
    duration = models.TextField(null=True)  # noqa: DJ001
    emitted_by_engine = models.BooleanField(default=False)

    class Meta:
        db_table = "tracking_progressoutbox"  # the model's old name, ProgressOutbox
        verbose_name = _("statement waiting for the progress engine")
        verbose_name_plural = _("statements waiting for the progress engine")
        indexes = [models.Index(fields=["stored", "sequence", "statement"], name="outbox_order")]

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
