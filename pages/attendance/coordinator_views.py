"""The coordinator's attendance pages: the registers (filters, download buttons, the list of
their exports that refreshes itself while one is being written) and the correction of a
presence record with its full history. Everything is scoped to the people they coordinate."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lms.exceptions import ApplicationError
from pages.attendance.forms import (
    CorrectionForm,
    RegisterForm,
    at_rome,
)
from pages.attendance.views import (
    coordinators_only,
    error_text,
    person_of,
)
from tracking.attendance.models import Presence, RegisterExport
from tracking.attendance.selectors import (
    presence_get_visible_to,
    presence_history,
    register_export_get,
    register_export_list,
    register_filter_choices,
)
from tracking.attendance.services.presence import (
    presence_correct,
)
from tracking.attendance.services.registers import (
    CONTENT_TYPES,
    register_export_start,
    register_file_name,
)

EXPORTS_SHOWN = 20


# --- the coordinator's registers --------------------------------------------------------------


class _TemporaryFile(io.FileIO):
    """A written register on its way out: the file is deleted once the response has sent it
    (FileResponse closes what it streams)."""

    def close(self) -> None:
        try:
            super().close()
        finally:
            Path(str(self.name)).unlink(missing_ok=True)


def _exports(request: HttpRequest) -> dict[str, Any]:
    listed = list(register_export_list(actor=person_of(request))[:EXPORTS_SHOWN])
    pending = (RegisterExport.Status.PENDING, RegisterExport.Status.RUNNING)
    return {"exports": listed, "pending": any(e.status in pending for e in listed)}


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{name}"'


@coordinators_only
@require_http_methods(["GET", "POST"])
def registers(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    actor = person_of(request)
    choices = register_filter_choices(actor=actor)
    form = RegisterForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if not form.is_valid():
            context = {"form": form, **_exports(request)}
            return render(request, "pages/attendance/registers.html", context, status=400)
        file_format, delimiter = form.download_format()
        try:
            start = register_export_start(
                actor=actor,
                register=form.cleaned_data["register"],
                file_format=file_format,
                where=form.where(),
                delimiter=delimiter,
            )
        except ApplicationError as error:
            form.add_error(None, error_text(error))
            context = {"form": form, **_exports(request)}
            return render(
                request, "pages/attendance/registers.html", context, status=error.status_code
            )
        name = register_file_name(start.export)
        if start.chunks is not None:
            streamed = StreamingHttpResponse(
                start.chunks, content_type=CONTENT_TYPES[RegisterExport.Format(file_format)]
            )
            _attachment(streamed, name)
            return streamed
        if start.path is not None:
            sent = FileResponse(
                _TemporaryFile(start.path, "rb"),
                content_type=CONTENT_TYPES[RegisterExport.Format(file_format)],
            )
            _attachment(sent, name)
            return sent
        messages.info(
            request,
            _(
                "The register is being prepared: it is a large one. It will be in the list "
                "below, ready to download, in a few minutes."
            ),
        )
        return redirect("pages:attendance:registers")
    return render(request, "pages/attendance/registers.html", {"form": form, **_exports(request)})


@coordinators_only
@require_GET
def register_exports(request: HttpRequest) -> HttpResponse:
    """The list of the reader's exports alone: what ``register-exports.js`` polls."""
    response = render(request, "pages/attendance/_exports.html", _exports(request))
    response["Cache-Control"] = "no-store"
    return response


@coordinators_only
@require_GET
def register_download(request: HttpRequest, export_id: UUID) -> FileResponse:
    export = register_export_get(actor=person_of(request), export_id=export_id)
    if export is None or export.status != RegisterExport.Status.READY or not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"), content_type=CONTENT_TYPES[RegisterExport.Format(export.format)]
    )
    _attachment(response, register_file_name(export))
    return response


# --- a coordinator's correction ---------------------------------------------------------------


def _snapshot_text(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """A history snapshot as a person reads it: the status's name, times in Europe/Rome."""
    if snapshot is None:
        return None
    statuses = dict(Presence.Status.choices)

    def clock(value: str | None) -> str:
        if not value:
            return "–"
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%H:%M")

    return {
        "status": statuses.get(snapshot.get("status", ""), snapshot.get("status", "")),
        "entered": clock(snapshot.get("entered_at")),
        "left": clock(snapshot.get("left_at")),
        "hours": round((snapshot.get("attended_seconds") or 0) / 3600, 2),
        "note": snapshot.get("note", ""),
    }


@coordinators_only
@require_http_methods(["GET", "POST"])
def presence(request: HttpRequest, presence_id: UUID) -> HttpResponse:
    actor = person_of(request)
    try:
        record = presence_get_visible_to(actor=actor, presence_id=presence_id)
    except ApplicationError as error:
        raise Http404(str(error.message)) from error
    session = record.session
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            day = timezone.localdate(session.starts_at)
            try:
                presence_correct(
                    actor=actor,
                    presence=record,
                    status=data["status"],
                    entered_at=at_rome(day, data["entered"]),
                    left_at=at_rome(day, data["left"]),
                    reason=data["reason"],
                    note=data["note"],
                )
            except (ApplicationError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Correction saved; the history keeps what it was."))
                return redirect("pages:attendance:presence", presence_id=record.pk)
        status = 400
    else:
        form = CorrectionForm(initial=CorrectionForm.initial_of(record))
    history = [
        {
            "change": change,
            "before": _snapshot_text(change.before),
            "after": _snapshot_text(change.after),
        }
        for change in presence_history(presence=record)
    ]
    return render(
        request,
        "pages/attendance/presence.html",
        {
            "record": record,
            "session": session,
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "history": history,
            "form": form,
            "now": _snapshot_text(
                {
                    "status": record.status,
                    "entered_at": record.entered_at.isoformat() if record.entered_at else None,
                    "left_at": record.left_at.isoformat() if record.left_at else None,
                    "attended_seconds": record.attended_seconds,
                    "note": record.note,
                }
            ),
        },
        status=status,
    )
