"""The certificates pages' forms: a verification code typed (or pasted, whole link and all), the
language of a download, and the coordinator's filter. Shapes only: what the code means, and
whose certificates are listed, is for the certificates' selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.codes import code_normalised
from certificates.models import Certificate
from certificates.selectors import CertificateFilter
from pages.attendance.forms import PeopleFilterForm

# A code is 19 characters as printed; room for spaces, and for a whole pasted link.
CODE_TYPED_MAX_LENGTH = 200
SEARCH_MAX_LENGTH = 100
STATUS_CHOICES = [("valid", _("Valid")), ("revoked", _("Revoked"))]


class VerifyForm(forms.Form):
    """The code as someone types it, or the verification link pasted from an e-mail."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=CODE_TYPED_MAX_LENGTH,
        help_text=_(
            "16 letters and digits, printed on the certificate under the QR code, "
            "e.g. 7K3Q-9XW2-PA4D-R8TF."
        ),
        widget=forms.TextInput(
            attrs={
                "class": "form-control verification-code-input",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "aria-describedby": "id_code_helptext",
            }
        ),
    )

    def clean_code(self) -> str:
        """What was typed, without the link around it: ``…/verify/7K3Q-…`` gives the code."""
        typed: str = self.cleaned_data["code"].strip()
        if "/verify/" in typed:
            typed = typed.rsplit("/verify/", 1)[1].split("?", 1)[0].split("#", 1)[0]
        return typed.strip("/ ")

    def canonical_code(self) -> str | None:
        """The code as printed, or None when what was typed cannot be a code."""
        return code_normalised(self.cleaned_data["code"])


class DownloadForm(forms.Form):
    """``?lang=en``: the certificate written in another language than its own."""

    lang = forms.ChoiceField(choices=Certificate.Language.choices, required=False)

    def language(self, certificate: Certificate) -> str:
        return self.cleaned_data.get("lang") or certificate.language


def _day_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CertificateFilterForm(PeopleFilterForm):
    """The coordinator's filter: every field narrows, within the people they coordinate (the
    choices hold only their city's organisations; the city only for those who see them all)."""

    q = forms.CharField(
        label=_("Name or code"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *Certificate.Kind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *STATUS_CHOICES], required=False
    )
    issued_from = _day_field(_("Issued from"))
    issued_to = _day_field(_("Issued until"))

    field_order = [
        "q",
        "city",
        "organisation",
        "course",
        "kind",
        "status",
        "issued_from",
        "issued_to",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and end < start:
            self.add_error("issued_to", _("The end of the period comes before its start."))
        return data

    def where(self) -> CertificateFilter:
        data = self.cleaned_data

        def pk(name: str) -> Any:
            value = data.get(name)
            return value.pk if value is not None else None

        return CertificateFilter(
            city_id=pk("city"),
            organisation_id=pk("organisation"),
            course_id=pk("course"),
            kind=data.get("kind") or None,
            status=data.get("status") or None,
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            search=data.get("q") or "",
        )
