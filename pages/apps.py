from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The pages people open: server-rendered, above every other app (none of them imports it)."""

    name = "pages"
    verbose_name = _("Pages")
