from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    verbose_name = _("Video and documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.extensions import output_extension_register
        from media.course_content import EXTENSION

        output_extension_register(EXTENSION)
