"""The Celery application. Tasks are discovered in each installed app's ``tasks`` module."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
# Every CELERY_* Django setting configures Celery (broker, eager mode, routes).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
