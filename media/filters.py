import django_filters
from django.utils.translation import gettext_lazy as _

from media.models import VideoAsset


class VideoFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(field_name="course_id", label=_("Course (id)"))
    status = django_filters.ChoiceFilter(choices=VideoAsset.Status.choices)

    class Meta:
        model = VideoAsset
        fields = ["course", "status"]
