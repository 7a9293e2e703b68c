from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Learning records (xAPI)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tracking.progress import handlers

        handlers.connect()
