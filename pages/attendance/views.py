"""The attendance pages everyone signed in shares: the sessions calendar and a session's page
(registering or giving the place up, the calendar file, checking in and out with the room's
code; a coordinator registers their people there and sees them), and what the trainer's and the
coordinator's pages share (``trainer_views.py``, ``coordinator_views.py``).

Thin views over ``tracking.attendance``'s services and selectors (the same the API calls): each
parses a form, calls one of them and renders. A session, an export or a presence record outside
the reader's scope is the 404 page. The room's code is shown on the trainer's pages only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from itertools import groupby
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.accounts.models import User
from lms.exceptions import ApplicationError
from pages.attendance.forms import (
    CheckInForm,
    PersonRegistrationForm,
    at_rome,
)
from tracking.attendance.exceptions import SessionNotFound
from tracking.attendance.models import AttendanceSession, Presence
from tracking.attendance.selectors import (
    registration_list_own,
    registration_waiting_position,
    session_get,
    session_list,
    session_people_of,
    session_registrable_people,
)
from tracking.attendance.services.presence import (
    check_in_window,
    presence_check_in,
    presence_check_out,
)
from tracking.attendance.services.sessions import (
    registration_cancel,
    registration_create,
    session_calendar,
    session_can_manage,
)

View = Callable[..., HttpResponseBase]


def person_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def coordinators_only(view: View) -> View:
    """Signed in, and a coordinator or staff: everyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of(request)
        if not (person.is_coordinator or person.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def places_left(session: AttendanceSession) -> int:
    """The free places of a session from ``session_list`` (annotated with ``places_taken``)."""
    taken: int = getattr(session, "places_taken", 0)
    return max(session.capacity - taken, 0)


def session_or_404(request: HttpRequest, session_id: UUID) -> AttendanceSession:
    try:
        return session_get(actor=person_of(request), session_id=session_id)
    except SessionNotFound as error:
        raise Http404(str(error.message)) from error


def managed_or_404(request: HttpRequest, session_id: UUID) -> AttendanceSession:
    """A session the trainer manages; another trainer's is none of their business (404)."""
    session = session_or_404(request, session_id)
    if not session_can_manage(actor=person_of(request), session=session):
        raise Http404
    return session


def error_text(error: ApplicationError | ValidationError) -> str:
    if isinstance(error, ApplicationError):
        return str(error.message)
    return " ".join(error.messages)


# --- the sessions calendar --------------------------------------------------------------------


def _month(text: str) -> date | None:
    """``2026-12`` as its first day; ValueError for anything else."""
    year, month = text.split("-")
    if len(year) != 4 or len(month) != 2:  # the shape of <input type=month>
        raise ValueError(text)
    return date(int(year), int(month), 1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    actor = person_of(request)
    month, status, month_error = None, 200, ""
    if asked := request.GET.get("mese", "").strip():
        try:
            month = _month(asked)
        except ValueError:
            month_error, status = _("Choose a month, e.g. 2026-12."), 400
    listed = session_list(actor=actor)
    if month is not None:
        listed = listed.filter(
            starts_at__gte=at_rome(month, datetime.min.time()),
            starts_at__lt=at_rome(_next_month(month), datetime.min.time()),
        )
    else:
        listed = listed.filter(ends_at__gte=timezone.now())
    shown = list(listed.order_by("starts_at", "title"))
    mine = {
        r.session_id: r
        for r in registration_list_own(actor=actor).filter(session_id__in=[s.pk for s in shown])
    }
    items = [
        {
            "session": session,
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "left": places_left(session),
            "mine": mine.get(session.pk),
        }
        for session in shown
    ]
    days = [
        (day, list(group))
        for day, group in groupby(items, key=lambda item: cast(datetime, item["starts"]).date())
    ]
    return render(
        request,
        "pages/attendance/sessions.html",
        {
            "days": days,
            "month": month,
            "asked": asked,
            "month_error": month_error,
            "previous": (month - timedelta(days=1)).replace(day=1) if month else None,
            "next": _next_month(month) if month else None,
        },
        status=status,
    )


# --- a session's page -------------------------------------------------------------------------


def _session_page(
    request: HttpRequest,
    session: AttendanceSession,
    *,
    code_form: CheckInForm | None = None,
    person_form: PersonRegistrationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = person_of(request)
    now = timezone.now()
    mine = registration_list_own(actor=actor).filter(session=session).first()
    presence = next(iter(mine.session.presences.all()), None) if mine else None
    opens, closes = check_in_window(session)
    has_place = mine is not None and mine.status == mine.Status.REGISTERED
    entered = presence is not None and presence.entered_at is not None
    open_now = not session.is_cancelled and opens <= now
    context: dict[str, Any] = {
        "session": session,
        "starts": timezone.localtime(session.starts_at),
        "ends": timezone.localtime(session.ends_at),
        "left": places_left(session),
        "mine": mine,
        "waiting_position": registration_waiting_position(registration=mine) if mine else 0,
        "presence": presence,
        "presence_hours": round(presence.attended_seconds / 3600, 2) if presence else 0,
        "open_for_registration": not session.is_cancelled and session.ends_at > now,
        "may_register": mine is None and not session.is_cancelled and session.ends_at > now,
        "may_check_in": has_place and open_now and now <= session.ends_at and not entered,
        "may_check_out": (
            has_place and open_now and now <= closes and entered and presence.left_at is None  # type: ignore[union-attr]
        ),
        "check_in_opens": timezone.localtime(opens),
        "code_form": code_form or CheckInForm(),
        "manages": session_can_manage(actor=actor, session=session),
        "coordinates": actor.is_coordinator or actor.is_staff,
    }
    # The "your place" card is for people who take part: a coordinator or a trainer of the
    # session sees it only if they hold a place themselves.
    context["takes_part"] = mine is not None or not (context["coordinates"] or context["manages"])
    if context["coordinates"]:
        context["people"] = session_people_of(actor=actor, session=session)
        context["person_form"] = person_form or PersonRegistrationForm(
            people=session_registrable_people(actor=actor, session=session)
        )
    return render(request, "pages/attendance/session.html", context, status=status)


@login_required
@require_GET
def session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    return _session_page(request, session_or_404(request, session_id))


@login_required
@require_GET
def session_ics(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = session_or_404(request, session_id)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(session.starts_at).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="sessione-{day}.ics"'
    return response


@login_required
@require_POST
def session_register(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """A place for the reader, or (a coordinator, with ``learner``) for one of their people."""
    actor = person_of(request)
    session = session_or_404(request, session_id)
    learner = None
    if "learner" in request.POST:
        if not (actor.is_coordinator or actor.is_staff):
            raise PermissionDenied
        form = PersonRegistrationForm(
            request.POST, people=session_registrable_people(actor=actor, session=session)
        )
        if not form.is_valid():
            return _session_page(request, session, person_form=form, status=400)
        learner = form.cleaned_data["learner"]
    try:
        registration = registration_create(actor=actor, session=session, learner=learner)
    except ApplicationError as error:
        messages.error(request, error_text(error))
        return _session_page(request, session_or_404(request, session_id), status=error.status_code)
    name = learner.get_full_name() if learner else ""
    if registration.status == registration.Status.WAITLISTED:
        text = (
            _("%(name)s is on the waiting list.") % {"name": name}
            if learner
            else _("The session is full: you are on the waiting list.")
        )
    else:
        text = (
            _("%(name)s has a place.") % {"name": name}
            if learner
            else _("Your place is confirmed.")
        )
    messages.success(request, text)
    return redirect("pages:attendance:session", session_id=session.pk)


@login_required
@require_POST
def session_unregister(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """Give up the reader's place, or (a coordinator, with ``learner``) one of their people's."""
    actor = person_of(request)
    session = session_or_404(request, session_id)
    if learner_id := request.POST.get("learner"):
        if not (actor.is_coordinator or actor.is_staff):
            raise PermissionDenied
        lines = session_people_of(actor=actor, session=session)
        registration = next(
            (ln.registration for ln in lines if str(ln.registration.learner_id) == learner_id),
            None,
        )
    else:
        mine = registration_list_own(actor=actor).filter(session=session).first()
        registration = mine
    if registration is None:
        raise Http404
    try:
        registration_cancel(actor=actor, registration=registration)
    except ApplicationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The place has been given up."))
    return redirect("pages:attendance:session", session_id=session.pk)


def _code_step(
    request: HttpRequest, session_id: UUID, record: Callable[..., Presence], done: str
) -> HttpResponse:
    session = session_or_404(request, session_id)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, code_form=form, status=400)
    try:
        record(learner=person_of(request), session=session, code=form.cleaned_data["code"].strip())
    except ApplicationError as error:
        form.add_error("code", error_text(error))
        return _session_page(request, session, code_form=form, status=error.status_code)
    messages.success(request, done)
    return redirect("pages:attendance:session", session_id=session.pk)


@login_required
@require_POST
def session_check_in(request: HttpRequest, session_id: UUID) -> HttpResponse:
    return _code_step(request, session_id, presence_check_in, _("You are checked in."))


@login_required
@require_POST
def session_check_out(request: HttpRequest, session_id: UUID) -> HttpResponse:
    return _code_step(request, session_id, presence_check_out, _("You are checked out."))
