"""The app's admin, for Django's autodiscovery: each room registers its own."""

from tracking.attendance import admin as attendance_admin
from tracking.lrs import admin as lrs_admin
from tracking.progress import admin as progress_admin

__all__ = ["attendance_admin", "lrs_admin", "progress_admin"]
