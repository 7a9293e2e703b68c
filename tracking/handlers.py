"""Receivers of other apps' signals: each only schedules a task (the signal is already sent after
commit, so the task sees the committed rows)."""

from typing import Any

from tracking import tasks


def on_enrollment_created(sender: Any, *, enrollment_id: str, **kwargs: Any) -> None:
    tasks.enrollment_registered_emit_task.delay(enrollment_id=enrollment_id)


def connect() -> None:
    from courses.signals import enrollment_created

    enrollment_created.connect(
        on_enrollment_created, dispatch_uid="tracking.handlers.on_enrollment_created"
    )
