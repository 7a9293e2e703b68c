"""The app's admin, for Django's autodiscovery: each room registers its own."""

from tracking.lrs import admin as lrs_admin
from tracking.progress import admin as progress_admin

__all__ = ["lrs_admin", "progress_admin"]
