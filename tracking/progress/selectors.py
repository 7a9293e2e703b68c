"""Reads of learners' progress, scoped to who asks: a learner sees themselves; coordinators
the people of their city (national coordinators and staff everyone); trainers the learners
of the courses they teach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Count,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from courses.exceptions import CourseNotFound, LessonNotFound, NotATrainerOfCourse
from courses.models import Course, Enrollment, Lesson, Module
from courses.selectors import (
    course_can_edit,
    course_can_view_content,
    course_get,
    course_list,
)
from lms.accounts.models import User
from lms.accounts.selectors import person_get, person_list
from lms.exceptions import PermissionDenied
from tracking.progress.models import (
    AttendanceCredit,
    Completion,
    CreditEntry,
    LessonProgress,
    ProgrammeProgress,
)

# --- one learner ----------------------------------------------------------------------------


@dataclass
class LessonLine:
    lesson: Lesson
    covered_seconds: float = 0.0
    credited_seconds: float = 0.0
    attended_seconds: float = 0.0  # in person or live, from the registers
    completed_at: datetime | None = None

    @property
    def attended_hours(self) -> float:
        return round(self.attended_seconds / 3600, 2)

    @property
    def coverage_percent(self) -> float:
        length = self.lesson.duration_seconds
        return round(100 * self.covered_seconds / length, 1) if length else 0.0

    @property
    def credited_minutes(self) -> float:
        return round(self.credited_seconds / 60, 1)


@dataclass
class ModuleLine:
    id: UUID
    title: str
    position: int
    lessons: list[LessonLine] = field(default_factory=list)
    completed_at: datetime | None = None
    module: Module | None = None  # its declared hours and description, for the pages

    @property
    def credited_seconds(self) -> float:
        return sum(line.credited_seconds for line in self.lessons)

    @property
    def credited_hours(self) -> float:
        return round(self.credited_seconds / 3600, 2)


@dataclass
class CourseLine:
    course: Course
    enrollment_status: str | None
    modules: list[ModuleLine] = field(default_factory=list)
    completed_at: datetime | None = None

    @property
    def credited_seconds(self) -> float:
        return sum(module.credited_seconds for module in self.modules)

    @property
    def credited_hours(self) -> float:
        return round(self.credited_seconds / 3600, 2)


@dataclass
class LearnerProgress:
    learner: User
    credited_seconds: float
    target_hours: float
    completed_at: datetime | None
    courses: list[CourseLine]
    days: list[tuple[date, float]]  # (day, verified minutes), Europe/Rome days

    @property
    def credited_hours(self) -> float:
        return round(self.credited_seconds / 3600, 2)

    @property
    def target_percent(self) -> float:
        return round(100 * self.credited_seconds / (self.target_hours * 3600), 1)


def _learner_for(*, actor: User, learner_id: UUID | None) -> User:
    """The actor themselves, or a person they may follow (coordinators in scope)."""
    if learner_id is None or learner_id == actor.pk:
        return actor
    return person_get(actor=actor, person_id=learner_id)


def learner_progress(*, actor: User, learner_id: UUID | None = None) -> LearnerProgress:
    """The credited hours of a learner against the programme's target, per course, module and
    lesson (coverage, credit, completion dates), and verified minutes per day. Courses: those
    they are enrolled in and any they have credited time in. A constant number of queries."""
    learner = _learner_for(actor=actor, learner_id=learner_id)
    programme = ProgrammeProgress.objects.filter(learner=learner).first()
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(learner=learner)}
    enrolments = {
        e.course_id: e.status
        for e in Enrollment.objects.filter(learner=learner).exclude(
            status=Enrollment.Status.WITHDRAWN
        )
    }
    course_ids = set(enrolments) | set(
        Lesson.objects.filter(pk__in=progress).values_list("module__course_id", flat=True)
    )
    completions = {
        (c.kind, c.lesson_id or c.module_id or c.course_id): c.completed_at
        for c in Completion.objects.filter(learner=learner, withdrawn_at__isnull=True)
    }
    attended = dict(
        AttendanceCredit.objects.filter(learner=learner)
        .values("lesson_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("lesson_id", "seconds")
    )
    courses = []
    lessons = (
        Lesson.objects.filter(module__course_id__in=course_ids)
        .select_related("module__course__area")
        .order_by("module__course__title", "module__position", "position")
    )
    by_course: dict[UUID, CourseLine] = {}
    modules: dict[UUID, ModuleLine] = {}
    for lesson in lessons:
        course = lesson.module.course
        line = by_course.get(course.pk)
        if line is None:
            line = by_course[course.pk] = CourseLine(
                course=course,
                enrollment_status=enrolments.get(course.pk),
                completed_at=completions.get((Completion.Kind.COURSE, course.pk)),
            )
            courses.append(line)
        module = modules.get(lesson.module_id)
        if module is None:
            module = modules[lesson.module_id] = ModuleLine(
                id=lesson.module_id,
                title=lesson.module.title,
                position=lesson.module.position,
                completed_at=completions.get((Completion.Kind.MODULE, lesson.module_id)),
                module=lesson.module,
            )
            line.modules.append(module)
        row = progress.get(lesson.pk)
        module.lessons.append(
            LessonLine(
                lesson=lesson,
                covered_seconds=row.covered_seconds if row else 0.0,
                credited_seconds=row.credited_seconds if row else 0.0,
                attended_seconds=attended.get(lesson.pk, 0.0),
                # (an in-person or live lesson is completed by its registers: no progress row)
                completed_at=completions.get((Completion.Kind.LESSON, lesson.pk))
                or (row.completed_at if row else None),
            )
        )
    days = (
        CreditEntry.objects.filter(learner=learner, seconds__gt=0)
        .annotate(day=TruncDate("credited_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(seconds=Sum("seconds"))
        .order_by("day")
    )
    return LearnerProgress(
        learner=learner,
        credited_seconds=programme.credited_seconds if programme else 0.0,
        target_hours=settings.PROGRAMME_TARGET_HOURS,
        completed_at=completions.get((Completion.Kind.PROGRAMME, None)),
        courses=courses,
        days=[(row["day"], round(row["seconds"] / 60, 1)) for row in days],
    )


@dataclass
class LearnerCourse:
    course: Course
    enrollment: Enrollment | None
    can_view_content: bool
    modules: list[ModuleLine]
    completed_at: datetime | None

    @property
    def credited_seconds(self) -> float:
        return sum(module.credited_seconds for module in self.modules)

    @property
    def credited_minutes(self) -> float:
        return round(self.credited_seconds / 60, 1)


def learner_course(*, actor: User, slug: str) -> LearnerCourse:
    """One course the actor may see, by slug (CourseNotFound otherwise), with its modules and
    lessons in order and the actor's own state in each (coverage, credit, completion), their
    enrolment if any and whether they may play its content. A constant number of queries."""
    course_id = course_list(actor=actor).filter(slug=slug).values_list("pk", flat=True).first()
    if course_id is None:
        raise CourseNotFound()
    course = course_get(actor=actor, course_id=course_id, with_content=True)
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(learner=actor, lesson__module__course=course)
    }
    completions = {
        (c.kind, c.module_id or c.course_id): c.completed_at
        for c in Completion.objects.filter(
            Q(kind=Completion.Kind.MODULE, module__course=course)
            | Q(kind=Completion.Kind.COURSE, course=course),
            learner=actor,
            withdrawn_at__isnull=True,
        )
    }
    modules = []
    for module in course.modules.all():
        line = ModuleLine(
            id=module.pk,
            title=module.title,
            position=module.position,
            completed_at=completions.get((Completion.Kind.MODULE, module.pk)),
            module=module,
        )
        for lesson in module.lessons.all():
            row = progress.get(lesson.pk)
            line.lessons.append(
                LessonLine(
                    lesson=lesson,
                    covered_seconds=row.covered_seconds if row else 0.0,
                    credited_seconds=row.credited_seconds if row else 0.0,
                    completed_at=row.completed_at if row else None,
                )
            )
        modules.append(line)
    return LearnerCourse(
        course=course,
        enrollment=Enrollment.objects.filter(course=course, learner=actor).first(),
        can_view_content=course_can_view_content(actor=actor, course=course),
        modules=modules,
        completed_at=completions.get((Completion.Kind.COURSE, course.pk)),
    )


@dataclass
class LessonExplanation:
    learner: User
    lesson: Lesson
    progress: LessonProgress | None
    entries: list[CreditEntry]

    @property
    def credited_seconds(self) -> float:
        return sum(entry.seconds for entry in self.entries)


def lesson_explanation(
    *, actor: User, lesson_id: UUID, learner_id: UUID | None = None
) -> LessonExplanation:
    """Every ledger entry of one learner in one lesson, oldest first: the statement behind
    each credit, the media it covered, the real time it used and why it was capped. The
    learner themselves, coordinators in scope, and the lesson's trainers and staff."""
    # A lesson the actor may see: of a course they may see, or (coordinators, who audit their
    # people's hours) of any course that is not a draft.
    visible = Q(module__course__in=course_list(actor=actor).values("pk"))
    if actor.is_coordinator:
        visible |= ~Q(module__course__status=Course.Status.DRAFT)
    lesson = Lesson.objects.select_related("module__course").filter(visible, pk=lesson_id).first()
    if lesson is None:
        raise LessonNotFound()
    if learner_id is None or learner_id == actor.pk:
        learner = actor
    elif actor.is_coordinator or actor.is_staff:
        learner = person_get(actor=actor, person_id=learner_id)
    else:
        course = course_get(actor=actor, course_id=lesson.module.course_id)
        if not course_can_edit(actor=actor, course=course):
            raise PermissionDenied()
        enrolled = User.objects.filter(pk=learner_id, enrollments__course=course).distinct().first()
        if enrolled is None:
            raise LessonNotFound()
        learner = enrolled
    return LessonExplanation(
        learner=learner,
        lesson=lesson,
        progress=LessonProgress.objects.filter(learner=learner, lesson=lesson).first(),
        entries=list(
            CreditEntry.objects.filter(learner=learner, lesson=lesson).order_by("credited_at", "id")
        ),
    )


def window_as_times(window: list[list[float]]) -> list[dict[str, str]]:
    """Real-time intervals (epoch seconds) as ISO 8601 pairs."""
    return [
        {
            "start": datetime.fromtimestamp(start, tz=UTC).isoformat(),
            "end": datetime.fromtimestamp(end, tz=UTC).isoformat(),
        }
        for start, end in window
    ]


# --- coordinators ---------------------------------------------------------------------------

HOUR_BUCKETS = (0, 1, 10, 50, 100, 200, 300)


@dataclass
class OverviewGroup:
    key: str
    label: str
    people: int = 0  # learners in the group (in a course's group: the ones enrolled in it)
    active_30_days: int = 0
    completed_courses: int = 0
    enrolments: int = 0
    credited_hours: float = 0.0

    @property
    def completion_rate(self) -> float:
        return round(100 * self.completed_courses / self.enrolments, 1) if self.enrolments else 0.0


@dataclass
class Overview:
    learners: int
    active_30_days: int
    target_hours: float
    hours_distribution: list[dict[str, Any]]
    by_city: list[OverviewGroup]
    by_organisation: list[OverviewGroup]
    by_course: list[OverviewGroup]
    behind: list[dict[str, Any]]


def progress_overview(
    *,
    actor: User,
    city_id: UUID | None = None,
    organisation_id: UUID | None = None,
    course_id: UUID | None = None,
    behind_limit: int = 100,
) -> Overview:
    """The coordinator's view of the people in scope (their city; every city for national
    coordinators and staff), optionally narrowed to a city, organisation or course: how many,
    how many active in the last 30 days, completion rates and credited hours per city,
    organisation and course, the distribution of credited hours, and the people furthest
    behind the programme's target. Aggregated in the database: a bounded number of queries."""
    people = person_list(actor=actor).filter(role=User.Role.LEARNER)
    if city_id is not None:
        people = people.filter(organisation__city_id=city_id)
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
    if course_id is not None:
        people = people.filter(enrollments__course_id=course_id)
    since = timezone.now() - timedelta(days=30)
    programmes = ProgrammeProgress.objects.filter(learner__in=people.values("pk"))
    credited = dict(programmes.values_list("learner_id", "credited_seconds"))
    active = set(
        LessonProgress.objects.filter(learner__in=people.values("pk"), last_activity_at__gte=since)
        .values_list("learner_id", flat=True)
        .distinct()
    )
    person_rows = list(
        people.values(
            "pk",
            "first_name",
            "last_name",
            "organisation_id",
            "organisation__name",
            "organisation__city_id",
            "organisation__city__name",
        )
    )
    by_city: dict[Any, OverviewGroup] = {}
    by_organisation: dict[Any, OverviewGroup] = {}
    buckets = [0] * len(HOUR_BUCKETS)
    for row in person_rows:
        hours = credited.get(row["pk"], 0.0) / 3600
        index = max(i for i, low in enumerate(HOUR_BUCKETS) if hours >= low)
        buckets[index] += 1
        for groups, key, label in (
            (by_city, row["organisation__city_id"], row["organisation__city__name"]),
            (by_organisation, row["organisation_id"], row["organisation__name"]),
        ):
            group = groups.setdefault(key, OverviewGroup(key=str(key), label=label or "-"))
            group.people += 1
            group.active_30_days += row["pk"] in active
            group.credited_hours += hours
    enrolments = Enrollment.objects.filter(learner__in=people.values("pk")).exclude(
        status=Enrollment.Status.WITHDRAWN
    )
    if course_id is not None:
        enrolments = enrolments.filter(course_id=course_id)
    per_course = enrolments.values("course_id", "course__title").annotate(
        enrolled=Count("pk"),
        completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
    )
    course_done = dict(
        Completion.objects.filter(
            kind=Completion.Kind.COURSE,
            learner__in=people.values("pk"),
            withdrawn_at__isnull=True,
        )
        .values("course_id")
        .annotate(done=Count("pk"))
        .values_list("course_id", "done")
    )
    by_course = []
    person_org = {row["pk"]: row for row in person_rows}
    enrolment_pairs = list(enrolments.values_list("learner_id", "course_id"))
    done_pairs = set(
        Completion.objects.filter(
            kind=Completion.Kind.COURSE, learner__in=people.values("pk"), withdrawn_at__isnull=True
        ).values_list("learner_id", "course_id")
    )
    for learner, course in enrolment_pairs:
        if learner not in person_org:
            continue
        row = person_org[learner]
        for groups, key in (
            (by_city, row["organisation__city_id"]),
            (by_organisation, row["organisation_id"]),
        ):
            groups[key].enrolments += 1
            groups[key].completed_courses += (learner, course) in done_pairs
    for course_row in per_course:
        group = OverviewGroup(
            key=str(course_row["course_id"]),
            label=course_row["course__title"],
            people=course_row["enrolled"],
            enrolments=course_row["enrolled"],
            completed_courses=course_done.get(course_row["course_id"], 0),
        )
        by_course.append(group)
    target = settings.PROGRAMME_TARGET_HOURS
    behind = sorted(
        (
            {
                "id": row["pk"],
                "name": f"{row['first_name']} {row['last_name']}".strip(),
                "organisation": row["organisation__name"],
                "credited_hours": round(credited.get(row["pk"], 0.0) / 3600, 2),
            }
            for row in person_rows
            if credited.get(row["pk"], 0.0) < target * 3600
        ),
        key=lambda person: (person["credited_hours"], person["name"]),
    )[:behind_limit]
    labels = [
        f"{low}-{HOUR_BUCKETS[i + 1]} h" if i + 1 < len(HOUR_BUCKETS) else f"{low}+ h"
        for i, low in enumerate(HOUR_BUCKETS)
    ]
    return Overview(
        learners=len(person_rows),
        active_30_days=sum(1 for row in person_rows if row["pk"] in active),
        target_hours=target,
        hours_distribution=[
            {"range": label, "learners": count}
            for label, count in zip(labels, buckets, strict=True)
        ],
        by_city=sorted(by_city.values(), key=lambda g: g.label),
        by_organisation=sorted(by_organisation.values(), key=lambda g: g.label),
        by_course=sorted(by_course, key=lambda g: g.label),
        behind=behind,
    )


DASHBOARD_BUCKET_HOURS = 50  # the coordinators' histogram: 0-50 h, 50-100 h, ... 300+ h


@dataclass
class CityDashboard:
    people: int
    active_enrolments: int
    completed_enrolments: int
    target_hours: float
    inactive_days: int
    distribution: list[tuple[int, int | None, int]]  # (from hours, to hours or None, people)
    behind: list[dict[str, Any]]  # below the target and no activity in ``inactive_days``
    behind_count: int  # all of them (``behind`` holds the first ``behind_limit``)
    days: list[tuple[date, float, int]]  # last 30 days: (day, verified hours, active people)


def city_dashboard(
    *, actor: User, city_id: UUID | None = None, inactive_days: int = 14, behind_limit: int = 50
) -> CityDashboard:
    """The coordinator's dashboard of the learners in scope (optionally one city): how many,
    their enrolments, the distribution of credited hours in 50-hour steps up to the target,
    the people behind (under the target with no activity for ``inactive_days``) and the
    verified hours and active people per day over the last 30 days. A constant number of
    queries."""
    people = person_list(actor=actor).filter(role=User.Role.LEARNER)
    if city_id is not None:
        people = people.filter(organisation__city_id=city_id)
    ids = people.values("pk")
    counts = Enrollment.objects.filter(learner__in=ids).aggregate(
        active=Count("pk", filter=Q(status=Enrollment.Status.ACTIVE)),
        completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
    )
    target = settings.PROGRAMME_TARGET_HOURS
    steps = int(target // DASHBOARD_BUCKET_HOURS)
    target_seconds, bucket_seconds = target * 3600, DASHBOARD_BUCKET_HOURS * 3600
    # Everything is counted by the database: a city has thousands of learners, and shipping a
    # row per learner to count it here cost more than all the queries. A learner with no
    # progress row has 0 hours and was never active: in the first step, and behind.
    quiet_since = timezone.now() - timedelta(days=inactive_days)
    is_behind = Q(credited_seconds__lt=target_seconds) & (
        Q(last_stored__isnull=True) | Q(last_stored__lt=quiet_since)
    )
    step_counts = {
        f"step_{i}": Count(
            "pk",
            filter=Q(credited_seconds__gte=i * bucket_seconds)
            & (Q(credited_seconds__lt=(i + 1) * bucket_seconds) if i < steps else Q()),
        )
        for i in range(steps + 1)
    }
    progress = ProgrammeProgress.objects.filter(learner__in=ids)
    tally = progress.aggregate(
        with_progress=Count("pk"), behind=Count("pk", filter=is_behind), **step_counts
    )
    total = people.count()
    without_progress = total - tally["with_progress"]
    buckets = [tally[f"step_{i}"] for i in range(steps + 1)]
    buckets[0] += without_progress
    # The ``behind_limit`` with the fewest hours (then by name): the first of those with a
    # progress row and of those without, merged.
    with_rows = progress.filter(is_behind).order_by(
        "credited_seconds", "learner__first_name", "learner__last_name", "learner_id"
    )[:behind_limit]
    candidates = [
        (credited, first, last, pk, organisation, last_stored)
        for pk, first, last, organisation, credited, last_stored in with_rows.values_list(
            "learner_id",
            "learner__first_name",
            "learner__last_name",
            "learner__organisation__name",
            "credited_seconds",
            "last_stored",
        )
    ]
    if without_progress:
        never_active = people.exclude(pk__in=progress.values("learner_id")).order_by(
            "first_name", "last_name", "pk"
        )[:behind_limit]
        candidates += [
            (0.0, first, last, pk, organisation, None)
            for pk, first, last, organisation in never_active.values_list(
                "pk", "first_name", "last_name", "organisation__name"
            )
        ]
    candidates.sort(key=lambda row: row[:3])
    behind = [
        {
            "id": pk,
            "name": f"{first} {last}".strip(),
            "organisation": organisation or "",
            "credited_hours": round(credited / 3600, 1),
            "last_activity_at": last_stored,
        }
        for credited, first, last, pk, organisation, last_stored in candidates[:behind_limit]
    ]
    now = timezone.now()
    tz = timezone.get_current_timezone()
    first_day = timezone.localdate(now) - timedelta(days=29)
    per_day = {
        row["day"]: (row["seconds"], row["people"])
        for row in CreditEntry.objects.filter(
            learner__in=ids,
            seconds__gt=0,
            credited_at__gte=datetime.combine(first_day, datetime.min.time(), tzinfo=tz),
        )
        .annotate(day=TruncDate("credited_at", tzinfo=tz))
        .values("day")
        .annotate(seconds=Sum("seconds"), people=Count("learner_id", distinct=True))
    }
    days = []
    for offset in range(30):
        day = first_day + timedelta(days=offset)
        seconds, active = per_day.get(day, (0.0, 0))
        days.append((day, round(seconds / 3600, 1), active))
    return CityDashboard(
        people=total,
        behind_count=tally["behind"] + without_progress,
        active_enrolments=counts["active"],
        completed_enrolments=counts["completed"],
        target_hours=target,
        inactive_days=inactive_days,
        distribution=[
            (
                i * DASHBOARD_BUCKET_HOURS,
                (i + 1) * DASHBOARD_BUCKET_HOURS if i < steps else None,
                count,
            )
            for i, count in enumerate(buckets)
        ],
        behind=behind,
        days=days,
    )


def person_progress_list(
    *, actor: User, city_id: UUID | None = None, search: str = ""
) -> QuerySet[User]:
    """People in the actor's scope (optionally one city; ``search`` in name, e-mail or tax
    code), each annotated with ``enrolments`` (not withdrawn), ``credited_seconds`` and
    ``last_activity_at``: one query per page."""
    people = person_list(actor=actor)
    if city_id is not None:
        people = people.filter(organisation__city_id=city_id)
    for term in search.split():
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(tax_code__iexact=term)
        )
    enrolments = (
        Enrollment.objects.filter(learner=OuterRef("pk"))
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .values("learner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = (
        LessonProgress.objects.filter(learner=OuterRef("pk"))
        .values("learner")
        .annotate(last=Max("last_activity_at"))
        .values("last")
    )
    credited = ProgrammeProgress.objects.filter(learner=OuterRef("pk")).values("credited_seconds")
    return people.annotate(
        enrolments=Coalesce(Subquery(enrolments), 0),
        credited_seconds=Coalesce(Subquery(credited[:1]), 0.0),
        last_activity_at=Subquery(last),
    )


# --- trainers -------------------------------------------------------------------------------


def course_progress(*, actor: User, course_id: UUID) -> list[dict[str, Any]]:
    """A course's learners (active and completed enrolments) with their credited time,
    lessons completed and last activity: for the course's trainers and staff."""
    course = course_get(actor=actor, course_id=course_id)
    if not course_can_edit(actor=actor, course=course):
        raise NotATrainerOfCourse()
    lesson_ids = list(Lesson.objects.filter(module__course=course).values_list("pk", flat=True))
    rows = (
        LessonProgress.objects.filter(lesson_id__in=lesson_ids)
        .values("learner_id")
        .annotate(
            credited=Sum("credited_seconds"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            last=Max("last_activity_at"),
        )
    )
    per_learner = {row["learner_id"]: row for row in rows}
    learners = []
    enrolments = (
        Enrollment.objects.filter(course=course)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("learner__organisation__city")
        .order_by("learner__last_name", "learner__first_name")
    )
    for enrolment in enrolments:
        row = per_learner.get(enrolment.learner_id, {})
        learners.append(
            {
                "learner": enrolment.learner,
                "status": enrolment.status,
                "credited_seconds": row.get("credited") or 0.0,
                "lessons_completed": row.get("completed") or 0,
                "lessons": len(lesson_ids),
                "last_activity_at": row.get("last"),
            }
        )
    return learners


@dataclass(frozen=True)
class DistanceDay:
    """One learner's verified distance learning in one lesson on one day (Europe/Rome): the
    first and last moments of real time the ledger credited, and the seconds credited."""

    learner_id: UUID
    lesson_id: UUID
    day: date
    first_at: datetime
    last_at: datetime
    seconds: float


def distance_days(
    *, learner_ids: list[UUID], date_from: date | None = None, date_to: date | None = None
) -> list[DistanceDay]:
    """The distance attendance of these learners, per learner, day and lesson, from the ledger
    itself (``CreditEntry``: only credit, never an estimate from gaps between statements):
    entry and exit are the first start and the last end of the real-time windows that were
    credited. In (learner, day, first entry) order; one query."""
    tz = timezone.get_current_timezone()
    entries = CreditEntry.objects.filter(learner_id__in=learner_ids, seconds__gt=0)
    if date_from is not None:
        entries = entries.filter(
            credited_at__gte=datetime.combine(date_from, datetime.min.time(), tzinfo=tz)
        )
    if date_to is not None:
        entries = entries.filter(
            credited_at__lt=datetime.combine(
                date_to + timedelta(days=1), datetime.min.time(), tzinfo=tz
            )
        )
    days: dict[tuple[UUID, date, UUID], list[float]] = {}
    for learner_id, lesson_id, credited_at, seconds, window in entries.values_list(
        "learner_id", "lesson_id", "credited_at", "seconds", "window"
    ).iterator(chunk_size=5000):
        day = timezone.localdate(credited_at, tz)
        stored = credited_at.timestamp()
        starts = [pair[0] for pair in window] or [stored - seconds]
        ends = [pair[1] for pair in window] or [stored]
        key = (learner_id, day, lesson_id)
        known = days.get(key)
        if known is None:
            days[key] = [min(starts), max(ends), seconds]
        else:
            known[0] = min(known[0], *starts)
            known[1] = max(known[1], *ends)
            known[2] += seconds
    rows = [
        DistanceDay(
            learner_id=learner_id,
            lesson_id=lesson_id,
            day=day,
            first_at=datetime.fromtimestamp(first, tz),
            last_at=datetime.fromtimestamp(last, tz),
            seconds=seconds,
        )
        for (learner_id, day, lesson_id), (first, last, seconds) in days.items()
    ]
    rows.sort(key=lambda row: (str(row.learner_id), row.day, row.first_at))
    return rows


def attendance_totals(*, learner_ids: Any) -> dict[UUID, dict[str, float]]:
    """Seconds attended in person and live per learner (the attendance credits), by mode."""
    totals: dict[UUID, dict[str, float]] = {}
    for learner_id, mode, seconds in (
        AttendanceCredit.objects.filter(learner_id__in=learner_ids)
        .values("learner_id", "mode")
        .annotate(seconds=Sum("seconds"))
        .values_list("learner_id", "mode", "seconds")
    ):
        totals.setdefault(learner_id, {})[mode] = seconds or 0.0
    return totals


@dataclass(frozen=True)
class CreditedHours:
    """What a learner was credited in a module, a course or the whole programme, the three
    modes apart (seconds), and the day the first of it was credited (Europe/Rome)."""

    distance: float
    in_person: float
    webinar: float
    started_on: date | None


def credited_hours(
    *, learner_id: UUID, module_id: UUID | None = None, course_id: UUID | None = None
) -> CreditedHours:
    """The learner's credited seconds in ``module_id``, in ``course_id``, or in everything
    (neither): the distance ledger (``CreditEntry``) and the attendance credits, read as they
    stand; two queries."""
    scope = Q()
    if module_id is not None:
        scope = Q(lesson__module_id=module_id)
    elif course_id is not None:
        scope = Q(lesson__module__course_id=course_id)
    distance = CreditEntry.objects.filter(scope, learner_id=learner_id, seconds__gt=0).aggregate(
        seconds=Sum("seconds"), first=Min("credited_at")
    )
    attended = {
        mode: (seconds, first)
        for mode, seconds, first in AttendanceCredit.objects.filter(scope, learner_id=learner_id)
        .values("mode")
        .annotate(seconds=Sum("seconds"), first=Min("day"))
        .values_list("mode", "seconds", "first")
    }
    starts = [timezone.localdate(distance["first"])] if distance["first"] else []
    starts += [first for _seconds, first in attended.values() if first is not None]
    return CreditedHours(
        distance=distance["seconds"] or 0.0,
        in_person=attended.get(AttendanceCredit.Mode.IN_PERSON, (0.0, None))[0] or 0.0,
        webinar=attended.get(AttendanceCredit.Mode.WEBINAR, (0.0, None))[0] or 0.0,
        started_on=min(starts) if starts else None,
    )
