"""The coordinator's pages: the dashboard of their Metropolitan City, its people, and the bulk
enrolment upload. Thin: each view parses the query or form, calls one selector or service and
renders. The scope (a city coordinator sees only their own city) is the selectors'."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.services import enrollments_import
from courses.services.imports import RowOutcome
from lms.accounts.exceptions import PersonNotFound
from lms.accounts.models import MetropolitanCity, User
from lms.accounts.selectors import city_list
from lms.exceptions import ApplicationError
from pages.attendance.hours import hours_apart
from tracking.progress.selectors import city_dashboard, learner_progress, person_progress_list

PAGE_SIZE = 25


def _coordinator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (user.is_coordinator or user.is_staff):
        raise PermissionDenied
    return user


def _city(request: HttpRequest, actor: User) -> tuple[MetropolitanCity | None, list[Any]]:
    """The city the page shows and the cities to choose from (national coordinators, staff).
    A city coordinator always gets their own city: another one asked for is refused."""
    cities = list(city_list())
    asked = request.GET.get("city", "")
    if not actor.sees_every_city:
        own = next((c for c in cities if c.pk == actor.coordinated_city_id), None)
        if asked and own is not None and asked != own.slug:
            messages.warning(request, gettext("You can only see your own Metropolitan City."))
        return own, []
    return next((c for c in cities if c.slug == asked), None), cities


def _city_id(city: MetropolitanCity | None) -> UUID | None:
    return city.pk if city is not None else None


def _histogram(distribution: list[tuple[int, int | None, int]]) -> dict[str, Any]:
    """Bar geometry for the server-rendered SVG histogram."""
    top = max((count for _, _, count in distribution), default=0) or 1
    height, bar = 200, 70
    bars = []
    for index, (low, high, count) in enumerate(distribution):
        h = round(height * count / top)
        bars.append(
            {
                "low": low,
                "high": high,
                "count": count,
                "x": 10 + index * (bar + 10),
                "y": height - h + 20,
                "height": h,
                "width": bar,
                "label_x": 10 + index * (bar + 10) + bar // 2,
            }
        )
    return {"bars": bars, "width": 10 + len(distribution) * (bar + 10), "height": height + 60}


def _activity(days: list[tuple[Any, float, int]]) -> dict[str, Any]:
    top = max((hours for _, hours, _ in days), default=0) or 1
    height, bar = 160, 16
    bars = []
    for index, (day, hours, people) in enumerate(days):
        h = round(height * hours / top)
        bars.append(
            {
                "day": day,
                "hours": hours,
                "people": people,
                "x": 10 + index * (bar + 4),
                "y": height - h + 10,
                "height": h,
                "width": bar,
            }
        )
    return {"bars": bars, "width": 10 + len(days) * (bar + 4), "height": height + 20}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _coordinator(request)
    city, cities = _city(request, actor)
    data = city_dashboard(actor=actor, city_id=_city_id(city))
    return render(
        request,
        "pages/coordinator/dashboard.html",
        {
            "city": city,
            "cities": cities,
            "data": data,
            "histogram": _histogram(data.distribution),
            "activity": _activity(data.days),
            "active_30_days": sum(1 for _, _, people in data.days if people),
        },
    )


@login_required
def people(request: HttpRequest) -> HttpResponse:
    actor = _coordinator(request)
    city, cities = _city(request, actor)
    search = request.GET.get("q", "").strip()[:100]
    rows = person_progress_list(actor=actor, city_id=_city_id(city), search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "pages/coordinator/people.html",
        {
            "city": city,
            "cities": cities,
            "search": search,
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
def person(request: HttpRequest, person_id: UUID) -> HttpResponse:
    actor = _coordinator(request)
    try:
        progress = learner_progress(actor=actor, learner_id=person_id)
    except PersonNotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "pages/coordinator/person.html",
        {"progress": progress, "hours": hours_apart(progress)},
    )


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("Enrolment file (CSV or XLSX)"),
        help_text=_("At most 5,000 rows; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


EXPECTED_COLUMNS = [
    ("codice_fiscale", _("Tax code (or the e-mail address)")),
    ("email", _("E-mail address (or the tax code)")),
    ("nome", _("First name (for people not yet registered)")),
    ("cognome", _("Last name (for people not yet registered)")),
    ("ente", _("Organisation (for people not yet registered)")),
    ("qualifica", _("Position: amministratore, funzionario or dirigente (optional)")),
    ("corso", _("Course: its slug or its exact title (required)")),
]
SAMPLE = (
    "codice_fiscale;email;nome;cognome;ente;qualifica;corso\n"
    "RSSMRA80A01F205X;mario.rossi@comune.example;Mario;Rossi;Comune di Rho;funzionario;"
    "sportello-unico\n"
)


def _who(outcome: RowOutcome) -> str:
    """The person a row names, as the file says: their name and identifier."""
    if outcome.name and outcome.identifier:
        return f"{outcome.name} ({outcome.identifier})"
    return outcome.name or outcome.identifier


@login_required
def enrollment_import(request: HttpRequest) -> HttpResponse:
    actor = _coordinator(request)
    report, rows, error = None, [], ""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        dry_run = request.POST.get("action") != "import"
        try:
            report = enrollments_import(actor=actor, upload=upload, dry_run=dry_run)
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            rows = [(outcome, _who(outcome), outcome.course) for outcome in report.rows]
    elif request.method == "POST":
        error = gettext("Choose a file to upload.")
    return render(
        request,
        "pages/coordinator/import.html",
        {
            "form": form,
            "report": report,
            "rows": rows,
            "error": error,
            "columns": EXPECTED_COLUMNS,
            "sample": SAMPLE,
            "new_people": sum(1 for o, _, _ in rows if o.person_created),
        },
    )
