import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Enrollment, Lesson
from courses.selectors import course_search
from lms.accounts.models import Position


class CourseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Words in title or summary"))
    area = django_filters.CharFilter(field_name="area__slug", label=_("Thematic area (slug)"))
    audience = django_filters.ChoiceFilter(
        choices=Position.choices, method="filter_audience", label=_("Intended audience")
    )
    language = django_filters.ChoiceFilter(choices=Course.Language.choices)
    lesson_kind = django_filters.ChoiceFilter(
        choices=Lesson.Kind.choices,
        method="filter_lesson_kind",
        label=_("Has lessons of this kind"),
    )
    status = django_filters.ChoiceFilter(choices=Course.Status.choices)
    trainer = django_filters.UUIDFilter(method="filter_trainer", label=_("Taught by (person id)"))
    ordering = django_filters.OrderingFilter(
        fields=["title", "published_at", "declared_hours", "created_at"]
    )

    class Meta:
        model = Course
        fields = ["search", "area", "audience", "language", "lesson_kind", "status", "trainer"]

    def filter_search(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        return course_search(queryset, value)

    def filter_audience(
        self, queryset: QuerySet[Course], name: str, value: str
    ) -> QuerySet[Course]:
        return queryset.filter(audiences__position=value)  # unique per course: no duplicates

    def filter_lesson_kind(
        self, queryset: QuerySet[Course], name: str, value: str
    ) -> QuerySet[Course]:
        lessons = Lesson.objects.filter(module__course=OuterRef("pk"), kind=value)
        return queryset.filter(Exists(lessons))

    def filter_trainer(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        trainers = Course.trainers.through.objects.filter(course=OuterRef("pk"), user_id=value)
        return queryset.filter(Exists(trainers))


class EnrollmentFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(field_name="course_id")
    learner = django_filters.UUIDFilter(field_name="learner_id")
    status = django_filters.ChoiceFilter(choices=Enrollment.Status.choices)
    city = django_filters.UUIDFilter(field_name="learner__organisation__city_id")
    organisation = django_filters.UUIDFilter(field_name="learner__organisation_id")

    class Meta:
        model = Enrollment
        fields = ["course", "learner", "status", "city", "organisation"]
