"""Bulk enrolment from a coordinator's CSV or XLSX file, with a dry run and a per-row report."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.enrollment_files import (
    EnrollmentRow,
    RowError,
    TooManyRows,
    UnreadableFile,
    read_enrollment_file,
)
from courses.exceptions import ImportFileTooLarge, ImportFileUnreadable
from courses.models import Course, Enrollment
from courses.selectors import course_list
from courses.services.enrollments import enrollment_create
from lms.accounts.models import Organisation, User
from lms.accounts.selectors import (
    organisation_check_in_scope,
    person_in_scope,
    require_coordinator_or_staff,
)
from lms.accounts.services import person_create
from lms.exceptions import ApplicationError


class RowRejected(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(message)


@dataclass
class RowOutcome:
    row: int
    status: str  # "created" | "already_enrolled" | "rejected"
    code: str = ""
    message: str = ""
    learner_id: str | None = None
    enrollment_id: str | None = None
    person_created: bool = False
    # What the file says of the row, for a report people read: the person and the course.
    name: str = ""
    identifier: str = ""  # the e-mail address or the tax code
    course: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = {"created": 0, "already_enrolled": 0, "rejected": 0}
        for outcome in self.rows:
            counts[outcome.status] += 1
        return counts


def _rejected(row: int, code: str, message: Any) -> RowOutcome:
    return RowOutcome(row=row, status="rejected", code=code, message=str(message))


class _RowResolver:
    """Resolves rows against the database. Courses, organisations and known people are loaded up
    front in a few queries, so a row costs only its own writes: about 3 queries for a person
    already registered, about a dozen for a new one (validation, inserts, savepoints)."""

    def __init__(self, actor: User, rows: list[EnrollmentRow]):
        self.actor = actor
        # Only courses the coordinator can see are candidates: a draft is an "unknown course".
        course_keys = {r.course.lower() for r in rows}
        self.courses: dict[str, set[Course]] = {}
        for course in (
            course_list(actor=actor)
            .annotate(title_key=Lower("title"))
            .filter(Q(slug__in=course_keys) | Q(title_key__in=course_keys))
        ):
            for key in {course.slug.lower(), course.title.lower()} & course_keys:
                self.courses.setdefault(key, set()).add(course)
        self.organisations: dict[str, list[Organisation]] = {}
        for organisation in (
            Organisation.objects.select_related("city")
            .annotate(name_key=Lower("name"))
            .filter(name_key__in={r.organisation.lower() for r in rows if r.organisation})
        ):
            self.organisations.setdefault(organisation.name.lower(), []).append(organisation)
        # "Not empty" repeats the condition of the partial unique indexes, so they are used.
        people = User.objects.select_related("organisation__city")
        self.people_by_tax_code: dict[str, User] = {
            p.tax_code: p
            for p in people.exclude(tax_code="").filter(
                tax_code__in={r.tax_code for r in rows} - {""}
            )
        }
        self.people_by_email: dict[str, User] = {
            p.email.lower(): p
            for p in people.exclude(email="")
            .annotate(email_key=Lower("email"))
            .filter(email_key__in={r.email for r in rows} - {""})
        }

    def import_row(self, row: EnrollmentRow | RowError) -> RowOutcome:
        if isinstance(row, RowError):
            return _rejected(
                row.row_number, row.code, row.message % row.params if row.params else row.message
            )
        try:
            with transaction.atomic():  # a savepoint: a rejected row leaves nothing behind
                course = self._course(row)  # in memory: checked before anything is written
                person, person_created = self._person(row)
                enrollment, created = enrollment_create(
                    actor=self.actor,
                    course=course,
                    learner=person,
                    source=Enrollment.Source.IMPORT,
                )
        except RowRejected as exc:
            return _rejected(row.row_number, exc.code, exc.message)
        except ApplicationError as exc:
            return _rejected(row.row_number, exc.code, exc.message)
        except ValidationError as exc:
            return _rejected(row.row_number, "invalid", " ".join(exc.messages))
        # Only now that the row's savepoint is released may later rows find this person.
        if person.tax_code:
            self.people_by_tax_code[person.tax_code] = person
        if person.email:
            self.people_by_email[person.email.lower()] = person
        return RowOutcome(
            row=row.row_number,
            status="created" if created else "already_enrolled",
            learner_id=str(person.pk),
            enrollment_id=str(enrollment.pk),
            person_created=person_created,
        )

    def _course(self, row: EnrollmentRow) -> Course:
        matches = self.courses.get(row.course.lower(), set())
        if not matches:
            raise RowRejected(
                "unknown_course",
                _("Unknown course “%(course)s”: give its slug or its exact title.")
                % {"course": row.course},
            )
        if len(matches) > 1:
            raise RowRejected(
                "ambiguous_course",
                _("Several courses are called “%(course)s”: give the course slug instead.")
                % {"course": row.course},
            )
        return next(iter(matches))

    def _organisation(self, row: EnrollmentRow) -> Organisation:
        candidates = self.organisations.get(row.organisation.lower(), [])
        if row.city:
            city = _normalise(row.city)
            candidates = [o for o in candidates if city in (_normalise(o.city.name), o.city.slug)]
        if not candidates:
            raise RowRejected(
                "unknown_organisation",
                _(
                    "Unknown organisation “%(organisation)s”: check its name in the list of "
                    "organisations."
                )
                % {"organisation": row.organisation},
            )
        if len(candidates) > 1 and not self.actor.sees_every_city:
            # A city coordinator means the one in their own city, if there is exactly one.
            own = [o for o in candidates if o.city_id == self.actor.coordinated_city_id]
            candidates = own if len(own) == 1 else candidates
        if len(candidates) > 1:
            raise RowRejected(
                "ambiguous_organisation",
                _("Several organisations are called “%(organisation)s”: add a city column.")
                % {"organisation": row.organisation},
            )
        organisation = candidates[0]
        organisation_check_in_scope(actor=self.actor, organisation=organisation)
        return organisation

    def _person(self, row: EnrollmentRow) -> tuple[User, bool]:
        organisation = self._organisation(row) if row.organisation else None
        by_tax_code = self.people_by_tax_code.get(row.tax_code) if row.tax_code else None
        by_email = self.people_by_email.get(row.email) if row.email else None
        if by_tax_code and by_email and by_tax_code.pk != by_email.pk:
            raise RowRejected(
                "identity_conflict",
                _("The tax code and the e-mail address belong to two different people."),
            )
        if person := by_tax_code or by_email:
            if not person_in_scope(actor=self.actor, person=person):
                raise RowRejected(
                    "person_out_of_scope",
                    _("This person belongs to an organisation outside your Metropolitan City."),
                )
            return person, False
        if organisation is None:
            raise RowRejected(
                "missing_organisation",
                _("This person is not registered yet: give their organisation."),
            )
        if not (row.first_name and row.last_name):
            raise RowRejected(
                "missing_name",
                _("This person is not registered yet: give their first and last name."),
            )
        person = person_create(
            actor=self.actor,
            first_name=row.first_name,
            last_name=row.last_name,
            organisation=organisation,
            email=row.email,
            tax_code=row.tax_code,
            position=row.position,
        )
        return person, True


def _normalise(text: str) -> str:
    return slugify(text)


def enrollments_import(*, actor: User, upload: File, dry_run: bool) -> ImportReport:
    """Enrol the people listed in a CSV/XLSX file, creating those not yet known.

    Each row is created, already enrolled, or rejected with a reason; a rejected row changes
    nothing. Re-running the same file changes nothing more. With ``dry_run`` everything is
    checked exactly as for real, then rolled back. Raises ImportFileUnreadable (400) and
    ImportFileTooLarge (413) for the file as a whole.
    """
    require_coordinator_or_staff(actor)
    if upload.size is None or upload.size > settings.ENROLLMENT_IMPORT_MAX_BYTES:
        raise ImportFileTooLarge(extra={"max_bytes": settings.ENROLLMENT_IMPORT_MAX_BYTES})
    try:
        parsed = read_enrollment_file(
            content=upload.read(), max_rows=settings.ENROLLMENT_IMPORT_MAX_ROWS
        )
    except TooManyRows as exc:
        raise ImportFileTooLarge(exc.reason % exc.params, extra=exc.params) from exc
    except UnreadableFile as exc:
        raise ImportFileUnreadable(exc.reason % exc.params if exc.params else exc.reason) from exc

    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        resolver = _RowResolver(actor, [r for r in parsed if isinstance(r, EnrollmentRow)])
        for row in parsed:
            outcome = resolver.import_row(row)
            if isinstance(row, EnrollmentRow):
                outcome.name = f"{row.first_name} {row.last_name}".strip()
                outcome.identifier = row.email or row.tax_code
                outcome.course = row.course
            report.rows.append(outcome)
        if dry_run:
            transaction.set_rollback(True)  # a dry run reports exactly what a real run would do
    if dry_run:  # ids of rows that were rolled back would point at nothing
        for outcome in report.rows:
            if outcome.status == "created":
                outcome.enrollment_id = None
                if outcome.person_created:
                    outcome.learner_id = None
    return report
