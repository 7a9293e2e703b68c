"""Reads of the catalogue and of enrolments, scoped to what the actor may see."""

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from courses.exceptions import (
    CourseNotFound,
    EnrollmentNotFound,
    LessonNotFound,
    ModuleNotFound,
    NotATrainerOfCourse,
)
from courses.models import Course, Enrollment, Lesson, Module, ThematicArea
from lms.accounts.models import User

Actor = User | AnonymousUser


def thematic_area_list() -> QuerySet[ThematicArea]:
    """The programme's thematic areas, in their order."""
    return ThematicArea.objects.all()


def _trains(actor: User) -> Exists:
    return Exists(Course.trainers.through.objects.filter(course=OuterRef("pk"), user=actor))


def _enrolled(actor: User) -> Exists:
    return Exists(Enrollment.objects.filter(course=OuterRef("pk"), learner=actor))


def course_list(*, actor: Actor) -> QuerySet[Course]:
    """Courses the actor may see: published ones for everybody (anonymous visitors too);
    drafts to their trainers; archived ones to their trainers and enrolled learners; all to staff.
    """
    courses = Course.objects.select_related("area").prefetch_related("audiences", "trainers")
    if not actor.is_authenticated:
        return courses.filter(status=Course.Status.PUBLISHED)
    if actor.is_staff:
        return courses
    return courses.filter(
        Q(status=Course.Status.PUBLISHED)
        | _trains(actor)
        | (Q(status=Course.Status.ARCHIVED) & _enrolled(actor))
    )


def course_search(courses: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Courses whose title or summary match ``text``, best matches first.

    On PostgreSQL: full-text search with Italian stemming (``semplificazione`` finds
    ``semplificare``) and web-search syntax (quotes, ``-word``), title weighted above summary,
    plus a plain substring match so that partial words and English titles are found too.
    Elsewhere (SQLite in ``make run``): the substring match alone.
    """
    text = text.strip()
    if not text:
        return courses
    substring = Q()
    for word in text.split():
        substring &= Q(title__icontains=word) | Q(summary__icontains=word)
    if connection.vendor != "postgresql":
        return courses.filter(substring)
    vector = SearchVector("title", weight="A", config="italian") + SearchVector(
        "summary", weight="B", config="italian"
    )
    query = SearchQuery(text, search_type="websearch", config="italian")
    return (
        courses.annotate(search_document=vector, search_rank=SearchRank(vector, query))
        .filter(Q(search_document=query) | substring)  # ts_rank is never 0: match with @@
        .order_by("-search_rank", "title")
    )


CATALOGUE_MODALITIES = ("distance", "in_person", "webinar")


def course_catalogue(
    *,
    actor: Actor,
    text: str = "",
    area_slug: str | None = None,
    position: str | None = None,
    modality: str | None = None,
) -> QuerySet[Course]:
    """The catalogue as the actor sees it (``course_list``), searched (``course_search``) and
    filtered by thematic area, by intended audience (a ``Position``) and by modality, which the
    kinds of a course's lessons decide: ``distance`` (no in-person session, no live webinar),
    ``in_person`` (at least one in-person session), ``webinar`` (at least one live webinar).
    Each course carries ``is_enrolled`` (an active enrolment of the actor), ``has_completed``
    (a completed one), ``has_in_person`` and ``has_webinar``. A constant number of queries."""

    def has(kind: str) -> Exists:
        return Exists(Lesson.objects.filter(module__course=OuterRef("pk"), kind=kind))

    def enrolled(status: str) -> Exists:
        return Exists(
            Enrollment.objects.filter(course=OuterRef("pk"), learner_id=actor.pk, status=status)
        )

    courses = course_search(course_list(actor=actor), text).annotate(
        has_in_person=has(Lesson.Kind.IN_PERSON),
        has_webinar=has(Lesson.Kind.LIVE_WEBINAR),
        is_enrolled=enrolled(Enrollment.Status.ACTIVE),
        has_completed=enrolled(Enrollment.Status.COMPLETED),
    )
    if area_slug:
        courses = courses.filter(area__slug=area_slug)
    if position:
        courses = courses.filter(audiences__position=position)  # unique per course
    if modality == "distance":
        courses = courses.filter(has_in_person=False, has_webinar=False)
    elif modality == "in_person":
        courses = courses.filter(has_in_person=True)
    elif modality == "webinar":
        courses = courses.filter(has_webinar=True)
    return courses


def course_get(*, actor: Actor, course_id: UUID, with_content: bool = False) -> Course:
    """One visible course (with its modules and lessons in order when ``with_content``);
    CourseNotFound otherwise, whether it does not exist or the actor may not see it."""
    courses = course_list(actor=actor)
    if with_content:
        modules = Module.objects.order_by("position").prefetch_related(
            Prefetch(
                "lessons",
                queryset=Lesson.objects.select_related("video_asset").order_by("position"),
            )
        )
        courses = courses.prefetch_related(Prefetch("modules", queryset=modules))
    course = courses.filter(pk=course_id).first()
    if course is None:
        raise CourseNotFound()
    return course


def course_list_taught(*, actor: User) -> QuerySet[Course]:
    """The courses the actor teaches (staff: every course), with ``module_count`` and
    ``lesson_count``, in title order: a trainer's "My courses". A constant number of queries."""
    courses = Course.objects.select_related("area").annotate(
        module_count=Count("modules", distinct=True),
        lesson_count=Count("modules__lessons", distinct=True),
    )
    if not actor.is_staff:
        courses = courses.filter(_trains(actor))
    return courses.order_by("title", "pk")


def course_can_edit(*, actor: Actor, course: Course) -> bool:
    """Staff and the course's own trainers may change it."""
    if not actor.is_authenticated:
        return False
    # trainers.all() uses the prefetched list when the course came from course_list()
    return actor.is_staff or any(trainer.pk == actor.pk for trainer in course.trainers.all())


def course_can_view_content(*, actor: Actor, course: Course) -> bool:
    """Who may play a course's videos and read its documents: its learners (active or done),
    its trainers, staff, and coordinators (city and national: they preview the national
    catalogue before enrolling their people)."""
    if not actor.is_authenticated:
        return False
    if actor.is_staff or actor.is_coordinator or course_can_edit(actor=actor, course=course):
        return True
    return Enrollment.objects.filter(
        course=course,
        learner=actor,
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED],
    ).exists()


def course_get_for_edit(*, actor: User, course_id: UUID, with_content: bool = False) -> Course:
    """A course the actor may change: CourseNotFound if they cannot see it,
    NotATrainerOfCourse if they can see it but do not teach it."""
    course = course_get(actor=actor, course_id=course_id, with_content=with_content)
    if not course_can_edit(actor=actor, course=course):
        raise NotATrainerOfCourse()
    return course


def module_get_for_edit(*, actor: User, module_id: UUID) -> Module:
    """A module of a course the actor may change (ModuleNotFound / NotATrainerOfCourse)."""
    module = (
        Module.objects.select_related("course")
        .filter(pk=module_id, course__in=course_list(actor=actor).values("pk"))
        .first()
    )
    if module is None:
        raise ModuleNotFound()
    if not course_can_edit(actor=actor, course=module.course):
        raise NotATrainerOfCourse()
    return module


def lesson_get_for_edit(*, actor: User, lesson_id: UUID) -> Lesson:
    """A lesson of a course the actor may change (LessonNotFound / NotATrainerOfCourse)."""
    lesson = (
        Lesson.objects.select_related("module__course")
        .filter(pk=lesson_id, module__course__in=course_list(actor=actor).values("pk"))
        .first()
    )
    if lesson is None:
        raise LessonNotFound()
    if not course_can_edit(actor=actor, course=lesson.module.course):
        raise NotATrainerOfCourse()
    return lesson


def enrollment_list(*, actor: User) -> QuerySet[Enrollment]:
    """Enrolments the actor may see: their own; those in courses they teach; those of the
    people of their city (coordinators); all of them (national coordinators and staff)."""
    enrollments = Enrollment.objects.select_related(
        "course", "learner__organisation__city"
    ).order_by("-enrolled_at", "pk")
    if actor.sees_every_city:
        return enrollments
    scope = Q(learner=actor) | Q(
        course__in=Course.trainers.through.objects.filter(user=actor).values("course_id")
    )
    if actor.is_coordinator:
        scope |= Q(learner__organisation__city_id=actor.coordinated_city_id)
    return enrollments.filter(scope)


def enrollment_get(*, actor: User, enrollment_id: UUID) -> Enrollment:
    """One enrolment in the actor's scope; EnrollmentNotFound otherwise."""
    enrollment = enrollment_list(actor=actor).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise EnrollmentNotFound()
    return enrollment
