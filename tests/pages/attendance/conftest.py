"""What the attendance pages' tests share: a course of Bologna's people and Milano's, an
in-person lesson with a session open now (built around the real clock: its check-in window is
open while the test runs), and the people of each role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Lesson
from tests.accounts.factories import OrganisationFactory, UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory, LessonFactory, ModuleFactory
from tracking.attendance.models import AttendanceSession
from tracking.attendance.services import sessions


@pytest.fixture
def bologna_org(db):
    return OrganisationFactory(city=city("bologna"), name="Comune di Imola")


@pytest.fixture
def bologna_coordinator(db):
    return UserFactory(coordinator_of="bologna", first_name="Bruna", last_name="Coordinatrice")


@pytest.fixture
def course(trainer):
    return CourseFactory(published=True, trainers=[trainer], title="Semplificazione")


@pytest.fixture
def day_lesson(course):
    module = ModuleFactory(course=course, title="Modulo in aula")
    return LessonFactory(module=module, kind=Lesson.Kind.IN_PERSON, title="Giornata in aula")


@pytest.fixture
def webinar_lesson(course):
    module = ModuleFactory(course=course, title="Modulo dal vivo")
    return LessonFactory(module=module, kind=Lesson.Kind.LIVE_WEBINAR, title="Webinar dal vivo")


def make_session(lesson, trainer, *, starts_at, hours=2.0, capacity=30, **extra):
    kind = extra.pop("kind", AttendanceSession.Kind.TRAINING_DAY)
    place = extra.pop("place", "" if kind == AttendanceSession.Kind.WEBINAR else "Palazzo Malvezzi")
    return sessions.session_create(
        actor=trainer,
        lesson=lesson,
        kind=kind,
        title=extra.pop("title", "Giornata di Bologna"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        place=place,
        **extra,
    )


def started_ago(minutes: int = 10):
    """A start that keeps the session on today's date in Europe/Rome (a session runs on one
    day): ``minutes`` ago, or at 00:01 today when that would cross midnight."""
    now = timezone.localtime()
    start = now - timedelta(minutes=minutes)
    if start.date() != now.date():
        start = now.replace(hour=0, minute=1, second=0, microsecond=0)
    return start


def hours_left_today(start, wanted: float = 2.0) -> float:
    """How long a session from ``start`` may last and still end today (Europe/Rome)."""
    local = timezone.localtime(start)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    room = (midnight - local).total_seconds() / 3600 - 0.02
    return min(wanted, room)


@pytest.fixture
def open_session(day_lesson, trainer):
    """A session that started a few minutes ago: check-in is open now."""
    start = started_ago(10)
    return make_session(day_lesson, trainer, starts_at=start, hours=hours_left_today(start))


@pytest.fixture
def later_session(day_lesson, trainer):
    """A session in three days' time at 9:30, Europe/Rome."""
    day = timezone.localdate() + timedelta(days=3)
    start = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9, 30))
    return make_session(day_lesson, trainer, starts_at=start, hours=4, title="Giornata futura")


@pytest.fixture
def bologna_learner(bologna_org, course):
    person = UserFactory(organisation=bologna_org, first_name="Bianca", last_name="Bolognesi")
    EnrollmentFactory(course=course, learner=person)
    return person


@pytest.fixture
def milano_person(milano_org, course):
    person = UserFactory(organisation=milano_org, first_name="Ambrogio", last_name="Brambilla")
    EnrollmentFactory(course=course, learner=person)
    return person
