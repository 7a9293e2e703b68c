"""Receivers of other apps' and rooms' signals: each only schedules a task (the signals are
sent after commit, so the task sees the committed rows)."""

from typing import Any

from django.conf import settings

from lms.wakeups import wake_later
from tracking.progress import tasks


def on_enrollment_created(sender: Any, *, enrollment_id: str, **kwargs: Any) -> None:
    tasks.enrollment_registered_emit_task.delay(enrollment_id=enrollment_id)


def on_statements_stored(sender: Any, **kwargs: Any) -> None:
    # A moment later: what arrives meanwhile is applied in the same batch, which costs the
    # database and the worker far less than one drain per request.
    wake_later(tasks.progress_drain_task, delay=settings.PROGRESS_DRAIN_DELAY_SECONDS)


def connect() -> None:
    from courses.signals import enrollment_created
    from tracking.lrs.signals import statements_stored

    enrollment_created.connect(
        on_enrollment_created, dispatch_uid="tracking.progress.handlers.on_enrollment_created"
    )
    statements_stored.connect(
        on_statements_stored, dispatch_uid="tracking.progress.handlers.on_statements_stored"
    )
