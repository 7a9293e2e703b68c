from decimal import Decimal

import factory
from django.utils import timezone

from courses.models import Course, CourseAudience, Enrollment, Lesson, Module, ThematicArea
from lms.accounts.models import Position
from tests.accounts.factories import UserFactory


def area(slug: str = "semplificazione-amministrativa") -> ThematicArea:
    """The thematic areas are reference data created by a migration: look them up."""
    return ThematicArea.objects.get(slug=slug)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Corso di formazione {n}")
    slug = factory.Sequence(lambda n: f"corso-{n}")
    summary = "Un corso per le amministrazioni metropolitane."
    area = factory.LazyFunction(area)
    declared_hours = Decimal("10")
    status = Course.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Course.Status.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            self_enrollment_open=True,
        )

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create:
            self.trainers.set(extracted if extracted is not None else [UserFactory(trainer=True)])

    @factory.post_generation
    def audience(self, create, extracted, **kwargs):
        if create:
            CourseAudience.objects.bulk_create(
                CourseAudience(course=self, position=p) for p in (extracted or [Position.OFFICIAL])
            )


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Modulo {n}")
    declared_hours = Decimal("4")


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lezione {n}")
    kind = Lesson.Kind.VIDEO
    duration_seconds = 1800


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    learner = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory, published=True)
    source = Enrollment.Source.SELF
    enrolled_at = factory.LazyFunction(timezone.now)
