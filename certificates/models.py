"""Certificates: one per completed module, course or programme (or issued by staff with a
reason), with what it shows frozen at issue, its verification code, its Open Badges 3.0
credential and its PDF; revoked, never deleted, and every change kept in its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models import BaseModel


class CertificateTemplate(BaseModel):
    """The HTML and CSS a certificate's PDF is rendered from, written by staff in the admin
    (with a preview) against the fixed context of ``certificates.rendering``. One is active;
    with none, the built-in template (``certificates/templates/certificates/default.*``)."""

    name = models.CharField(_("name"), max_length=200)
    html = models.TextField(_("HTML"))
    css = models.TextField(_("CSS"), blank=True)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="certificate_template_one_active",
                violation_error_message=_("Only one certificate template can be active."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Certificate(BaseModel):
    """An attestato: who, what, how many hours (distance, in person and webinar apart), when,
    by whom, all copied at issue so that later edits of a name or a course never change what
    was certified. Valid until revoked; a re-issue is a new certificate that ``replaces`` the
    revoked one."""

    class Kind(models.TextChoices):
        MODULE = "module", _("Module")
        COURSE = "course", _("Course")
        PROGRAMME = "programme", _("Programme")

    class Language(models.TextChoices):
        ITALIAN = "it", _("Italian")
        ENGLISH = "en", _("English")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    module = models.ForeignKey(
        "courses.Module",
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The completion it certifies (none when staff issued it by hand): its withdrawal revokes.
    completion = models.ForeignKey(
        "tracking.Completion",
        verbose_name=_("completion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    # Printed on the PDF and in its QR code; 80 random bits (``certificates.codes``).
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    # Its bit in the revocation status list (Bitstring Status List), drawn at random.
    status_list = models.PositiveIntegerField(_("status list"), default=1)
    status_index = models.PositiveIntegerField(_("status list index"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )

    # What the certificate shows, as it was at issue.
    learner_name = models.CharField(_("learner's name"), max_length=300)
    learner_tax_code = models.CharField(_("tax code"), max_length=16, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    city_name = models.CharField(_("Metropolitan City"), max_length=100, blank=True)
    title = models.CharField(_("what was completed"), max_length=300)
    course_title = models.CharField(_("course"), max_length=300, blank=True)
    distance_seconds = models.FloatField(_("distance learning (seconds)"), default=0.0)
    in_person_seconds = models.FloatField(_("in person (seconds)"), default=0.0)
    webinar_seconds = models.FloatField(_("live webinar (seconds)"), default=0.0)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"))
    issued_at = models.DateTimeField(_("issued at"))
    issuer_name = models.CharField(_("issuer"), max_length=300)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issue_reason = models.TextField(_("why issued by hand"), blank=True)

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("why revoked"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Made by the task after commit, each once: the signed credential, the PDF, the xAPI.
    credential = models.JSONField(_("Open Badges credential"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    template = models.ForeignKey(
        CertificateTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    render_error = models.TextField(_("why the PDF failed"), blank=True)
    earned_announced_at = models.DateTimeField(_("earned statement sent"), null=True, blank=True)
    revocation_announced_at = models.DateTimeField(
        _("revocation statement sent"), null=True, blank=True
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # Exactly once: one valid certificate per completion and per thing certified.
            models.UniqueConstraint(
                fields=["completion"],
                condition=models.Q(revoked_at__isnull=True),
                name="certificate_once_per_completion",
            ),
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=models.Q(kind="module", revoked_at__isnull=True),
                name="certificate_once_per_module",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(kind="course", revoked_at__isnull=True),
                name="certificate_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(kind="programme", revoked_at__isnull=True),
                name="certificate_once_per_programme",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_bit"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="module", module__isnull=False, course__isnull=False)
                    | models.Q(kind="course", module__isnull=True, course__isnull=False)
                    | models.Q(kind="programme", module__isnull=True, course__isnull=True)
                ),
                name="certificate_names_what",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "issued_at"], name="certificate_learner"),
            models.Index(
                fields=["status_list"],
                name="certificate_revoked",
                condition=models.Q(revoked_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_name}: {self.title} ({self.code})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateEvent(models.Model):
    """The append-only history of a certificate: issued, rendered, revoked, replaced; who,
    when and why. Written by the services only, never changed."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REISSUED = "reissued", _("Issued to replace a revoked certificate")
        RENDERED = "rendered", _("PDF written")
        RENDER_FAILED = "render_failed", _("PDF failed")
        REVOKED = "revoked", _("Revoked")

    id = models.BigAutoField(primary_key=True)
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("why"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate history")

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class StatusListPublication(models.Model):
    """The signed Bitstring Status List credential of one list, as last published: signed
    again when a revocation makes it ``stale``, so that a GET never signs."""

    number = models.PositiveIntegerField(_("list"), primary_key=True)
    credential = models.JSONField(_("status list credential"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    stale = models.BooleanField(_("to sign again"), default=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return str(self.number)
