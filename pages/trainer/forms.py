"""The trainer's forms: the same fields and limits as the API's input serializers
(``courses/apis.py``, ``media/apis.py``), labelled with the models' own names."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lesson, Module, ThematicArea
from lms.accounts.models import Position
from lms.exceptions import ApplicationError
from media.models import Caption, CourseDocument, VideoAsset


def _label(model: type[Model], name: str) -> Any:
    return capfirst(getattr(model._meta.get_field(name), "verbose_name", name))


def _hours(model: type[Model], name: str, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=_label(model, name),
        max_digits=6,
        decimal_places=1,
        min_value=Decimal(0),
        required=required,
    )


def _position() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("1 is the first; leave it empty to keep it where it is (new: last)."),
    )


class ServiceErrorsMixin:
    """Show what a service refused on the form, in the reader's language."""

    def add_service_error(self, error: ApplicationError | ValidationError) -> None:
        form: forms.Form = self  # type: ignore[assignment]
        if isinstance(error, ApplicationError):
            form.add_error(None, str(error.message))
            return
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)


class CourseCreateForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_label(Course, "title"), max_length=200)
    area = forms.ModelChoiceField(
        label=_label(Course, "area"), queryset=ThematicArea.objects.all(), empty_label=None
    )
    summary = forms.CharField(label=_label(Course, "summary"), max_length=500, required=False)
    language = forms.ChoiceField(label=_label(Course, "language"), choices=Course.Language.choices)
    declared_hours = _hours(Course, "declared_hours")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data["declared_hours"] is None:
            del data["declared_hours"]
        return data


class CourseForm(CourseCreateForm):
    description = forms.CharField(
        label=_label(Course, "description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    audience = forms.MultipleChoiceField(
        label=capfirst(_("intended audience")),
        choices=Position.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    self_enrollment_open = forms.BooleanField(
        label=_label(Course, "self_enrollment_open"),
        help_text=Course._meta.get_field("self_enrollment_open").help_text,
        required=False,
    )
    status = forms.ChoiceField(
        label=_label(Course, "status"),
        choices=Course.Status.choices,
        help_text=_(
            "A course can be published once it has a module with a lesson; a course people "
            "are enrolled in can be archived, not taken back to draft."
        ),
    )
    field_order = [
        "title",
        "summary",
        "description",
        "area",
        "language",
        "declared_hours",
        "audience",
        "self_enrollment_open",
        "status",
    ]

    @classmethod
    def initial_of(cls, course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "summary": course.summary,
            "description": course.description,
            "area": course.area_id,
            "language": course.language,
            "declared_hours": course.declared_hours,
            "audience": sorted(a.position for a in course.audiences.all()),
            "self_enrollment_open": course.self_enrollment_open,
            "status": course.status,
        }

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.setdefault("declared_hours", Decimal(0))
        return data


class ModuleForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_label(Module, "title"), max_length=200)
    description = forms.CharField(
        label=_label(Module, "description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    declared_hours = _hours(Module, "declared_hours")
    completion_min_hours = _hours(Module, "completion_min_hours")
    completion_min_attendance_percent = forms.IntegerField(
        label=_label(Module, "completion_min_attendance_percent"),
        min_value=0,
        max_value=100,
        required=False,
    )
    position = _position()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("completion_min_hours", "completion_min_attendance_percent"):
            self.fields[name].help_text = getattr(Module._meta.get_field(name), "help_text", "")

    @classmethod
    def initial_of(cls, module: Module) -> dict[str, Any]:
        return {
            "title": module.title,
            "description": module.description,
            "declared_hours": module.declared_hours,
            "completion_min_hours": module.completion_min_hours,
            "completion_min_attendance_percent": module.completion_min_attendance_percent,
            "position": module.position,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data["declared_hours"] is None:
            data["declared_hours"] = Decimal(0)
        if data["position"] is None:
            del data["position"]
        return data


class LessonForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_label(Lesson, "title"), max_length=200)
    kind = forms.ChoiceField(label=_label(Lesson, "kind"), choices=Lesson.Kind.choices)
    description = forms.CharField(
        label=_label(Lesson, "description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    is_required = forms.BooleanField(
        label=_label(Lesson, "is_required"),
        help_text=Lesson._meta.get_field("is_required").help_text,
        required=False,
        initial=True,
    )
    # To the tenth of a second, as the API's (0.25 is refused, not rounded out of sight).
    duration_seconds = forms.DecimalField(
        label=_label(Lesson, "duration_seconds"),
        max_digits=9,
        decimal_places=1,
        min_value=Decimal(0),
        required=False,
        help_text=Lesson._meta.get_field("duration_seconds").help_text,
    )
    video_asset = forms.ModelChoiceField(
        label=_label(Lesson, "video_asset"),
        queryset=VideoAsset.objects.none(),
        required=False,
        empty_label=_("No video"),
        help_text=Lesson._meta.get_field("video_asset").help_text,
    )
    position = _position()

    def __init__(self, *args: Any, videos: QuerySet[VideoAsset], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["video_asset"]
        field.queryset = videos  # type: ignore[attr-defined]
        field.label_from_instance = lambda video: f"{video.title} ({video.get_status_display()})"  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, lesson: Lesson) -> dict[str, Any]:
        return {
            "title": lesson.title,
            "kind": lesson.kind,
            "description": lesson.description,
            "is_required": lesson.is_required,
            "duration_seconds": lesson.duration_seconds,
            "video_asset": lesson.video_asset_id,
            "position": lesson.position,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        duration = data["duration_seconds"]
        data["duration_seconds"] = None if duration is None else float(duration)
        if data["position"] is None:
            del data["position"]
        return data


class MoveForm(forms.Form):
    position = forms.IntegerField(min_value=1)


class CaptionForm(ServiceErrorsMixin, forms.Form):
    language = forms.CharField(
        label=_label(Caption, "language"),
        max_length=35,
        help_text=_("A language code: it, en, de-CH…"),
    )
    label = forms.CharField(
        label=_label(Caption, "label"),
        max_length=100,
        required=False,
        help_text=_("What the player's menu shows, e.g. “Italiano”."),
    )
    file = forms.FileField(
        label=_("Caption file (WebVTT or SRT)"),
        widget=forms.FileInput(attrs={"accept": ".vtt,.srt,text/vtt"}),
    )


class DocumentForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_label(CourseDocument, "title"), max_length=200, required=False)
    lesson = forms.ModelChoiceField(
        label=_label(CourseDocument, "lesson"),
        queryset=Lesson.objects.none(),
        required=False,
        empty_label=_("The whole course"),
    )
    file = forms.FileField(
        label=_("File (PDF, Office or OpenDocument)"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.pptx,.xlsx,.odt,.odp,.ods"}),
    )

    def __init__(self, *args: Any, lessons: QuerySet[Lesson], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = lessons  # type: ignore[attr-defined]
