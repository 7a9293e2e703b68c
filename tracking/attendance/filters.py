import django_filters
from django.utils.translation import gettext_lazy as _

from tracking.attendance.models import AttendanceSession


class SessionFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("Starting on or after (date)")
    )
    date_to = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Starting on or before (date)")
    )
    course = django_filters.UUIDFilter(field_name="lesson__module__course_id")
    lesson = django_filters.UUIDFilter(field_name="lesson_id")
    kind = django_filters.ChoiceFilter(choices=AttendanceSession.Kind.choices)

    class Meta:
        model = AttendanceSession
        fields = ["date_from", "date_to", "course", "lesson", "kind"]
