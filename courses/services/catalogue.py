"""Writes of the catalogue: courses, modules and lessons, by their trainers and by staff."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, Max, Model, ProtectedError, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from courses.exceptions import (
    ContentHasLearnerRecords,
    CourseHasDocuments,
    CourseHasEnrollments,
    CourseHasVideos,
    CourseNeedsTrainer,
    CourseNotPublishable,
    NotATrainer,
    NotATrainerOfCourse,
    TrainersOnly,
    VideoOfAnotherCourse,
)
from courses.models import Course, CourseAudience, Lesson, Module, ThematicArea
from courses.selectors import course_can_edit
from lms.accounts.models import User
from lms.services import model_update

COURSE_FIELDS = (
    "title",
    "slug",
    "summary",
    "description",
    "area",
    "language",
    "declared_hours",
    "self_enrollment_open",
)
MODULE_FIELDS = (
    "title",
    "description",
    "declared_hours",
    "completion_min_hours",
    "completion_min_attendance_percent",
)
LESSON_FIELDS = (
    "title",
    "description",
    "kind",
    "is_required",
    "duration_seconds",
    "video_asset",
)


def _unique_slug(title: str, *, exclude_pk: Any = None) -> str:
    base = slugify(title)[:190] or "corso"
    slug, suffix = base, 2
    while Course.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _check_trainers(trainers: list[User]) -> None:
    if not trainers:
        raise CourseNeedsTrainer()
    if not_trainers := [t for t in trainers if not t.can_teach]:
        raise NotATrainer(extra={"people": [str(t.pk) for t in not_trainers]})


def _set_audience(course: Course, positions: Iterable[str]) -> None:
    wanted = set(positions)
    course.audiences.exclude(position__in=wanted).delete()
    existing = set(course.audiences.values_list("position", flat=True))
    CourseAudience.objects.bulk_create(
        CourseAudience(course=course, position=p) for p in sorted(wanted - existing)
    )


@transaction.atomic
def course_create(
    *,
    actor: User,
    title: str,
    area: ThematicArea,
    summary: str = "",
    description: str = "",
    language: str = Course.Language.ITALIAN,
    declared_hours: Decimal = Decimal("0"),
    self_enrollment_open: bool = False,
    audience: Iterable[str] = (),
    trainers: list[User] | None = None,
    slug: str = "",
) -> Course:
    """Create a draft course. Its trainers default to the creating trainer.

    Raises TrainersOnly, NotATrainer, ValidationError (e.g. a slug already in use).
    """
    if not actor.can_teach:
        raise TrainersOnly()
    trainers = trainers if trainers is not None else [actor]
    _check_trainers(trainers)
    course = Course(
        title=title.strip(),
        slug=slug or _unique_slug(title),
        summary=summary,
        description=description,
        area=area,
        language=language,
        declared_hours=declared_hours,
        self_enrollment_open=self_enrollment_open,
        created_by=actor,
    )
    course.full_clean()
    course.save()
    course.trainers.set(trainers)
    _set_audience(course, audience)
    return course


def _check_editable(actor: User, course: Course) -> None:
    if not course_can_edit(actor=actor, course=course):
        raise NotATrainerOfCourse()


def _status_change(course: Course, status: str) -> dict[str, Any]:
    """The fields a move to ``status`` sets: publishing needs content and dates the first
    publication; a course people are enrolled in cannot go back to draft."""
    if status == course.status:
        return {}
    if status == Course.Status.PUBLISHED:
        if not Lesson.objects.filter(module__course=course).exists():
            raise CourseNotPublishable()
        return {"status": status, "published_at": course.published_at or timezone.now()}
    if status == Course.Status.DRAFT and course.enrollments.exists():
        raise CourseHasEnrollments()
    return {"status": status}


@transaction.atomic
def course_update(*, actor: User, course: Course, data: dict[str, Any]) -> Course:
    """Change a course. Publishing needs content; a course with enrolments can be archived
    but not taken back to draft. Raises NotATrainerOfCourse, CourseNotPublishable,
    CourseHasEnrollments, CourseNeedsTrainer, NotATrainer, ValidationError."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    _check_editable(actor, course)
    if "status" in data:
        data = {**data, **_status_change(course, data["status"])}
    model_update(instance=course, fields=(*COURSE_FIELDS, "status", "published_at"), data=data)
    if "trainers" in data:
        _check_trainers(data["trainers"])
        course.trainers.set(data["trainers"])
    if "audience" in data:
        _set_audience(course, data["audience"])
    return course


def _delete(item: Model) -> None:
    """Delete ``item`` and what cascades from it, unless a record that must stay refers to it.

    The rows that PROTECT content and are not checked first are the progress engine's
    (progress, credits, completions): they exist without an enrolment too, since statements
    about a lesson are stored and applied whoever sends them. The catalogue does not import
    tracking, so it learns of them from the database's refusal."""
    try:
        item.delete()
    except ProtectedError as error:
        raise ContentHasLearnerRecords() from error


@transaction.atomic
def course_delete(*, actor: User, course: Course) -> None:
    """Delete a course nobody is enrolled in, with no uploaded videos or documents and no
    learner's records (CourseHasEnrollments, CourseHasVideos, CourseHasDocuments,
    ContentHasLearnerRecords otherwise: archive it instead)."""
    _check_editable(actor, course)
    if course.enrollments.exists():
        raise CourseHasEnrollments()
    if course.video_assets.exists():
        raise CourseHasVideos()
    if course.documents.exists():
        raise CourseHasDocuments()
    _delete(course)


def _renumber(siblings: QuerySet[Any], ordered: list[Model]) -> None:
    """Give ``ordered`` the positions 1..n. Everything first moves past the current maximum so
    that the unique (parent, position) constraint holds after every single UPDATE."""
    offset = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
    siblings.update(position=F("position") + offset)
    for position, item in enumerate(ordered, start=1):
        siblings.filter(pk=item.pk).update(position=position)
        item.position = position  # type: ignore[attr-defined]


def _place(siblings: QuerySet[Any], item: Model, position: int | None) -> None:
    """Put ``item`` (already saved among ``siblings``) at ``position`` (1-based; None or past
    the end: last) and close the gaps."""
    others = [s for s in siblings.order_by("position") if s.pk != item.pk]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    _renumber(siblings, [*others[:index], item, *others[index:]])


def _next_position(siblings: QuerySet[Any]) -> int:
    return (siblings.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_content_removable(course: Course) -> None:
    # Removing content under enrolled learners would orphan their progress.
    if course.enrollments.exists():
        raise CourseHasEnrollments()


@transaction.atomic
def module_create(
    *, actor: User, course: Course, title: str, position: int | None = None, **fields: Any
) -> Module:
    """Add a module at ``position`` (default: last). Raises NotATrainerOfCourse."""
    course = Course.objects.select_for_update().get(pk=course.pk)  # serialises reordering
    _check_editable(actor, course)
    siblings = Module.objects.filter(course=course)
    module = Module(
        course=course,
        position=_next_position(siblings),
        **{name: fields[name] for name in MODULE_FIELDS if name in fields},
        title=title.strip(),
    )
    module.full_clean()
    module.save()
    _place(siblings, module, position)
    return module


@transaction.atomic
def module_update(*, actor: User, module: Module, data: dict[str, Any]) -> Module:
    """Change a module or move it to another position in its course."""
    Course.objects.select_for_update().get(pk=module.course_id)
    _check_editable(actor, module.course)
    model_update(instance=module, fields=MODULE_FIELDS, data=data, clean_exclude=["position"])
    if "position" in data:
        _place(Module.objects.filter(course_id=module.course_id), module, data["position"])
    return module


@transaction.atomic
def module_delete(*, actor: User, module: Module) -> None:
    """Delete a module and its lessons, unless people are enrolled in the course or have
    records of it (ContentHasLearnerRecords)."""
    course = Course.objects.select_for_update().get(pk=module.course_id)
    _check_editable(actor, course)
    _check_content_removable(course)
    _delete(module)
    remaining = Module.objects.filter(course=course)
    _renumber(remaining, list(remaining.order_by("position")))


def _video_fields(module: Module, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` of a lesson of ``module``, checked: its video must be one of its own course's,
    and a ready one gives the lesson its length."""
    asset = fields.get("video_asset")
    if asset is None:
        return fields
    if asset.course_id != module.course_id:
        raise VideoOfAnotherCourse(extra={"video_asset_id": str(asset.pk)})
    if asset.duration_seconds is not None:
        return {**fields, "duration_seconds": asset.duration_seconds}
    return fields


@transaction.atomic
def lesson_create(
    *,
    actor: User,
    module: Module,
    title: str,
    kind: str,
    position: int | None = None,
    **fields: Any,
) -> Lesson:
    """Add a lesson to a module at ``position`` (default: last)."""
    Course.objects.select_for_update().get(pk=module.course_id)
    _check_editable(actor, module.course)
    siblings = Lesson.objects.filter(module=module)
    given = _video_fields(module, {name: fields[name] for name in LESSON_FIELDS if name in fields})
    lesson = Lesson(
        module=module,
        position=_next_position(siblings),
        **given,
        title=title.strip(),
        kind=kind,
    )
    lesson.full_clean()
    lesson.save()
    _place(siblings, lesson, position)
    return lesson


@transaction.atomic
def lesson_update(*, actor: User, lesson: Lesson, data: dict[str, Any]) -> Lesson:
    """Change a lesson or move it within its module."""
    Course.objects.select_for_update().get(pk=lesson.module.course_id)
    _check_editable(actor, lesson.module.course)
    model_update(
        instance=lesson,
        fields=LESSON_FIELDS,
        data=_video_fields(lesson.module, data),
        clean_exclude=["position"],
    )
    if "position" in data:
        _place(Lesson.objects.filter(module_id=lesson.module_id), lesson, data["position"])
    return lesson


def lessons_take_video_length(*, video_asset_id: UUID, duration_seconds: float) -> None:
    """A video lesson's length is its ready video's (to the tenth of a second): media calls
    this in the transaction that publishes the video."""
    Lesson.objects.filter(video_asset_id=video_asset_id).update(duration_seconds=duration_seconds)


@transaction.atomic
def lesson_delete(*, actor: User, lesson: Lesson) -> None:
    """Delete a lesson, unless people are enrolled in the course or have records of it
    (ContentHasLearnerRecords)."""
    course = Course.objects.select_for_update().get(pk=lesson.module.course_id)
    _check_editable(actor, course)
    _check_content_removable(course)
    module_id = lesson.module_id
    _delete(lesson)
    remaining = Lesson.objects.filter(module_id=module_id)
    _renumber(remaining, list(remaining.order_by("position")))
