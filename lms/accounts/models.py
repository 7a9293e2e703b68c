import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.accounts.tax_codes import is_valid_tax_code, normalize_tax_code
from lms.models import BaseModel


def validate_tax_code(value: str) -> None:
    if not is_valid_tax_code(value):
        raise ValidationError(
            _("%(value)s is not a valid Italian tax code (codice fiscale)."),
            code="invalid_tax_code",
            params={"value": value},
        )


class Position(models.TextChoices):
    """What a person is in their organisation: the audiences courses are written for."""

    ADMINISTRATOR = "amministratore", _("Administrator (amministratore)")
    OFFICIAL = "funzionario", _("Official (funzionario)")
    MANAGER = "dirigente", _("Manager (dirigente)")


class MetropolitanCity(BaseModel):
    """One of Italy's 14 Metropolitan Cities; the unit coordinators are scoped to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    istat_code = models.CharField(_("ISTAT code"), max_length=3, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("metropolitan city")
        verbose_name_plural = _("metropolitan cities")

    def __str__(self) -> str:
        return self.name


class Organisation(BaseModel):
    """A public body inside a Metropolitan City: the metropolitan body itself, a municipality,
    or another body (unions of municipalities, publicly owned companies, agencies)."""

    class Kind(models.TextChoices):
        METROPOLITAN_BODY = "metropolitan_body", _("Metropolitan City body")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other body")

    city = models.ForeignKey(
        MetropolitanCity,
        verbose_name=_("metropolitan city"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["city__name", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "city",
                name="organisation_unique_name_per_city",
                violation_error_message=_(
                    "This Metropolitan City already has an organisation with this name."
                ),
            ),
            models.UniqueConstraint(
                fields=["city"],
                condition=models.Q(kind="metropolitan_body"),
                name="organisation_one_metropolitan_body_per_city",
                violation_error_message=_(
                    "This Metropolitan City already has its metropolitan body."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class PersonManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> "User":
        extra_fields.setdefault("role", User.Role.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using the platform. The uuid is the pseudonymous xAPI account name.

    ``role`` grants platform capabilities; everyone can also learn. A coordinator with no
    ``coordinated_city`` is a national coordinator.
    """

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        TRAINER = "trainer", _("Trainer")
        COORDINATOR = "coordinator", _("Coordinator")
        STAFF = "staff", _("Staff")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True)
    tax_code = models.CharField(
        _("tax code (codice fiscale)"), max_length=16, blank=True, validators=[validate_tax_code]
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    position = models.CharField(
        pgettext_lazy("job title", "position"), max_length=20, choices=Position.choices, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEARNER)
    coordinated_city = models.ForeignKey(
        MetropolitanCity,
        verbose_name=_("coordinated city"),
        help_text=_("For coordinators: the city they coordinate. Empty means national."),
        on_delete=models.PROTECT,
        related_name="coordinators",
        null=True,
        blank=True,
    )

    objects: ClassVar[PersonManager] = PersonManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_unique_email",
                violation_error_message=_("A person with this e-mail address already exists."),
            ),
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~models.Q(tax_code=""),
                name="user_unique_tax_code",
                violation_error_message=_("A person with this tax code already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(role="coordinator") | models.Q(coordinated_city__isnull=True),
                name="user_only_coordinators_have_a_city",
                violation_error_message=_("Only coordinators are assigned a Metropolitan City."),
            ),
            models.CheckConstraint(
                condition=models.Q(role="staff", is_staff=True)
                | (~models.Q(role="staff") & models.Q(is_staff=False)),
                name="user_staff_role_matches_is_staff",
                violation_error_message=_(
                    "Staff status goes with the staff role, and only with it."
                ),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        self.tax_code = normalize_tax_code(self.tax_code)
        self.email = self.email.strip().lower()
        # Staff status follows the platform role (a database constraint insists on it).
        self.is_staff = self.role == self.Role.STAFF

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_national_coordinator(self) -> bool:
        return self.is_coordinator and self.coordinated_city_id is None

    @property
    def sees_every_city(self) -> bool:
        """Staff and national coordinators see the people of every city."""
        return self.is_staff or self.is_national_coordinator

    @property
    def can_teach(self) -> bool:
        return self.role in (self.Role.TRAINER, self.Role.STAFF)
