"""The trainer's attendance pages, under /docente/sessioni/: their sessions, planning and
editing one, the roster, and the projector page with the room's rotating code (the only page
that shows it) with the small JSON view its script polls."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.accounts.selectors import city_list
from lms.exceptions import ApplicationError
from pages.attendance.forms import (
    RosterLineForm,
    SessionForm,
    at_rome,
)
from pages.attendance.views import (
    error_text,
    managed_or_404,
    person_of,
)
from pages.trainer.views import teachers_only
from tracking.attendance.models import AttendanceSession
from tracking.attendance.selectors import (
    session_lessons,
    session_list_taught,
    session_roster,
)
from tracking.attendance.services.presence import (
    check_in_window,
    presence_mark,
    session_code,
)
from tracking.attendance.services.sessions import (
    session_cancel,
    session_create,
    session_update,
)

# --- the trainer's sessions -------------------------------------------------------------------


@teachers_only
@require_GET
def trainer_sessions(request: HttpRequest) -> HttpResponse:
    actor = person_of(request)
    taught = session_list_taught(actor=actor).order_by("-starts_at", "title")
    return render(
        request,
        "pages/attendance/trainer_sessions.html",
        {
            "sessions": [
                {
                    "session": s,
                    "starts": timezone.localtime(s.starts_at),
                    "ends": timezone.localtime(s.ends_at),
                    "is_past": s.ends_at < timezone.now(),
                }
                for s in taught
            ],
            "lessons": list(session_lessons(actor=actor)),
        },
    )


def _session_form_page(
    request: HttpRequest,
    form: SessionForm,
    *,
    session: AttendanceSession | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "pages/attendance/session_form.html",
        {"form": form, "session": session},
        status=status,
    )


def _save_session(
    request: HttpRequest, form: SessionForm, session: AttendanceSession | None
) -> AttendanceSession | None:
    """Create or update through the service; None when it refused (shown on the form)."""
    actor = person_of(request)
    data = form.service_data()
    visiting = list(form.cleaned_data["visiting_cities"])
    try:
        if session is None:
            return session_create(
                actor=actor, lesson=form.cleaned_data["lesson"], visiting_cities=visiting, **data
            )
        return session_update(actor=actor, session=session, data=data, visiting_cities=visiting)
    except (ApplicationError, ValidationError) as error:
        form.add_service_error(error)
        return None


@teachers_only
@require_http_methods(["GET", "POST"])
def trainer_session_new(request: HttpRequest) -> HttpResponse:
    lessons = session_lessons(actor=person_of(request))
    initial: dict[str, Any] = {"kind": AttendanceSession.Kind.TRAINING_DAY}
    if asked := request.GET.get("lezione"):
        lesson = lessons.filter(pk=asked).first() if _is_uuid(asked) else None
        if lesson is not None:
            initial["lesson"] = lesson.pk
            initial["title"] = lesson.title
            if lesson.kind == lesson.Kind.LIVE_WEBINAR:
                initial["kind"] = AttendanceSession.Kind.WEBINAR
    form = SessionForm(request.POST or None, initial=initial, cities=city_list(), lessons=lessons)
    if request.method == "POST":
        if form.is_valid() and (created := _save_session(request, form, None)):
            messages.success(request, _("Session planned."))
            return redirect("pages:attendance:trainer-session", session_id=created.pk)
        return _session_form_page(request, form, status=400)
    return _session_form_page(request, form)


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


@teachers_only
@require_http_methods(["GET", "POST"])
def trainer_session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = managed_or_404(request, session_id)
    if request.method == "GET":
        form = SessionForm(initial=SessionForm.initial_of(session), cities=city_list())
        return _session_form_page(request, form, session=session)
    form = SessionForm(request.POST, cities=city_list())
    if form.is_valid() and _save_session(request, form, session):
        messages.success(request, _("Session saved."))
        return redirect("pages:attendance:trainer-session", session_id=session.pk)
    return _session_form_page(
        request, form, session=managed_or_404(request, session_id), status=400
    )


@teachers_only
@require_POST
def trainer_session_cancel(request: HttpRequest, session_id: UUID) -> HttpResponse:
    session = managed_or_404(request, session_id)
    try:
        session_cancel(actor=person_of(request), session=session)
    except ApplicationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Session cancelled: it takes no more registrations."))
    return redirect("pages:attendance:trainer-session", session_id=session.pk)


@teachers_only
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """One line per learner with a place; saving marks the lines that changed, each on its own
    (a refused line keeps its error and its values, the others are saved)."""
    session = managed_or_404(request, session_id)
    lines = session_roster(session=session)
    day = timezone.localdate(session.starts_at)
    rows: list[dict[str, Any]] = []
    saved = refused = 0
    for line in lines:
        registration = line.registration
        if registration.status != registration.Status.REGISTERED:
            rows.append({"line": line, "form": None, "hours": 0})
            continue
        form = RosterLineForm(
            request.POST if request.method == "POST" else None,
            prefix=str(registration.pk),
            initial=RosterLineForm.initial_of(session, line.presence),
        )
        hours = round(line.presence.attended_seconds / 3600, 2) if line.presence else 0
        rows.append({"line": line, "form": form, "hours": hours})
        if request.method != "POST" or not form.has_changed():
            continue
        if not form.is_valid():
            refused += 1
            continue
        data = form.cleaned_data
        if not data["status"]:
            continue  # left "not marked"
        try:
            presence_mark(
                actor=person_of(request),
                session=session,
                learner=registration.learner,
                status=data["status"],
                entered_at=at_rome(day, data["entered"]),
                left_at=at_rome(day, data["left"]),
                note=data["note"],
            )
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
            refused += 1
        else:
            saved += 1
    if request.method == "POST" and not refused:
        saved_text = ngettext(
            "Roster saved: %(count)d line changed.", "Roster saved: %(count)d lines changed.", saved
        )
        messages.success(request, saved_text % {"count": saved})
        return redirect("pages:attendance:roster", session_id=session.pk)
    if refused:
        messages.error(
            request,
            ngettext(
                "%(refused)d line refused (see it marked below); lines saved: %(saved)d.",
                "%(refused)d lines refused (see them marked below); lines saved: %(saved)d.",
                refused,
            )
            % {"saved": saved, "refused": refused},
        )
    return render(
        request,
        "pages/attendance/roster.html",
        {
            "session": session,
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "rows": rows,
        },
        status=400 if refused else 200,
    )


def _code_now(request: HttpRequest, session: AttendanceSession) -> dict[str, Any]:
    try:
        code, seconds_left = session_code(actor=person_of(request), session=session)
    except ApplicationError as error:
        return {"code": None, "seconds_left": None, "message": str(error.message)}
    return {"code": code, "seconds_left": seconds_left, "message": ""}


@teachers_only
@require_GET
def projector(request: HttpRequest, session_id: UUID) -> HttpResponse:
    """The room's code, huge, for the projector; ``session-code.js`` keeps it current."""
    session = managed_or_404(request, session_id)
    opens, _closes = check_in_window(session)
    return render(
        request,
        "pages/attendance/projector.html",
        {
            "session": session,
            "now": _code_now(request, session),
            "opens": timezone.localtime(opens),
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
        },
    )


@teachers_only
@require_GET
def projector_code(request: HttpRequest, session_id: UUID) -> JsonResponse:
    session = managed_or_404(request, session_id)
    response = JsonResponse(_code_now(request, session))
    response["Cache-Control"] = "no-store"
    return response
