"""The registers coordinators hand to funders: the session register, the learner register and
the summary by organisation, as CSV, XLSX or PDF. Every export is recorded (who, which, what
filter, when); a small one is written while the coordinator waits, a large one by a task."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from courses.models import Course, Module
from lms.accounts.models import MetropolitanCity, Organisation, User
from lms.accounts.selectors import require_coordinator_or_staff
from tracking.attendance import exports, selectors, tasks
from tracking.attendance.exceptions import RegisterTooLongForPdf
from tracking.attendance.models import AttendanceSession, RegisterExport

MODES = {
    "distance": gettext_lazy("Distance"),
    "in_person": gettext_lazy("In person"),
    "webinar": gettext_lazy("Live webinar"),
}
CONTENT_TYPES = {
    RegisterExport.Format.CSV: "text/csv; charset=utf-8",
    RegisterExport.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    RegisterExport.Format.PDF: "application/pdf",
}
# A PDF is for printing, and WeasyPrint lays the whole document out in memory (about 20 s and
# 300 MB per 1,000 rows, bench/exports.py): above the first number a task writes it, above the
# second it is refused for XLSX or CSV.
PDF_ASYNC_ROWS = 200
PDF_MAX_ROWS = 5000


@dataclass(frozen=True)
class RegisterTable:
    columns: list[exports.Column]
    rows: Iterator[Sequence[Any]]
    totals: Callable[[], Sequence[Any]]
    title: str


def _session_table(actor: User, where: selectors.RegisterFilter) -> RegisterTable:
    columns = [
        exports.Column("last_name", _("Surname"), "text"),
        exports.Column("first_name", _("Name"), "text"),
        exports.Column("tax_code", _("Tax code"), "text"),
        exports.Column("organisation", _("Organisation"), "text"),
        exports.Column("city", _("Metropolitan City"), "text"),
        exports.Column("session", _("Session"), "text"),
        exports.Column("trainers", _("Trainers"), "text"),
        exports.Column("day", _("Date"), "date"),
        exports.Column("entered_at", _("Entry"), "time"),
        exports.Column("left_at", _("Exit"), "time"),
        exports.Column("hours", _("Hours"), "hours"),
        exports.Column("status", _("Presence"), "text"),
        exports.Column("signature", _("Signature"), "signature"),
    ]
    rows, totals = _streamed(columns, selectors.session_register(actor=actor, where=where))
    return RegisterTable(columns, rows, totals, _("Session attendance register"))


def _learner_table(actor: User, where: selectors.RegisterFilter) -> RegisterTable:
    columns = [
        exports.Column("last_name", _("Surname"), "text"),
        exports.Column("first_name", _("Name"), "text"),
        exports.Column("tax_code", _("Tax code"), "text"),
        exports.Column("organisation", _("Organisation"), "text"),
        exports.Column("day", _("Date"), "date"),
        exports.Column("course", _("Course"), "text"),
        exports.Column("activity", _("Activity"), "text"),
        exports.Column("mode", _("Mode"), "text"),
        exports.Column("entered_at", _("Entry"), "time"),
        exports.Column("left_at", _("Exit"), "time"),
        exports.Column("hours", _("Hours"), "hours"),
    ]
    modes = {key: str(label) for key, label in MODES.items()}
    rows, totals = _streamed(
        columns,
        selectors.learner_register(actor=actor, where=where),
        shown={"mode": modes.__getitem__},
    )
    return RegisterTable(columns, rows, totals, _("Learner hours register"))


def _organisations_table(actor: User, where: selectors.RegisterFilter) -> RegisterTable:
    columns = [
        exports.Column("city", _("Metropolitan City"), "text"),
        exports.Column("organisation", _("Organisation"), "text"),
        exports.Column("people", _("Learners"), "integer"),
        exports.Column("distance_hours", _("Distance hours"), "hours"),
        exports.Column("in_person_hours", _("In-person hours"), "hours"),
        exports.Column("webinar_hours", _("Live webinar hours"), "hours"),
        exports.Column("total_hours", _("Total hours"), "hours"),
    ]
    summary = selectors.organisation_summary(actor=actor, where=where)
    rows = [
        (
            r.city,
            r.organisation,
            r.people,
            r.distance_hours,
            r.in_person_hours,
            r.webinar_hours,
            r.total_hours,
        )
        for r in summary
    ]
    totals = (
        _("Total"),
        "",
        sum(r.people for r in summary),
        sum(r.distance_hours for r in summary),
        sum(r.in_person_hours for r in summary),
        sum(r.webinar_hours for r in summary),
        sum(r.total_hours for r in summary),
    )
    return RegisterTable(columns, iter(rows), lambda: totals, _("Hours by organisation"))


def _streamed(
    columns: list[exports.Column],
    records: Iterator[Any],
    *,
    shown: dict[str, Callable[[Any], Any]] | None = None,
) -> tuple[Iterator[Sequence[Any]], Callable[[], Sequence[Any]]]:
    """A register's rows, each record's attributes in the columns' order (``shown`` turns a
    value into what is printed; a signature column stays empty), and its totals row: the
    hours summed while the rows are written, so read after them (the PDF's last row)."""
    shown = shown or {}
    hours_at = next(i for i, column in enumerate(columns) if column.key == "hours")
    total = [0.0]

    def rows() -> Iterator[Sequence[Any]]:
        for record in records:
            total[0] += record.hours
            yield tuple(
                None
                if column.kind == "signature"
                else shown.get(column.key, _as_is)(getattr(record, column.key))
                for column in columns
            )

    def totals() -> Sequence[Any]:
        values: list[Any] = [None] * len(columns)
        values[0] = _("Total")
        values[hours_at] = total[0]
        return values

    return rows(), totals


def _as_is(value: Any) -> Any:
    return value


TABLES: dict[str, Callable[[User, selectors.RegisterFilter], RegisterTable]] = {
    RegisterExport.Register.SESSION: _session_table,
    RegisterExport.Register.LEARNER: _learner_table,
    RegisterExport.Register.ORGANISATIONS: _organisations_table,
}


def register_row_count(*, actor: User, register: str, where: selectors.RegisterFilter) -> int:
    if register == RegisterExport.Register.SESSION:
        return selectors.session_register_count(actor=actor, where=where)
    if register == RegisterExport.Register.LEARNER:
        return selectors.learner_register_count(actor=actor, where=where)
    # (the summary has a row per organisation: counted without computing it twice)
    people = selectors.register_people(actor=actor, where=where).filter(role=User.Role.LEARNER)
    return people.order_by().values("organisation_id").distinct().count()


def _filter_lines(where: selectors.RegisterFilter) -> list[str]:
    """The filter in words, for the register's head."""
    lines = []
    names = (
        (where.city_id, MetropolitanCity, "name", _("Metropolitan City")),
        (where.organisation_id, Organisation, "name", _("Organisation")),
        (where.course_id, Course, "title", _("Course")),
        (where.module_id, Module, "title", _("Module")),
        (where.session_id, AttendanceSession, "title", _("Session")),
    )
    for value, model, field, label in names:
        if value is not None:
            name = model.objects.filter(pk=value).values_list(field, flat=True).first()
            lines.append(f"{label}: {name or value}")
    if where.date_from or where.date_to:
        start = where.date_from.strftime("%d/%m/%Y") if where.date_from else "…"
        end = where.date_to.strftime("%d/%m/%Y") if where.date_to else "…"
        lines.append(_("Period: %(start)s – %(end)s") % {"start": start, "end": end})
    return lines


def _heading(table: RegisterTable, actor: User, where: selectors.RegisterFilter) -> Any:
    identity = selectors.programme_identity()
    return exports.RegisterHeading(
        title=table.title,
        plan_title=identity.plan_title,
        project_title=identity.project_title,
        funding_programme=identity.funding_programme,
        funding_codes=[
            (str(code.get("label", "")), str(code.get("code", "")))
            for code in identity.funding_codes or []
            if isinstance(code, dict)
        ],
        filters=_filter_lines(where),
        generated_at=timezone.now(),
        generated_by=f"{actor.first_name} {actor.last_name}".strip() or actor.username,
    )


def register_file_name(export: RegisterExport) -> str:
    day = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    kind = {"session": "registro-sessioni", "learner": "registro-ore", "organisations": "ore-enti"}
    return f"{kind[export.register]}-{day}.{export.format}"


@dataclass(frozen=True)
class RegisterStart:
    export: RegisterExport
    # Now: the bytes to send (CSV) or the path of the written file (XLSX, PDF); later: None,
    # the task writes it and the coordinator downloads it from their list of exports.
    chunks: Iterator[bytes] | None = None
    path: Path | None = None


def register_export_start(
    *,
    actor: User,
    register: str,
    file_format: str,
    where: selectors.RegisterFilter,
    delimiter: str = ",",
) -> RegisterStart:
    """Record the export and write it now when it is small; a large one is queued."""
    require_coordinator_or_staff(actor)
    expected = register_row_count(actor=actor, register=register, where=where)
    if file_format == RegisterExport.Format.PDF and expected > PDF_MAX_ROWS:
        raise RegisterTooLongForPdf(extra={"rows": expected, "max_rows": PDF_MAX_ROWS})
    limit = (
        PDF_ASYNC_ROWS
        if file_format == RegisterExport.Format.PDF
        else settings.ATTENDANCE_EXPORT_ASYNC_ROWS
    )
    export = RegisterExport.objects.create(
        requested_by=actor,
        register=register,
        format=file_format,
        # The task writes it in the language the coordinator reads.
        filters={**where.as_json(), "delimiter": delimiter, "language": get_language()},
        status=RegisterExport.Status.PENDING if expected > limit else RegisterExport.Status.READY,
        rows_expected=expected,
    )
    if expected > limit:
        transaction.on_commit(lambda: tasks.register_export_task.delay(str(export.pk)))
        return RegisterStart(export=export)
    export.finished_at = timezone.now()
    export.rows = expected
    export.save(update_fields=["finished_at", "rows", "updated_at"])
    table = TABLES[register](actor, where)
    heading = _heading(table, actor, where)
    if file_format == RegisterExport.Format.CSV:
        return RegisterStart(
            export=export,
            chunks=exports.csv_chunks(table.columns, table.rows, delimiter=delimiter),
        )
    path = _temporary_file(file_format)
    _write(table, heading, file_format, path, delimiter)
    return RegisterStart(export=export, path=path)


def _temporary_file(suffix: str) -> Path:
    descriptor, name = tempfile.mkstemp(suffix=f".{suffix}", prefix="register-")
    os.close(descriptor)  # the writers open it by name
    return Path(name)


def _write(table: RegisterTable, heading: Any, file_format: str, path: Path, delimiter: str) -> int:
    """Write the register to ``path``; the rows written (CSV: 0, it does not count)."""
    if file_format == RegisterExport.Format.XLSX:
        return exports.xlsx_write(
            table.columns, table.rows, str(path), heading=heading, sheet_name=table.title[:31]
        )
    if file_format == RegisterExport.Format.PDF:
        rows = list(table.rows)  # laid out whole by WeasyPrint anyway
        exports.pdf_write(table.columns, rows, str(path), heading=heading, totals=table.totals())
        return len(rows)
    with path.open("wb") as out:
        for chunk in exports.csv_chunks(table.columns, table.rows, delimiter=delimiter):
            out.write(chunk)
    return 0


def register_export_run(*, export_id: UUID) -> str:
    """Write a queued export to its file (the task). A failure keeps its reason."""
    export = RegisterExport.objects.select_related("requested_by").get(pk=export_id)
    if export.status in (RegisterExport.Status.READY, RegisterExport.Status.FAILED):
        return export.status
    export.status = RegisterExport.Status.RUNNING
    export.save(update_fields=["status", "updated_at"])
    filters = dict(export.filters)
    delimiter = filters.pop("delimiter", ",")
    language = filters.pop("language", None) or settings.LANGUAGE_CODE
    where = register_filter_from_json(filters)
    actor = export.requested_by
    path = _temporary_file(export.format)
    try:
        with translation.override(language):
            table = TABLES[export.register](actor, where)
            heading = _heading(table, actor, where)
            _write(table, heading, export.format, path, delimiter)
        with path.open("rb") as written:
            export.file.save(f"{export.pk}.{export.format}", File(written), save=False)
    except Exception as error:  # the reason is kept for the coordinator and staff
        export.status = RegisterExport.Status.FAILED
        export.failure_reason = f"{type(error).__name__}: {error}"
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "failure_reason", "finished_at", "updated_at"])
        raise
    finally:
        path.unlink(missing_ok=True)
    export.status = RegisterExport.Status.READY
    export.rows = export.rows_expected
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "file", "rows", "finished_at", "updated_at"])
    return export.status


def register_filter_from_json(data: dict[str, Any]) -> selectors.RegisterFilter:
    def uuid(name: str) -> UUID | None:
        return UUID(data[name]) if data.get(name) else None

    def day(name: str) -> date | None:
        return date.fromisoformat(data[name]) if data.get(name) else None

    return selectors.RegisterFilter(
        city_id=uuid("city_id"),
        organisation_id=uuid("organisation_id"),
        course_id=uuid("course_id"),
        module_id=uuid("module_id"),
        session_id=uuid("session_id"),
        date_from=day("date_from"),
        date_to=day("date_to"),
    )
