"""The catalogue's search and filters: a GET form that works without JavaScript."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import ThematicArea
from lms.accounts.models import Position

MODALITY_CHOICES = [
    ("distance", _("Distance learning only (video and documents)")),
    ("in_person", _("With in-person sessions")),
    ("webinar", _("With live webinars")),
]


class CatalogueForm(forms.Form):
    q = forms.CharField(
        label=_("Words in the title or summary"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    area = forms.ChoiceField(label=_("Theme"), required=False)
    audience = forms.ChoiceField(
        label=_("Intended for"),
        required=False,
        choices=[("", _("Everyone"))] + list(Position.choices),
    )
    modality = forms.ChoiceField(
        label=_("Modality"),
        required=False,
        choices=[("", _("Any modality")), *MODALITY_CHOICES],
    )

    def __init__(self, *args: Any, areas: Iterable[ThematicArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All themes"))] + [  # type: ignore[attr-defined]
            (area.slug, area.name) for area in areas
        ]

    def filters(self) -> dict[str, str]:
        """The valid filters as ``course_catalogue`` takes them (an invalid value: ignored)."""
        self.is_valid()  # cleaned_data keeps the fields that are valid
        data = self.cleaned_data
        return {
            "text": data.get("q", ""),
            "area_slug": data.get("area", ""),
            "position": data.get("audience", ""),
            "modality": data.get("modality", ""),
        }
