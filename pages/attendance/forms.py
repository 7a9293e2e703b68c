"""The attendance pages' forms: a session's facts with its day and times typed apart (in
Europe/Rome, as the programme is), a roster line, the room's code, the register's filter and a
coordinator's correction. Shapes only: what a service refuses is shown on the form."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lesson, Module
from lms.accounts.models import MetropolitanCity, Organisation, User
from pages.trainer.forms import ServiceErrorsMixin
from tracking.attendance.models import AttendanceSession, Presence, RegisterExport
from tracking.attendance.selectors import RegisterChoices, RegisterFilter

CODE_DIGITS = 6


def _label(model: type[Model], name: str) -> Any:
    return capfirst(getattr(model._meta.get_field(name), "verbose_name", name))


def _day_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def _time_field(label: Any, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


def at_rome(day: date, moment: time | None) -> datetime | None:
    """A day and a wall-clock time of the programme (Europe/Rome) as an aware moment."""
    if moment is None:
        return None
    return timezone.make_aware(datetime.combine(day, moment))


def local_time(moment: datetime | None) -> time | None:
    return timezone.localtime(moment).time().replace(second=0, microsecond=0) if moment else None


class SessionForm(ServiceErrorsMixin, forms.Form):
    """A session's facts. ``lessons`` is given when creating (the lesson is then chosen)."""

    lesson: forms.ModelChoiceField[Lesson] = forms.ModelChoiceField(
        label=_label(AttendanceSession, "lesson"), queryset=Lesson.objects.none()
    )
    kind = forms.ChoiceField(
        label=_label(AttendanceSession, "kind"), choices=AttendanceSession.Kind.choices
    )
    title = forms.CharField(
        label=_label(AttendanceSession, "title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the lesson's title."),
    )
    day = _day_field(_("Day"))
    start = _time_field(_("Start time"))
    end = _time_field(_("End time"))
    place = forms.CharField(
        label=_label(AttendanceSession, "place"),
        max_length=300,
        required=False,
        help_text=_("The address of an in-person day or visit."),
    )
    link = forms.URLField(
        label=_label(AttendanceSession, "link"),
        max_length=500,
        required=False,
        help_text=_("The address of a live webinar."),
        assume_scheme="https",
    )
    capacity = forms.IntegerField(label=_label(AttendanceSession, "capacity"), min_value=1)
    hosting_city = forms.ModelChoiceField(
        label=_label(AttendanceSession, "hosting_city"),
        queryset=MetropolitanCity.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("For an exchange visit: the city that receives the visitors."),
    )
    visiting_cities = forms.ModelMultipleChoiceField(
        label=_label(AttendanceSession, "visiting_cities"),
        queryset=MetropolitanCity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        cities: QuerySet[MetropolitanCity],
        lessons: QuerySet[Lesson] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if lessons is None:
            del self.fields["lesson"]
        else:
            field = self.fields["lesson"]
            field.queryset = lessons  # type: ignore[attr-defined]
            field.label_from_instance = lambda lesson: (  # type: ignore[attr-defined]
                f"{lesson.module.course.title} · {lesson.module.title} · {lesson.title}"
            )
        self.fields["hosting_city"].queryset = cities  # type: ignore[attr-defined]
        self.fields["visiting_cities"].queryset = cities  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, session: AttendanceSession) -> dict[str, Any]:
        starts = timezone.localtime(session.starts_at)
        return {
            "kind": session.kind,
            "title": session.title,
            "day": starts.date(),
            "start": local_time(session.starts_at),
            "end": local_time(session.ends_at),
            "place": session.place,
            "link": session.link,
            "capacity": session.capacity,
            "hosting_city": session.hosting_city_id,
            "visiting_cities": [city.pk for city in session.visiting_cities.all()],
        }

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "starts_at": at_rome(data["day"], data["start"]),
            "ends_at": at_rome(data["day"], data["end"]),
            "place": data["place"],
            "link": data["link"],
            "capacity": data["capacity"],
            "hosting_city": data["hosting_city"],
        }


MARK_CHOICES = [("", _("Not marked")), *Presence.Status.choices]


class RosterLineForm(forms.Form):
    """One learner's line of the roster: how they were there and from when to when."""

    status = forms.ChoiceField(label=_("Presence"), choices=MARK_CHOICES, required=False)
    entered = _time_field(_("Entry"), required=False)
    left = _time_field(_("Exit"), required=False)
    note = forms.CharField(label=_label(Presence, "note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"
        for name in ("entered", "left"):
            self.fields[name].widget.attrs["class"] = "form-control roster-time"
        self.fields["note"].widget.attrs["class"] = "form-control roster-note"

    @classmethod
    def initial_of(cls, session: AttendanceSession, presence: Presence | None) -> dict[str, Any]:
        """The line as recorded; a line not marked yet proposes the session's own times."""
        if presence is None:
            return {
                "status": "",
                "entered": local_time(session.starts_at),
                "left": local_time(session.ends_at),
                "note": "",
            }
        return {
            "status": presence.status,
            "entered": local_time(presence.entered_at) or local_time(session.starts_at),
            "left": local_time(presence.left_at) or local_time(session.ends_at),
            "note": presence.note,
        }


class CheckInForm(forms.Form):
    """The six digits on the room's screen. Typed on a phone: a numeric keypad, no
    autocompletion (yesterday's code is worth nothing)."""

    code = forms.RegexField(
        label=_("The code shown in the room"),
        regex=rf"^\s*\d{{{CODE_DIGITS}}}\s*$",
        error_messages={"invalid": _("Type the 6 digits shown on the screen.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": "[0-9]*",
                "maxlength": CODE_DIGITS,
                "class": "form-control check-in-code",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


class PersonRegistrationForm(forms.Form):
    """A coordinator registers one of their people."""

    learner = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["learner"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda person: (  # type: ignore[attr-defined]
            f"{person.last_name} {person.first_name}".strip() or person.username
        )


# The download buttons: each a format, and the CSV twice (comma, or semicolon for Excel set to
# Italian, which reads a comma as the decimal separator).
DOWNLOADS = {
    "csv": (RegisterExport.Format.CSV, ","),
    "csv-semicolon": (RegisterExport.Format.CSV, ";"),
    "xlsx": (RegisterExport.Format.XLSX, ","),
    "pdf": (RegisterExport.Format.PDF, ","),
}


class PeopleFilterForm(forms.Form):
    """The filter fields every coordinator's page shares: city (only for those who see every
    city), organisation and course, their choices limited to the actor's people
    (``register_filter_choices``). Subclasses add their own fields and ``field_order``."""

    city = forms.ModelChoiceField(
        label=_("Metropolitan City"),
        queryset=MetropolitanCity.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    course: forms.ModelChoiceField[Course] = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.none(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, choices: RegisterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        if choices.cities is None:
            del fields["city"]
        else:
            fields["city"].queryset = choices.cities  # type: ignore[attr-defined]
        fields["organisation"].queryset = choices.organisations  # type: ignore[attr-defined]
        fields["organisation"].label_from_instance = lambda o: (  # type: ignore[attr-defined]
            f"{o.name} ({o.city.name})" if choices.cities is not None else o.name
        )
        fields["course"].queryset = choices.courses  # type: ignore[attr-defined]


class RegisterForm(PeopleFilterForm):
    register = forms.ChoiceField(
        label=_("Which register"),
        choices=RegisterExport.Register.choices,
        widget=forms.RadioSelect,
        initial=RegisterExport.Register.SESSION,
    )
    module: forms.ModelChoiceField[Module] = forms.ModelChoiceField(
        label=_("Module"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    session: forms.ModelChoiceField[AttendanceSession] = forms.ModelChoiceField(
        label=_("Session"),
        queryset=AttendanceSession.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    date_from = _day_field(_("From"), required=False)
    date_to = _day_field(_("To"), required=False)
    download = forms.ChoiceField(choices=[(key, key) for key in DOWNLOADS])
    field_order = [
        "register",
        "city",
        "organisation",
        "course",
        "module",
        "session",
        "date_from",
        "date_to",
        "download",
    ]

    def __init__(self, *args: Any, choices: RegisterChoices, **kwargs: Any) -> None:
        super().__init__(*args, choices=choices, **kwargs)
        fields = self.fields
        fields["module"].queryset = choices.modules  # type: ignore[attr-defined]
        fields["module"].label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{m.course.title} · {m.title}"
        )
        fields["session"].queryset = choices.sessions  # type: ignore[attr-defined]
        fields["session"].label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"{timezone.localtime(s.starts_at):%d/%m/%Y} · {s.title}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def where(self) -> RegisterFilter:
        data = self.cleaned_data

        def pk(name: str) -> Any:
            value = data.get(name)
            return value.pk if value is not None else None

        return RegisterFilter(
            city_id=pk("city"),
            organisation_id=pk("organisation"),
            course_id=pk("course"),
            module_id=pk("module"),
            session_id=pk("session"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def download_format(self) -> tuple[str, str]:
        return DOWNLOADS[self.cleaned_data["download"]]


class CorrectionForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Presence"), choices=Presence.Status.choices)
    entered = _time_field(_("Entry"), required=False)
    left = _time_field(_("Exit"), required=False)
    note = forms.CharField(label=_label(Presence, "note"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the record's history, with your name and the time. 10 characters at least."
        ),
    )

    @classmethod
    def initial_of(cls, presence: Presence) -> dict[str, Any]:
        session = presence.session
        return {
            "status": presence.status,
            "entered": local_time(presence.entered_at) or local_time(session.starts_at),
            "left": local_time(presence.left_at) or local_time(session.ends_at),
            "note": presence.note,
        }
