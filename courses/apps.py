from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Course catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.handlers import lessons_take_video_length
        from media.signals import video_asset_ready

        video_asset_ready.connect(lessons_take_video_length, dispatch_uid="lessons_video_length")
