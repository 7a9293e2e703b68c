"""The learner's pages: the catalogue, a course, their progress and the ledger of one lesson.

Thin views: each parses its query or form, calls one selector (or the enrolment service) and
renders. What is computed here is only presentation: the days of the chart, and the ledger's
entries put into sentences.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from courses.exceptions import CourseNotFound, LessonNotFound
from courses.models import Enrollment
from courses.selectors import course_catalogue, thematic_area_list
from courses.services import enrollment_create
from lms.accounts.models import User
from lms.exceptions import ApplicationError
from pages.attendance.hours import hours_apart
from pages.learner.forms import CatalogueForm
from tracking.progress.models import CreditEntry
from tracking.progress.selectors import learner_course, learner_progress, lesson_explanation

CATALOGUE_PAGE_SIZE = 12
PARTLY_CREDITED = gettext_noop(
    "Of the %(new)s never covered before, %(credited)s were credited. Why not all: %(reason)s."  # noqa: E501
)
CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 200, 12, 36, 44


def _person(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueForm(request.GET, areas=list(thematic_area_list()))
    courses = course_catalogue(actor=request.user, **form.filters())
    page = Paginator(courses, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pages/learner/catalogue.html",
        {
            "form": form,
            "page": page,
            "filtered": any(form.filters().values()),
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        view = learner_course(actor=_person(request), slug=slug)
    except CourseNotFound as error:
        raise Http404(error.message) from error
    status = 200
    if request.method == "POST":
        try:
            enrollment_create(actor=_person(request), course=view.course)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            status = error.status_code
        else:
            messages.success(request, _("You are enrolled in this course."))
            return redirect("learner:course", slug=slug)
    enrolled = view.enrollment is not None and view.enrollment.status != "withdrawn"
    return render(
        request,
        "pages/learner/course.html",
        {
            "view": view,
            "course": view.course,
            "enrolled": enrolled,
            "may_enrol": view.course.self_enrollment_open and not enrolled,
            "Enrollment": Enrollment,
        },
        status=status,
    )


@login_required
def progress(request: HttpRequest) -> HttpResponse:
    mine = learner_progress(actor=_person(request))
    return render(
        request,
        "pages/learner/progress.html",
        {
            "progress": mine,
            "chart": _chart(mine.days, today=timezone.localdate()),
            "hours": hours_apart(mine),
        },
    )


@login_required
def lesson_ledger(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    try:
        explanation = lesson_explanation(actor=_person(request), lesson_id=lesson_id)
    except LessonNotFound as error:
        raise Http404(error.message) from error
    progress = explanation.progress
    return render(
        request,
        "pages/learner/ledger.html",
        {
            "explanation": explanation,
            "lesson": explanation.lesson,
            "course": explanation.lesson.module.course,
            "covered": _duration(progress.covered_seconds if progress else 0.0),
            "credited": _duration(explanation.credited_seconds),
            "rows": [_ledger_row(entry) for entry in explanation.entries],
        },
    )


# --- presentation ---------------------------------------------------------------------------


def _chart(days: list[tuple[date, float]], *, today: date) -> dict[str, Any]:
    """The last 30 days (today included) as SVG bars: days with no verified minute are 0."""
    minutes = dict(days)
    span = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    values = [minutes.get(day, 0.0) for day in span]
    top = max(max(values), 1.0)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = (CHART_WIDTH - CHART_LEFT) / CHART_DAYS
    bars = []
    for index, (day, value) in enumerate(zip(span, values, strict=True)):
        height = round(plot_height * value / top, 1)
        bars.append(
            {
                "day": day,
                "minutes": value,
                "x": round(CHART_LEFT + index * step + 2, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "width": round(step - 4, 1),
                "height": height,
                "label_x": round(CHART_LEFT + index * step + step / 2, 1),
                "labelled": index % 5 == 4 or index == 0,
            }
        )
    return {
        "bars": bars,
        "total": round(sum(values), 1),
        "top": round(top, 1),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "top_y": CHART_TOP,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 16,
        "axis_x": CHART_LEFT - 6,
        "active_days": sum(1 for value in values if value > 0),
    }


def _duration(seconds: float) -> str:
    """A length in words a person reads at a glance: "1 h 5 min", "5 min 12 s", "42 s"."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)d s") % {"seconds": secs}


def _clock(seconds: float) -> str:
    """A position in the video, as a player shows it: 4:05, 1:02:03."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _local(epoch: float) -> datetime:
    return timezone.localtime(datetime.fromtimestamp(epoch, tz=UTC))


def _media(entry: CreditEntry) -> str:
    return ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in entry.media)


def _window(entry: CreditEntry) -> str:
    return ", ".join(
        f"{formats.time_format(_local(start), 'H:i:s')}–{formats.time_format(_local(end), 'H:i:s')}"
        for start, end in entry.window
    )


def _ledger_row(entry: CreditEntry) -> dict[str, Any]:
    """One ledger entry, as figures for the table and as plain sentences."""
    at = timezone.localtime(entry.credited_at)
    when = {
        "date": formats.date_format(at, "DATE_FORMAT"),
        "time": formats.time_format(at, "H:i"),
    }
    media = _media(entry)
    sentences = []
    if media:
        sentences.append(
            _("On %(date)s at %(time)s the player reported playing %(media)s of the video.")
            % {**when, "media": media}
        )
    else:
        sentences.append(_("On %(date)s at %(time)s a statement was received.") % when)
    credited, new = _duration(entry.seconds), _duration(entry.new_seconds)
    reason = entry.get_reason_display()
    if entry.seconds > 0 and not entry.reason:
        sentences.append(
            _("%(new)s of it had never been covered before: all of it was credited.") % {"new": new}
        )
    elif entry.seconds > 0:
        sentences.append(_(PARTLY_CREDITED) % {"new": new, "credited": credited, "reason": reason})
    else:
        sentences.append(_("Nothing was credited. Why: %(reason)s.") % {"reason": reason})
    if window := _window(entry):
        sentences.append(_("Real time it used: %(window)s.") % {"window": window})
    return {
        "entry": entry,
        "at": at,
        "media": media or "—",
        "window": _window(entry) or "—",
        "new": new,
        "credited": credited,
        "reason": reason if entry.reason else "",
        "sentences": sentences,
    }
